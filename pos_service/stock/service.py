"""Stock on hand, recipes, consumption by sends, counts.

A send consumes stock in ONE statement (:data:`CONSUME`): it sums the sent lines by
item, multiplies by the recipes, locks the stock items it touches in id order (so two
sends never deadlock on them), takes the quantities off, logs one ``sale`` movement per
stock item, and 86s every item that uses a stock item now at or below zero. What it
returns are the alerts: stock items that crossed their alert level (or ran out) and the
items it 86'd. Stock never refuses a send; only ``items.remaining`` (portions counted
down by orders) does.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, Invalid, NotFound
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.menu.events import ItemAvailabilityChanged
from pos_service.menu.models import Item
from pos_service.menu.service import MENU_TOPICS
from pos_service.stock.events import StockCounted, StockLow
from pos_service.stock.models import MovementKind, RecipeLine, StockItem, StockMovement
from pos_service.stock.schemas import (
    RecipeLineRead,
    RecipeRead,
    RecipeWrite,
    StockCount,
    StockItemCreate,
    StockItemPatch,
    StockItemRead,
    StockMovementRead,
)

STOCK_TOPICS = ["stock", "orders"]

CONSUME = text(
    """
WITH sent AS (
    SELECT item_id, sum(quantity) AS qty FROM check_lines
    WHERE venue_id = :v AND id = ANY(CAST(:lines AS bigint[]))
    GROUP BY item_id
), need AS (
    SELECT r.stock_item_id AS id, sum(r.quantity * s.qty) AS qty
    FROM recipe_lines r JOIN sent s ON s.item_id = r.item_id
    WHERE r.venue_id = :v
    GROUP BY r.stock_item_id
), locked AS MATERIALIZED (
    SELECT st.id FROM stock_items st
    WHERE st.venue_id = :v AND st.id IN (SELECT id FROM need)
    ORDER BY st.id
    FOR UPDATE
), moved AS (
    UPDATE stock_items st SET on_hand = st.on_hand - need.qty
    FROM need JOIN locked ON locked.id = need.id
    WHERE st.venue_id = :v AND st.id = need.id
    RETURNING st.id, st.name, st.unit, st.low_at, st.on_hand AS after, need.qty AS used
), logged AS (
    INSERT INTO stock_movements
        (venue_id, stock_item_id, kind, quantity, on_hand, check_id, staff_id)
    SELECT :v, id, 'sale', -used, after, :c, :s FROM moved
), out AS (
    UPDATE items i SET available = false
    FROM recipe_lines r JOIN moved m ON m.id = r.stock_item_id
    WHERE i.venue_id = :v AND r.venue_id = :v AND i.id = r.item_id
      AND m.after <= 0 AND i.available
    RETURNING i.id, i.name, i.remaining
)
SELECT 'stock' AS kind, id, name, unit, low_at, after, NULL::int AS remaining FROM moved
WHERE (after <= low_at AND after + used > low_at) OR (after <= 0 AND after + used > 0)
UNION ALL
SELECT DISTINCT 'item', id, name, NULL::text, NULL::bigint, NULL::bigint, remaining FROM out
"""
)


async def consume(
    session: AsyncSession, caller: Caller, check_id: int, line_ids: list[int]
) -> None:
    """Take what the sent lines use off stock (one statement), and alert."""
    rows = await session.execute(
        CONSUME,
        {
            "v": caller.venue_id,
            "lines": line_ids,
            "c": check_id,
            "s": caller.staff_id,
        },
    )
    for row in rows.all():
        if row.kind == "item":
            event = ItemAvailabilityChanged(
                item_id=row.id, name=row.name, available=False, remaining=row.remaining
            )
            events.record(session, caller.venue_id, MENU_TOPICS, event)
            continue
        low = StockLow(
            stock_item_id=row.id,
            name=row.name,
            unit=row.unit,
            on_hand=row.after,
            low_at=row.low_at,
            out=row.after <= 0,
        )
        events.record(session, caller.venue_id, STOCK_TOPICS, low)


async def _uses(session: AsyncSession, venue_id: int) -> dict[int, list[int]]:
    rows = await session.execute(
        select(RecipeLine.stock_item_id, RecipeLine.item_id)
        .where(RecipeLine.venue_id == venue_id)
        .order_by(RecipeLine.item_id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for stock_item_id, item_id in rows.all():
        found[stock_item_id].append(item_id)
    return found


def _read(row: StockItem, uses: dict[int, list[int]]) -> StockItemRead:
    return StockItemRead(
        id=row.id,
        name=row.name,
        unit=row.unit,
        on_hand=row.on_hand,
        low_at=row.low_at,
        low=row.on_hand <= row.low_at,
        item_ids=uses.get(row.id, []),
    )


async def list_stock(session: AsyncSession, caller: Caller) -> list[StockItemRead]:
    """Every stock item with its level, by name."""
    rows = (
        await session.execute(
            select(StockItem).where(StockItem.venue_id == caller.venue_id).order_by(StockItem.name)
        )
    ).scalars()
    uses = await _uses(session, caller.venue_id)
    return [_read(row, uses) for row in rows]


async def _stock_item(
    session: AsyncSession, venue_id: int, stock_item_id: int, field: str
) -> StockItem:
    row = await session.get(StockItem, (venue_id, stock_item_id), with_for_update=True)
    if row is None:
        raise NotFound("no stock item {stock_item_id}", stock_item_id=stock_item_id, field=field)
    return row


async def _flush_named(session: AsyncSession, name: str) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("a stock item is named {name!r}", name=name, field="name") from exc


async def create_stock_item(
    session: AsyncSession, caller: Caller, data: StockItemCreate
) -> StockItemRead:
    """A new stock item (409 if the name is taken)."""
    row = StockItem(
        venue_id=caller.venue_id,
        name=data.name,
        unit=data.unit,
        on_hand=data.on_hand,
        low_at=data.low_at,
    )
    session.add(row)
    await _flush_named(session, data.name)
    return _read(row, {})


async def patch_stock_item(
    session: AsyncSession, caller: Caller, stock_item_id: int, data: StockItemPatch
) -> StockItemRead:
    """Rename a stock item, change its unit or its alert level."""
    row = await _stock_item(session, caller.venue_id, stock_item_id, "stock_item_id")
    if data.name is not UNSET:
        row.name = data.name
    if data.unit is not UNSET:
        row.unit = data.unit
    if data.low_at is not UNSET:
        row.low_at = data.low_at
    await _flush_named(session, row.name)
    return _read(row, await _uses(session, caller.venue_id))


async def get_recipe(session: AsyncSession, caller: Caller, item_id: int) -> RecipeRead:
    """What one portion of a menu item takes from stock."""
    if await session.get(Item, (caller.venue_id, item_id)) is None:
        raise NotFound("no item {item_id}", item_id=item_id, field="item_id")
    rows = await session.execute(
        select(RecipeLine.stock_item_id, StockItem.name, StockItem.unit, RecipeLine.quantity)
        .join(
            StockItem,
            (StockItem.venue_id == RecipeLine.venue_id)
            & (StockItem.id == RecipeLine.stock_item_id),
        )
        .where(RecipeLine.venue_id == caller.venue_id, RecipeLine.item_id == item_id)
        .order_by(StockItem.name)
    )
    return RecipeRead(
        item_id=item_id,
        lines=[
            RecipeLineRead(stock_item_id=s, name=n, unit=u, quantity=q) for s, n, u, q in rows.all()
        ],
    )


async def set_recipe(
    session: AsyncSession, caller: Caller, item_id: int, data: RecipeWrite
) -> RecipeRead:
    """Replace a menu item's recipe."""
    item = await session.get(Item, (caller.venue_id, item_id), with_for_update=True)
    if item is None:
        raise NotFound("no item {item_id}", item_id=item_id, field="item_id")
    wanted = {line.stock_item_id: line.quantity for line in data.lines}
    if len(wanted) != len(data.lines):
        raise Invalid("a stock item is named twice", field="lines")
    known = set(
        (
            await session.execute(
                select(StockItem.id).where(
                    StockItem.venue_id == caller.venue_id, StockItem.id.in_(wanted)
                )
            )
        ).scalars()
    )
    if missing := sorted(set(wanted) - known):
        raise Invalid("no stock items {missing}", missing=missing, field="lines")
    await session.execute(
        delete(RecipeLine).where(
            RecipeLine.venue_id == caller.venue_id, RecipeLine.item_id == item_id
        )
    )
    if wanted:
        await session.execute(
            insert(RecipeLine),
            [
                {"venue_id": caller.venue_id, "item_id": item_id, "stock_item_id": s, "quantity": q}
                for s, q in wanted.items()
            ],
        )
    return await get_recipe(session, caller, item_id)


