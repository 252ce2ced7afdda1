"""The queue's state machine: claiming due jobs (the dispatcher, or the agent's
``claim``), settling an attempt, a printer's status, reroutes and recovery."""

from __future__ import annotations

import base64
import datetime as dt

import msgspec
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Term
from pos_service.printing.events import (
    PrinterStatusChanged,
    PrintFailed,
    PrintJobReady,
    PrintPrinted,
    PrintRequeued,
    PrintRerouted,
    PrintRetrying,
)
from pos_service.printing.models import JobState, Printer, PrinterState, PrintJob
from pos_service.printing.schemas import AckRequest, ClaimedJob, ClaimRequest, PrintJobRead
from pos_service.printing.service._common import (
    ALERT_TOPICS,
    DOWN,
    PRINTERS_TOPIC,
    get_job,
    job_read,
)
from pos_service.printing.service._documents import render
from pos_service.venues import service as venues
from printers.connections import Attempt, Timeouts


class PrintPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How hard the queue tries: attempts per printer, backoff, leases and timeouts."""

    max_attempts: int = 3
    retry_seconds: float = 2.0
    retry_max_seconds: float = 60.0
    lease_seconds: float = 30.0
    agent_lease_seconds: float = 60.0
    connect_timeout: float = 2.0
    write_timeout: float = 5.0
    status_timeout: float = 1.0
    keep_seconds: float = 0.5

    def backoff(self, attempts: int) -> dt.timedelta:
        """The wait before the next attempt after ``attempts`` failed ones (doubling, capped)."""
        seconds = self.retry_seconds * 2 ** max(attempts - 1, 0)
        return dt.timedelta(seconds=min(seconds, self.retry_max_seconds))

    def timeouts(self) -> Timeouts:
        """Per-step timeouts; a whole attempt ends well within the lease."""
        return Timeouts(
            connect=self.connect_timeout,
            write=self.write_timeout,
            status=self.status_timeout,
            total=self.lease_seconds / 2,
            keep=self.keep_seconds,
        )


class Claim(msgspec.Struct, frozen=True, kw_only=True):
    """A claimed job, rendered, with where to send it."""

    venue_id: int
    job_id: int
    attempts: int
    printer_id: int
    printer: str
    connection: str
    address: str
    kind: str
    lease_until: dt.datetime
    data: bytes


async def _agent_mode(session: AsyncSession, venue_id: int) -> bool:
    venue = await venues.get(session, venue_id)
    return bool(venue.settings.get("print_mode") == "agent")


async def _announce(session: AsyncSession, job: PrintJob, printer: Printer) -> None:
    """Wake the venue's print agent for a job that became due (agent mode only)."""
    if await _agent_mode(session, job.venue_id):
        events.record(
            session,
            job.venue_id,
            PRINTERS_TOPIC,
            PrintJobReady(
                job_id=job.id,
                printer_id=printer.id,
                printer=printer.name,
                connection=printer.connection,
                address=printer.address,
            ),
        )


async def _backup_for(session: AsyncSession, job: PrintJob, printer: Printer) -> Printer | None:
    """The printer's backup, unless the job has been there already."""
    backup_id = printer.backup_id
    if backup_id is None or backup_id in job.tried_printer_ids or backup_id == job.printer_id:
        return None
    return await session.get(Printer, (job.venue_id, backup_id))


async def _reroute(
    session: AsyncSession, job: PrintJob, printer: Printer, backup: Printer, now: dt.datetime
) -> None:
    origin = printer
    if job.rerouted_from is not None and job.rerouted_from != printer.id:
        origin = await session.get(Printer, (job.venue_id, job.rerouted_from)) or printer
    job.tried_printer_ids = [*job.tried_printer_ids, printer.id]
    job.rerouted_from = origin.id
    job.printer_id = backup.id
    job.banner = f"BACKUP for {origin.name}"
    job.state, job.attempts, job.next_attempt_at, job.lease_until = JobState.QUEUED, 0, now, None
    events.record(
        session,
        job.venue_id,
        ALERT_TOPICS,
        PrintRerouted(
            job_id=job.id,
            station_id=job.station_id,
            from_printer_id=printer.id,
            from_printer=printer.name,
            to_printer_id=backup.id,
            to_printer=backup.name,
            banner=job.banner,
            error=job.last_error,
        ),
    )
    await _announce(session, job, backup)


_CLAIM = """
SELECT j.* FROM print_jobs j
WHERE (j.venue_id, j.id) IN (
  SELECT DISTINCT ON (q.venue_id, q.printer_id) q.venue_id, q.id
  FROM print_jobs q JOIN venues v ON v.id = q.venue_id
  WHERE q.state = 'queued'
    AND (coalesce(v.settings->>'print_mode', 'server') = 'agent') = :agent
    AND (CAST(:venue AS bigint) IS NULL OR q.venue_id = :venue)
    AND NOT EXISTS (SELECT 1 FROM print_jobs s WHERE s.venue_id = q.venue_id
                    AND s.printer_id = q.printer_id AND s.state = 'sending')
  ORDER BY q.venue_id, q.printer_id, q.id
  LIMIT :limit)
AND j.state = 'queued' AND j.next_attempt_at <= :now
ORDER BY j.venue_id, j.id
FOR UPDATE OF j SKIP LOCKED
"""


