"""The print queue's topics and a job as the API reads it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.errors import NotFound
from pos_service.printing.models import PrinterState, PrintJob
from pos_service.printing.schemas import PrintJobRead
from pos_service.printing.service._documents import document_data

PRINTERS_TOPIC = "printers"


ALERT_TOPICS = [PRINTERS_TOPIC, "orders"]


DOWN = frozenset({PrinterState.OFFLINE, PrinterState.PAPER_OUT, PrinterState.COVER_OPEN})


def job_read(job: PrintJob) -> PrintJobRead:
    return PrintJobRead(
        id=job.id,
        printer_id=job.printer_id,
        station_id=job.station_id,
        kind=job.kind,
        state=job.state,
        attempts=job.attempts,
        next_attempt_at=job.next_attempt_at,
        last_error=job.last_error,
        banner=job.banner,
        reprint=job.reprint,
        reprint_of=job.reprint_of,
        may_have_printed=job.may_have_printed,
        rerouted_from=job.rerouted_from,
        created_at=job.created_at,
        printed_at=job.printed_at,
        number=job.number,
        document=document_data(job),
    )


async def get_job(session: AsyncSession, venue_id: int, job_id: int, *, lock: bool) -> PrintJob:
    job = await session.get(PrintJob, (venue_id, job_id), with_for_update=lock)
    if job is None:
        raise NotFound("no print job {job_id}", job_id=job_id, field="job_id")
    return job


async def list_jobs(
    session: AsyncSession,
    caller: Caller,
    state: str | None = None,
    printer_id: int | None = None,
    limit: int = 100,
) -> list[PrintJobRead]:
    """The venue's newest jobs, optionally of one state or printer."""
    query = select(PrintJob).where(PrintJob.venue_id == caller.venue_id)
    if state is not None:
        query = query.where(PrintJob.state == state)
    if printer_id is not None:
        query = query.where(PrintJob.printer_id == printer_id)
    jobs = (await session.execute(query.order_by(PrintJob.id.desc()).limit(limit))).scalars()
    return [job_read(job) for job in jobs]
