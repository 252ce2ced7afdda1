"""Card starts and refunds: claim, call the provider, settle (docs/decisions/1261).

The provider is never called inside a database transaction, and never while the check
is locked. The request's first transaction (which holds its ``Idempotency-Key``) commits
a ``pending`` payment with a ``provider_key``; then the provider is called with that
key; a second transaction records its answer. The print queue works the same way
(docs/decisions/0300).

A retry of the request replays the first transaction's answer (the pending payment) and
carries on from there: the provider is asked again with the same key, which by the
provider contract starts or refunds nothing a second time, and the settle step leaves a
payment that is no longer pending as it is. ``POST /api/payments/{id}/poll`` carries on
the same way, so a refund whose answer could not be recorded is finished by polling it.
"""

from __future__ import annotations

from pos_service.core.errors import Conflict
from pos_service.core.uow import UnitOfWork
from pos_service.payments import service
from pos_service.payments.provider import PaymentProvider
from pos_service.payments.schemas import (
    GuestPaymentCreate,
    PaymentCreate,
    PaymentResult,
    RefundCreate,
)


async def carry_on(uow: UnitOfWork, provider: PaymentProvider, payment_id: int) -> PaymentResult:
    """Make the provider call a claimed payment waits for (if any) and record its answer;
    the payment as it then stands."""
    call = await uow.read(service.provider_call, payment_id)
    if call is not None and call.kind == "refund":
        if call.charge is None:  # an approved card payment always has its reference
            raise Conflict("the payment refunded has no provider reference", field="payment_id")
        answer = await provider.refund(call.charge, call.amount, key=call.key)
        await uow.follow_up(service.settle_refund, payment_id, answer)
    elif call is not None:
        reference = await provider.start(call.amount, call.tip, call.reference, key=call.key)
        await uow.follow_up(service.record_start, payment_id, reference)
    return await uow.read(service.payment_result, payment_id)


async def pay(
    uow: UnitOfWork, provider: PaymentProvider, check_id: int, data: PaymentCreate
) -> PaymentResult:
    """Take a payment; a card payment is claimed, then started at the provider."""
    claimed = await uow.write(service.pay, provider, check_id, data)
    if claimed.payment.method != "card":
        return claimed
    return await carry_on(uow, provider, claimed.payment.id)


async def guest_pay(
    uow: UnitOfWork, provider: PaymentProvider, data: GuestPaymentCreate
) -> PaymentResult:
    """A guest's card payment: claimed, then started at the provider."""
    claimed = await uow.write(service.guest_pay, provider, data)
    return await carry_on(uow, provider, claimed.payment.id)


async def refund(
    uow: UnitOfWork, provider: PaymentProvider, check_id: int, data: RefundCreate
) -> PaymentResult:
    """Refund; a card refund is claimed, refunded at the provider, then settled. 409
    (``payment_id``) when the provider declines it."""
    claimed = await uow.write(service.refund, check_id, data)
    if claimed.payment.method != "card":
        return claimed
    result = await carry_on(uow, provider, claimed.payment.id)
    if result.payment.status == "declined":
        raise Conflict(
            "the provider refused the refund: {reason}",
            reason=result.payment.reason or "declined",
            field="payment_id",
            payment_id=result.payment.id,
        )
    return result


async def poll(uow: UnitOfWork, provider: PaymentProvider, payment_id: int) -> PaymentResult:
    """Carry a claimed payment on, then ask the provider whether a card payment went
    through (refunds are settled by :func:`carry_on`, never polled)."""
    await uow.read(service.payment_result, payment_id)  # 404 before any provider call
    await carry_on(uow, provider, payment_id)
    return await uow.write(service.poll, provider, payment_id)