async def count(session: AsyncSession, caller: Caller, data: StockCount) -> list[StockItemRead]:
    """Set what was counted; each difference to the book is logged (kind ``count``).
    Items 86'd because their stock ran out are brought back with the menu's PATCH."""
    counted = {c.stock_item_id: c.on_hand for c in data.counts}
    if len(counted) != len(data.counts):
        raise Invalid("a stock item is counted twice", field="counts")
    rows = [await _stock_item(session, caller.venue_id, i, "counts") for i in sorted(counted)]
    facts = []
    for row in rows:
        difference = counted[row.id] - row.on_hand
        row.on_hand = counted[row.id]
        session.add(
            StockMovement(
                venue_id=caller.venue_id,
                stock_item_id=row.id,
                kind=MovementKind.COUNT,
                quantity=difference,
                on_hand=row.on_hand,
                staff_id=caller.staff_id,
                note=data.note,
            )
        )
        facts.append({"stock_item_id": row.id, "on_hand": row.on_hand, "difference": difference})
    await session.flush()
    events.record(session, caller.venue_id, "stock", StockCounted(counts=facts, note=data.note))
    uses = await _uses(session, caller.venue_id)
    return [_read(row, uses) for row in rows]


async def list_movements(
    session: AsyncSession, caller: Caller, stock_item_id: int | None, limit: int
) -> list[StockMovementRead]:
    """The latest stock movements (of one stock item), newest first."""
    query = select(StockMovement).where(StockMovement.venue_id == caller.venue_id)
    if stock_item_id is not None:
        query = query.where(StockMovement.stock_item_id == stock_item_id)
    rows = (await session.execute(query.order_by(StockMovement.id.desc()).limit(limit))).scalars()
    return [
        StockMovementRead(
            id=m.id,
            stock_item_id=m.stock_item_id,
            kind=m.kind,
            quantity=m.quantity,
            on_hand=m.on_hand,
            check_id=m.check_id,
            staff_id=m.staff_id,
            note=m.note,
            at=m.created_at,
        )
        for m in rows
    ]


async def restock(
    session: AsyncSession, caller: Caller, check_id: int, units: dict[int, int]
) -> None:
    """Returned items (item id -> units) put what their recipes use back on stock: one
    ``return`` movement per stock item, the stock items locked in id order."""
    recipes = (
        await session.execute(
            select(RecipeLine).where(
                RecipeLine.venue_id == caller.venue_id, RecipeLine.item_id.in_(set(units))
            )
        )
    ).scalars()
    back: dict[int, int] = defaultdict(int)
    for recipe in recipes:
        back[recipe.stock_item_id] += recipe.quantity * units[recipe.item_id]
    if not back:
        return
    rows = (
        await session.execute(
            select(StockItem)
            .where(StockItem.venue_id == caller.venue_id, StockItem.id.in_(set(back)))
            .order_by(StockItem.id)
            .with_for_update()
        )
    ).scalars()
    for row in rows.all():
        row.on_hand += back[row.id]
        session.add(
            StockMovement(
                venue_id=caller.venue_id,
                stock_item_id=row.id,
                kind=MovementKind.RETURN,
                quantity=back[row.id],
                on_hand=row.on_hand,
                check_id=check_id,
                staff_id=caller.staff_id,
                note="returned",
            )
        )
    await session.flush()
