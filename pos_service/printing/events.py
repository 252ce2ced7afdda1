"""Events of printers and print jobs. All are recorded on ``printers``; the alerts a waiter
must see (a ticket moved to another printer, or not printed anywhere) also on ``orders``."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pos_service.core.events import DomainEvent


class PrintQueued(DomainEvent, frozen=True, kw_only=True):
    """A document was queued for a printer (a ticket at send, a void, a reprint, a bill).
    Carries the job, its printer, kind and the station it came from."""

    type: ClassVar[str] = "print.queued"
    job_id: int
    printer_id: int
    kind: str
    station_id: int | None


class PrintJobReady(DomainEvent, frozen=True, kw_only=True):
    """A job of a venue printing through an agent is ready to be claimed; the agent's
    wake-up. Carries the job and where its printer is; the bytes come with the claim."""

    type: ClassVar[str] = "print.job"
    job_id: int
    printer_id: int
    printer: str
    connection: str
    address: str


class PrintPrinted(DomainEvent, frozen=True, kw_only=True):
    """A job came out: the printer took it and reported a clean status afterwards."""

    type: ClassVar[str] = "print.printed"
    job_id: int
    printer_id: int
    attempts: int
    reprint: int | None


class PrintRetrying(DomainEvent, frozen=True, kw_only=True):
    """An attempt failed and the job waits for its next attempt. Carries the error, the
    time of the next attempt and whether the failed attempt may have put paper out."""

    type: ClassVar[str] = "print.retrying"
    job_id: int
    printer_id: int
    attempts: int
    error: str
    next_attempt_at: dt.datetime
    may_have_printed: bool


class PrintRerouted(DomainEvent, frozen=True, kw_only=True):
    """An alert: a job moved to its printer's backup (after its attempts ran out, or at
    once because the printer is known to be down). Carries both printers and the error."""

    type: ClassVar[str] = "print.rerouted"
    job_id: int
    station_id: int | None
    from_printer_id: int
    from_printer: str
    to_printer_id: int
    to_printer: str
    banner: str
    error: str | None


class PrintFailed(DomainEvent, frozen=True, kw_only=True):
    """An alert: a job ran out of attempts and has no backup printer left to go to. It
    is queued again when its printer comes back online, or by a reprint."""

    type: ClassVar[str] = "print.failed"
    job_id: int
    station_id: int | None
    printer_id: int
    printer: str
    error: str | None


class PrintRequeued(DomainEvent, frozen=True, kw_only=True):
    """A job was queued again: its sender's lease ran out (a crash, an agent gone; it may
    have printed, so it prints marked REPRINT) or its printer came back online."""

    type: ClassVar[str] = "print.requeued"
    job_id: int
    printer_id: int
    reason: str
    may_have_printed: bool


class PrinterStatusChanged(DomainEvent, frozen=True, kw_only=True):
    """A printer's status changed (online, offline, paper_out, cover_open, unknown), seen by
    the health probe or by a print attempt. Carries the old and new status and why."""

    type: ClassVar[str] = "printer.status_changed"
    printer_id: int
    name: str
    status: str
    previous: str
    detail: str | None


class PrinterConfigured(DomainEvent, frozen=True, kw_only=True):
    """A manager added a printer or changed its connection, stations or backup. Carries
    the printer's configuration and its new version."""

    type: ClassVar[str] = "printer.configured"
    printer_id: int
    name: str
    station_ids: list[int]
    backup_id: int | None
    version: int
