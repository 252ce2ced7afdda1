"""What every change of the menu shares: the lock, versions, references, audit, events."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

import msgspec
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, Invalid, NotFound, Term
from pos_service.menu import service as menu
from pos_service.menu.models import (
    Category,
    Item,
    ModifierGroup,
    ModifierOption,
    Schedule,
    Station,
)
from pos_service.venues import service as venues

TOPICS = menu.MENU_TOPICS
P = ParamSpec("P")
T = TypeVar("T")


async def lock_menu(session: AsyncSession, venue_id: int) -> None:
    """Serialise the venue's menu changes (docs/locking.md): taken first, before any row
    lock, so that two editors (or an editor and an import) never deadlock, and a name
    checked free stays free until the commit."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('menu_admin'), CAST(:v AS integer))"),
        {"v": venue_id},
    )


def serialised(
    fn: Callable[Concatenate[AsyncSession, Caller, P], Awaitable[T]],
) -> Callable[Concatenate[AsyncSession, Caller, P], Awaitable[T]]:
    """Run a menu change under :func:`lock_menu`."""

    @functools.wraps(fn)
    async def run(session: AsyncSession, caller: Caller, /, *args: P.args, **kwargs: P.kwargs) -> T:
        await lock_menu(session, caller.venue_id)
        return await fn(session, caller, *args, **kwargs)

    return run


M = TypeVar("M", Station, Category, Item, ModifierGroup, ModifierOption, Schedule)


async def _locked(session: AsyncSession, model: type[M], venue_id: int, id_: int, what: str) -> M:
    row = await session.get(model, (venue_id, id_), with_for_update=True)
    if row is None:
        raise NotFound(
            "no {what} {id}", what=Term(what), id=id_, field=what.replace(" ", "_") + "_id"
        )
    return row


def _fresh(row: M, version: int, what: str, current: msgspec.Struct) -> None:
    """409 with the current state if ``version`` is not the row's."""
    if row.version != version:
        raise Conflict(
            "{what} {row_id} changed (version {version}, not {version2})",
            what=Term(what),
            row_id=row.id,
            version=row.version,
            version2=version,
            field="version",
            current=msgspec.to_builtins(current),
        )


async def _name_free(
    session: AsyncSession, model: type[M], venue_id: int, name: str, but: int | None = None
) -> None:
    query = select(model.id).where(model.venue_id == venue_id, model.name == name)
    if but is not None:
        query = query.where(model.id != but)
    if await session.scalar(query) is not None:
        raise Conflict("the name {name!r} is taken", name=name, field="name")


async def _station(session: AsyncSession, venue_id: int, station_id: int | None) -> None:
    if station_id is not None and await session.get(Station, (venue_id, station_id)) is None:
        raise Invalid("unknown station {station_id}", station_id=station_id, field="station_id")


async def _course(session: AsyncSession, venue_id: int, course: str | None, field: str) -> None:
    if course is None:
        return
    venue = await venues.get(session, venue_id)
    if course not in venue.courses:
        raise Invalid(
            "unknown course {course!r}; one of {courses}",
            course=course,
            courses=list(venue.courses),
            field=field,
        )


async def _known(
    session: AsyncSession, model: type[M], venue_id: int, ids: Sequence[int], field: str
) -> list[int]:
    wanted = list(dict.fromkeys(ids))
    found = set(
        (
            await session.execute(
                select(model.id).where(model.venue_id == venue_id, model.id.in_(wanted))
            )
        ).scalars()
    )
    for id_ in wanted:
        if id_ not in found:
            raise Invalid(
                "unknown {what} {id}",
                what=Term(field.removesuffix("_ids").replace("_", " ")),
                id=id_,
                field=field,
            )
    return wanted


async def _category(session: AsyncSession, venue_id: int, category_id: int) -> Category:
    category = await session.get(Category, (venue_id, category_id))
    if category is None or category.archived:
        raise Invalid(
            "unknown category {category_id}", category_id=category_id, field="category_id"
        )
    return category


def _publish(session: AsyncSession, caller: Caller, event: events.DomainEvent) -> None:
    events.record(session, caller.venue_id, TOPICS, event)


async def _audit(
    session: AsyncSession, caller: Caller, action: str, subject: str, detail: dict[str, Any]
) -> None:
    await audit.record(session, caller, action, subject, detail)


def _set(row: Any, changes: dict[str, Any], name: str, value: Any) -> None:
    """Set ``row.name`` to ``value``, noting [old, new] in ``changes`` if it differs."""
    old = getattr(row, name)
    if isinstance(old, list | tuple):
        old = list(old)
    if old != value:
        changes[name] = [old, value]
        setattr(row, name, value)


async def _links(
    session: AsyncSession, model: Any, column: Any, key: Any, venue_id: int, id_: int
) -> list[int]:
    return list(
        (
            await session.execute(
                select(column).where(model.venue_id == venue_id, key == id_).order_by(column)
            )
        ).scalars()
    )
