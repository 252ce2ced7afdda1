"""The use cases of a check: open, add and edit lines, send, void, transfer, merge.

Every write locks the check row (``SELECT ... FOR UPDATE``), compares the caller's
``version`` if one was given, changes, and bumps ``version``; concurrent writers of one
check are serialised, and a stale write is refused with 409 and the current check.
Opening, transferring and merging lock the tables involved, in id order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol, cast

import msgspec
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from pos_service.core import events, journal, locks
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, DomainError, Invalid, NotFound, Term
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.core.tx import Tx
from pos_service.menu.events import ItemAvailabilityChanged
from pos_service.menu.models import Item, ItemModifierGroup, ModifierGroup, ModifierOption
from pos_service.menu.service import MENU_TOPICS
from pos_service.orders import line_rule
from pos_service.orders.events import (
    CheckAllergiesChanged,
    CheckOpened,
    ChecksMerged,
    CheckTransferred,
    LineAdded,
    LineChanged,
    LineVoided,
)
from pos_service.orders.line_rule import ordered as ordered
from pos_service.orders.models import Check, CheckKind, CheckLine, CheckStatus, LineState
from pos_service.orders.schemas import (
    AllergiesSet,
    CheckOpen,
    CheckRead,
    FavouritesRead,
    LineAdd,
    LinePatch,
    LineRead,
    MergeRequest,
    ModifierRead,
    TransferRequest,
    VoidRequest,
)
from pos_service.rosters import service as rosters
from pos_service.staff import service as staff
from pos_service.staff.models import Staff
from pos_service.tables import service as tables
from pos_service.tables.models import DiningTable, TableStatus
from pos_service.tables.schemas import OpenCheckRead
from pos_service.venues import service as venues

ORDERS_TOPIC = "orders"


class Portion(Protocol):
    """What counting down needs of a line being sent."""

    @property
    def item_id(self) -> int: ...

    @property
    def quantity(self) -> int: ...


def topics(check_id: int) -> list[str]:
    return [ORDERS_TOPIC, f"check:{check_id}"]


def line_read(line: CheckLine) -> LineRead:
    return LineRead(
        id=line.id,
        item_id=line.item_id,
        name=line.name,
        quantity=line.quantity,
        unit_price=line.unit_price,
        amount=line.unit_price * line.quantity,
        tax_rate_ppm=line.tax_rate_ppm,
        modifiers=[msgspec.convert(m, ModifierRead) for m in line.modifiers],
        seat=line.seat,
        course=line.course,
        note=line.note,
        allergens=list(line.allergens),
        station_id=line.station_id,
        state=line.state,
        added_by=line.added_by,
        added_at=line.created_at,
        sent_at=line.sent_at,
        voided_at=line.voided_at,
        voided_by=line.voided_by,
        void_reason=line.void_reason,
        void_approved_by=line.void_approved_by,
    )


async def _lines(session: AsyncSession, venue_id: int, check_id: int) -> list[CheckLine]:
    return list(
        (
            await session.execute(
                select(CheckLine)
                .where(CheckLine.venue_id == venue_id, CheckLine.check_id == check_id)
                .order_by(CheckLine.id)
            )
        ).scalars()
    )


async def check_read(session: AsyncSession, check: Check) -> CheckRead:
    lines = [line_read(line) for line in await _lines(session, check.venue_id, check.id)]
    return check_answer(check, lines)


def check_answer(check: Check, lines: list[LineRead]) -> CheckRead:
    """A check as the API shows it, with its ``lines`` (the one mapper of a check row:
    an ORM ``Check`` or a row ``line_open`` read, which has the same attribute names)."""
    return CheckRead(
        id=check.id,
        table_id=check.table_id,
        covers=check.covers,
        waiter_id=check.waiter_id,
        status=check.status,
        version=check.version,
        allergens=list(check.allergens),
        allergy_note=check.allergy_note,
        notes=check.notes,
        opened_at=check.created_at,
        closed_at=check.closed_at,
        merged_into=check.merged_into,
        subtotal=sum(line.amount for line in lines if line.state != LineState.VOIDED),
        lines=lines,
        kind=check.kind,
    )


async def load_for_write(
    session: AsyncSession,
    venue_id: int,
    check_id: int,
    version: int | None,
    *,
    field: str = "check_id",
) -> Check:
    """The open check, locked; 409 with the current check if ``version`` is stale."""
    check = await locks.row(session, locks.Lock.CHECK, Check, (venue_id, check_id))
    if check is None:
        raise refused("missing", check_id, field=field)
    if check.status != CheckStatus.OPEN:
        raise refused("not_open", check_id, await check_read(session, check), field=field)
    if version is not None and version != check.version:
        raise refused("stale", check_id, await check_read(session, check), asked=version)
    return check


def refused(
    reason: line_rule.Refusal,
    check_id: int,
    current: CheckRead | None = None,
    *,
    asked: int | None = None,
    item_id: int | None = None,
    field: str = "check_id",
) -> DomainError:
    """Why a write on a check is refused: the check is ``missing`` (404), ``not_open`` or
    ``stale`` (not at the ``asked`` version; 409 with the ``current`` check), or the item
    ``item_id`` is missing (``no_item``, 404). Whoever found the reason (the ORM's read,
    or ``line_open`` in SQL), the answer is written here."""
    if reason == "missing":
        return NotFound("no check {check_id}", check_id=check_id, field=field)
    if reason == "no_item":
        return NotFound("no item {item_id}", item_id=item_id, field="item_id")
    assert current is not None
    if reason == "not_open":
        return Conflict(
            "check {check_id} is {state}",
            check_id=check_id,
            state=Term(current.status),
            field=field,
            current=msgspec.to_builtins(current),
        )
    return Conflict(
        "check {check_id} changed (version {version}, not {version2})",
        check_id=check_id,
        version=current.version,
        version2=asked,
        field="version",
        current=msgspec.to_builtins(current),
    )


def _open_check_brief(check: Check, waiter: str) -> OpenCheckRead:
    return OpenCheckRead(
        id=check.id,
        covers=check.covers,
        waiter_id=check.waiter_id,
        waiter=waiter,
        opened_at=check.created_at,
    )


async def get_check(session: AsyncSession, caller: Caller, check_id: int) -> CheckRead:
    check = await session.get(Check, (caller.venue_id, check_id))
    if check is None:
        raise NotFound("no check {check_id}", check_id=check_id, field="check_id")
    return await check_read(session, check)


async def open_checks(session: AsyncSession, caller: Caller) -> dict[str, list[CheckRead]]:
    """Every open check of the venue (the ``orders`` topic's snapshot)."""
    checks = (
        await session.execute(
            select(Check)
            .where(Check.venue_id == caller.venue_id, Check.status == CheckStatus.OPEN)
            .order_by(Check.id)
        )
    ).scalars()
    return {"checks": [await check_read(session, check) for check in checks]}


async def _ensure_free(session: AsyncSession, table: DiningTable) -> None:
    """409 naming the open check if the (locked) table has one."""
    existing = await session.scalar(
        select(Check.id).where(
            Check.venue_id == table.venue_id,
            Check.table_id == table.id,
            Check.status == CheckStatus.OPEN,
        )
    )
    if existing is not None:
        raise Conflict(
            "table {table} already has open check {check_id}",
            table=table.name,
            field="table_id",
            check_id=existing,
        )


async def open_check(session: AsyncSession, caller: Caller, data: CheckOpen) -> CheckRead:
    """Open a check on a free table; 409 naming the existing check if it has one. The
    caller is its waiter."""
    return await open_check_for(session, caller, data, caller.actor or None)


def seated_waiter(caller: Caller, named: int | None) -> int | None:
    """Whose check a seated party's is: the waiter the host named, else the seater if
    they wait tables, else nobody yet (the first to add a line takes it; decision 1250)."""
    if named is not None:
        return named
    return caller.actor if "waiter" in caller.roles and caller.actor else None


async def _waiter_name(session: AsyncSession, venue_id: int, waiter_id: int | None) -> str:
    if waiter_id is None:
        return ""
    found = await session.get(Staff, (venue_id, waiter_id))
    if found is None or not found.active:
        raise NotFound("no staff member {waiter_id}", waiter_id=waiter_id, field="waiter_id")
    return found.name


async def open_check_for(
    session: AsyncSession, caller: Caller, data: CheckOpen, waiter_id: int | None
) -> CheckRead:
    """Open a check for ``waiter_id`` (a host seating a party names the waiter, or leaves
    it unassigned with ``None``: the waiter of the table's section on duty now takes it,
    else the first staff member to add a line does)."""
    table = await tables.lock(session, caller.venue_id, data.table_id)
    await _ensure_free(session, table)
    if waiter_id is None:
        waiter_id = await rosters.section_waiter(session, caller.venue_id, table.id, now_utc())
    waiter = caller.name if waiter_id == caller.actor else ""
    if waiter_id is not None and waiter_id != caller.actor:
        waiter = await _waiter_name(session, caller.venue_id, waiter_id)
    check = Check(
        venue_id=caller.venue_id,
        table_id=table.id,
        covers=data.covers,
        waiter_id=waiter_id,
        allergens=ordered(data.allergens),
        allergy_note=data.allergy_note.strip(),
        notes=data.notes,
    )
    session.add(check)
    await session.flush()
    await session.refresh(check)
    await tables.set_state(
        session,
        caller.venue_id,
        table,
        TableStatus.SEATED,
        open_check=_open_check_brief(check, waiter),
    )
    events.record(
        session,
        caller.venue_id,
        topics(check.id),
        CheckOpened(
            check_id=check.id,
            table_id=table.id,
            covers=check.covers,
            waiter_id=check.waiter_id,
            version=check.version,
        ),
    )
    return await check_read(session, check)


async def open_takeaway(session: AsyncSession, caller: Caller, notes: str = "") -> Check:
    """Open a check without a table for a takeaway order (the caller, if staff, serves
    it); the takeaway order itself is the ``takeaway`` package's."""
    check = Check(
        venue_id=caller.venue_id,
        table_id=None,
        kind=CheckKind.TAKEAWAY,
        covers=1,
        waiter_id=caller.actor or None,
        notes=notes,
    )
    session.add(check)
    await session.flush()
    await session.refresh(check)
    events.record(
        session,
        caller.venue_id,
        topics(check.id),
        CheckOpened(check_id=check.id, table_id=None, covers=1, waiter_id=check.waiter_id),
    )
    return check


async def claim(session: AsyncSession, caller: Caller, check: Check) -> None:
    """An unassigned check becomes the caller's (the first to add a line serves it)."""
    if check.waiter_id is not None or not caller.actor:
        return
    check.waiter_id = caller.actor
    if check.table_id is not None:
        table = await session.get(DiningTable, (check.venue_id, check.table_id))
        if table is not None and (table.open_check or {}).get("id") == check.id:
            await tables.set_state(
                session,
                check.venue_id,
                table,
                TableStatus(table.status),
                open_check=_open_check_brief(check, caller.name),
            )


async def _modifiers(
    session: AsyncSession, venue_id: int, item: Item, option_ids: list[int]
) -> list[dict[str, Any]]:
    """The item's groups and options read through the session, checked by the one rule
    (``line_rule.modifiers``)."""
    group_ids = list(
        (
            await session.execute(
                select(ItemModifierGroup.group_id)
                .where(ItemModifierGroup.venue_id == venue_id, ItemModifierGroup.item_id == item.id)
                .order_by(ItemModifierGroup.position)
            )
        ).scalars()
    )
    groups = {
        g.id: g
        for g in (
            await session.execute(
                select(ModifierGroup).where(
                    ModifierGroup.venue_id == venue_id, ModifierGroup.id.in_(group_ids)
                )
            )
        ).scalars()
    }
    options = (
        await session.execute(
            select(ModifierOption).where(
                ModifierOption.venue_id == venue_id, ModifierOption.group_id.in_(group_ids)
            )
        )
    ).scalars()
    return line_rule.modifiers(item.name, [groups[g] for g in group_ids], options, option_ids)


async def _course(session: AsyncSession, venue_id: int, course: str) -> str:
    venue = await venues.get(session, venue_id)
    return line_rule.course(venue.courses, course)


LINE_OPEN = "SELECT line_open($1, $2, $3, $4, $5)"
LINE_WRITE = """
WITH bumped AS (UPDATE checks SET version = version + 1 WHERE venue_id = $1 AND id = $2)
INSERT INTO check_lines (venue_id, check_id, item_id, name, quantity, unit_price,
    tax_rate_ppm, modifiers, seat, course, note, allergens, station_id, added_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, $15)
RETURNING id
"""


async def add_line(
    tx: Tx,
    caller: Caller,
    check_id: int,
    data: LineAdd,
    *,
    available_at: dt.datetime | None = None,
) -> CheckRead:
    """Add a pending line; 409 naming the item if it is unavailable or short. Its
    schedules are judged at ``available_at`` (a takeaway order's pickup), else now.

    A lean write (``core.tx``): ``line_open`` (migration 0036) locks the check and reads
    every fact in one round trip, or says why not; ``line_rule.plan`` computes the line
    from them; one more statement writes it and the check's version. Callers holding a
    session (ordering at the table, takeaway) call it on ``tx.of_session``. An
    unassigned check (seated by a host) is claimed by the adder through the ORM: that
    rare branch runs with a session (``tx.orm()``, decision 1550)."""
    venue_id = caller.venue_id
    if tx.session is not None:  # the SQL below reads what the session changed
        await tx.session.flush()
    locks.taken(tx, locks.Lock.CHECK)
    opened = line_rule.OPENED.decode(
        await tx.conn.fetchval(
            LINE_OPEN, venue_id, check_id, data.item_id, data.version, CheckStatus.OPEN.value
        )
    )
    check = opened.check
    if opened.refused is not None:
        current = None if check is None else _answer(check, opened.lines)
        raise refused(opened.refused, check_id, current, asked=data.version, item_id=data.item_id)
    assert check is not None
    at = now_utc()
    new = line_rule.plan(opened, data, caller.actor, at, available_at or at)
    if check.waiter_id is None and caller.actor:  # seated by a host: the adder serves it
        session = tx.orm()
        await claim(session, caller, await load_for_write(session, venue_id, check_id, None))
        await session.flush()
        check.waiter_id = caller.actor
    line_id = await tx.conn.fetchval(
        LINE_WRITE,
        venue_id,
        check_id,
        new.item_id,
        new.name,
        new.quantity,
        new.unit_price,
        new.tax_rate_ppm,
        msgspec.json.encode(new.modifiers).decode(),
        new.seat,
        new.course,
        new.note,
        new.allergens,
        new.station_id,
        new.added_by,
        new.created_at,
    )
    check.version += 1  # as LINE_WRITE raised it
    _in_step(tx, venue_id, check_id, check.version)
    line = line_read(cast(CheckLine, new.written(line_id)))
    events.record(
        tx,
        venue_id,
        topics(check_id),
        LineAdded(check_id=check_id, version=check.version, line=msgspec.to_builtins(line)),
    )
    return check_answer(
        cast(Check, check), [*(line_read(cast(CheckLine, row)) for row in opened.lines), line]
    )


def _answer(check: line_rule.CheckRow, lines: list[line_rule.LineRow]) -> CheckRead:
    return check_answer(cast(Check, check), [line_read(cast(CheckLine, row)) for row in lines])


def _in_step(tx: Tx, venue_id: int, check_id: int, version: int) -> None:
    """The session's copy of the check, if it holds one, gets the version SQL wrote (a
    caller on a session reads the check through it afterwards)."""
    if tx.session is None:
        return
    held = tx.session.identity_map.get(tx.session.identity_key(Check, (venue_id, check_id)))
    if held is not None:
        set_committed_value(held, "version", version)


async def _line_of(session: AsyncSession, check: Check, line_id: int) -> CheckLine:
    line = await session.get(CheckLine, (check.venue_id, line_id), with_for_update=True)
    if line is None or line.check_id != check.id:
        raise NotFound(
            "no line {line_id} on check {check_id}",
            line_id=line_id,
            check_id=check.id,
            field="line_id",
        )
    return line


async def patch_line(
    session: AsyncSession, caller: Caller, check_id: int, line_id: int, data: LinePatch
) -> CheckRead:
    """Edit a pending line; a sent line can only be voided (409)."""
    check = await load_for_write(session, caller.venue_id, check_id, data.version)
    line = await _line_of(session, check, line_id)
    if line.state != LineState.PENDING:
        raise Conflict(
            "line {line_id} is {state}; a sent line can only be voided",
            line_id=line_id,
            state=Term(line.state),
            field="line_id",
        )
    if data.quantity is not UNSET:
        line.quantity = data.quantity
    if data.modifiers is not UNSET:
        await _remodify(session, line, data.modifiers)
    if data.seat is not UNSET:
        line.seat = data.seat
    if data.course is not UNSET:
        line.course = await _course(session, caller.venue_id, data.course)
    if data.note is not UNSET:
        line.note = data.note or None
    if data.allergens is not UNSET:
        line.allergens = ordered(data.allergens)
    check.version += 1
    await session.flush()
    events.record(
        session,
        caller.venue_id,
        topics(check.id),
        LineChanged(
            check_id=check.id, version=check.version, line=msgspec.to_builtins(line_read(line))
        ),
    )
    return await check_read(session, check)


async def _remodify(session: AsyncSession, line: CheckLine, option_ids: list[int]) -> None:
    """Replace a pending line's options; its price keeps the item's price of when it
    was added, with the new options' deltas."""
    item = await session.get(Item, (line.venue_id, line.item_id))
    if item is None:
        raise NotFound("no item {item_id}", item_id=line.item_id, field="modifiers")
    modifiers = await _modifiers(session, line.venue_id, item, option_ids)
    base = line.unit_price - sum(int(m["price_delta"]) for m in line.modifiers)
    line.modifiers = modifiers
    line.unit_price = base + sum(m["price_delta"] for m in modifiers)


FAVOURITE_DAYS = 28


async def favourites(session: AsyncSession, caller: Caller, limit: int = 8) -> FavouritesRead:
    """The venue's most ordered items of the last four weeks (voided lines left out),
    for the handheld's quick grid; archived items are not offered."""
    since = now_utc() - dt.timedelta(days=FAVOURITE_DAYS)
    rows = await session.execute(
        select(CheckLine.item_id)
        .join(Item, (Item.venue_id == CheckLine.venue_id) & (Item.id == CheckLine.item_id))
        .where(
            CheckLine.venue_id == caller.venue_id,
            CheckLine.state != LineState.VOIDED,
            CheckLine.created_at >= since,
            Item.archived.is_(False),
        )
        .group_by(CheckLine.item_id)
        .order_by(func.sum(CheckLine.quantity).desc(), CheckLine.item_id)
        .limit(limit)
    )
    return FavouritesRead(item_ids=list(rows.scalars()))


def joined_note(*notes: str) -> str:
    """Allergy notes put together, each once, within the note's 200 characters."""
    parts: list[str] = []
    for note in notes:
        for part in (p.strip() for p in note.split(";")):
            if part and part.casefold() not in {p.casefold() for p in parts}:
                parts.append(part)
    return "; ".join(parts)[:200]


def band(allergens: Iterable[str], note: str) -> list[str]:
    """The allergy band a kitchen ticket shows: the codes, then the note."""
    return [*allergens, *([note] if note else [])]


async def add_allergies(
    session: AsyncSession, check: Check, allergens: Iterable[str], note: str
) -> bool:
    """Add a guest's allergies to a check locked by the caller (seating, a guest profile
    linked); True if the check's band changed. Recorded as ``check.allergies_changed``."""
    before = (list(check.allergens), check.allergy_note)
    check.allergens = ordered([*check.allergens, *allergens])
    check.allergy_note = joined_note(check.allergy_note, note)
    if (check.allergens, check.allergy_note) == before:
        return False
    check.version += 1
    await session.flush()
    _allergies_changed(session, check)
    return True


def _allergies_changed(session: AsyncSession, check: Check) -> None:
    events.record(
        session,
        check.venue_id,
        topics(check.id),
        CheckAllergiesChanged(
            check_id=check.id,
            version=check.version,
            allergens=list(check.allergens),
            allergy_note=check.allergy_note,
        ),
    )


async def set_allergies(
    session: AsyncSession, caller: Caller, check_id: int, data: AllergiesSet
) -> Check:
    """The waiter sets the table's allergies (the codes and the note replace the
    check's); the locked check, for the kitchen to carry the band onto its tickets."""
    check = await load_for_write(session, caller.venue_id, check_id, data.version)
    check.allergens = ordered(data.allergens)
    check.allergy_note = data.allergy_note.strip()
    check.version += 1
    await session.flush()
    _allergies_changed(session, check)
    return check


async def count_down(session: AsyncSession, venue_id: int, lines: Iterable[Portion]) -> None:
    """Take sent portions off counted items; 409 naming an item that runs short.

    The conditional UPDATE locks the item row, so two sends racing for the last
    portions never take the count below zero: the second sees what the first left.
    Most items are not counted; one read finds those that are, so a send of uncounted
    items costs one round trip here instead of two per item. An item that gets a count
    while the send runs is not counted down by it, as if the send had come first.
    """
    wanted: dict[int, int] = {}
    for line in lines:
        wanted[line.item_id] = wanted.get(line.item_id, 0) + line.quantity
    counted: list[int] = list(
        (
            await session.execute(
                text(
                    "SELECT id FROM items WHERE venue_id = :v AND id = ANY(:ids) "
                    "AND remaining IS NOT NULL ORDER BY id"
                ),
                {"v": venue_id, "ids": sorted(wanted)},
            )
        )
        .scalars()
        .all()
    )
    for item_id in counted:
        params = {"v": venue_id, "i": item_id, "q": wanted[item_id]}
        row = (
            await session.execute(
                text(
                    "UPDATE items SET remaining = remaining - :q, available = remaining - :q > 0 "
                    "WHERE venue_id = :v AND id = :i AND remaining IS NOT NULL AND remaining >= :q "
                    "RETURNING remaining, name"
                ),
                params,
            )
        ).first()
        if row is None:
            short = (
                await session.execute(
                    text(
                        "SELECT remaining, name FROM items WHERE venue_id = :v AND id = :i "
                        "AND remaining IS NOT NULL"
                    ),
                    params,
                )
            ).first()
            if short is not None:
                raise Conflict(
                    "{item} ran short ({remaining} left)",
                    remaining=short.remaining,
                    field="item_id",
                    item=short.name,
                )
            continue
        events.record(
            session,
            venue_id,
            MENU_TOPICS,
            ItemAvailabilityChanged(
                item_id=item_id, name=row.name, available=row.remaining > 0, remaining=row.remaining
            ),
        )


async def void_line(
    session: AsyncSession, caller: Caller, check_id: int, line_id: int, data: VoidRequest
) -> CheckRead:
    """Void a line; once sent it needs a manager's one-use approval and is journaled."""
    check = await load_for_write(session, caller.venue_id, check_id, data.version)
    line = await _line_of(session, check, line_id)
    if line.state == LineState.VOIDED:
        raise Conflict("line {line_id} is already voided", line_id=line_id, field="line_id")
    was_sent = line.state == LineState.SENT
    approver = (
        await staff.consume_approval(session, caller.venue_id, data.approval, "void")
        if was_sent
        else None
    )
    line.state = LineState.VOIDED
    line.voided_at = now_utc()
    line.voided_by = caller.actor
    line.void_reason = data.reason
    line.void_approved_by = approver
    check.version += 1
    await session.flush()
    if was_sent:
        await journal.append(
            session,
            caller.venue_id,
            "void",
            {
                "check_id": check.id,
                "line_id": line.id,
                "name": line.name,
                "quantity": line.quantity,
                "amount": line.unit_price * line.quantity,
                "tax_rate_ppm": line.tax_rate_ppm,
                "reason": data.reason,
                "voided_by": caller.actor,
                "approved_by": approver,
            },
        )
    events.record(
        session,
        caller.venue_id,
        topics(check.id),
        LineVoided(
            check_id=check.id,
            version=check.version,
            line_id=line.id,
            was_sent=was_sent,
            reason=data.reason,
            voided_by=caller.actor,
            approved_by=approver,
            line=msgspec.to_builtins(line_read(line)),
        ),
    )
    return await check_read(session, check)


async def transfer(
    session: AsyncSession, caller: Caller, check_id: int, data: TransferRequest
) -> CheckRead:
    """Move a check to a table that has no open check."""
    check = await load_for_write(session, caller.venue_id, check_id, data.version)
    if check.table_id == data.table_id:
        raise Conflict("the check is already on that table", field="table_id")
    ids = sorted(i for i in (check.table_id, data.table_id) if i is not None)
    locked = {i: await tables.lock(session, caller.venue_id, i) for i in ids}
    target = locked[data.table_id]
    await _ensure_free(session, target)
    source_id = check.table_id
    waiter: str | None = None
    if source_id is not None:
        source = locked[source_id]
        waiter = (source.open_check or {}).get("waiter")
        status = TableStatus(source.status)
        await tables.set_state(session, caller.venue_id, source, TableStatus.FREE, open_check=None)
    else:
        status = TableStatus.SEATED
    check.table_id = target.id
    check.version += 1
    await session.flush()
    if waiter is None and check.waiter_id is not None:  # the check's waiter, not the mover
        found = await session.get(Staff, (caller.venue_id, check.waiter_id))
        waiter = found.name if found is not None else ""
    await tables.set_state(
        session, caller.venue_id, target, status, open_check=_open_check_brief(check, waiter or "")
    )
    events.record(
        session,
        caller.venue_id,
        topics(check.id),
        CheckTransferred(
            check_id=check.id, version=check.version, from_table_id=source_id, to_table_id=target.id
        ),
    )
    return await check_read(session, check)


async def merge(
    session: AsyncSession, caller: Caller, check_id: int, data: MergeRequest
) -> CheckRead:
    """Merge another open check (lines and covers) into this one; its table is freed."""
    if data.check_id == check_id:
        raise Invalid("a check cannot be merged into itself", field="check_id")
    first, second = sorted((check_id, data.check_id))
    await locks.row(session, locks.Lock.CHECK, Check, (caller.venue_id, first))
    await locks.row(session, locks.Lock.CHECK, Check, (caller.venue_id, second))
    check = await load_for_write(session, caller.venue_id, check_id, data.version)
    other = await load_for_write(session, caller.venue_id, data.check_id, None, field="check_id")
    moved = await _lines(session, caller.venue_id, other.id)
    for line in moved:
        line.check_id = check.id
    check.covers += other.covers
    check.allergens = ordered([*check.allergens, *other.allergens])
    check.allergy_note = joined_note(check.allergy_note, other.allergy_note)
    check.version += 1
    other.status = CheckStatus.MERGED
    other.merged_into = check.id
    other.closed_at = now_utc()
    other.version += 1
    if other.table_id is not None:
        await tables.lock(session, caller.venue_id, other.table_id)
        await tables.set_state(
            session, caller.venue_id, other.table_id, TableStatus.FREE, open_check=None
        )
    await session.flush()
    merged = ChecksMerged(
        check_id=check.id,
        version=check.version,
        merged_check_id=other.id,
        moved_line_ids=[line.id for line in moved],
        covers=check.covers,
        allergens=list(check.allergens),
        allergy_note=check.allergy_note,
        lines=[msgspec.to_builtins(line_read(line)) for line in moved],
    )
    events.record(session, caller.venue_id, topics(check.id), merged)
    events.record(session, caller.venue_id, f"check:{other.id}", merged)
    return await check_read(session, check)
