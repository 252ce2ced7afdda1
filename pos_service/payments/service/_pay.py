"""Taking a payment, announcing it (journal, event, closing the settled check),
resolving card payments and the provider calls between two transactions (:mod:`..settle`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events, journal, locks
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound
from pos_service.drawers import service as drawers
from pos_service.orders.models import Check, CheckStatus
from pos_service.payments._load import Loaded, bill_read, load, payment_read
from pos_service.payments.events import PaymentChanged
from pos_service.payments.ledger import PartState, admit
from pos_service.payments.models import BillPart, Payment, PaymentMethod, PaymentStatus
from pos_service.payments.provider import Charge, ChargeStatus, PaymentProvider
from pos_service.payments.schemas import BillRead, PaymentCreate, PaymentResult
from pos_service.payments.service._close import close_settled
from pos_service.payments.service._common import locked, topics
from pos_service.payments.service._gift_cards import card_movement, redeem, usable_card

PENDING_TIMEOUT = dt.timedelta(seconds=120)


def check_fields(data: PaymentCreate) -> None:
    card = data.method == "card"
    if data.tip and data.method == "gift_card":
        raise Invalid("a tip is taken by card or in cash", field="tip")
    if data.tendered is not None and data.method != "cash":
        raise Invalid("tendered is for cash only", field="tendered")
    if data.reference is not None and not card:
        raise Invalid("a terminal reference is for card only", field="reference")
    if (data.gift_card_code is None) == (data.method == "gift_card"):
        raise Invalid("gift_card_code goes with (and only with) gift_card", field="gift_card_code")


def admitted(state: PartState, data: PaymentCreate, wanted: int | None) -> tuple[int, int]:
    """The amount a payment of ``wanted`` (None: all that is open) applies to ``state``, and
    the change to hand back. In cash, what is ``tendered`` covers the tip first."""
    cash = data.method == "cash"
    for_bill = data.tendered
    if cash and data.tip and data.tendered is not None:
        for_bill = data.tendered - data.tip
        if for_bill <= 0:
            raise Invalid("tendered does not cover the tip", field="tendered")
    return admit(state, wanted, cash=cash, tendered=for_bill)


def tendered(data: PaymentCreate, applied: int, change: int) -> int | None:
    """What the guest handed over, as a cash payment records it (None for other methods)."""
    return applied + data.tip + change if data.method == "cash" else None


def payment_changed(payment: Payment, after: Loaded) -> tuple[PaymentChanged, BillRead]:
    """The event announcing a payment, and the bill after it (``after``)."""
    bill = bill_read(after)
    check_id = after.check.id
    changed = PaymentChanged(
        check_id=check_id,
        payment_id=payment.id,
        part_id=payment.part_id,
        method=payment.method,
        status=payment.status,
        amount=payment.amount,
        tip=payment.tip,
        due=after.ledger.due,
        bill=msgspec.to_builtins(bill),
        total=after.bill.total,
    )
    return changed, bill


async def _known_reference(
    session: AsyncSession, venue_id: int, provider: PaymentProvider, reference: str
) -> None:
    existing = await session.scalar(
        select(Payment.id).where(
            Payment.venue_id == venue_id,
            Payment.provider == provider.name,
            Payment.reference == reference,
        )
    )
    if existing is not None:
        raise Conflict(
            "terminal transaction {reference} is already recorded as payment {payment_id}",
            reference=reference,
            field="reference",
            payment_id=existing,
        )


async def insert_payment(session: AsyncSession, payment: Payment) -> None:
    session.add(payment)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "terminal transaction {reference} is already recorded",
            reference=payment.reference,
            field="reference",
        ) from exc
    await session.refresh(payment)


async def pay_loaded(
    session: AsyncSession,
    caller: Caller,
    provider: PaymentProvider,
    loaded: Loaded,
    data: PaymentCreate,
) -> PaymentResult:
    check_fields(data)
    state = loaded.ledger.part(data.part_id)
    if data.part_id is not None:
        await locks.row(session, locks.Lock.PART, BillPart, (caller.venue_id, data.part_id))
    cash = data.method == "cash"
    wanted = data.amount
    if data.method == "gift_card" and wanted is None and state.open > 0:
        assert data.gift_card_code is not None
        card = await usable_card(session, caller.venue_id, data.gift_card_code)
        wanted = min(card.balance, state.open)
    applied, change = admitted(state, data, wanted)
    payment = Payment(
        venue_id=caller.venue_id,
        check_id=loaded.check.id,
        part_id=data.part_id,
        method=data.method,
        status=PaymentStatus.APPROVED,
        amount=applied,
        tip=data.tip,
        tendered=tendered(data, applied, change),
        change=change,
        taken_by=caller.staff_id,
        resolved_at=now_utc(),
    )
    balance = 0
    if data.method == "gift_card":
        assert data.gift_card_code is not None
        payment.gift_card_id, balance = await redeem(
            session, caller.venue_id, data.gift_card_code, applied
        )
    elif data.method == "card":
        # claimed here, started by the provider after the commit (see :mod:`.settle`)
        if data.reference is not None:
            await _known_reference(session, caller.venue_id, provider, data.reference)
        payment.provider = provider.name
        payment.reference = data.reference
        payment.provider_key = uuid.uuid4().hex
        payment.status = PaymentStatus.PENDING
        payment.resolved_at = None
    await insert_payment(session, payment)
    if cash:
        await drawers.cash_taken(session, caller.venue_id, caller.staff_id, applied, data.tip)
    if payment.gift_card_id is not None:
        await card_movement(
            session,
            caller.venue_id,
            "redeem",
            payment.gift_card_id,
            -applied,
            balance,
            check_id=payment.check_id,
            payment_id=payment.id,
        )
    return await settle(session, caller, loaded.check, payment)


async def settle(
    session: AsyncSession, caller: Caller, check: Check, payment: Payment
) -> PaymentResult:
    """After a payment changed: journal it if final, close the check if settled, tell."""
    after = await load(session, check)
    if payment.status == PaymentStatus.APPROVED:
        await journal.append(
            session, caller.venue_id, journal_kind(payment), journal_fact(payment, check.waiter_id)
        )
    changed, bill = payment_changed(payment, after)
    events.record(session, caller.venue_id, topics(check.id), changed)
    if check.status == CheckStatus.OPEN and after.ledger.settled:
        after = await close_settled(session, caller, after)
        bill = bill_read(after)
    return PaymentResult(payment=payment_read(payment), bill=bill)


async def settle_payment(
    session: AsyncSession, caller: Caller, check: Check, payment: Payment
) -> PaymentResult:
    """Journal and announce a payment row written by another use case (a return's cash
    refund), as every payment here is."""
    return await settle(session, caller, check, payment)


def journal_kind(payment: Payment) -> journal.Kind:
    return "refund" if payment.amount < 0 else "payment"


def journal_fact(payment: Payment, waiter_id: int | None = None) -> dict[str, Any]:
    """A payment or refund as the journal keeps it."""
    return {
        "payment_id": payment.id,
        "check_id": payment.check_id,
        "part_id": payment.part_id,
        "method": payment.method,
        "amount": payment.amount,
        "tip": payment.tip,
        "brand": payment.brand,
        "last4": payment.last4,
        "gift_card_id": payment.gift_card_id,
        "refund_of": payment.refund_of,
        "reason": payment.reason,
        "staff_id": payment.taken_by,
        "waiter_id": waiter_id,
    }


async def pay(
    session: AsyncSession,
    caller: Caller,
    provider: PaymentProvider,
    check_id: int,
    data: PaymentCreate,
) -> PaymentResult:
    """Take a payment on a part (or the unsplit rest): cash and gift cards at once, card
    pending until the provider answers (see :func:`poll`)."""
    return await pay_loaded(
        session, caller, provider, await locked(session, caller, check_id), data
    )


async def resolve(
    session: AsyncSession,
    caller: Caller,
    provider: PaymentProvider,
    payment: Payment,
    now: dt.datetime,
) -> PaymentResult | None:
    """Ask the provider about a pending card payment; None if its check is busy."""
    check = await locks.row(
        session, locks.Lock.CHECK, Check, (payment.venue_id, payment.check_id), refresh=True
    )
    assert check is not None
    locked = await locks.row(
        session, locks.Lock.PAYMENT, Payment, (payment.venue_id, payment.id), refresh=True
    )
    assert locked is not None
    if locked.status != PaymentStatus.PENDING or locked.amount < 0:
        # a refund is settled by the one who asked for it (:mod:`.settle`), never polled
        return PaymentResult(
            payment=payment_read(locked), bill=bill_read(await load(session, check))
        )
    if locked.reference is None:  # claimed, the provider's start not recorded yet
        if now - locked.created_at <= PENDING_TIMEOUT:
            return PaymentResult(
                payment=payment_read(locked), bill=bill_read(await load(session, check))
            )
        return await _resolved(session, caller, check, locked, now, "no answer from the terminal")
    charge = Charge(
        reference=locked.reference,
        amount=locked.amount,
        tip=locked.tip,
        started_at=locked.created_at,
    )
    answer = await provider.status(charge, now)
    if answer.state == "pending" and now - locked.created_at > PENDING_TIMEOUT:
        answer = msgspec.structs.replace(
            answer, state="declined", reason="no answer from the terminal"
        )
    if answer.state == "pending":
        return PaymentResult(
            payment=payment_read(locked), bill=bill_read(await load(session, check))
        )
    locked.status = PaymentStatus(answer.state)
    locked.brand, locked.last4 = answer.brand, answer.last4
    locked.reason = answer.reason or None
    locked.resolved_at = now
    await session.flush()
    return await settle(session, caller, check, locked)


async def poll(
    session: AsyncSession, caller: Caller, provider: PaymentProvider, payment_id: int
) -> PaymentResult:
    """Ask the provider now whether a pending card payment went through."""
    payment = await session.get(Payment, (caller.venue_id, payment_id))
    if payment is None or (caller.kind == "guest" and payment.check_id != caller.check_id):
        raise NotFound("no payment {payment_id}", payment_id=payment_id, field="payment_id")
    result = await resolve(session, caller, provider, payment, now_utc())
    assert result is not None
    return result


async def resolve_pending(
    session: AsyncSession, provider: PaymentProvider, now: dt.datetime
) -> int:
    """Scheduled: resolve pending card payments whose check is not locked by someone else."""
    rows = (
        await session.execute(
            select(Payment)
            .where(Payment.status == PaymentStatus.PENDING, Payment.amount > 0)
            .order_by(Payment.venue_id, Payment.id)
            .limit(100)
        )
    ).scalars()
    done = 0
    for payment in rows.all():
        busy = await session.scalar(
            text("SELECT 1 FROM checks WHERE venue_id = :v AND id = :c FOR UPDATE SKIP LOCKED"),
            {"v": payment.venue_id, "c": payment.check_id},
        )
        if busy is None:
            continue
        system = Caller(kind="staff", venue_id=payment.venue_id, name="terminal")
        result = await resolve(session, system, provider, payment, now)
        done += result is not None and result.payment.status != PaymentStatus.PENDING
    return done


class ProviderCall(msgspec.Struct, frozen=True, kw_only=True):
    """What the provider is to be asked for a claimed card payment or refund.

    ``charge`` is the reference of the charge a refund gives back on (None for a start);
    ``key`` the payment's ``provider_key``, the same on every retry.
    """

    kind: Literal["start", "refund"]
    payment_id: int
    amount: int
    tip: int
    reference: str | None
    charge: str | None
    key: str


async def provider_call(
    session: AsyncSession, caller: Caller, payment_id: int
) -> ProviderCall | None:
    """The provider call a pending card payment still waits for: a refund not settled,
    or a start whose reference is not recorded; None when there is none."""
    payment = await session.get(Payment, (caller.venue_id, payment_id))
    if (
        payment is None
        or payment.status != PaymentStatus.PENDING
        or payment.method != PaymentMethod.CARD
        or payment.provider_key is None
        or (payment.refund_of is None and payment.reference is not None)
    ):
        return None
    charge = None
    if payment.refund_of is not None:
        original = await session.get(Payment, (caller.venue_id, payment.refund_of))
        assert original is not None
        charge = original.reference
    return ProviderCall(
        kind="start" if payment.refund_of is None else "refund",
        payment_id=payment.id,
        amount=abs(payment.amount),
        tip=payment.tip,
        reference=payment.reference,
        charge=charge,
        key=payment.provider_key,
    )


async def _locked_payment(
    session: AsyncSession, caller: Caller, payment_id: int
) -> tuple[Check, Payment]:
    """The payment's check, then the payment, both locked (the lock order)."""
    found = await session.get(Payment, (caller.venue_id, payment_id))
    if found is None:
        raise NotFound("no payment {payment_id}", payment_id=payment_id, field="payment_id")
    check = await locks.row(
        session, locks.Lock.CHECK, Check, (caller.venue_id, found.check_id), refresh=True
    )
    payment = await locks.row(
        session, locks.Lock.PAYMENT, Payment, (caller.venue_id, payment_id), refresh=True
    )
    assert check is not None
    assert payment is not None
    return check, payment


