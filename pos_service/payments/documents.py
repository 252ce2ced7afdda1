"""Pre-bills and receipts: the printable documents, the HTML receipt, and e-mailing it.

:func:`prebill` and :func:`receipt` turn a bill into ``printers.documents`` structs, so the
print queue can render them; :func:`receipt_html` renders ``web/templates/receipt.html``;
:func:`email_receipt` puts the receipt in the venue's mail outbox (``pos_service.mail``);
:func:`print_receipt` queues it on the venue's receipt printer (on demand, or after the
last payment when the venue sets ``print_receipt_after_payment``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service import i18n
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Forbidden
from pos_service.i18n import N_
from pos_service.mail import service as mail
from pos_service.mail.service import Message
from pos_service.payments._load import bill_read, find_check, load
from pos_service.payments.schemas import BillRead, ReceiptEmail, ReceiptPrinted, ReceiptSent
from pos_service.printing import service as printing
from pos_service.printing.models import JobKind
from pos_service.staff.models import Staff
from pos_service.tables.models import DiningTable
from printers import documents as docs
from printers.render import bill_when as paper_when
from printers.render import bill_words as paper_words

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, enable_async=False
)


class Header(msgspec.Struct, frozen=True, kw_only=True):
    """Who and where a document is for; ``at`` in the venue's timezone, ``locale`` the
    venue's (how money and rates are written)."""

    venue: str
    table: str
    waiter: str
    at: dt.datetime
    locale: str = "en"


def _fields(bill: BillRead, header: Header) -> dict[str, object]:
    # VAT is contained in the prices; a sales tax is added on top of them
    tax_name = N_("VAT") if bill.tax_inclusive else N_("Sales tax")
    lines = [docs.BillLine(line.quantity, line.name, line.gross) for line in bill.lines]
    lines += [docs.BillLine(1, f"{c.name} (comp)", 0) for c in bill.comps]
    return {
        "venue": header.venue,
        "table": header.table,
        "check_id": str(bill.check_id),
        "waiter": header.waiter,
        "created_at": header.at,
        "currency": bill.currency,
        "lines": lines,
        "subtotal_minor": bill.subtotal,
        "taxes": [docs.TaxLine(t.rate_ppm, tax_name, t.tax, t.base) for t in bill.taxes],
        "discounts": _discounts(bill),
        "service_charge_minor": bill.service_charge,
        "total_minor": bill.total,
        "paid_minor": bill.paid,
        "due_minor": bill.due,
        "tax_inclusive": bill.tax_inclusive,
        "locale": header.locale,
    }


def _discounts(bill: BillRead) -> list[docs.Discount]:
    """One line per promotion with its name (docs/promotions.md), then the other
    discounts in one line."""
    promoted: dict[int, docs.Discount] = {}
    for p in bill.promotions:
        before = promoted.get(p.promotion_id, docs.Discount(p.name, 0))
        promoted[p.promotion_id] = docs.Discount(p.name, before.amount_minor + p.amount)
    rest = bill.discount_total - sum(p.amount for p in bill.promotions)
    return [*promoted.values(), *([docs.Discount(N_("Discounts"), rest)] if rest else [])]


def prebill(bill: BillRead, header: Header, qr_url: str | None = None) -> docs.PreBill:
    """The pre-bill to print for the table (``qr_url``: the guest link, if any)."""
    return docs.PreBill(**_fields(bill, header), qr_url=qr_url)  # type: ignore[arg-type]


def receipt(bill: BillRead, header: Header) -> docs.Receipt:
    """The receipt: the bill with the approved payments and the change given."""
    taken = [p for p in bill.payments if p.status == "approved"]
    return docs.Receipt(
        **_fields(bill, header),  # type: ignore[arg-type]
        payments=[docs.Payment(p.method, p.amount, p.tip, p.brand, p.last4) for p in taken],
        change_minor=sum(p.change for p in taken),
    )


async def _document(
    session: AsyncSession, caller: Caller, check_id: int
) -> tuple[BillRead, Header]:
    """A check's bill and its document header (venue, table, waiter, local time)."""
    loaded = await load(session, await find_check(session, caller.venue_id, check_id))
    check = loaded.check
    table = (
        await session.get(DiningTable, (caller.venue_id, check.table_id))
        if check.table_id is not None
        else None
    )
    waiter = (
        await session.get(Staff, (caller.venue_id, check.waiter_id))
        if check.waiter_id is not None
        else None
    )
    return bill_read(loaded), header(
        loaded.venue.name,
        table.name if table else None,
        waiter.name if waiter else None,
        loaded.venue.timezone,
        loaded.venue.locale,
    )


