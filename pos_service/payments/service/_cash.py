"""Paying in cash: a lean write (``core.tx``, decision 1556).

The check and its bill in one round trip (``bill_open``, as the split reads them); the
same field rules, ledger and change rules as every payment (:mod:`._pay`); then the
payment, the taker's drawer session, the drawer pulse and the journal's counter in one
more (``bill_cash_write``, migration 0038), the journal entry written on the connection
(``journal.write_on``), and the same events as the session path, in the same order.

A payment that settles the check closes it (decision 1557): the part, the drawer
session and the table locked and the close's facts read in one more round trip
(``bill_close_open``, migration 0040); the table's rule (``tables.service.change_state``),
the sale's journal fact, ``check.closed`` and the receipt are the session path's
functions; and everything written by ``bill_close_write``, the payment's and the sale's
journal entries on the connection. A check with a seated reservation, a guest, gift
cards sold on it or an archived table, like a check that is not open or a venue with
promotions, runs again on a session (``tx.orm()``) as :func:`._pay.pay`, before
anything is written.
"""

from __future__ import annotations

from typing import cast

import msgspec

from pos_service.core import events, journal, locks
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.tx import Tx
from pos_service.payments._load import (
    Loaded,
    bill_read,
    open_for_write,
    payment_read,
    with_payments,
)
from pos_service.payments.models import Payment, PaymentMethod, PaymentStatus
from pos_service.payments.provider import PaymentProvider
from pos_service.payments.schemas import PaymentCreate, PaymentRead, PaymentResult
from pos_service.payments.service._close import sale_fact
from pos_service.payments.service._common import topics
from pos_service.payments.service._lean_close import close_facts, plan, record_closed
from pos_service.payments.service._pay import (
    admitted,
    check_fields,
    journal_fact,
    journal_kind,
    pay,
    payment_changed,
    tendered,
)
from pos_service.printing import service as printing
from pos_service.printing.models import JobKind, Role
from printers.documents import DrawerPulse

CASH_WRITE = (
    "SELECT bill_cash_write($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
    " ($15::text)::jsonb)::text"
)
PULSE = DrawerPulse(reason="cash")  # as ``drawers.cash_taken`` queues it


class _Paid(PaymentRead, kw_only=True):
    """A payment row as ``bill_cash_write`` returns it (the model's attribute names)."""

    gift_card_id: int | None = None
    taken_by: int | None = None


class _Written(msgspec.Struct):
    payment: _Paid
    waiter_id: int | None
    drawer_session: int | None
    job: printing.Queued | None
    journal_seq: int
    journal_prev: str | None


_WRITTEN = msgspec.json.Decoder(_Written)


async def pay_cash(
    tx: Tx, caller: Caller, provider: PaymentProvider, check_id: int, data: PaymentCreate
) -> PaymentResult:
    """Take a cash payment on a part (or the unsplit rest), lean, and close the check it
    settles (:func:`_closing`); any other method and the rare branches of the bill's load
    and of the close run as :func:`._pay.pay` on a session."""
    if tx.session is not None or data.method != "cash":
        return await pay(tx.orm(), caller, provider, check_id, data)
    check_fields(data)
    venue_id = caller.venue_id
    loaded = await open_for_write(tx, venue_id, check_id)
    applied, change = admitted(loaded.ledger.part(data.part_id), data, data.amount)
    now = now_utc()
    taken = _Paid(
        id=0,
        check_id=check_id,
        part_id=data.part_id,
        method=PaymentMethod.CASH,
        status=PaymentStatus.APPROVED,
        amount=applied,
        tip=data.tip,
        tendered=tendered(data, applied, change),
        change=change,
        reference=None,
        brand=None,
        last4=None,
        refund_of=None,
        reason=None,
        created_at=now,
        resolved_at=now,
        taken_by=caller.staff_id,
    )
    if with_payments(loaded, [*loaded.payments, cast(Payment, taken)]).ledger.settled:
        return await _closing(tx, caller, loaded, data, taken)
    if data.part_id is not None:
        locks.taken(tx, locks.Lock.PART)
    if caller.staff_id is not None:
        locks.taken(tx, locks.Lock.DRAWER)
    locks.taken(tx, locks.Lock.COUNTER)  # the journal's, last in bill_cash_write
    written = _WRITTEN.decode(
        await tx.conn.fetchval(
            CASH_WRITE,
            venue_id,
            check_id,
            data.part_id,
            caller.staff_id,
            taken.method,
            taken.status,
            taken.amount,
            taken.tip,
            taken.tendered,
            taken.change,
            taken.resolved_at,
            Role.RECEIPT.value,
            JobKind.DRAWER.value,
            printing.document_type(PULSE).value,
            msgspec.json.encode(PULSE).decode(),
        )
    )
    payment = cast(Payment, written.payment)
    if written.job is not None:
        printing.record_queued(tx, venue_id, [written.job], JobKind.DRAWER)
    await journal.write_on(
        tx.conn,
        venue_id,
        written.journal_seq,
        written.journal_prev or journal.GENESIS,
        journal_kind(payment),
        journal_fact(payment, written.waiter_id),
    )
    changed, bill = payment_changed(payment, with_payments(loaded, [*loaded.payments, payment]))
    events.record(tx, venue_id, topics(check_id), changed)
    return PaymentResult(payment=payment_read(payment), bill=bill)


