"""Printers and the print queue: configuration, enqueueing, claiming, settling, recovery.

A job moves ``queued -> sending -> printed``. Whoever sends it (the server's dispatcher,
or a print agent through ``claim``) first claims it: ``FOR UPDATE SKIP LOCKED``, state
``sending``, ``attempts + 1`` and a lease, committed before a byte goes out. The outcome is
settled in a second transaction: ``printed`` after a clean write and a clean status, or
back to ``queued`` with a backoff, or to the printer's backup (banner "BACKUP for ..."),
or ``failed`` when no printer is left. A ``sending`` row whose lease ran out belongs to a
sender that died: it is queued again with ``may_have_printed``, and every attempt after
one that may have put paper out carries the next REPRINT number. Nothing prints silently
twice. Locks: a job row, then its printer row; the health probe locks printers in id order
before touching their jobs. See docs/printing.md.

The modules: ``_documents`` (what a job prints), ``_queue`` (enqueueing, in the caller's
transaction), ``_printers`` (configuring printers), ``_claims`` (the queue's state
machine), ``_reprint``; ``_common`` (topics, reading jobs).
"""

from pos_service.printing.service._claims import (
    Claim,
    PrintPolicy,
    ack,
    claim,
    claim_due,
    recover,
    set_status,
    settle,
    settle_claim,
)
from pos_service.printing.service._common import (
    ALERT_TOPICS,
    DOWN,
    PRINTERS_TOPIC,
    job_read,
    list_jobs,
)
from pos_service.printing.service._documents import (
    Document,
    decode_document,
    document_data,
    document_type,
    profile,
    render,
    stored,
)
from pos_service.printing.service._printers import (
    create_printer,
    drawer_printer,
    list_printers,
    patch_printer,
    printer_read,
)
from pos_service.printing.service._queue import (
    Queued,
    enqueue,
    enqueue_ticket,
    enqueue_void,
    receipt_printer,
    record_queued,
)
from pos_service.printing.service._reprint import reprint

__all__ = [
    "ALERT_TOPICS",
    "DOWN",
    "PRINTERS_TOPIC",
    "Claim",
    "Document",
    "PrintPolicy",
    "Queued",
    "ack",
    "claim",
    "claim_due",
    "create_printer",
    "decode_document",
    "document_data",
    "document_type",
    "drawer_printer",
    "enqueue",
    "enqueue_ticket",
    "enqueue_void",
    "job_read",
    "list_jobs",
    "list_printers",
    "patch_printer",
    "printer_read",
    "profile",
    "receipt_printer",
    "record_queued",
    "recover",
    "render",
    "reprint",
    "set_status",
    "settle",
    "settle_claim",
    "stored",
]
