"""Paying in cash: a lean write (``core.tx``, decision 1556).

The check and its bill in one round trip (``bill_open``, as the split reads them); the
same field rules, ledger and change rules as every payment (:mod:`._pay`); then the
payment, the taker's drawer session, the drawer pulse and the journal's counter in one
more (``bill_cash_write``, migration 0038), the journal entry written on the connection
(``journal.write_on``), and the same events as the session path, in the same order.

A payment that settles the check closes it, and closing (the table, the reservation,
gift cards sold, loyalty, the sale, the receipt) reads through the ORM: that payment,
like a check that is not open or a venue with promotions, runs again on a session
(``tx.orm()``) as :func:`._pay.pay`, before anything is written.
"""

from __future__ import annotations

from typing import cast

import msgspec

from pos_service.core import events, journal, locks
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.tx import Tx
from pos_service.payments._load import open_for_write, payment_read, with_payments
from pos_service.payments.models import Payment, PaymentMethod, PaymentStatus
from pos_service.payments.provider import PaymentProvider
from pos_service.payments.schemas import PaymentCreate, PaymentRead, PaymentResult
from pos_service.payments.service._common import topics
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
    """Take a cash payment on a part (or the unsplit rest), lean; the payment that
    settles the check (it closes), any other method and the rare branches of the bill's
    load run as :func:`._pay.pay` on a session."""
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
        return await pay(tx.orm(), caller, provider, check_id, data)  # it closes the check
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
