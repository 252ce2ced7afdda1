"""Closing a settled check as a lean write (``core.tx``, decision 1557): the facts the
close reads, its plan from the session path's own rules, and its events.

:func:`close_facts` locks what the write will change, in the lock order (the part paid,
the taker's drawer session, the table: ``bill_close_open``, migration 0040) and reads
the close's facts, or sends a rare branch to the session (``tx.orm()``: a seated
reservation, a guest, gift cards sold on the check, an archived table). :func:`plan`
applies the rules (``tables.service.change_state``, the receipt of
:mod:`..documents`); :func:`record_closed` records the events and the sale's journal
entry. The cash payment that closes (:mod:`._cash`) and :func:`close_check` write with
``bill_close_write`` and ``bill_settled_close_write``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, cast

import msgspec

from pos_service.core import events, journal, locks
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.tx import Tx
from pos_service.orders.models import Check, CheckStatus, LineState
from pos_service.payments import documents
from pos_service.payments._load import Loaded, bill_read, open_for_write
from pos_service.payments.schemas import BillRead
from pos_service.payments.service import _close
from pos_service.payments.service._close import (
    check_closed,
    closed_topics,
    sale_fact,
    still_due,
)
from pos_service.printing import service as printing
from pos_service.printing.models import JobKind, Role
from pos_service.reservations.models import ReservationStatus
from pos_service.tables.events import TableStatusChanged
from pos_service.tables.models import TableStatus
from pos_service.tables.service import FLOOR_TOPIC, change_state
from printers.documents import Receipt

CLOSE_OPEN = "SELECT bill_close_open($1, $2, $3, $4, $5, $6, $7)::text"
SETTLED_CLOSE_WRITE = (
    "SELECT bill_settled_close_write($1, $2, $3, $4, $5, $6, ($7::text)::jsonb, $8, $9, $10,"
    " ($11::text)::jsonb)::text"
)


class Table(msgspec.Struct):
    """The check's table, locked, as :func:`tables.service.change_state` reads and sets it."""

    id: int
    name: str
    status: TableStatus
    status_changed_at: dt.datetime | None
    open_check: dict[str, Any] | None
    archived: bool


class Facts(msgspec.Struct):
    """What closing the check reads besides its bill (``bill_close_open``)."""

    table: Table | None
    waiter_id: int | None
    waiter: str | None
    venue: str
    locale: str
    reservation: bool
    guest: bool
    gift_cards: bool
    categories: dict[int, str]
    receipt_printer: int | None


class _Check(msgspec.Struct):
    """The closing check, as the sale's fact and ``check.closed`` read it."""

    id: int
    venue_id: int
    status: str
    covers: int
    version: int
    table_id: int | None
    waiter_id: int | None


@dataclass(frozen=True)
class Plan:
    """The close decided: the check as it was settled and after, the table's change
    (its ``floor`` event, None if none) and the receipt to queue (None if none)."""

    settled: Loaded
    closed: Loaded
    table: Table | None
    floor: TableStatusChanged | None
    receipt: Receipt | None
    printer: int | None

    def rows(self, at: dt.datetime) -> tuple[Any, ...]:
        """The parameters of ``bill_close_rows`` after the venue and the check."""
        table, receipt = self.table, self.receipt
        return (
            CheckStatus.CLOSED.value,
            at,
            None if self.floor is None else TableStatus(self.floor.status).value,
            None if table is None else table.status_changed_at,
            None if table is None or table.open_check is None else _json(table.open_check),
            self.printer,
            JobKind.RECEIPT.value,
            None if receipt is None else printing.document_type(receipt).value,
            None if receipt is None else _json(printing.stored(receipt)[1]),
        )


class _Written(msgspec.Struct):
    receipt: printing.Queued | None
    version: int
    journal_seq: int
    journal_prev: str | None


_FACTS = msgspec.json.Decoder(Facts)
_WRITTEN = msgspec.json.Decoder(_Written)


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


