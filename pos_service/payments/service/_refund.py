"""Refunds: a negative payment of the same method (card refunds claimed, then settled)."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import locks
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound, Term
from pos_service.orders.models import Check
from pos_service.payments._load import load
from pos_service.payments.models import Payment, PaymentMethod, PaymentStatus
from pos_service.payments.schemas import PaymentResult, RefundCreate
from pos_service.payments.service._gift_cards import card_movement
from pos_service.payments.service._pay import insert_payment, settle


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
    await insert_payment(session, payment)
    if original.gift_card_id is not None:
        await card_movement(
            session,
            caller.venue_id,
            "refund",
            original.gift_card_id,
            amount,
            card_balance or 0,
            check_id=check_id,
            payment_id=payment.id,
        )
    return await settle(session, caller, check, payment)
