"""Reading the bill; discounts and comps (a manager approves above the venue's threshold)."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events, journal
from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, Invalid, NotFound
from pos_service.core.money import BP_SCALE
from pos_service.orders.models import LineState
from pos_service.payments._load import Loaded, bill_read, compute, find_check, load
from pos_service.payments.billing import Bill
from pos_service.payments.events import BillAdjusted
from pos_service.payments.models import Adjustment, AdjustmentKind
from pos_service.payments.schemas import BillRead, CompCreate, DiscountCreate
from pos_service.payments.service._common import locked, topics
from pos_service.staff import service as staff

DISCOUNT_APPROVAL_BP = 2000
DISCOUNT_APPROVAL_MINOR = 2000


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


async def adjust(
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
    loaded = await locked(session, caller, check_id)
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
    return await adjust(session, caller, loaded, adjustment)


async def add_comp(
    session: AsyncSession, caller: Caller, check_id: int, data: CompCreate
) -> BillRead:
    """Give a line away (it leaves every amount); always with a manager's approval."""
    loaded = await locked(session, caller, check_id)
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
    return await adjust(session, caller, loaded, adjustment)