async def close_facts(
    tx: Tx, caller: Caller, loaded: Loaded, part_id: int | None, staff_id: int | None
) -> Facts:
    """Lock the part paid, the drawer session of ``staff_id`` and the check's table, and
    read what the close needs; a rare branch runs on a session (``tx.orm()``)."""
    if part_id is not None:
        locks.taken(tx, locks.Lock.PART)
    if staff_id is not None:
        locks.taken(tx, locks.Lock.DRAWER)
    if loaded.check.table_id is not None:
        locks.taken(tx, locks.Lock.TABLE)
    facts = _FACTS.decode(
        await tx.conn.fetchval(
            CLOSE_OPEN,
            caller.venue_id,
            loaded.check.id,
            part_id,
            staff_id,
            ReservationStatus.SEATED.value,
            LineState.VOIDED.value,
            Role.RECEIPT.value,
        )
    )
    table = facts.table
    lost = loaded.check.table_id is not None and (table is None or table.archived)
    if facts.reservation or facts.guest or facts.gift_cards or lost:
        tx.orm()  # the close's rare branches read and write through the ORM
    return facts


def plan(settled: Loaded, facts: Facts, at: dt.datetime) -> Plan:
    """The close of the ``settled`` check at ``at``, by the session path's rules."""
    c = settled.check
    was = _Check(c.id, c.venue_id, c.status, c.covers, c.version, c.table_id, facts.waiter_id)
    closing = msgspec.structs.replace(was, status=CheckStatus.CLOSED.value, version=c.version + 1)
    settled = replace(settled, check=cast(Check, was))
    closed = replace(settled, check=cast(Check, closing))
    table = facts.table
    floor = (
        None if table is None else change_state(table, TableStatus.TO_CLEAN, at, open_check=None)
    )
    receipt = None
    if facts.receipt_printer is not None and settled.venue.settings.get(documents.AFTER_PAYMENT):
        head = documents.header(
            facts.venue,
            table.name if table else None,
            facts.waiter,
            settled.venue.timezone,
            facts.locale,
        )
        receipt = documents.receipt(bill_read(closed), head)
    printer = None if receipt is None else facts.receipt_printer
    return Plan(settled, closed, table, floor, receipt, printer)


async def record_closed(
    tx: Tx,
    venue_id: int,
    settled: Loaded,
    closed: Loaded,
    floor: TableStatusChanged | None,
    receipt: printing.Queued | None,
) -> None:
    """The close's events, in the session path's order: the table's ``floor`` change,
    ``check.closed``, the receipt's ``print.queued``."""
    if floor is not None:
        events.record(tx, venue_id, FLOOR_TOPIC, floor)
    events.record(tx, venue_id, closed_topics(closed.check.id), check_closed(settled, closed))
    if receipt is not None:
        printing.record_queued(tx, venue_id, [receipt], JobKind.RECEIPT)


async def close_check(tx: Tx, caller: Caller, check_id: int) -> BillRead:
    """Close a check with nothing due and nothing pending, lean; the rare branches run as
    :func:`._close.close_check` on a session."""
    if tx.session is not None:
        return await _close.close_check(tx.session, caller, check_id)
    venue_id = caller.venue_id
    loaded = await open_for_write(tx, venue_id, check_id)
    still_due(loaded)
    facts = await close_facts(tx, caller, loaded, None, None)
    now = now_utc()
    decided = plan(loaded, facts, now)
    locks.taken(tx, locks.Lock.COUNTER)  # the journal's, last in bill_settled_close_write
    written = _WRITTEN.decode(
        await tx.conn.fetchval(SETTLED_CLOSE_WRITE, venue_id, check_id, *decided.rows(now))
    )
    assert written.version == decided.closed.check.version
    await journal.write_on(
        tx.conn,
        venue_id,
        written.journal_seq,
        written.journal_prev or journal.GENESIS,
        "sale",
        sale_fact(decided.settled, facts.categories),
    )
    await record_closed(
        tx, venue_id, decided.settled, decided.closed, decided.floor, written.receipt
    )
    return bill_read(decided.closed)
