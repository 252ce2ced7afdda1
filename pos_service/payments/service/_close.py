"""Closing a settled check (the sale journaled, the table freed) and the pre-bill."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events, journal
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict
from pos_service.guests import service as guests
from pos_service.orders.models import CheckStatus
from pos_service.payments import documents
from pos_service.payments._load import Loaded, bill_read, categories, load
from pos_service.payments.events import BillRequested, CheckClosed
from pos_service.payments.schemas import BillRead
from pos_service.payments.service._common import locked, topics
from pos_service.payments.service._gift_cards import issue_sold_cards
from pos_service.printing import service as printing
from pos_service.printing.models import JobKind
from pos_service.reservations import service as reservations
from pos_service.tables import service as tables
from pos_service.tables.models import TableStatus


async def close_settled(session: AsyncSession, caller: Caller, loaded: Loaded) -> Loaded:
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
    sold = await issue_sold_cards(session, caller, loaded)
    await guests.credit_on_close(
        session, loaded.venue, check.id, loaded.bill.total, loaded.bill.total - sold
    )
    category = await categories(session, check.venue_id, {line.item_id for line in loaded.lines})
    await journal.append(session, caller.venue_id, "sale", sale_fact(loaded, category))
    closed = await load(session, check)
    events.record(session, caller.venue_id, closed_topics(check.id), check_closed(loaded, closed))
    await documents.print_after_payment(session, caller, check.id, loaded.venue.settings)
    return closed


def closed_topics(check_id: int) -> list[str]:
    """Where ``check.closed`` goes: the check's topics, and the pass (it drops a paid
    check's waiting courses)."""
    return [*topics(check_id), "expo"]


def check_closed(settled: Loaded, closed: Loaded) -> CheckClosed:
    """The event of a check closed: ``settled`` as it was paid, ``closed`` after."""
    check = closed.check
    return CheckClosed(
        check_id=check.id,
        table_id=check.table_id,
        total=settled.bill.total,
        paid=settled.ledger.paid,
        version=check.version,
        bill=msgspec.to_builtins(bill_read(closed)),
    )


def sale_fact(loaded: Loaded, category: dict[int, str]) -> dict[str, Any]:
    """The final bill as the journal keeps it (what the end-of-day report sums);
    ``category``: item id -> its category's name."""
    bill, check = loaded.bill, loaded.check
    item_of = {line.id: line for line in loaded.lines}
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
    loaded = await locked(session, caller, check_id)
    still_due(loaded)
    return bill_read(await close_settled(session, caller, loaded))


def still_due(loaded: Loaded) -> None:
    """409 unless the check is settled: nothing due and nothing pending."""
    if not loaded.ledger.settled:
        raise Conflict(
            "{due} is still due on check {check_id}",
            check_id=loaded.check.id,
            field="check_id",
            due=loaded.ledger.due,
            pending=loaded.ledger.pending,
        )


# --- the pre-bill


async def ask_for_bill(session: AsyncSession, caller: Caller, loaded: Loaded) -> None:
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
    loaded = await locked(session, caller, check_id)
    await ask_for_bill(session, caller, loaded)
    printer = await printing.receipt_printer(session, caller.venue_id)
    if printer is not None:
        document = await documents.prebill_document(session, caller, check_id)
        await printing.enqueue(session, caller.venue_id, printer.id, document, JobKind.PREBILL)
    return bill_read(loaded)
