"""Printing a job's document again, headed "REPRINT n"."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, NotFound
from pos_service.printing.models import JobKind, Printer, PrintJob
from pos_service.printing.schemas import PrintJobRead, ReprintRequest
from pos_service.printing.service._common import get_job, job_read
from pos_service.printing.service._documents import decode_document
from pos_service.printing.service._queue import BY_PRINTER, insert_job


async def reprint(
    session: AsyncSession, caller: Caller, job_id: int, data: ReprintRequest
) -> PrintJobRead:
    """Print a job's document again, headed "REPRINT n" (n counts the copies of it)."""
    v = caller.venue_id
    job = await get_job(session, v, job_id, lock=False)
    if job.kind == JobKind.DRAWER:
        raise Conflict("a drawer pulse is not sent again", field="job_id")
    root = await get_job(session, v, job.reprint_of or job.id, lock=True)
    target = await session.get(Printer, (v, data.printer_id or job.printer_id))
    if target is None:
        raise NotFound("no printer {printer_id}", printer_id=data.printer_id, field="printer_id")
    last = await session.scalar(
        select(func.coalesce(func.max(PrintJob.reprint), 0)).where(
            PrintJob.venue_id == v, (PrintJob.id == root.id) | (PrintJob.reprint_of == root.id)
        )
    )
    meant_for = job.rerouted_from or job.printer_id
    banner = job.banner
    if target.id != job.printer_id and target.id != meant_for:
        origin = await session.get(Printer, (v, meant_for))
        banner = f"BACKUP for {origin.name}" if origin is not None else None
    elif target.id == meant_for:
        banner = None
    new_id = await insert_job(
        session,
        v,
        BY_PRINTER,
        decode_document(job),
        JobKind.REPRINT,
        printer_id=target.id,
        station_id=job.station_id,
        banner=banner,
        reprint=int(last or 0) + 1,
        reprint_of=root.id,
    )
    assert new_id is not None
    return job_read(await get_job(session, v, new_id, lock=False))