# -- the payment that closes the check (decision 1557)

CLOSE_WRITE = (
    "SELECT bill_close_write($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
    " ($15::text)::jsonb, $16, $17, $18, ($19::text)::jsonb, $20, $21, $22,"
    " ($23::text)::jsonb)::text"
)


class _Closed(_Written):
    receipt: printing.Queued | None
    version: int


_CLOSED = msgspec.json.Decoder(_Closed)


async def _closing(
    tx: Tx, caller: Caller, loaded: Loaded, data: PaymentCreate, taken: _Paid
) -> PaymentResult:
    """The cash payment that settles the check, and the close, lean; the rare branches
    of the close run as :func:`._pay.pay` on a session, before anything is written."""
    venue_id, check_id = caller.venue_id, loaded.check.id
    facts = await close_facts(tx, caller, loaded, data.part_id, caller.staff_id)
    now = taken.resolved_at
    assert now is not None
    decided = plan(with_payments(loaded, [*loaded.payments, cast(Payment, taken)]), facts, now)
    closed_as, _, *rows = decided.rows(now)  # closed at ``now``, the payment's time
    locks.taken(tx, locks.Lock.COUNTER)  # the journal's, last in bill_close_write
    written = _CLOSED.decode(
        await tx.conn.fetchval(
            CLOSE_WRITE,
            venue_id,
            check_id,
            data.part_id,
            caller.staff_id,
            taken.method,
            taken.status,
            taken.amount,
            taken.tip,
            taken.tendered,
            taken.change,
            now,
            Role.RECEIPT.value,
            JobKind.DRAWER.value,
            printing.document_type(PULSE).value,
            msgspec.json.encode(PULSE).decode(),
            closed_as,
            *rows,
        )
    )
    payment = cast(Payment, written.payment)
    paid = [*loaded.payments, payment]
    settled = with_payments(decided.settled, paid)
    closed = with_payments(decided.closed, paid)
    assert written.version == closed.check.version
    if written.job is not None:
        printing.record_queued(tx, venue_id, [written.job], JobKind.DRAWER)
    entry = await journal.write_on(
        tx.conn,
        venue_id,
        written.journal_seq,
        written.journal_prev or journal.GENESIS,
        journal_kind(payment),
        journal_fact(payment, written.waiter_id),
    )
    await journal.write_on(
        tx.conn,
        venue_id,
        written.journal_seq + 1,
        entry.hash,
        "sale",
        sale_fact(settled, facts.categories),
    )
    changed, _ = payment_changed(payment, settled)
    events.record(tx, venue_id, topics(check_id), changed)
    await record_closed(tx, venue_id, settled, closed, decided.floor, written.receipt)
    return PaymentResult(payment=payment_read(payment), bill=bill_read(closed))
