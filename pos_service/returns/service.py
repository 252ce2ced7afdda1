"""Returns of closed checks and voids of unused sold gift cards (docs/returns.md).

A return gives back some units of some lines of a closed check. In ONE transaction it
locks the check, then the payments it refunds (the lock order), computes what the units
refund from the check's bill (:mod:`.plan`: each line's net after its discounts, its
share of the service charge and of its rate's tax, cumulative over the check's returns),
refunds that by the check's own payments (cash, gift card, then card) or in cash, takes
the guest's points back in proportion, puts the items' recipes back on stock, journals
a ``return`` (which the X and Z reports and the audit file subtract from the sales, rate
by rate) after the refunds it caused, and records ``check.returned``. A card refund is
only claimed here; the controller has the provider refund it after the commit
(:func:`pos_service.payments.settle.carry_on`), as any refund.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events, journal, locks
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, NotFound, Term
from pos_service.drawers import service as drawers
from pos_service.guests import service as guests
from pos_service.orders.models import Check, CheckStatus
from pos_service.payments import service as payments
from pos_service.payments._load import Loaded, categories, load
from pos_service.payments.models import GiftCard, Payment, PaymentMethod, PaymentStatus
from pos_service.payments.schemas import RefundCreate
from pos_service.returns.events import CheckReturned, GiftCardVoidedEvent
from pos_service.returns.models import CheckReturn
from pos_service.returns.plan import Earlier, Plan, plan
from pos_service.returns.schemas import (
    GiftCardVoid,
    GiftCardVoided,
    ReturnCreate,
    ReturnLine,
    ReturnLineRead,
    ReturnRead,
    ReturnTaxRead,
)
from pos_service.staff import service as staff
from pos_service.stock import service as stock

RETURN_APPROVAL_MINOR = 2000
TENDER_ORDER = {PaymentMethod.CASH: 0, PaymentMethod.GIFT_CARD: 1, PaymentMethod.CARD: 2}


def return_read(row: CheckReturn, names: dict[int, str]) -> ReturnRead:
    return ReturnRead(
        id=row.id,
        check_id=row.check_id,
        reason=row.reason,
        tender=row.tender,
        lines=[
            ReturnLineRead(
                line_id=line_id,
                name=names.get(line_id, ""),
                quantity=quantity,
                gross=gross,
                net=net,
                tax_rate_ppm=rate,
                tax=tax,
            )
            for line_id, quantity, gross, net, rate, tax in row.lines
        ],
        taxes=[ReturnTaxRead(rate_ppm=r, base=b, tax=t) for r, b, t in row.taxes],
        service_charge=row.service_charge,
        amount=row.amount,
        payment_ids=list(row.payment_ids),
        points=row.points,
        returned_by=row.returned_by,
        approved_by=row.approved_by,
        created_at=row.created_at,
    )


async def _returns_of(session: AsyncSession, venue_id: int, check_id: int) -> list[CheckReturn]:
    return list(
        (
            await session.execute(
                select(CheckReturn)
                .where(CheckReturn.venue_id == venue_id, CheckReturn.check_id == check_id)
                .order_by(CheckReturn.id)
            )
        ).scalars()
    )


def _earlier(rows: list[CheckReturn]) -> dict[int, Earlier]:
    done: dict[int, Earlier] = {}
    for row in rows:
        for line_id, quantity, gross, net, _, _ in row.lines:
            was = done.get(line_id, Earlier())
            done[line_id] = Earlier(was.quantity + quantity, was.gross + gross, was.net + net)
    return done


async def _closed_check(session: AsyncSession, caller: Caller, check_id: int) -> Check:
    check = await locks.row(session, locks.Lock.CHECK, Check, (caller.venue_id, check_id))
    if check is None:
        raise NotFound("no check {check_id}", check_id=check_id, field="check_id")
    if check.status != CheckStatus.CLOSED:
        raise Conflict(
            "check {check_id} is {state}; only a paid check",
            check_id=check_id,
            state=Term(check.status),
            field="check_id",
        )
    return check


def _planned(loaded: Loaded, data: ReturnCreate, rows: list[CheckReturn]) -> Plan:
    quantities: dict[int, int] = {}
    for line in data.lines:
        quantities[line.line_id] = quantities.get(line.line_id, 0) + line.quantity
    sold = {line.id: line.quantity for line in loaded.lines}
    try:
        return plan(loaded.bill, quantities, sold, _earlier(rows))
    except ValueError as exc:
        raise Conflict.because(exc, field="lines") from exc


async def _refund(
    session: AsyncSession, caller: Caller, loaded: Loaded, amount: int, tender: str, reason: str
) -> list[int]:
    """Refund ``amount`` by the check's payments (cash, gift card, card) or in cash; the
    refund payments' ids."""
    if amount <= 0:
        return []
    check = loaded.check
    if tender == "cash":
        payment = Payment(
            venue_id=caller.venue_id,
            check_id=check.id,
            method=PaymentMethod.CASH,
            status=PaymentStatus.APPROVED,
            amount=-amount,
            reason=reason,
            taken_by=caller.staff_id,
            resolved_at=now_utc(),
        )
        session.add(payment)
        await session.flush()
        await drawers.cash_taken(session, caller.venue_id, caller.staff_id, -amount, 0)
        await payments.settle_payment(session, caller, check, payment)
        return [payment.id]
    refunded: dict[int, int] = {}
    for p in loaded.payments:
        if p.refund_of is not None and p.status != PaymentStatus.DECLINED:
            refunded[p.refund_of] = refunded.get(p.refund_of, 0) - p.amount
    paid = sorted(
        (p for p in loaded.payments if p.amount > 0 and p.status == PaymentStatus.APPROVED),
        key=lambda p: (TENDER_ORDER.get(PaymentMethod(p.method), 3), p.id),
    )
    left = {p.id: p.amount - refunded.get(p.id, 0) for p in paid}
    if sum(left.values()) < amount:
        raise Conflict(
            "only {left} of the check's payments is left to refund; refund in cash",
            left=sum(left.values()),
            field="tender",
        )
    ids: list[int] = []
    rest = amount
    for p in paid:
        take = min(rest, left[p.id])
        if take <= 0:
            continue
        result = await payments.refund(
            session, caller, check.id, RefundCreate(payment_id=p.id, reason=reason, amount=take)
        )
        if p.method == PaymentMethod.CASH:
            await drawers.cash_taken(session, caller.venue_id, caller.staff_id, -take, 0)
        ids.append(result.payment.id)
        rest -= take
        if not rest:
            break
    return ids


