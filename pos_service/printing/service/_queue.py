"""Enqueueing, called by the kitchen and the bills in their own transaction: one
round trip per job, its events recorded with it."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.errors import NotFound
from pos_service.printing.events import PrintJobReady, PrintQueued
from pos_service.printing.models import JobKind, Printer
from pos_service.printing.service._common import PRINTERS_TOPIC
from pos_service.printing.service._documents import Document, document_type, stored
from printers.documents import KitchenTicket

_INSERT = """
WITH target AS ({target}),
job AS (
  INSERT INTO print_jobs (venue_id, printer_id, station_id, kind, document_type, number,
                          document, banner, reprint, reprint_of)
  SELECT :v, target.printer_id, :station, :kind, :doc_type, :number, CAST(:doc AS jsonb),
         :banner, :reprint, :reprint_of
  FROM target
  RETURNING id, printer_id)
SELECT job.id, job.printer_id, p.name, p.connection, p.address,
       coalesce(v.settings->>'print_mode', 'server') = 'agent' AS agent
FROM job JOIN printers p ON p.venue_id = :v AND p.id = job.printer_id
JOIN venues v ON v.id = :v
"""


BY_STATION = "SELECT printer_id FROM printer_stations WHERE venue_id = :v AND station_id = :station"


BY_PRINTER = "SELECT id AS printer_id FROM printers WHERE venue_id = :v AND id = :printer"


async def insert_job(
    session: AsyncSession,
    venue_id: int,
    target: str,
    document: Document,
    kind: JobKind | str,
    *,
    station_id: int | None = None,
    printer_id: int | None = None,
    banner: str | None = None,
    reprint: int | None = None,
    reprint_of: int | None = None,
) -> int | None:
    """Insert one job in one round trip and record its events; None if no printer matched.
    A kitchen ticket's number goes to the job's ``number`` column (``stored``)."""
    number, data = stored(document)
    row = (
        await session.execute(
            text(_INSERT.format(target=target)),
            {
                "v": venue_id,
                "station": station_id,
                "printer": printer_id,
                "kind": JobKind(kind).value,
                "doc_type": document_type(document).value,
                "number": number,
                "doc": msgspec.json.encode(data).decode(),
                "banner": banner,
                "reprint": reprint,
                "reprint_of": reprint_of,
            },
        )
    ).first()
    if row is None:
        return None
    queued = Queued(
        int(row.id), row.printer_id, station_id, row.name, row.connection, row.address, row.agent
    )
    record_queued(session, venue_id, [queued], JobKind(kind))
    return queued.id


class Queued(msgspec.Struct):
    """A job just queued, with where its printer is and whether an agent prints it."""

    id: int
    printer_id: int
    station_id: int | None
    name: str
    connection: str
    address: str
    agent: bool


def record_queued(
    session: events.Scope, venue_id: int, jobs: Iterable[Queued], kind: JobKind
) -> None:
    """The events of jobs queued in this transaction: ``print.queued``, and for a venue
    printing through its agent, the agent's wake-up."""
    for job in jobs:
        events.record(
            session,
            venue_id,
            PRINTERS_TOPIC,
            PrintQueued(
                job_id=job.id, printer_id=job.printer_id, kind=kind.value, station_id=job.station_id
            ),
        )
        if job.agent:
            events.record(
                session,
                venue_id,
                PRINTERS_TOPIC,
                PrintJobReady(
                    job_id=job.id,
                    printer_id=job.printer_id,
                    printer=job.name,
                    connection=job.connection,
                    address=job.address,
                ),
            )


async def enqueue(
    session: AsyncSession,
    venue_id: int,
    printer_id: int,
    document: Document,
    kind: JobKind | str,
    *,
    station_id: int | None = None,
) -> int:
    """Queue ``document`` for one printer in the caller's transaction; the job id."""
    job_id = await insert_job(
        session, venue_id, BY_PRINTER, document, kind, printer_id=printer_id, station_id=station_id
    )
    if job_id is None:
        raise NotFound("no printer {printer_id}", printer_id=printer_id, field="printer_id")
    return job_id


async def receipt_printer(session: AsyncSession, venue_id: int) -> Printer | None:
    """The venue's receipt printer (the first by id), if it has one."""
    return (
        await session.execute(
            select(Printer)
            .where(Printer.venue_id == venue_id, Printer.role == "receipt")
            .order_by(Printer.id)
            .limit(1)
        )
    ).scalar_one_or_none()


async def enqueue_ticket(
    session: AsyncSession,
    venue_id: int,
    station_id: int,
    ticket: KitchenTicket,
    kind: JobKind | str = JobKind.TICKET,
) -> int | None:
    """Queue a kitchen ticket for the printer of its station, in the send's transaction.

    One round trip. Returns the job id, or None when the station has no printer.
    """
    return await insert_job(session, venue_id, BY_STATION, ticket, kind, station_id=station_id)


async def enqueue_void(
    session: AsyncSession, venue_id: int, station_id: int, ticket: KitchenTicket
) -> int | None:
    """Queue a VOID ticket for the station's printer (the ticket is printed as a void)."""
    if ticket.kind != "void":
        ticket = msgspec.structs.replace(ticket, kind="void")
    return await enqueue_ticket(session, venue_id, station_id, ticket, JobKind.VOID)
