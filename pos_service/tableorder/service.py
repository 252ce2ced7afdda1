"""Ordering at the table by QR code, and the venue's guest settings.

A guest's order goes through the same services as a waiter's: ``orders.add_line`` for
each line (the item's required modifiers checked there; ``added_by`` 0 marks a guest's
line) and ``kitchen.send`` for the send, with its tickets, printing and courses. With
``confirm`` the lines wait on the check as pending lines and the waiter's send confirms
them; with ``direct`` they are sent in the same transaction, unless the waiter has
lines of their own waiting on the check (a guest never sends the waiter's lines), in
which case they wait too. Either way the whole order is one transaction: a bad line
refuses the order and nothing is written.
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core import events, qr, tx
from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, DomainError, NotFound
from pos_service.kitchen import service as kitchen
from pos_service.menu import service as menu
from pos_service.orders import service as orders
from pos_service.orders.models import Check, CheckStatus, LineState
from pos_service.orders.schemas import CheckOpen, CheckWrite, LineAdd
from pos_service.public.settings import guest_settings
from pos_service.tableorder import links
from pos_service.tableorder.events import GuestOrdered
from pos_service.tableorder.schemas import (
    GuestCategory,
    GuestGroup,
    GuestItem,
    GuestOption,
    GuestOrderCreate,
    GuestOrderedLine,
    GuestOrderRead,
    Rotated,
    TableLinkRead,
    TableMenuRead,
)
from pos_service.tables import service as tables
from pos_service.tables.models import DiningTable
from pos_service.venues import service as venues
from pos_service.venues.models import Venue


async def _locked_venue(session: AsyncSession, caller: Caller) -> Venue:
    venue = await session.get(Venue, caller.venue_id, with_for_update=True)
    if venue is None:
        raise NotFound("no such venue", field="venue")
    return venue


# --- the table tent's link


async def _table(session: AsyncSession, venue_id: int, table_id: int) -> DiningTable:
    table = await session.get(DiningTable, (venue_id, table_id))
    if table is None or table.archived_at is not None:
        raise NotFound("no table {table_id}", table_id=table_id, field="table_id")
    return table


async def table_link(
    session: AsyncSession, caller: Caller, secret_key: str, base_url: str, table_id: int
) -> TableLinkRead:
    """The table's order link and its QR code, for the table tent (managers, waiters)."""
    table = await _table(session, caller.venue_id, table_id)
    venue = await venues.get(session, caller.venue_id)
    token = links.issue(
        secret_key, venue.id, table.id, links.generations(venue.settings).of(table.id)
    )
    url = f"{base_url}/t/{token}"
    return TableLinkRead(
        table_id=table.id,
        table=table.name,
        token=token,
        url=url,
        qr_svg=qr.svg(url, title=f"{venue.name}, table {table.name}"),
    )


async def table_links(
    session: AsyncSession, caller: Caller, secret_key: str, base_url: str
) -> list[TableLinkRead]:
    """Every live table's order link, for printing the tents at once."""
    ids = (
        await session.execute(
            select(DiningTable.id)
            .where(DiningTable.venue_id == caller.venue_id, DiningTable.archived_at.is_(None))
            .order_by(DiningTable.name)
        )
    ).scalars()
    return [await table_link(session, caller, secret_key, base_url, i) for i in ids]


async def rotate(session: AsyncSession, caller: Caller, table_id: int | None) -> Rotated:
    """Kill a table's printed links (or, with ``table_id`` None, every table's); audited."""
    venue = await _locked_venue(session, caller)
    gens = links.generations(venue.settings)
    if table_id is None:
        gens.generation += 1 + secrets.randbelow(1000)
        generation = gens.generation
    else:
        await _table(session, caller.venue_id, table_id)
        generation = gens.tables.get(str(table_id), 0) + 1 + secrets.randbelow(1000)
        gens.tables[str(table_id)] = generation
    venue.settings = {**venue.settings, links.SETTINGS_KEY: msgspec.to_builtins(gens)}
    await audit.record(
        session,
        caller,
        "table_link.rotated",
        f"table:{table_id}" if table_id is not None else f"venue:{venue.id}",
        {},
    )
    return Rotated(table_id=table_id, generation=generation)


async def resolve(session: AsyncSession, secret_key: str, token: str) -> tuple[Venue, DiningTable]:
    """The venue and the table of a valid table token (401 otherwise, 404 for a table
    that is gone)."""
    venue_id, table_id, signature = links.parse(token)
    venue = await session.get(Venue, venue_id)
    if venue is None:
        links.verify(secret_key, 0, 0, signature, (0, 0))  # the same work, the same answer
        raise NotFound("no such venue", field="token")
    gens = links.generations(venue.settings).of(table_id)
    links.verify(secret_key, venue_id, table_id, signature, gens)
    return venue, await _table(session, venue_id, table_id)


