"""The use cases of a bill: read it, discount, comp, split, pay, refund, close, guest link.

Locking: every write locks the check row first (``SELECT ... FOR UPDATE``), then the part
it pays, then the payment it resolves, then a gift card, then the table; the journal and
event counters come last, at the end of the transaction. Two payments of one check are
therefore serialised, and the second sees the first (pending or approved) and gets 409
when nothing is left open. What is due is computed from the payment rows every time
(see :mod:`pos_service.payments.ledger`); nothing "due" or "paid" is stored.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from typing import Any, Literal

import msgspec
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events, journal, locks, tx
from pos_service.core.auth import Caller, TokenSigner
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Forbidden, Gone, Invalid, NotFound, Term
from pos_service.core.money import BP_SCALE
from pos_service.core.tx import Tx
from pos_service.drawers import service as drawers
from pos_service.guests import service as guests
from pos_service.guests.schemas import LoyaltyRedeem
from pos_service.menu.models import Item
from pos_service.orders import service as orders
from pos_service.orders.models import Check, CheckStatus, LineState
from pos_service.payments import documents
from pos_service.payments._load import (
    Loaded,
    bill_read,
    categories,
    compute,
    find_check,
    load,
    moved,
    new_part,
    open_for_write,
    payment_read,
    with_parts,
)
from pos_service.payments.billing import Bill
from pos_service.payments.events import (
    BillAdjusted,
    BillRequested,
    BillSplit,
    CheckClosed,
    GiftCardIssued,
    PaymentChanged,
)
from pos_service.payments.ledger import admit, plan_split
from pos_service.payments.models import (
    Adjustment,
    AdjustmentKind,
    BillPart,
    GiftCard,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from pos_service.payments.provider import Charge, ChargeStatus, PaymentProvider
from pos_service.payments.schemas import (
    BillRead,
    CompCreate,
    DiscountCreate,
    GiftCardCreate,
    GiftCardRead,
    GuestLinkRead,
    GuestPaymentCreate,
    PaymentCreate,
    PaymentResult,
    RefundCreate,
    SplitRequest,
)
from pos_service.printing import service as printing
from pos_service.printing.models import JobKind
from pos_service.reservations import service as reservations
from pos_service.staff import service as staff
from pos_service.tables import service as tables
from pos_service.tables.models import TableStatus

PAYMENTS_TOPIC = "payments"
PENDING_TIMEOUT = dt.timedelta(seconds=120)
DISCOUNT_APPROVAL_BP = 2000
DISCOUNT_APPROVAL_MINOR = 2000


def topics(check_id: int) -> list[str]:
    return [PAYMENTS_TOPIC, "orders", f"check:{check_id}"]


async def _locked(session: AsyncSession, caller: Caller, check_id: int) -> Loaded:
    """The open check, locked, with its bill and ledger."""
    return await load(
        session, await orders.load_for_write(session, caller.venue_id, check_id, None)
    )


async def get_bill(session: AsyncSession, caller: Caller, check_id: int) -> BillRead:
    """The bill: lines, discounts, comps, taxes per rate, parts, payments, paid and due."""
    return bill_read(await load(session, await find_check(session, caller.venue_id, check_id)))


# --- discounts and comps


def needs_approval(settings: dict[str, Any], before: Bill, after: Bill, promoted: int = 0) -> bool:
    """Whether a discount taking the bill from ``before`` to ``after`` needs a manager:
    the check's running discount total (not this discount alone) is above the venue's
    amount threshold (``discount_approval_minor``) or above its share of the subtotal
    (``discount_approval_bp``), and this discount adds to it. The ``promoted`` part of
    the discounts (the venue's own promotions) does not count."""
    total = after.discount_total - promoted
    if total <= before.discount_total - promoted:
        return False
    limit_minor = int(settings.get("discount_approval_minor", DISCOUNT_APPROVAL_MINOR))
    limit_bp = int(settings.get("discount_approval_bp", DISCOUNT_APPROVAL_BP))
    return total > limit_minor or total * BP_SCALE > limit_bp * after.subtotal


def _chargeable_line(loaded: Loaded, line_id: int) -> None:
    line = next((line for line in loaded.lines if line.id == line_id), None)
    if line is None:
        raise NotFound(
            "no line {line_id} on check {check_id}",
            line_id=line_id,
            check_id=loaded.check.id,
            field="line_id",
        )
    if line.state == LineState.VOIDED:
        raise Conflict("line {line_id} is voided", line_id=line_id, field="line_id")
    if any(a.kind == AdjustmentKind.COMP and a.line_id == line_id for a in loaded.adjustments):
        raise Conflict("line {line_id} is comped", line_id=line_id, field="line_id")


async def _adjust(
    session: AsyncSession, caller: Caller, loaded: Loaded, adjustment: Adjustment
) -> BillRead:
    session.add(adjustment)
    loaded.check.version += 1
    await session.flush()
    loaded.adjustments.append(adjustment)
    after = await load(session, loaded.check)
    line = next((line for line in after.lines if line.id == adjustment.line_id), None)
    await journal.append(
        session,
        caller.venue_id,
        "comp" if adjustment.kind == AdjustmentKind.COMP else "discount",
        {
            "check_id": loaded.check.id,
            "adjustment_id": adjustment.id,
            "line_id": adjustment.line_id,
            "name": line.name if line else None,
            "discount_kind": adjustment.discount_kind,
            "value": adjustment.value,
            "amount": _adjustment_amount(loaded, after, adjustment),
            "reason": adjustment.reason,
            "added_by": adjustment.added_by,
            "approved_by": adjustment.approved_by,
        },
    )
    events.record(
        session,
        caller.venue_id,
        topics(loaded.check.id),
        BillAdjusted(
            check_id=loaded.check.id,
            adjustment_id=adjustment.id,
            kind=adjustment.kind,
            line_id=adjustment.line_id,
            value=adjustment.value,
            reason=adjustment.reason,
            added_by=adjustment.added_by,
            approved_by=adjustment.approved_by,
            total=after.bill.total,
            version=loaded.check.version,
            bill=msgspec.to_builtins(bill := bill_read(after)),
        ),
    )
    return bill


def _adjustment_amount(before: Loaded, after: Loaded, adjustment: Adjustment) -> int:
    """What the adjustment took off the bill (for comps: the line's value)."""
    if adjustment.kind == AdjustmentKind.COMP:
        return next(c.value for c in after.bill.comps if c.line_id == adjustment.line_id)
    return after.bill.discount_total - before.bill.discount_total


async def add_discount(
    session: AsyncSession, caller: Caller, check_id: int, data: DiscountCreate
) -> BillRead:
    """Discount a line or the check; once the check's discounts add up to more than the
    venue's threshold, a manager approves (see :func:`needs_approval`)."""
    loaded = await _locked(session, caller, check_id)
    if data.line_id is not None:
        _chargeable_line(loaded, data.line_id)
    if data.kind == "percent" and data.value > BP_SCALE:
        raise Invalid("a percent discount is at most 10000 bp (100 %)", field="value")
    adjustment = Adjustment(
        venue_id=caller.venue_id,
        check_id=check_id,
        kind=AdjustmentKind.DISCOUNT,
        line_id=data.line_id,
        discount_kind=data.kind,
        value=data.value,
        reason=data.reason,
        added_by=caller.actor,
    )
    after = compute(
        loaded.venue,
        loaded.check,
        loaded.lines,
        [*loaded.adjustments, adjustment],
        loaded.promotions,
    )
    promoted = sum(p.amount for p in loaded.promotions)
    if needs_approval(loaded.venue.settings, loaded.bill, after, promoted):
        adjustment.approved_by = await staff.consume_approval(
            session, caller.venue_id, data.approval, "discount"
        )
    return await _adjust(session, caller, loaded, adjustment)


async def add_comp(
    session: AsyncSession, caller: Caller, check_id: int, data: CompCreate
) -> BillRead:
    """Give a line away (it leaves every amount); always with a manager's approval."""
    loaded = await _locked(session, caller, check_id)
    _chargeable_line(loaded, data.line_id)
    approver = await staff.consume_approval(session, caller.venue_id, data.approval, "comp")
    adjustment = Adjustment(
        venue_id=caller.venue_id,
        check_id=check_id,
        kind=AdjustmentKind.COMP,
        line_id=data.line_id,
        value=0,
        reason=data.reason,
        added_by=caller.actor,
        approved_by=approver,
    )
    return await _adjust(session, caller, loaded, adjustment)


# --- splits


SPLIT_WRITE = "SELECT bill_split_write($1, $2, $3, $4, $5, ($6::text)::jsonb)::text"
IDS = msgspec.json.Decoder(list[int])


async def split(tx: Tx, caller: Caller, check_id: int, data: SplitRequest) -> BillRead:
    """Split what nobody has paid on yet (or one part, ``part_id``); paid parts stay.

    A lean write (``core.tx``): the check and its bill in one round trip
    (``open_for_write``), the parts replaced, moved and added and the check's version
    raised in another (``bill_split_write``, migration 0033)."""
    loaded = await open_for_write(tx, caller.venue_id, check_id)
    replaced_ids, pieces = plan_split(loaded.ledger, [p.id for p in loaded.parts], data)
    replaced = [p for p in loaded.parts if p.id in replaced_ids]
    position = min((p.position for p in replaced), default=len(loaded.parts))
    new = [
        {
            "position": position + i,
            "label": piece.label,
            "amount": piece.amount,
            "service_charge": piece.service_charge,
            "taxes": [[t.rate_ppm, t.base, t.tax] for t in piece.taxes],
            "line_shares": [list(share) for share in piece.line_shares],
        }
        for i, piece in enumerate(pieces)
    ]
    ids = IDS.decode(
        await tx.conn.fetchval(
            SPLIT_WRITE,
            caller.venue_id,
            check_id,
            sorted(replaced_ids),
            position,
            loaded.ledger.basis,
            msgspec.json.encode(new).decode(),
        )
    )
    kept = [
        moved(p, len(pieces)) if p.position >= position else p
        for p in loaded.parts
        if p.id not in replaced_ids
    ]
    rows = [new_part(i, loaded.ledger.basis, row) for i, row in zip(ids, new, strict=True)]
    after = with_parts(loaded, [*kept, *rows])
    loaded.check.version += 1  # as bill_split_write raised it
    events.record(
        tx,
        caller.venue_id,
        topics(check_id),
        BillSplit(
            check_id=check_id,
            mode=data.mode,
            part_ids=[s.id for s in after.ledger.parts if s.id is not None],
            amounts=[s.part.amount for s in after.ledger.parts],
            version=loaded.check.version,
            bill=msgspec.to_builtins(bill := bill_read(after)),
        ),
    )
    return bill


# --- payments


def _check_fields(data: PaymentCreate) -> None:
    card = data.method == "card"
    if data.tip and data.method == "gift_card":
        raise Invalid("a tip is taken by card or in cash", field="tip")
    if data.tendered is not None and data.method != "cash":
        raise Invalid("tendered is for cash only", field="tendered")
    if data.reference is not None and not card:
        raise Invalid("a terminal reference is for card only", field="reference")
    if (data.gift_card_code is None) == (data.method == "gift_card"):
        raise Invalid("gift_card_code goes with (and only with) gift_card", field="gift_card_code")


async def _usable_card(session: AsyncSession, venue_id: int, code: str) -> GiftCard:
    """The gift card, locked; 404 if unknown, 422 if expired or empty."""
    locks.taken(session, locks.Lock.GIFT_CARD)
    card = (
        await session.execute(
            select(GiftCard)
            .where(GiftCard.venue_id == venue_id, GiftCard.code == code)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if card is None:
        raise NotFound("no such gift card", field="gift_card_code")
    if card.expires_at is not None and card.expires_at <= now_utc():
        raise Invalid("the gift card has expired", field="gift_card_code")
    if card.balance <= 0:
        raise Invalid("the gift card is used up", field="gift_card_code", balance=0)
    return card


async def _redeem(session: AsyncSession, venue_id: int, code: str, amount: int) -> tuple[int, int]:
    """Take ``amount`` off the gift card, atomically, never below zero: (id, balance)."""
    row = (
        await session.execute(
            text(
                "UPDATE gift_cards SET balance = balance - :a WHERE venue_id = :v AND code = :c "
                "AND balance >= :a AND (expires_at IS NULL OR expires_at > now()) "
                "RETURNING id, balance"
            ),
            {"v": venue_id, "c": code, "a": amount},
        )
    ).first()
    if row is not None:
        return int(row.id), int(row.balance)
    card = await _usable_card(session, venue_id, code)
    raise Invalid(
        "the gift card holds {balance}, less than {amount}",
        amount=amount,
        field="amount",
        balance=card.balance,
    )


async def _card_movement(
    session: AsyncSession,
    venue_id: int,
    movement: str,
    card_id: int,
    amount: int,
    balance: int,
    **refs: int | None,
) -> None:
    """Journal a gift card's issue (positive), redemption (negative) or refund back."""
    await journal.append(
        session,
        venue_id,
        "gift_card",
        {
            "movement": movement,
            "gift_card_id": card_id,
            "amount": amount,
            "balance": balance,
            **refs,
        },
    )


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


async def _insert(session: AsyncSession, payment: Payment) -> None:
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


async def _pay(
    session: AsyncSession,
    caller: Caller,
    provider: PaymentProvider,
    loaded: Loaded,
    data: PaymentCreate,
) -> PaymentResult:
    _check_fields(data)
    state = loaded.ledger.part(data.part_id)
    if data.part_id is not None:
        await locks.row(session, locks.Lock.PART, BillPart, (caller.venue_id, data.part_id))
    cash = data.method == "cash"
    wanted = data.amount
    if data.method == "gift_card" and wanted is None and state.open > 0:
        assert data.gift_card_code is not None
        card = await _usable_card(session, caller.venue_id, data.gift_card_code)
        wanted = min(card.balance, state.open)
    for_bill = data.tendered
    if cash and data.tip and data.tendered is not None:
        for_bill = data.tendered - data.tip
        if for_bill <= 0:
            raise Invalid("tendered does not cover the tip", field="tendered")
    applied, change = admit(state, wanted, cash=cash, tendered=for_bill)
    payment = Payment(
        venue_id=caller.venue_id,
        check_id=loaded.check.id,
        part_id=data.part_id,
        method=data.method,
        status=PaymentStatus.APPROVED,
        amount=applied,
        tip=data.tip,
        tendered=applied + data.tip + change if cash else None,
        change=change,
        taken_by=caller.staff_id,
        resolved_at=now_utc(),
    )
    balance = 0
    if data.method == "gift_card":
        assert data.gift_card_code is not None
        payment.gift_card_id, balance = await _redeem(
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
    await _insert(session, payment)
    if cash:
        await drawers.cash_taken(session, caller.venue_id, caller.staff_id, applied, data.tip)
    if payment.gift_card_id is not None:
        await _card_movement(
            session,
            caller.venue_id,
            "redeem",
            payment.gift_card_id,
            -applied,
            balance,
            check_id=payment.check_id,
            payment_id=payment.id,
        )
    return await _settle(session, caller, loaded.check, payment)


async def _settle(
    session: AsyncSession, caller: Caller, check: Check, payment: Payment
) -> PaymentResult:
    """After a payment changed: journal it if final, close the check if settled, tell."""
    after = await load(session, check)
    if payment.status == PaymentStatus.APPROVED:
        await journal.append(
            session, caller.venue_id, _kind(payment), _fact(payment, check.waiter_id)
        )
    events.record(
        session,
        caller.venue_id,
        topics(check.id),
        PaymentChanged(
            check_id=check.id,
            payment_id=payment.id,
            part_id=payment.part_id,
            method=payment.method,
            status=payment.status,
            amount=payment.amount,
            tip=payment.tip,
            due=after.ledger.due,
            bill=msgspec.to_builtins(bill := bill_read(after)),
            total=after.bill.total,
        ),
    )
    if check.status == CheckStatus.OPEN and after.ledger.settled:
        after = await _close(session, caller, after)
        bill = bill_read(after)
    return PaymentResult(payment=payment_read(payment), bill=bill)


async def settle_payment(
    session: AsyncSession, caller: Caller, check: Check, payment: Payment
) -> PaymentResult:
    """Journal and announce a payment row written by another use case (a return's cash
    refund), as every payment here is."""
    return await _settle(session, caller, check, payment)


def _kind(payment: Payment) -> journal.Kind:
    return "refund" if payment.amount < 0 else "payment"


def _fact(payment: Payment, waiter_id: int | None = None) -> dict[str, Any]:
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
    return await _pay(session, caller, provider, await _locked(session, caller, check_id), data)


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
    return await _settle(session, caller, check, locked)


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


async def refund(
    session: AsyncSession, caller: Caller, check_id: int, data: RefundCreate
) -> PaymentResult:
    """Give back (part of) an approved payment as a negative payment of the same method.

    Cash and gift cards are refunded at once. A card refund is only claimed here: a
    ``pending`` negative payment with its ``provider_key``, committed before the provider
    is asked (:func:`pos_service.payments.settle.refund`), then settled by
    :func:`settle_refund`. A pending refund counts against what is left to refund.
    """
    check = await locks.row(session, locks.Lock.CHECK, Check, (caller.venue_id, check_id))
    if check is None:
        raise NotFound("no check {check_id}", check_id=check_id, field="check_id")
    original = await locks.row(
        session, locks.Lock.PAYMENT, Payment, (caller.venue_id, data.payment_id)
    )
    card_balance: int | None = None
    if original is None or original.check_id != check_id or original.amount < 0:
        raise NotFound(
            "no payment {payment_id} on check {check_id}",
            payment_id=data.payment_id,
            check_id=check_id,
            field="payment_id",
        )
    if original.status != PaymentStatus.APPROVED:
        raise Conflict(
            "payment {original_id} is {state}",
            original_id=original.id,
            state=Term(original.status),
            field="payment_id",
        )
    refunded = -sum(
        p.amount
        for p in (await load(session, check)).payments
        if p.refund_of == original.id and p.status != PaymentStatus.DECLINED
    )
    left = original.amount - refunded
    amount = left if data.amount is None else data.amount
    if not 0 < amount <= left:
        raise Invalid(
            "at most {left} of payment {original_id} can be refunded",
            left=left,
            original_id=original.id,
            field="amount",
        )
    card = original.method == PaymentMethod.CARD
    if original.method == PaymentMethod.GIFT_CARD:
        card_balance = await session.scalar(
            text(
                "UPDATE gift_cards SET balance = balance + :a WHERE venue_id = :v AND id = :i "
                "RETURNING balance"
            ),
            {"a": amount, "v": caller.venue_id, "i": original.gift_card_id},
        )
    payment = Payment(
        venue_id=caller.venue_id,
        check_id=check_id,
        part_id=original.part_id,
        method=original.method,
        status=PaymentStatus.PENDING if card else PaymentStatus.APPROVED,
        amount=-amount,
        provider=original.provider if card else None,
        provider_key=uuid.uuid4().hex if card else None,
        gift_card_id=original.gift_card_id,
        refund_of=original.id,
        reason=data.reason,
        taken_by=caller.staff_id,
        resolved_at=None if card else now_utc(),
    )
    await _insert(session, payment)
    if original.gift_card_id is not None:
        await _card_movement(
            session,
            caller.venue_id,
            "refund",
            original.gift_card_id,
            amount,
            card_balance or 0,
            check_id=check_id,
            payment_id=payment.id,
        )
    return await _settle(session, caller, check, payment)


# --- calling the provider between two transactions (see :mod:`.settle`)


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
        await _insert(session, payment)
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
    return await _settle(session, caller, check, payment)


async def payment_result(session: AsyncSession, caller: Caller, payment_id: int) -> PaymentResult:
    """A payment as it stands, with its check's bill."""
    payment = await session.get(Payment, (caller.venue_id, payment_id))
    if payment is None or (caller.kind == "guest" and payment.check_id != caller.check_id):
        raise NotFound("no payment {payment_id}", payment_id=payment_id, field="payment_id")
    check = await session.get(Check, (caller.venue_id, payment.check_id))
    assert check is not None
    return PaymentResult(payment=payment_read(payment), bill=bill_read(await load(session, check)))


# --- closing


async def _close(session: AsyncSession, caller: Caller, loaded: Loaded) -> Loaded:
    """Close the settled check, free its table for cleaning, journal the sale."""
    check = loaded.check
    check.status = CheckStatus.CLOSED
    check.closed_at = now_utc()
    check.version += 1
    if check.table_id is not None:
        await tables.lock(session, caller.venue_id, check.table_id)
        await tables.set_state(
            session, caller.venue_id, check.table_id, TableStatus.TO_CLEAN, open_check=None
        )
    await session.flush()
    await reservations.complete_for_check(session, caller, check.id)
    sold = await _issue_sold_cards(session, caller, loaded)
    await guests.credit_on_close(
        session, loaded.venue, check.id, loaded.bill.total, loaded.bill.total - sold
    )
    await journal.append(session, caller.venue_id, "sale", await _sale(session, loaded))
    closed = await load(session, check)
    events.record(
        session,
        caller.venue_id,
        [*topics(check.id), "expo"],  # the pass drops a paid check's waiting courses
        CheckClosed(
            check_id=check.id,
            table_id=check.table_id,
            total=loaded.bill.total,
            paid=loaded.ledger.paid,
            version=check.version,
            bill=msgspec.to_builtins(bill_read(closed)),
        ),
    )
    await documents.print_after_payment(session, caller, check.id, loaded.venue.settings)
    return closed


async def _sale(session: AsyncSession, loaded: Loaded) -> dict[str, Any]:
    """The final bill as the journal keeps it (what the end-of-day report sums)."""
    bill, check = loaded.bill, loaded.check
    item_of = {line.id: line for line in loaded.lines}
    category = await categories(session, check.venue_id, {line.item_id for line in loaded.lines})
    return {
        "check_id": check.id,
        "table_id": check.table_id,
        "waiter_id": check.waiter_id,
        "covers": check.covers,
        "subtotal": bill.subtotal,
        "discount_total": bill.discount_total,
        "service_charge": bill.service_charge,
        "total": bill.total,
        "tax_inclusive": bill.tax_inclusive,
        "rate_unit": "ppm",
        "taxes": [[t.rate_ppm, t.base, t.tax] for t in bill.taxes],
        "promotions": [
            {
                "promotion_id": p.promotion_id,
                "name": p.name,
                "line_id": p.line_id,
                "amount": p.amount,
            }
            for p in loaded.promotions
        ],
        "lines": [
            {
                "line_id": line.line_id,
                "name": line.name,
                "category": category.get(item_of[line.line_id].item_id, ""),
                "quantity": item_of[line.line_id].quantity,
                "gross": line.gross,
                "net": line.net,
                "tax_rate_ppm": line.tax_rate_ppm,
            }
            for line in bill.lines
        ],
    }


async def close_check(session: AsyncSession, caller: Caller, check_id: int) -> BillRead:
    """Close a check with nothing due and nothing pending (e.g. everything comped)."""
    loaded = await _locked(session, caller, check_id)
    if not loaded.ledger.settled:
        raise Conflict(
            "{due} is still due on check {check_id}",
            check_id=check_id,
            field="check_id",
            due=loaded.ledger.due,
            pending=loaded.ledger.pending,
        )
    return bill_read(await _close(session, caller, loaded))


# --- bill requests and guest links


async def _request_bill(session: AsyncSession, caller: Caller, loaded: Loaded) -> None:
    check = loaded.check
    if check.table_id is not None:
        await tables.lock(session, caller.venue_id, check.table_id)
        await tables.set_state(session, caller.venue_id, check.table_id, TableStatus.BILL_REQUESTED)
    events.record(
        session,
        caller.venue_id,
        topics(check.id),
        BillRequested(check_id=check.id, total=loaded.bill.total),
    )


async def request_bill(session: AsyncSession, caller: Caller, check_id: int) -> BillRead:
    """The pre-bill is brought to the table: the table shows ``bill_requested`` and the
    pre-bill (with its pay-at-table QR code) is queued for the receipt printer."""
    loaded = await _locked(session, caller, check_id)
    await _request_bill(session, caller, loaded)
    printer = await printing.receipt_printer(session, caller.venue_id)
    if printer is not None:
        document = await documents.prebill_document(session, caller, check_id)
        await printing.enqueue(session, caller.venue_id, printer.id, document, JobKind.PREBILL)
    return bill_read(loaded)


async def guest_link(
    session: AsyncSession, caller: Caller, signer: TokenSigner, ttl: int, check_id: int
) -> GuestLinkRead:
    """A signed link opening this check only, until it expires or the check closes."""
    loaded = await _locked(session, caller, check_id)
    token = signer.issue(Caller(kind="guest", venue_id=caller.venue_id, check_id=check_id), ttl)
    await _request_bill(session, caller, loaded)
    return GuestLinkRead(
        token=token, url=f"/guest/{token}", expires_at=now_utc() + dt.timedelta(seconds=ttl)
    )


async def _guest_check(session: AsyncSession, caller: Caller, *, lock: bool) -> Check:
    if caller.kind != "guest" or caller.check_id is None:
        raise Forbidden("a guest link is needed", field="token")
    check = await session.get(Check, (caller.venue_id, caller.check_id), with_for_update=lock)
    if check is None:
        raise NotFound("no such check", field="token")
    if check.status != CheckStatus.OPEN:
        raise Gone(
            "this check is {state}; the link no longer works",
            state=Term(check.status),
            field="token",
        )
    return check


async def guest_bill(session: AsyncSession, caller: Caller) -> BillRead:
    """The bill of the guest link's check (410 once the check is closed)."""
    return bill_read(await load(session, await _guest_check(session, caller, lock=False)))


async def guest_pay(
    session: AsyncSession, caller: Caller, provider: PaymentProvider, data: GuestPaymentCreate
) -> PaymentResult:
    """A guest pays by card: a part, chosen items (cut from the unpaid bill), or an amount."""
    check = await _guest_check(session, caller, lock=True)
    loaded = await load(session, check)
    part_id = data.part_id
    if data.line_ids:
        if part_id is not None:
            raise Invalid("choose a part or items, not both", field="line_ids")
        part_id = await _carve_items(session, caller, loaded, data.line_ids)
        loaded = await load(session, check)
    request = PaymentCreate(method="card", part_id=part_id, amount=data.amount, tip=data.tip)
    return await _pay(session, caller, provider, loaded, request)


async def _carve_items(
    session: AsyncSession, caller: Caller, loaded: Loaded, line_ids: Sequence[int]
) -> int:
    """Split the unpaid bill into the chosen lines and the rest; the chosen part's id."""
    pool = {line_id for line_id, _ in loaded.ledger.pool().line_shares}
    unknown = sorted(set(line_ids) - pool)
    if unknown:
        raise Invalid(
            "lines {unknown} are not open on this bill", unknown=unknown, field="line_ids"
        )
    chosen = set(line_ids)
    assignment = {line_id: 0 if line_id in chosen else 1 for line_id in pool}
    parts = 2 if len(chosen) < len(pool) else 1
    request = SplitRequest(
        mode="items", parts=parts, assignment={k: min(v, parts - 1) for k, v in assignment.items()}
    )
    await session.flush()
    await split(await tx.of_session(session), caller, loaded.check.id, request)
    # the split wrote past the session: the check's version and the parts it replaced
    # or moved are read again
    await session.refresh(loaded.check)
    for part in loaded.parts:
        session.expire(part)
    after = await load(session, loaded.check)
    return next(
        s.id
        for s in after.ledger.parts
        if s.id is not None and not s.held and {i for i, _ in s.part.line_shares} == chosen
    )


# --- gift cards


def _gift_card_read(card: GiftCard) -> GiftCardRead:
    return GiftCardRead(
        id=card.id, code=card.code, balance=card.balance, expires_at=card.expires_at
    )


async def create_gift_card(
    session: AsyncSession, caller: Caller, data: GiftCardCreate
) -> GiftCardRead:
    """Issue a gift card or voucher with a balance; the code is unique in the venue."""
    taken = await session.scalar(
        select(GiftCard.id).where(GiftCard.venue_id == caller.venue_id, GiftCard.code == data.code)
    )
    if taken is not None:
        raise Conflict("gift card {code} exists", code=data.code, field="code")
    card = GiftCard(
        venue_id=caller.venue_id,
        code=data.code,
        balance=data.balance,
        initial_balance=data.balance,
        expires_at=data.expires_at,
    )
    session.add(card)
    await session.flush()
    await _card_movement(session, caller.venue_id, "issue", card.id, card.balance, card.balance)
    return _gift_card_read(card)


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEFAULT_VALID_DAYS = 3 * 365


def new_code() -> str:
    """A random gift card code, e.g. ``K7QD-9XHN-2MWE-R4TP`` (80 bits, no 0/O, 1/I)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


async def _issue_sold_cards(session: AsyncSession, caller: Caller, loaded: Loaded) -> int:
    """Issue one gift card per unit of each gift-card line of the closing check, worth
    its unit price (discounts on the check do not reduce it); the amount sold."""
    lines = [line for line in loaded.lines if line.state != LineState.VOIDED]
    flagged = set(
        (
            await session.execute(
                select(Item.id).where(
                    Item.venue_id == caller.venue_id,
                    Item.id.in_({line.item_id for line in lines}),
                    Item.gift_card,
                )
            )
        ).scalars()
    )
    days = int(loaded.venue.settings.get("gift_card_valid_days") or DEFAULT_VALID_DAYS)
    expires_at = now_utc() + dt.timedelta(days=days)
    sold = 0
    for line in (line for line in lines if line.item_id in flagged):
        for _ in range(line.quantity):
            card = GiftCard(
                venue_id=caller.venue_id,
                code=new_code(),
                balance=line.unit_price,
                initial_balance=line.unit_price,
                expires_at=expires_at,
                check_id=loaded.check.id,
                line_id=line.id,
            )
            session.add(card)
            await session.flush()
            sold += card.balance
            await _card_movement(
                session,
                caller.venue_id,
                "issue",
                card.id,
                card.balance,
                card.balance,
                check_id=loaded.check.id,
                line_id=line.id,
            )
            events.record(
                session,
                caller.venue_id,
                topics(loaded.check.id),
                GiftCardIssued(
                    check_id=loaded.check.id,
                    gift_card=msgspec.to_builtins(_gift_card_read(card)),
                ),
            )
    return sold


async def check_gift_cards(
    session: AsyncSession, caller: Caller, check_id: int
) -> list[GiftCardRead]:
    """The gift cards a check sold (issued when it was paid)."""
    await find_check(session, caller.venue_id, check_id)
    cards = (
        await session.execute(
            select(GiftCard)
            .where(GiftCard.venue_id == caller.venue_id, GiftCard.check_id == check_id)
            .order_by(GiftCard.id)
        )
    ).scalars()
    return [_gift_card_read(card) for card in cards]


# --- loyalty


async def redeem_points(
    session: AsyncSession, caller: Caller, check_id: int, data: LoyaltyRedeem
) -> BillRead:
    """Take the check's guest's points off the bill as a reward discount (an amount
    discount on the check, journaled like any discount; earned, so no approval)."""
    loaded = await _locked(session, caller, check_id)
    rule = guests.loyalty_settings(loaded.venue)
    open_ = loaded.ledger.rest.open
    if rule.point_value and data.points * rule.point_value > open_:
        raise Invalid(
            "at most {max_points} points can be used on what is open",
            field="points",
            max_points=open_ // rule.point_value,
        )
    _, value = await guests.spend(session, loaded.venue, check_id, data.points)
    adjustment = Adjustment(
        venue_id=caller.venue_id,
        check_id=check_id,
        kind=AdjustmentKind.DISCOUNT,
        discount_kind="amount",
        value=value,
        reason=f"loyalty reward: {data.points} points",
        added_by=caller.actor,
    )
    return await _adjust(session, caller, loaded, adjustment)


async def get_gift_card(session: AsyncSession, caller: Caller, code: str) -> GiftCardRead:
    card = (
        await session.execute(
            select(GiftCard).where(GiftCard.venue_id == caller.venue_id, GiftCard.code == code)
        )
    ).scalar_one_or_none()
    if card is None:
        raise NotFound("no such gift card", field="code")
    return _gift_card_read(card)
