"""Loading a check's bill and ledger from the database, and reading them out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import locks
from pos_service.core.errors import NotFound
from pos_service.core.money import tax_rounding
from pos_service.core.tx import Tx
from pos_service.menu.models import Category, Item
from pos_service.orders import service as orders
from pos_service.orders.models import Check, CheckLine, CheckStatus, LineState
from pos_service.payments.billing import (
    Bill,
    BillLine,
    Discount,
    Part,
    ServiceCharge,
    TaxAmount,
    compute_bill,
)
from pos_service.payments.ledger import Ledger, Money, PartState, StoredPart, ledger
from pos_service.payments.models import Adjustment, AdjustmentKind, BillPart, Payment
from pos_service.payments.schemas import (
    BillLineRead,
    BillRead,
    CompRead,
    DiscountRead,
    PartRead,
    PaymentRead,
    PromotionLineRead,
    ShareRead,
    TaxRead,
)
from pos_service.promotions import service as promotions
from pos_service.promotions.engine import Applied
from pos_service.venues import service as venues
from pos_service.venues.models import Venue


@dataclass
class Loaded:
    """Everything a bill is computed from, and the bill and ledger computed."""

    venue: Venue
    check: Check
    lines: list[CheckLine]
    adjustments: list[Adjustment]
    parts: list[BillPart]
    payments: list[Payment]
    bill: Bill
    ledger: Ledger
    promotions: list[Applied] = field(default_factory=list)
    """The promotions the bill applied, one per (promotion, line)."""


async def _all(session: AsyncSession, model: Any, venue_id: int, check_id: int) -> list[Any]:
    return list(
        (
            await session.execute(
                select(model)
                .where(model.venue_id == venue_id, model.check_id == check_id)
                .order_by(model.id)
            )
        ).scalars()
    )


def service_charge(venue: Venue, check: Check) -> ServiceCharge | None:
    """The venue's service charge if the party is large enough (settings
    ``service_charge_min_covers`` and ``service_charge_bp``)."""
    min_covers = venue.settings.get("service_charge_min_covers")
    rate = int(venue.settings.get("service_charge_bp") or 0)
    if min_covers is None or rate <= 0 or check.covers < int(min_covers):
        return None
    return ServiceCharge(rate_bp=rate)


def compute(
    venue: Venue,
    check: Check,
    lines: list[CheckLine],
    adjustments: list[Adjustment],
    promoted: list[Applied] | None = None,
) -> Bill:
    """The bill; ``promoted`` (the check's promotions) are amount discounts on their
    lines, taken before any manual discount (docs/promotions.md)."""
    comped = {a.line_id for a in adjustments if a.kind == AdjustmentKind.COMP}
    return compute_bill(
        [
            BillLine(
                line_id=line.id,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate_ppm=line.tax_rate_ppm,
                seat=line.seat,
                voided=line.state == LineState.VOIDED,
                comp=line.id in comped,
            )
            for line in lines
        ],
        [
            *(Discount("amount", p.amount, p.line_id, p.name) for p in promoted or ()),
            *(
                Discount(a.discount_kind, a.value, a.line_id, a.reason)  # type: ignore[arg-type]
                for a in adjustments
                if a.kind == AdjustmentKind.DISCOUNT
            ),
        ],
        service_charge(venue, check),
        tax_inclusive=venue.tax_inclusive,
        tax_rounding=tax_rounding(venue.settings),
    )


def stored_part(row: BillPart) -> StoredPart:
    return StoredPart(
        row.id,
        row.basis,
        Part(
            index=row.position,
            label=row.label,
            amount=row.amount,
            taxes=[TaxAmount(*tax) for tax in row.taxes],
            line_shares=[(line_id, amount) for line_id, amount in row.line_shares],
            service_charge=row.service_charge,
        ),
    )


async def load(session: AsyncSession, check: Check) -> Loaded:
    """The check's bill and ledger (the caller has locked the check if it writes)."""
    venue_id = check.venue_id
    venue = await venues.get(session, venue_id)
    lines = await _all(session, CheckLine, venue_id, check.id)
    adjustments = await _all(session, Adjustment, venue_id, check.id)
    parts = [p for p in await _all(session, BillPart, venue_id, check.id) if p.active]
    parts.sort(key=lambda p: (p.position, p.id))
    payments = await _all(session, Payment, venue_id, check.id)
    promoted = await promoted_lines(session, venue, lines, adjustments)
    return _loaded(venue, check, lines, adjustments, parts, payments, promoted)


async def promoted_lines(
    session: AsyncSession, venue: Venue, lines: list[CheckLine], adjustments: list[Adjustment]
) -> list[Applied]:
    """The promotions of the check's chargeable lines (not voided, not comped), each line
    as of the time it was ordered."""
    comped = {a.line_id for a in adjustments if a.kind == AdjustmentKind.COMP}
    return await promotions.applied(
        session,
        venue,
        [
            promotions.OrderedLine(
                line_id=line.id,
                item_id=line.item_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                ordered_at=line.created_at,
            )
            for line in lines
            if line.state != LineState.VOIDED and line.id not in comped
        ],
    )


def _ledger(bill: Bill, parts: list[BillPart], payments: list[Payment]) -> Ledger:
    return ledger(
        bill,
        [stored_part(p) for p in parts],
        [
            Money(p.part_id, p.amount, p.status)  # type: ignore[arg-type]
            for p in payments
            if p.amount > 0 or p.status != "pending"  # a refund counts once approved
        ],
    )


# -- the lean load (core.tx): the same rows as :func:`load`, from ``bill_open`` (migration 0033)


class _Check(msgspec.Struct):
    id: int
    venue_id: int
    status: str
    covers: int
    version: int
    table_id: int | None


class _Venue(msgspec.Struct):
    id: int
    currency: str
    timezone: str
    tax_inclusive: bool
    settings: dict[str, Any]


class _Line(msgspec.Struct):
    id: int
    item_id: int
    name: str
    quantity: int
    unit_price: int
    tax_rate_ppm: int
    seat: int | None
    state: str
    created_at: dt.datetime


class _Adjustment(msgspec.Struct):
    id: int
    kind: str
    line_id: int | None
    discount_kind: str | None
    value: int
    reason: str


class _Part(msgspec.Struct):
    id: int
    position: int
    label: str
    amount: int
    service_charge: int
    taxes: list[Any]
    line_shares: list[Any]
    basis: str
    active: bool


class _Opened(msgspec.Struct):
    refused: Literal["missing", "not_open"] | None = None
    check: _Check | None = None
    venue: _Venue | None = None
    lines: list[_Line] = []
    adjustments: list[_Adjustment] = []
    parts: list[_Part] = []
    payments: list[PaymentRead] = []  # a payment row has the fields its answer has
    promoted: bool = False


_OPENED = msgspec.json.Decoder(_Opened)
BILL_OPEN = "SELECT bill_open($1, $2, $3)::text"


async def open_for_write(tx: Tx, venue_id: int, check_id: int) -> Loaded:
    """The open check, locked, with its bill and ledger, in one round trip on ``tx.conn``
    (``bill_open``). The rows come back as plain structs with the models' attribute
    names, so :func:`compute`, the ledger and :func:`bill_read` take them as they are.
    A check that is missing is a 404; one not open, a 409 with the check as it is (read
    through the ORM: ``tx.orm()``); a venue with promotions has them applied through the
    ORM as well."""
    locks.taken(tx, locks.Lock.CHECK)
    raw = await tx.conn.fetchval(BILL_OPEN, venue_id, check_id, CheckStatus.OPEN.value)
    opened = _OPENED.decode(raw)
    if opened.refused == "missing":
        raise NotFound("no check {check_id}", check_id=check_id, field="check_id")
    if opened.refused is not None or opened.check is None or opened.venue is None:
        # the 409 carries the whole check as it is: the ORM's read of it
        await orders.load_for_write(tx.orm(), venue_id, check_id, None)
        raise AssertionError("bill_open refused an open check")
    # duck-typed stand-ins for the model rows (same attribute names, read only)
    venue = cast(Venue, opened.venue)
    check = cast(Check, opened.check)
    lines = cast(list[CheckLine], opened.lines)
    adjustments = cast(list[Adjustment], opened.adjustments)
    parts = cast(list[BillPart], opened.parts)
    payments = cast(list[Payment], opened.payments)
    promoted: list[Applied] = []
    if opened.promoted:  # the promotions engine reads them, and the venue, through the ORM
        session = tx.orm()
        promoted = await promoted_lines(
            session, await venues.get(session, venue_id), lines, adjustments
        )
    return _loaded(venue, check, lines, adjustments, parts, payments, promoted)


def new_part(part_id: int, basis: str, row: dict[str, Any]) -> BillPart:
    """A part just written by a lean write, as :func:`with_parts` takes it."""
    return cast(BillPart, _Part(id=part_id, active=True, basis=basis, **row))


def moved(part: BillPart, by: int) -> BillPart:
    """A part of a lean load moved ``by`` places down."""
    return cast(BillPart, msgspec.structs.replace(cast(_Part, part), position=part.position + by))


def with_parts(loaded: Loaded, parts: list[BillPart]) -> Loaded:
    """``loaded`` after its parts changed in this transaction (flushed, so the new rows have
    ids): the ledger recomputed from them, without reading the check again."""
    active = sorted((p for p in parts if p.active), key=lambda p: (p.position, p.id))
    return replace(loaded, parts=active, ledger=_ledger(loaded.bill, active, loaded.payments))


def with_payments(loaded: Loaded, payments: list[Payment]) -> Loaded:
    """``loaded`` after payments were taken in this transaction (``payments`` all of them):
    the ledger recomputed, without reading the check again."""
    return replace(loaded, payments=payments, ledger=_ledger(loaded.bill, loaded.parts, payments))


async def find_check(session: AsyncSession, venue_id: int, check_id: int) -> Check:
    check = await session.get(Check, (venue_id, check_id))
    if check is None:
        raise NotFound("no check {check_id}", check_id=check_id, field="check_id")
    return check


async def categories(session: AsyncSession, venue_id: int, item_ids: set[int]) -> dict[int, str]:
    """Item id -> its category's name."""
    rows = await session.execute(
        select(Item.id, Category.name)
        .join(Category, (Category.venue_id == Item.venue_id) & (Category.id == Item.category_id))
        .where(Item.venue_id == venue_id, Item.id.in_(item_ids))
    )
    return {item_id: name for item_id, name in rows.all()}


def taxes_read(taxes: list[TaxAmount]) -> list[TaxRead]:
    return [TaxRead(rate_ppm=t.rate_ppm, base=t.base, tax=t.tax) for t in taxes]


def part_read(state: PartState) -> PartRead:
    part = state.part
    return PartRead(
        id=state.id,
        label=part.label,
        amount=part.amount,
        service_charge=part.service_charge,
        taxes=taxes_read(part.taxes),
        lines=[ShareRead(line_id=i, amount=a) for i, a in part.line_shares],
        paid=state.paid,
        pending=state.pending,
        due=state.due,
    )


def payment_read(p: Payment) -> PaymentRead:
    return PaymentRead(
        id=p.id,
        check_id=p.check_id,
        part_id=p.part_id,
        method=p.method,
        status=p.status,
        amount=p.amount,
        tip=p.tip,
        tendered=p.tendered,
        change=p.change,
        reference=p.reference,
        brand=p.brand,
        last4=p.last4,
        refund_of=p.refund_of,
        reason=p.reason,
        created_at=p.created_at,
        resolved_at=p.resolved_at,
    )


def bill_read(loaded: Loaded) -> BillRead:
    bill, book = loaded.bill, loaded.ledger
    quantities = {line.id: line.quantity for line in loaded.lines}
    comp_reasons = {a.line_id: a.reason for a in loaded.adjustments if a.kind == "comp"}
    return BillRead(
        check_id=loaded.check.id,
        status=loaded.check.status,
        currency=loaded.venue.currency,
        tax_inclusive=bill.tax_inclusive,
        covers=loaded.check.covers,
        lines=[
            BillLineRead(
                line_id=line.line_id,
                name=line.name,
                quantity=quantities[line.line_id],
                seat=line.seat,
                tax_rate_ppm=line.tax_rate_ppm,
                gross=line.gross,
                discount=line.discount,
                net=line.net,
            )
            for line in bill.lines
        ],
        comps=[
            CompRead(line_id=c.line_id, name=c.name, value=c.value, reason=comp_reasons[c.line_id])
            for c in bill.comps
        ],
        discounts=[
            DiscountRead(
                id=a.id,
                kind=a.discount_kind or "",
                value=a.value,
                line_id=a.line_id,
                reason=a.reason,
            )
            for a in loaded.adjustments
            if a.kind == AdjustmentKind.DISCOUNT
        ],
        promotions=[
            PromotionLineRead(
                promotion_id=p.promotion_id, name=p.name, line_id=p.line_id, amount=p.amount
            )
            for p in loaded.promotions
        ],
        subtotal=bill.subtotal,
        discount_total=bill.discount_total,
        service_charge=bill.service_charge,
        taxes=taxes_read(bill.taxes),
        total=bill.total,
        paid=book.paid,
        pending=book.pending,
        due=book.due,
        tips=sum(p.tip for p in loaded.payments if p.status == "approved" and p.amount > 0),
        parts=[part_read(state) for state in book.parts],
        rest=part_read(book.rest),
        payments=[payment_read(p) for p in loaded.payments],
    )


def _loaded(
    venue: Venue,
    check: Check,
    lines: list[CheckLine],
    adjustments: list[Adjustment],
    parts: list[BillPart],
    payments: list[Payment],
    promoted: list[Applied],
) -> Loaded:
    """A check's bill and ledger computed from what was read (by the session or lean)."""
    bill = compute(venue, check, lines, adjustments, promoted)
    return Loaded(
        venue,
        check,
        lines,
        adjustments,
        parts,
        payments,
        bill,
        _ledger(bill, parts, payments),
        promoted,
    )