async def _record(
    session: AsyncSession,
    caller: Caller,
    loaded: Loaded,
    planned: Plan,
    data: ReturnCreate,
    approved_by: int | None,
    before: list[CheckReturn],
) -> ReturnRead:
    check = loaded.check
    ids = await _refund(session, caller, loaded, planned.amount, data.tender, data.reason)
    points = await guests.take_back(
        session, loaded.venue, check.id, sum(r.amount for r in before), planned.amount
    )
    item_of = {line.id: line.item_id for line in loaded.lines}
    if data.restock:
        units: dict[int, int] = {}
        for back in planned.lines:
            units[item_of[back.line_id]] = units.get(item_of[back.line_id], 0) + back.quantity
        await stock.restock(session, caller, check.id, units)
    row = CheckReturn(
        venue_id=caller.venue_id,
        check_id=check.id,
        reason=data.reason,
        tender=data.tender,
        lines=[
            [b.line_id, b.quantity, b.gross, b.net, b.tax_rate_ppm, b.tax] for b in planned.lines
        ],
        taxes=[[t.rate_ppm, t.base, t.tax] for t in planned.taxes],
        service_charge=planned.service_charge,
        amount=planned.amount,
        payment_ids=ids,
        points=points,
        returned_by=caller.staff_id,
        approved_by=approved_by,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    category = await categories(session, caller.venue_id, set(item_of.values()))
    fact = _fact(row, check, planned, item_of, category)
    fact["tax_inclusive"] = loaded.venue.tax_inclusive
    await journal.append(session, caller.venue_id, "return", fact)
    events.record(
        session,
        caller.venue_id,
        payments.topics(check.id),
        CheckReturned(
            check_id=check.id,
            return_id=row.id,
            lines=[[b.line_id, b.quantity] for b in planned.lines],
            amount=row.amount,
            payment_ids=ids,
            approved_by=approved_by,
        ),
    )
    return return_read(row, {line.id: line.name for line in loaded.lines})


def _fact(
    row: CheckReturn,
    check: Check,
    planned: Plan,
    item_of: dict[int, int],
    category: dict[int, str],
) -> dict[str, Any]:
    """The return as the journal keeps it: the sale's shape with the amounts given back
    (what the X and Z reports and the audit file subtract)."""
    gross = sum(b.gross for b in planned.lines)
    net = sum(b.net for b in planned.lines)
    return {
        "return_id": row.id,
        "check_id": check.id,
        "table_id": check.table_id,
        "waiter_id": check.waiter_id,
        "subtotal": gross,
        "discount_total": gross - net,
        "service_charge": planned.service_charge,
        "total": planned.amount,
        "rate_unit": "ppm",
        "taxes": row.taxes,
        "lines": [
            {
                "line_id": b.line_id,
                "name": b.name,
                "category": category.get(item_of[b.line_id], ""),
                "quantity": b.quantity,
                "gross": b.gross,
                "net": b.net,
                "tax_rate_ppm": b.tax_rate_ppm,
            }
            for b in planned.lines
        ],
        "payment_ids": row.payment_ids,
        "reason": row.reason,
        "returned_by": row.returned_by,
        "approved_by": row.approved_by,
        "points": row.points,
    }


async def _gift_card_lines(session: AsyncSession, venue_id: int, check_id: int) -> set[int]:
    rows = await session.execute(
        select(GiftCard.line_id).where(GiftCard.venue_id == venue_id, GiftCard.check_id == check_id)
    )
    return {line_id for (line_id,) in rows.all() if line_id is not None}


async def create_return(
    session: AsyncSession, caller: Caller, check_id: int, data: ReturnCreate
) -> ReturnRead:
    """Give back units of lines of a closed check: refunded, journaled, points and stock
    back. 409 (``lines``) for more units than are left or a gift-card line (void the card
    instead), 403 (``approval``) above the venue's ``return_approval_minor``."""
    check = await _closed_check(session, caller, check_id)
    loaded = await load(session, check)
    cards = await _gift_card_lines(session, caller.venue_id, check_id)
    if cards & {line.line_id for line in data.lines}:
        raise Conflict("a sold gift card is voided, not returned", field="lines")
    before = await _returns_of(session, caller.venue_id, check_id)
    planned = _planned(loaded, data, before)
    limit = int(loaded.venue.settings.get("return_approval_minor", RETURN_APPROVAL_MINOR))
    approved_by = None
    if planned.amount > limit:
        approved_by = await staff.consume_approval(
            session, caller.venue_id, data.approval, "return"
        )
    return await _record(session, caller, loaded, planned, data, approved_by, before)


async def list_returns(session: AsyncSession, caller: Caller, check_id: int) -> list[ReturnRead]:
    """The returns of a check, oldest first."""
    check = await session.get(Check, (caller.venue_id, check_id))
    if check is None:
        raise NotFound("no check {check_id}", check_id=check_id, field="check_id")
    loaded = await load(session, check)
    names = {line.id: line.name for line in loaded.lines}
    return [return_read(r, names) for r in await _returns_of(session, caller.venue_id, check_id)]


async def _unused(session: AsyncSession, venue_id: int, card: GiftCard) -> None:
    if card.voided_at is not None:
        raise Conflict("the gift card is already voided", field="code")
    spent = await session.scalar(
        select(Payment.id).where(
            Payment.venue_id == venue_id,
            Payment.gift_card_id == card.id,
            Payment.status != PaymentStatus.DECLINED,
        )
    )
    if spent is not None or card.balance != card.initial_balance:
        raise Conflict("the gift card has been used; it cannot be voided", field="code")


async def void_gift_card(
    session: AsyncSession, caller: Caller, code: str, data: GiftCardVoid
) -> GiftCardVoided:
    """Void a gift card nobody has spent from (409 ``code`` otherwise): its balance goes
    to zero, journaled; one sold on a check is refunded as a return of its unit (by the
    check's payments or in cash). Locks the check, the payments refunded, then the card."""
    found = (
        await session.execute(
            select(GiftCard).where(GiftCard.venue_id == caller.venue_id, GiftCard.code == code)
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("no such gift card", field="code")
    refund = None
    if found.check_id is not None and found.line_id is not None:
        check = await _closed_check(session, caller, found.check_id)
        await _unused(session, caller.venue_id, found)
        loaded = await load(session, check)
        request = ReturnCreate(
            lines=[ReturnLine(line_id=found.line_id, quantity=1)],
            reason=data.reason,
            tender=data.tender,
            restock=False,
        )
        before = await _returns_of(session, caller.venue_id, check.id)
        planned = _planned(loaded, request, before)
        refund = await _record(session, caller, loaded, planned, request, caller.staff_id, before)
    card = await locks.row(
        session, locks.Lock.GIFT_CARD, GiftCard, (caller.venue_id, found.id), refresh=True
    )
    assert card is not None
    await _unused(session, caller.venue_id, card)  # again, under the card's lock
    value = card.balance
    card.balance = 0
    card.voided_at = now_utc()
    card.voided_by = caller.staff_id
    await session.flush()
    await journal.append(
        session,
        caller.venue_id,
        "gift_card",
        {
            "movement": "void",
            "gift_card_id": card.id,
            "amount": -value,
            "balance": 0,
            "check_id": card.check_id,
            "line_id": card.line_id,
            "reason": data.reason,
            "staff_id": caller.staff_id,
        },
    )
    events.record(
        session,
        caller.venue_id,
        payments.topics(card.check_id) if card.check_id else payments.PAYMENTS_TOPIC,
        GiftCardVoidedEvent(
            gift_card_id=card.id,
            check_id=card.check_id,
            amount=value,
            return_id=refund.id if refund else None,
        ),
    )
    return GiftCardVoided(
        gift_card_id=card.id,
        code=card.code,
        amount=value,
        voided_at=card.voided_at,
        refund=refund,
    )
