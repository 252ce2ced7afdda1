"""Promotions and day-part prices: managing them, and what they do to lines.

Changes run under the menu's lock (``menu.admin.serialised``: a day-part price is a menu
price), lock the row they change, compare the caller's ``version`` (409 with the current
row if stale), validate every field and reference (422 naming it, nothing written), bump
``version`` and write an audit entry in the same transaction.

The bill asks :func:`applied` for the promotions of a check's lines (the engine in
``promotions.engine``); the orders ask :func:`price_at` for an item's price when a line
is ordered (from the day-part prices ``line_open`` read).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound, Term
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.menu.admin import serialised
from pos_service.menu.models import Category, Item
from pos_service.menu.schedules import any_open
from pos_service.promotions.engine import (
    Applied,
    Component,
    PromoLine,
    Terms,
    WindowSpec,
    apply,
    business_day,
)
from pos_service.promotions.models import DayPartPrice, Promotion
from pos_service.promotions.schemas import (
    ComponentIn,
    DayPartPriceCreate,
    DayPartPricePatch,
    DayPartPriceRead,
    PriceRemoved,
    PromotionCreate,
    PromotionEnd,
    PromotionPatch,
    PromotionRead,
    WindowIn,
)
from pos_service.venues.models import Venue

PARAMS = ("percent_bp", "amount", "buy", "get", "price", "components")
NEEDS = {
    "percent_off": ("percent_bp",),
    "amount_off": ("amount",),
    "buy_n_get_m": ("buy", "get"),
    "combo_price": ("price",),
}


# --- what promotions do


class OrderedLine(msgspec.Struct, frozen=True, kw_only=True):
    """A chargeable line as the bill knows it."""

    line_id: int
    item_id: int
    quantity: int
    unit_price: int
    ordered_at: dt.datetime


async def applied(
    session: AsyncSession, venue: Venue, lines: Sequence[OrderedLine]
) -> list[Applied]:
    """The promotions the venue's promotions give ``lines`` (each line at the time it was
    ordered, in the venue's timezone and business day)."""
    if not lines:
        return []
    rows = (
        (await session.execute(select(Promotion).where(Promotion.venue_id == venue.id)))
        .scalars()
        .all()
    )
    if not rows:
        return []
    item_ids = {line.item_id for line in lines}
    rows_of = await session.execute(
        select(Item.id, Item.category_id).where(Item.venue_id == venue.id, Item.id.in_(item_ids))
    )
    category_of = {item_id: category for item_id, category in rows_of.all()}
    zone = ZoneInfo(venue.timezone)
    promo_lines = []
    for line in lines:
        local = line.ordered_at.astimezone(zone)
        promo_lines.append(
            PromoLine(
                line_id=line.line_id,
                item_id=line.item_id,
                category_id=category_of.get(line.item_id, 0),
                quantity=line.quantity,
                unit_price=line.unit_price,
                ordered_at=line.ordered_at,
                local=local,
                business_day=business_day(local, venue.day_cutoff),
            )
        )
    return apply(promo_lines, [terms(row) for row in rows])


def terms(row: Promotion) -> Terms:
    params = row.params
    return Terms(
        id=row.id,
        name=row.name,
        kind=row.kind,
        item_ids=list(row.item_ids),
        category_ids=list(row.category_ids),
        percent_bp=int(params.get("percent_bp") or 0),
        amount=int(params.get("amount") or 0),
        buy=int(params.get("buy") or 0),
        get=int(params.get("get") or 0),
        price=int(params.get("price") or 0),
        components=msgspec.convert(params.get("components") or [], list[Component]),
        windows=_windows(row.windows),
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        ended_at=row.ended_at,
    )


def _windows(stored: Iterable[dict[str, Any]]) -> list[WindowSpec]:
    return msgspec.convert(list(stored), list[WindowSpec])