def header(venue: str, table: str | None, waiter: str | None, timezone: str, locale: str) -> Header:
    """A document's header now: no table is ``-``, no waiter blank."""
    return Header(
        venue=venue,
        table=table if table is not None else "-",
        waiter=waiter or "",
        at=now_utc().astimezone(ZoneInfo(timezone)),
        locale=locale,
    )


async def receipt_document(session: AsyncSession, caller: Caller, check_id: int) -> docs.Receipt:
    """The printable receipt of a check."""
    return receipt(*await _document(session, caller, check_id))


async def prebill_document(session: AsyncSession, caller: Caller, check_id: int) -> docs.PreBill:
    """The printable pre-bill of a check."""
    return prebill(*await _document(session, caller, check_id))


def render_receipt(document: docs.Receipt | docs.PreBill) -> str:
    """The document as a small HTML page."""
    is_receipt = isinstance(document, docs.Receipt)
    language = i18n.language_of(document.locale)
    return _env.get_template("receipt.html").render(
        **paper_words(document.locale),
        language=language,
        title=(i18n.gettext(language, "Receipt") if is_receipt else i18n.gettext(language, "Bill")),
        when=paper_when(document),
        doc=document,
        payments=document.payments if isinstance(document, docs.Receipt) else [],
        change=document.change_minor if isinstance(document, docs.Receipt) else 0,
        money=lambda minor: docs.format_money(minor, document.currency, document.locale),
        percent=lambda rate_ppm: docs.format_rate(rate_ppm, document.locale),
    )


async def receipt_html(session: AsyncSession, caller: Caller, check_id: int) -> str:
    """The receipt of a check as HTML."""
    return render_receipt(await receipt_document(session, caller, check_id))


def receipt_message(document: docs.Receipt, to: str, link: str | None) -> Message:
    """The receipt e-mail: the receipt page as HTML, the total (and the link) as text."""
    language = i18n.language_of(document.locale)
    total = docs.format_money(document.total_minor, document.currency, document.locale)
    text = i18n.gettext(language, "Thank you for your visit to {venue}.", venue=document.venue)
    text += "\n" + i18n.gettext(language, "Total: {total}", total=total) + "\n"
    if link:
        text += i18n.gettext(language, "Your receipt: {link}", link=link) + "\n"
    return Message(
        to=to,
        subject=i18n.gettext(language, "Your receipt from {venue}", venue=document.venue),
        text=text,
        html=render_receipt(document),
    )


async def email_receipt(
    session: AsyncSession,
    caller: Caller,
    check_id: int,
    data: ReceiptEmail,
    link: str | None = None,
) -> ReceiptSent:
    """Queue the check's receipt for ``data.to`` in the venue's mail outbox."""
    document = await receipt_document(session, caller, check_id)
    await mail.enqueue(session, caller.venue_id, receipt_message(document, data.to, link))
    return ReceiptSent(check_id=check_id, to=data.to)


async def guest_email_receipt(
    session: AsyncSession, caller: Caller, data: ReceiptEmail, link: str
) -> ReceiptSent:
    """The guest link's check: queue its receipt for ``data.to``, with the link to it."""
    if caller.kind != "guest" or caller.check_id is None:
        raise Forbidden("a guest link is needed", field="token")
    return await email_receipt(session, caller, caller.check_id, data, link)


async def guest_receipt_html(session: AsyncSession, caller: Caller) -> str:
    """The guest link's receipt as HTML (it stays reachable after the check closes)."""
    if caller.kind != "guest" or caller.check_id is None:
        raise Forbidden("a guest link is needed", field="token")
    return await receipt_html(session, caller, caller.check_id)


AFTER_PAYMENT = "print_receipt_after_payment"
"""The venue setting (``Venue.settings``): print the receipt when a check is paid in full."""


async def print_receipt(session: AsyncSession, caller: Caller, check_id: int) -> ReceiptPrinted:
    """Queue the check's receipt (open or closed) on the venue's receipt printer; 409
    (``printer``) when the venue has none."""
    printer = await printing.receipt_printer(session, caller.venue_id)
    if printer is None:
        raise Conflict("this venue has no receipt printer", field="printer")
    document = await receipt_document(session, caller, check_id)
    job_id = await printing.enqueue(session, caller.venue_id, printer.id, document, JobKind.RECEIPT)
    return ReceiptPrinted(check_id=check_id, job_id=job_id, printer_id=printer.id)


async def print_after_payment(
    session: AsyncSession, caller: Caller, check_id: int, settings: dict[str, object]
) -> None:
    """The receipt of a check just paid in full, when the venue prints one by itself
    (and has a receipt printer)."""
    if not settings.get(AFTER_PAYMENT):
        return
    printer = await printing.receipt_printer(session, caller.venue_id)
    if printer is not None:
        document = await receipt_document(session, caller, check_id)
        await printing.enqueue(session, caller.venue_id, printer.id, document, JobKind.RECEIPT)