async def claim_due(
    session: AsyncSession,
    now: dt.datetime,
    lease: float,
    *,
    agent: bool,
    venue_id: int | None = None,
    limit: int = 50,
) -> list[Claim]:
    """Claim the oldest queued job of each printer that has none in flight, if it is due,
    and render it: a printer's jobs go out in order, a retry holding up the ones after it.

    A job on its first attempt whose printer is known to be down goes to the backup
    instead (it is claimed on a later call). A document that cannot be rendered fails.
    """
    jobs: list[PrintJob] = list(
        (
            await session.execute(
                select(PrintJob)
                .from_statement(text(_CLAIM))
                .params(now=now, agent=agent, venue=venue_id, limit=limit),
            )
        ).scalars()
    )
    claims: list[Claim] = []
    for job in jobs:
        printer = await session.get(Printer, (job.venue_id, job.printer_id))
        assert printer is not None
        backup = await _backup_for(session, job, printer)
        if job.attempts == 0 and printer.status in DOWN and backup is not None:
            job.last_error = f"{printer.name} is {printer.status}"
            await _reroute(session, job, printer, backup, now)
            continue
        try:
            data = render(job, printer)
        except (ValueError, msgspec.ValidationError) as exc:
            job.state, job.last_error = JobState.FAILED, f"cannot render: {exc}"[:500]
            _record_failed(session, job, printer)
            continue
        job.state, job.attempts = JobState.SENDING, job.attempts + 1
        job.lease_until = now + dt.timedelta(seconds=lease)
        claims.append(
            Claim(
                venue_id=job.venue_id,
                job_id=job.id,
                attempts=job.attempts,
                printer_id=printer.id,
                printer=printer.name,
                connection=printer.connection,
                address=printer.address,
                kind=job.kind,
                lease_until=job.lease_until,
                data=data,
            )
        )
    await session.flush()
    return claims


def _record_failed(session: AsyncSession, job: PrintJob, printer: Printer) -> None:
    events.record(
        session,
        job.venue_id,
        ALERT_TOPICS,
        PrintFailed(
            job_id=job.id,
            station_id=job.station_id,
            printer_id=printer.id,
            printer=printer.name,
            error=job.last_error,
        ),
    )


async def set_status(
    session: AsyncSession,
    printer: Printer,
    status: PrinterState,
    detail: str | None,
    now: dt.datetime,
) -> None:
    """Record what a printer is like now; coming back online re-queues its failed jobs."""
    previous = PrinterState(printer.status)
    if status == PrinterState.ONLINE:
        printer.last_seen = now
    printer.status_detail = detail[:300] if detail else None
    if status == previous:
        return
    printer.status = status
    events.record(
        session,
        printer.venue_id,
        PRINTERS_TOPIC,
        PrinterStatusChanged(
            printer_id=printer.id,
            name=printer.name,
            status=status,
            previous=previous,
            detail=printer.status_detail,
        ),
    )
    if status == PrinterState.ONLINE:
        await _revive(session, printer, now)


async def _revive(session: AsyncSession, printer: Printer, now: dt.datetime) -> None:
    """Bring a printer's waiting jobs forward and queue its failed ones again."""
    await session.execute(
        update(PrintJob)
        .where(
            PrintJob.venue_id == printer.venue_id,
            PrintJob.printer_id == printer.id,
            PrintJob.state == JobState.QUEUED,
            PrintJob.next_attempt_at > now,
        )
        .values(next_attempt_at=now)
    )
    failed = (
        await session.execute(
            select(PrintJob)
            .where(
                PrintJob.venue_id == printer.venue_id,
                PrintJob.printer_id == printer.id,
                PrintJob.state == JobState.FAILED,
            )
            .order_by(PrintJob.id)
            .with_for_update(skip_locked=True)
        )
    ).scalars()
    for job in list(failed):
        job.state, job.attempts, job.next_attempt_at = JobState.QUEUED, 0, now
        events.record(
            session,
            job.venue_id,
            PRINTERS_TOPIC,
            PrintRequeued(
                job_id=job.id,
                printer_id=printer.id,
                reason=f"{printer.name} is back online",
                may_have_printed=job.may_have_printed,
            ),
        )
        await _announce(session, job, printer)