class DayPart(Protocol):
    """A day-part price as ``price_at`` reads it."""

    @property
    def price(self) -> int: ...

    @property
    def windows(self) -> Sequence[WindowSpec]: ...


def price_at(price: int, day_parts: Sequence[DayPart], timezone: str, at: dt.datetime) -> int:
    """The price of an item (menu ``price``, its ``day_parts``) for a line ordered at
    ``at``: the lowest of its day-part prices open then in the venue's ``timezone``, else
    its menu price."""
    if not day_parts:
        return price
    local = at.astimezone(ZoneInfo(timezone))
    open_now = [part.price for part in day_parts if part.windows and any_open(part.windows, local)]
    return min(open_now, default=price)


# --- reading


def promotion_read(row: Promotion) -> PromotionRead:
    params = row.params
    return PromotionRead(
        id=row.id,
        name=row.name,
        kind=row.kind,  # type: ignore[arg-type]
        item_ids=list(row.item_ids),
        category_ids=list(row.category_ids),
        percent_bp=params.get("percent_bp"),
        amount=params.get("amount"),
        buy=params.get("buy"),
        get=params.get("get"),
        price=params.get("price"),
        components=msgspec.convert(params.get("components") or [], list[ComponentIn]),
        windows=msgspec.convert(list(row.windows), list[WindowIn]),
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        active=row.ended_at is None,
        ended_at=row.ended_at,
        version=row.version,
        created_at=row.created_at,
    )


def price_read(row: DayPartPrice) -> DayPartPriceRead:
    return DayPartPriceRead(
        id=row.id,
        item_id=row.item_id,
        name=row.name,
        price=row.price,
        windows=msgspec.convert(list(row.windows), list[WindowIn]),
        version=row.version,
    )


async def list_promotions(
    session: AsyncSession, caller: Caller, include_ended: bool
) -> list[PromotionRead]:
    query = select(Promotion).where(Promotion.venue_id == caller.venue_id)
    if not include_ended:
        query = query.where(Promotion.ended_at.is_(None))
    rows = (await session.execute(query.order_by(Promotion.id))).scalars().all()
    return [promotion_read(row) for row in rows]


async def get_promotion(session: AsyncSession, caller: Caller, promotion_id: int) -> PromotionRead:
    return promotion_read(await _promotion(session, caller.venue_id, promotion_id, lock=False))


async def list_prices(session: AsyncSession, caller: Caller) -> list[DayPartPriceRead]:
    rows = (
        (
            await session.execute(
                select(DayPartPrice)
                .where(DayPartPrice.venue_id == caller.venue_id)
                .order_by(DayPartPrice.item_id, DayPartPrice.id)
            )
        )
        .scalars()
        .all()
    )
    return [price_read(row) for row in rows]


# --- validation


def _check_windows(windows: Sequence[WindowIn]) -> list[dict[str, Any]]:
    for window in windows:
        if window.starts == window.ends:
            raise Invalid("a window must not start when it ends", field="windows")
    return [
        {
            "weekdays": sorted(set(w.weekdays)),
            "starts": w.starts.isoformat(),
            "ends": w.ends.isoformat(),
        }
        for w in windows
    ]