async def record_start(
    session: AsyncSession, caller: Caller, payment_id: int, reference: str
) -> PaymentResult:
    """Record the reference the provider answered for a claimed card payment (once)."""
    check, payment = await _locked_payment(session, caller, payment_id)
    if payment.status == PaymentStatus.PENDING and payment.reference is None:
        payment.reference = reference
        await insert_payment(session, payment)
    return PaymentResult(payment=payment_read(payment), bill=bill_read(await load(session, check)))


async def settle_refund(
    session: AsyncSession, caller: Caller, payment_id: int, answer: ChargeStatus
) -> PaymentResult:
    """Settle a claimed card refund with the provider's answer: approved (journaled) or
    declined. A refund already settled is left as it is, so a retry changes nothing."""
    check, payment = await _locked_payment(session, caller, payment_id)
    if payment.status != PaymentStatus.PENDING or answer.state == "pending":
        return PaymentResult(
            payment=payment_read(payment), bill=bill_read(await load(session, check))
        )
    return await _resolved(
        session, caller, check, payment, now_utc(), answer.reason, PaymentStatus(answer.state)
    )


async def _resolved(
    session: AsyncSession,
    caller: Caller,
    check: Check,
    payment: Payment,
    now: dt.datetime,
    reason: str,
    status: PaymentStatus = PaymentStatus.DECLINED,
) -> PaymentResult:
    if status == PaymentStatus.DECLINED:
        payment.reason = reason or None
    payment.status = status
    payment.resolved_at = now
    await session.flush()
    return await settle(session, caller, check, payment)


async def payment_result(session: AsyncSession, caller: Caller, payment_id: int) -> PaymentResult:
    """A payment as it stands, with its check's bill."""
    payment = await session.get(Payment, (caller.venue_id, payment_id))
    if payment is None or (caller.kind == "guest" and payment.check_id != caller.check_id):
        raise NotFound("no payment {payment_id}", payment_id=payment_id, field="payment_id")
    check = await session.get(Check, (caller.venue_id, payment.check_id))
    assert check is not None
    return PaymentResult(payment=payment_read(payment), bill=bill_read(await load(session, check)))