# --- what the guest sees and sends


def _guest_menu(categories: list[Any]) -> list[GuestCategory]:
    out = []
    for category in categories:
        items = [
            GuestItem(
                id=i.id,
                name=i.name,
                description=i.description,
                price=i.price,
                allergens=list(i.allergens),
                modifier_groups=[
                    GuestGroup(
                        id=g.id,
                        name=g.name,
                        min_choices=g.min_choices,
                        max_choices=g.max_choices,
                        options=[
                            GuestOption(id=o.id, name=o.name, price_delta=o.price_delta)
                            for o in g.options
                        ],
                    )
                    for g in i.modifier_groups
                ],
            )
            for i in category.items
            if i.available and not i.gift_card and i.remaining != 0
        ]
        if items:
            out.append(GuestCategory(name=category.name, items=items))
    return out


async def table_menu(
    session: AsyncSession, caller: Caller, venue: Venue, table: DiningTable
) -> TableMenuRead:
    """The menu a guest orders from at ``table`` (no staff, stations or stock counts)."""
    ordering = guest_settings(venue.settings).guest_ordering
    categories = (
        _guest_menu((await menu.get_menu(session, caller)).categories) if ordering != "off" else []
    )
    return TableMenuRead(
        venue=venue.name,
        table=table.name,
        currency=venue.currency,
        locale=venue.locale,
        tax_inclusive=venue.tax_inclusive,
        ordering=ordering,
        categories=categories,
    )


async def _open_check(session: AsyncSession, caller: Caller, table: DiningTable) -> int:
    """The table's open check, opened for one cover if there is none (the waiter of the
    table's section takes it)."""
    check_id = await session.scalar(
        select(Check.id).where(
            Check.venue_id == caller.venue_id,
            Check.table_id == table.id,
            Check.status == CheckStatus.OPEN,
        )
    )
    if check_id is not None:
        return int(check_id)
    opened = await orders.open_check_for(
        session, caller, CheckOpen(table_id=table.id, covers=1), None
    )
    return opened.id


async def place_order(
    session: AsyncSession, caller: Caller, venue: Venue, table: DiningTable, data: GuestOrderCreate
) -> GuestOrderRead:
    """Add the guest's lines to the table's check and, by the venue's setting, send them."""
    ordering = guest_settings(venue.settings).guest_ordering
    if ordering == "off":
        raise Conflict("ordering at the table is off here; please ask your waiter", field="token")
    check_id = await _open_check(session, caller, table)
    check = None
    on = await tx.of_session(session)
    for n, line in enumerate(data.lines):
        try:
            check = await orders.add_line(
                on,
                caller,
                check_id,
                LineAdd(
                    item_id=line.item_id,
                    quantity=line.quantity,
                    modifiers=line.modifiers,
                    note=line.note or None,
                    allergens=line.allergens,
                ),
            )
        except DomainError as exc:  # name the line the guest got wrong
            exc.field = f"lines[{n}].{exc.field or 'item_id'}"
            raise
    assert check is not None
    ours = [line.id for line in check.lines[-len(data.lines) :]]
    waiters = [
        line
        for line in check.lines
        if line.state == LineState.PENDING and line.id not in ours and line.added_by != 0
    ]
    status: Literal["sent", "waiting"] = "waiting"
    if ordering == "direct" and not waiters:
        check = await kitchen.send(on, caller, check_id, CheckWrite())
        status = "sent"
    events.record(
        session,
        caller.venue_id,
        [*orders.topics(check_id), tables.FLOOR_TOPIC],
        GuestOrdered(
            check_id=check_id,
            table_id=table.id,
            table=table.name,
            line_ids=ours,
            status=status,
            version=check.version,
        ),
    )
    by_id = {line.id: line for line in check.lines}
    return GuestOrderRead(
        status=status,
        lines=[
            GuestOrderedLine(
                name=by_id[i].name,
                quantity=by_id[i].quantity,
                modifiers=[m.name for m in by_id[i].modifiers],
                amount=by_id[i].amount,
            )
            for i in ours
        ],
    )


async def menu_by_token(
    session: AsyncSession, caller: Caller, secret_key: str, token: str
) -> TableMenuRead:
    """The menu of the table a token opens."""
    venue, table = await resolve(session, secret_key, token)
    return await table_menu(session, caller, venue, table)


async def order_by_token(
    session: AsyncSession, caller: Caller, secret_key: str, token: str, data: GuestOrderCreate
) -> GuestOrderRead:
    """A guest's order at the table a token opens."""
    venue, table = await resolve(session, secret_key, token)
    return await place_order(session, caller, venue, table, data)
