"""What a job prints: the document types, their stored form and their ESC/POS bytes."""

from __future__ import annotations

from typing import Any

import msgspec

from pos_service.printing.models import DocumentType, Printer, PrintJob
from printers.documents import DrawerPulse, KitchenTicket, PreBill, PrinterProfile, Receipt
from printers.render import render_prebill, render_pulse, render_receipt, render_ticket

Document = KitchenTicket | PreBill | Receipt | DrawerPulse


_DOCUMENT_TYPES: dict[DocumentType, type[Document]] = {
    DocumentType.KITCHEN_TICKET: KitchenTicket,
    DocumentType.PREBILL: PreBill,
    DocumentType.RECEIPT: Receipt,
    DocumentType.DRAWER_PULSE: DrawerPulse,
}


def document_type(document: Document) -> DocumentType:
    if isinstance(document, KitchenTicket):
        return DocumentType.KITCHEN_TICKET
    if isinstance(document, DrawerPulse):
        return DocumentType.DRAWER_PULSE
    return DocumentType.RECEIPT if isinstance(document, Receipt) else DocumentType.PREBILL


def stored(document: Document) -> tuple[int | None, dict[str, Any]]:
    """A document as a job keeps it: a kitchen ticket's number (the job's ``number``
    column), and the document without it. The number is joined again when the job is
    rendered (:func:`decode_document`), so it is written in one place."""
    data: dict[str, Any] = msgspec.to_builtins(document)
    return data.pop("ticket_number", None), data


def document_data(job: PrintJob) -> dict[str, Any]:
    """The job's document as it was queued: a kitchen ticket's with its number joined."""
    if job.number is None:
        return job.document
    return {**job.document, "ticket_number": job.number}


def decode_document(job: PrintJob) -> Document:
    """The job's document as the struct it was queued as (its number joined)."""
    return msgspec.convert(document_data(job), _DOCUMENT_TYPES[DocumentType(job.document_type)])


def profile(printer: Printer) -> PrinterProfile:
    return PrinterProfile(
        width=printer.width,  # type: ignore[arg-type]
        code_page=printer.code_page,
        two_colour=printer.two_colour,
        buzzer=printer.buzzer,
        language=printer.language,
    )


def render(job: PrintJob, printer: Printer) -> bytes:
    """The ESC/POS bytes of ``job`` for ``printer``, with its banner and REPRINT number."""
    document, prof = decode_document(job), profile(printer)
    if isinstance(document, KitchenTicket):
        return render_ticket(document, prof, banner=job.banner, reprint=job.reprint)
    if isinstance(document, Receipt):
        return render_receipt(document, prof, reprint=job.reprint)
    if isinstance(document, DrawerPulse):
        return render_pulse(document)
    return render_prebill(document, prof, reprint=job.reprint)