async def _known(
    session: AsyncSession,
    model: type[Item] | type[Category],
    venue_id: int,
    ids: Sequence[int],
    field: str,
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
            what = "item" if model is Item else "category"
            raise Invalid("unknown {what} {id}", what=Term(what), id=id_, field=field)
    return wanted


async def _shape(session: AsyncSession, venue_id: int, kind: str, fields: dict[str, Any]) -> None:
    """422 naming the field unless ``fields`` make a whole promotion of ``kind``; the ids
    in it are turned into lists of known ids."""
    for name in NEEDS[kind]:
        if fields.get(name) is None:
            raise Invalid("a {kind} promotion needs {field}", kind=kind, field=name)
    fields["item_ids"] = await _known(session, Item, venue_id, fields["item_ids"], "item_ids")
    fields["category_ids"] = await _known(
        session, Category, venue_id, fields["category_ids"], "category_ids"
    )
    if kind == "combo_price":
        components: list[ComponentIn] = fields["components"]
        if len(components) < 2:
            raise Invalid("a combo needs two or more components", field="components")
        for component in components:
            if not component.item_ids and not component.category_ids:
                raise Invalid("each component names items or categories", field="components")
            await _known(session, Item, venue_id, component.item_ids, "components")
            await _known(session, Category, venue_id, component.category_ids, "components")
    elif not fields["item_ids"] and not fields["category_ids"]:
        raise Invalid("a {kind} promotion names items or categories", kind=kind, field="item_ids")
    starts, ends = fields.get("starts_on"), fields.get("ends_on")
    if starts is not None and ends is not None and ends < starts:
        raise Invalid("a promotion cannot end before it starts", field="ends_on")


def _params(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    wanted = NEEDS[kind] + (("components",) if kind == "combo_price" else ())
    return {name: msgspec.to_builtins(fields[name]) for name in wanted}


# --- promotions


async def _promotion(
    session: AsyncSession, venue_id: int, promotion_id: int, *, lock: bool = True
) -> Promotion:
    row = await session.get(Promotion, (venue_id, promotion_id), with_for_update=lock)
    if row is None:
        raise NotFound(
            "no promotion {promotion_id}", promotion_id=promotion_id, field="promotion_id"
        )
    return row


async def _name_free(
    session: AsyncSession, venue_id: int, name: str, but: int | None = None
) -> None:
    query = select(Promotion.id).where(Promotion.venue_id == venue_id, Promotion.name == name)
    if but is not None:
        query = query.where(Promotion.id != but)
    if await session.scalar(query) is not None:
        raise Conflict("the name {name!r} is taken", name=name, field="name")


def _fresh(version: int, current: int, what: str, row_id: int, read: msgspec.Struct) -> None:
    if version != current:
        raise Conflict(
            "{what} {row_id} changed (version {current2}, not {version})",
            what=Term(what),
            row_id=row_id,
            current2=current,
            version=version,
            field="version",
            current=msgspec.to_builtins(read),
        )


@serialised
async def create_promotion(
    session: AsyncSession, caller: Caller, data: PromotionCreate
) -> PromotionRead:
    v = caller.venue_id
    fields = {f: getattr(data, f) for f in data.__struct_fields__}
    await _shape(session, v, data.kind, fields)
    windows = _check_windows(data.windows)
    await _name_free(session, v, data.name)
    row = Promotion(
        venue_id=v,
        name=data.name,
        kind=data.kind,
        item_ids=fields["item_ids"],
        category_ids=fields["category_ids"],
        params=_params(data.kind, fields),
        windows=windows,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        version=1,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    read = promotion_read(row)
    await audit.record(
        session, caller, "promotion.created", f"promotion:{row.id}", msgspec.to_builtins(read)
    )
    return read


@serialised
async def patch_promotion(
    session: AsyncSession, caller: Caller, promotion_id: int, data: PromotionPatch
) -> PromotionRead:
    v = caller.venue_id
    row = await _promotion(session, v, promotion_id)
    before = promotion_read(row)
    _fresh(data.version, row.version, "promotion", promotion_id, before)
    if row.ended_at is not None:
        raise Conflict(
            "promotion {promotion_id} has ended", promotion_id=promotion_id, field="promotion_id"
        )
    fields = {f: getattr(before, f) for f in before.__struct_fields__}
    given = {f: getattr(data, f) for f in data.__struct_fields__ if f != "version"}
    fields.update({k: val for k, val in given.items() if val is not UNSET})
    await _shape(session, v, row.kind, fields)
    if data.name is not UNSET:
        await _name_free(session, v, data.name, row.id)
        row.name = data.name
    if data.windows is not UNSET:
        row.windows = _check_windows(data.windows)
    row.item_ids = fields["item_ids"]
    row.category_ids = fields["category_ids"]
    row.params = _params(row.kind, fields)
    row.starts_on = fields["starts_on"]
    row.ends_on = fields["ends_on"]
    row.version += 1
    await session.flush()
    after = promotion_read(row)
    old, new = msgspec.to_builtins(before), msgspec.to_builtins(after)
    changes = {k: [old[k], new[k]] for k in new if old[k] != new[k] and k != "version"}
    await audit.record(session, caller, "promotion.changed", f"promotion:{row.id}", changes)
    return after


@serialised
async def end_promotion(
    session: AsyncSession, caller: Caller, promotion_id: int, data: PromotionEnd
) -> PromotionRead:
    row = await _promotion(session, caller.venue_id, promotion_id)
    _fresh(data.version, row.version, "promotion", promotion_id, promotion_read(row))
    if row.ended_at is not None:
        raise Conflict(
            "promotion {promotion_id} has ended", promotion_id=promotion_id, field="promotion_id"
        )
    row.ended_at = now_utc()
    row.ended_by = caller.actor
    row.version += 1
    await session.flush()
    await audit.record(
        session, caller, "promotion.ended", f"promotion:{row.id}", {"name": row.name}
    )
    return promotion_read(row)


# --- day-part prices


async def _price(session: AsyncSession, venue_id: int, price_id: int) -> DayPartPrice:
    row = await session.get(DayPartPrice, (venue_id, price_id), with_for_update=True)
    if row is None:
        raise NotFound("no day-part price {price_id}", price_id=price_id, field="price_id")
    return row


@serialised
async def create_price(
    session: AsyncSession, caller: Caller, data: DayPartPriceCreate
) -> DayPartPriceRead:
    v = caller.venue_id
    item = await session.get(Item, (v, data.item_id))
    if item is None or item.archived:
        raise Invalid("unknown item {item_id}", item_id=data.item_id, field="item_id")
    row = DayPartPrice(
        venue_id=v,
        item_id=item.id,
        name=data.name,
        price=data.price,
        windows=_check_windows(data.windows),
        version=1,
    )
    session.add(row)
    await session.flush()
    read = price_read(row)
    await audit.record(
        session,
        caller,
        "menu.day_part_price_created",
        f"day_part_price:{row.id}",
        {"item": item.name, **msgspec.to_builtins(read)},
    )
    return read


@serialised
async def patch_price(
    session: AsyncSession, caller: Caller, price_id: int, data: DayPartPricePatch
) -> DayPartPriceRead:
    row = await _price(session, caller.venue_id, price_id)
    before = price_read(row)
    _fresh(data.version, row.version, "day-part price", price_id, before)
    if data.windows is not UNSET:
        row.windows = _check_windows(data.windows)
    if data.name is not UNSET:
        row.name = data.name
    if data.price is not UNSET:
        row.price = data.price
    row.version += 1
    await session.flush()
    after = price_read(row)
    old, new = msgspec.to_builtins(before), msgspec.to_builtins(after)
    changes = {k: [old[k], new[k]] for k in new if old[k] != new[k] and k != "version"}
    await audit.record(
        session, caller, "menu.day_part_price_changed", f"day_part_price:{row.id}", changes
    )
    return after


@serialised
async def remove_price(
    session: AsyncSession, caller: Caller, price_id: int, version: int | None
) -> PriceRemoved:
    row = await _price(session, caller.venue_id, price_id)
    if version is not None:
        _fresh(version, row.version, "day-part price", price_id, price_read(row))
    await session.delete(row)
    await session.flush()
    await audit.record(
        session,
        caller,
        "menu.day_part_price_deleted",
        f"day_part_price:{price_id}",
        {"item_id": row.item_id, "name": row.name, "price": row.price},
    )
    return PriceRemoved(id=price_id)