async def settle(
    session: AsyncSession,
    job: PrintJob,
    outcome: Attempt,
    now: dt.datetime,
    policy: PrintPolicy,
) -> None:
    """Apply an attempt's outcome to a locked job: printed, retry, reroute or failed."""
    printer = await session.get(Printer, (job.venue_id, job.printer_id), with_for_update=True)
    assert printer is not None
    job.lease_until = None
    if outcome.ok:
        job.state, job.printed_at = JobState.PRINTED, now
        await set_status(session, printer, PrinterState.ONLINE, None, now)
        events.record(
            session,
            job.venue_id,
            PRINTERS_TOPIC,
            PrintPrinted(
                job_id=job.id, printer_id=printer.id, attempts=job.attempts, reprint=job.reprint
            ),
        )
        return
    job.last_error = (outcome.error or "print failed")[:500]
    if outcome.may_have_printed:
        job.may_have_printed = True
        job.reprint = (job.reprint or 0) + 1
    await set_status(session, printer, PrinterState(outcome.status), job.last_error, now)
    if job.attempts < policy.max_attempts:
        job.state, job.next_attempt_at = JobState.QUEUED, now + policy.backoff(job.attempts)
        events.record(
            session,
            job.venue_id,
            PRINTERS_TOPIC,
            PrintRetrying(
                job_id=job.id,
                printer_id=printer.id,
                attempts=job.attempts,
                error=job.last_error,
                next_attempt_at=job.next_attempt_at,
                may_have_printed=outcome.may_have_printed,
            ),
        )
        return
    backup = await _backup_for(session, job, printer)
    if backup is not None:
        await _reroute(session, job, printer, backup, now)
        return
    job.state = JobState.FAILED
    _record_failed(session, job, printer)


async def settle_claim(
    session: AsyncSession, claim: Claim, outcome: Attempt, now: dt.datetime, policy: PrintPolicy
) -> bool:
    """Settle the dispatcher's own claim; False if the job is no longer its to settle.

    A print that came out is recorded even if the lease ran out meanwhile (the job was
    queued again but not yet claimed), so the copy marked REPRINT is not printed.
    """
    job = await session.get(PrintJob, (claim.venue_id, claim.job_id), with_for_update=True)
    if job is None:
        return False
    ours = job.state == JobState.SENDING and job.attempts == claim.attempts
    late_success = outcome.ok and job.state == JobState.QUEUED
    if not (ours or late_success):
        return False
    await settle(session, job, outcome, now, policy)
    return True


async def recover(session: AsyncSession, now: dt.datetime) -> int:
    """Queue again every ``sending`` job whose lease ran out; it may have printed."""
    jobs = (
        await session.execute(
            select(PrintJob)
            .where(PrintJob.state == JobState.SENDING, PrintJob.lease_until <= now)
            .order_by(PrintJob.venue_id, PrintJob.id)
            .with_for_update(skip_locked=True)
        )
    ).scalars()
    count = 0
    for job in list(jobs):
        assert job.lease_until is not None
        job.state, job.next_attempt_at = JobState.QUEUED, job.lease_until  # due since then
        job.lease_until, job.may_have_printed = None, True
        job.reprint = (job.reprint or 0) + 1
        events.record(
            session,
            job.venue_id,
            PRINTERS_TOPIC,
            PrintRequeued(
                job_id=job.id,
                printer_id=job.printer_id,
                reason="its sender stopped answering; it may have printed",
                may_have_printed=True,
            ),
        )
        printer = await session.get(Printer, (job.venue_id, job.printer_id))
        assert printer is not None
        await _announce(session, job, printer)
        count += 1
    return count


async def claim(
    session: AsyncSession, caller: Caller, data: ClaimRequest, policy: PrintPolicy
) -> list[ClaimedJob]:
    """Hand due jobs to the venue's print agent (agent mode only); they become ``sending``."""
    if not await _agent_mode(session, caller.venue_id):
        raise Conflict(
            "this venue prints from the server; set its print_mode to 'agent'",
            field="print_mode",
        )
    claims = await claim_due(
        session,
        now_utc(),
        policy.agent_lease_seconds,
        agent=True,
        venue_id=caller.venue_id,
        limit=data.limit,
    )
    return [
        ClaimedJob(
            id=c.job_id,
            printer_id=c.printer_id,
            printer=c.printer,
            connection=c.connection,
            address=c.address,
            kind=c.kind,
            attempts=c.attempts,
            lease_until=c.lease_until,
            data=base64.b64encode(c.data).decode(),
        )
        for c in claims
    ]


async def ack(
    session: AsyncSession, caller: Caller, job_id: int, data: AckRequest, policy: PrintPolicy
) -> PrintJobRead:
    """An agent's answer for a job it claimed: printed, or failed (retry, backup, failed).

    Acknowledging a printed job again changes nothing; a failure for a job that is not
    being sent is stale (409).
    """
    job = await get_job(session, caller.venue_id, job_id, lock=True)
    if job.state == JobState.PRINTED:
        return job_read(job)
    if not data.ok and job.state != JobState.SENDING:
        raise Conflict(
            "print job {job_id} is {state}, not sending",
            job_id=job_id,
            state=Term(job.state),
            field="job_id",
        )
    if data.ok and job.state == JobState.FAILED:
        raise Conflict("print job {job_id} is failed", job_id=job_id, field="job_id")
    outcome = Attempt(
        ok=data.ok,
        error=data.error,
        status=data.printer_status or ("online" if data.ok else "offline"),
        may_have_printed=data.may_have_printed,
    )
    await settle(session, job, outcome, now_utc(), policy)
    return job_read(job)
