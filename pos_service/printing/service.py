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
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable

import msgspec
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service import i18n
from pos_service.audit import service as audit
from pos_service.core import events, outbound
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound, Term
from pos_service.core.outbound import OutboundPolicy, Refused
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.menu.models import Station
from pos_service.printing.events import (
    PrinterConfigured,
    PrinterStatusChanged,
    PrintFailed,
    PrintJobReady,
    PrintPrinted,
    PrintQueued,
    PrintRequeued,
    PrintRerouted,
    PrintRetrying,
)
from pos_service.printing.models import (
    Connection,
    DocumentType,
    JobKind,
    JobState,
    Printer,
    PrinterState,
    PrinterStation,
    PrintJob,
)
from pos_service.printing.schemas import (
    AckRequest,
    ClaimedJob,
    ClaimRequest,
    PrinterCreate,
    PrinterPatch,
    PrinterRead,
    PrintJobRead,
    ReprintRequest,
)
from pos_service.venues import service as venues
from printers.codepages import find_code_page
from printers.connections import Attempt, Timeouts, parse_network
from printers.documents import DrawerPulse, KitchenTicket, PreBill, PrinterProfile, Receipt
from printers.render import render_prebill, render_pulse, render_receipt, render_ticket

PRINTERS_TOPIC = "printers"
ALERT_TOPICS = [PRINTERS_TOPIC, "orders"]
DOWN = frozenset({PrinterState.OFFLINE, PrinterState.PAPER_OUT, PrinterState.COVER_OPEN})

Document = KitchenTicket | PreBill | Receipt | DrawerPulse
_DOCUMENT_TYPES: dict[DocumentType, type[Document]] = {
    DocumentType.KITCHEN_TICKET: KitchenTicket,
    DocumentType.PREBILL: PreBill,
    DocumentType.RECEIPT: Receipt,
    DocumentType.DRAWER_PULSE: DrawerPulse,
}


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


# -- documents ---------------------------------------------------------------------------


def document_type(document: Document) -> DocumentType:
    if isinstance(document, KitchenTicket):
        return DocumentType.KITCHEN_TICKET
    if isinstance(document, DrawerPulse):
        return DocumentType.DRAWER_PULSE
    return DocumentType.RECEIPT if isinstance(document, Receipt) else DocumentType.PREBILL


def decode_document(job: PrintJob) -> Document:
    """The job's document as the struct it was queued as."""
    return msgspec.convert(job.document, _DOCUMENT_TYPES[DocumentType(job.document_type)])


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


# -- enqueueing (called by the kitchen and the bills in their own transaction) --------------

_INSERT = """
WITH target AS ({target}),
job AS (
  INSERT INTO print_jobs (venue_id, printer_id, station_id, kind, document_type, document,
                          banner, reprint, reprint_of)
  SELECT :v, target.printer_id, :station, :kind, :doc_type, CAST(:doc AS jsonb),
         :banner, :reprint, :reprint_of
  FROM target
  RETURNING id, printer_id)
SELECT job.id, job.printer_id, p.name, p.connection, p.address,
       coalesce(v.settings->>'print_mode', 'server') = 'agent' AS agent
FROM job JOIN printers p ON p.venue_id = :v AND p.id = job.printer_id
JOIN venues v ON v.id = :v
"""
_BY_STATION = (
    "SELECT printer_id FROM printer_stations WHERE venue_id = :v AND station_id = :station"
)
_BY_PRINTER = "SELECT id AS printer_id FROM printers WHERE venue_id = :v AND id = :printer"


async def _insert(
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
    """Insert one job in one round trip and record its events; None if no printer matched."""
    row = (
        await session.execute(
            text(_INSERT.format(target=target)),
            {
                "v": venue_id,
                "station": station_id,
                "printer": printer_id,
                "kind": JobKind(kind).value,
                "doc_type": document_type(document).value,
                "doc": msgspec.json.encode(document).decode(),
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
    job_id = await _insert(
        session, venue_id, _BY_PRINTER, document, kind, printer_id=printer_id, station_id=station_id
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
    return await _insert(session, venue_id, _BY_STATION, ticket, kind, station_id=station_id)


async def enqueue_void(
    session: AsyncSession, venue_id: int, station_id: int, ticket: KitchenTicket
) -> int | None:
    """Queue a VOID ticket for the station's printer (the ticket is printed as a void)."""
    if ticket.kind != "void":
        ticket = msgspec.structs.replace(ticket, kind="void")
    return await enqueue_ticket(session, venue_id, station_id, ticket, JobKind.VOID)


# -- reading -----------------------------------------------------------------------------


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
        document=job.document,
    )


async def _stations_of(session: AsyncSession, venue_id: int) -> dict[int, list[int]]:
    rows = await session.execute(
        select(PrinterStation.printer_id, PrinterStation.station_id)
        .where(PrinterStation.venue_id == venue_id)
        .order_by(PrinterStation.station_id)
    )
    stations: dict[int, list[int]] = {}
    for printer_id, station_id in rows:
        stations.setdefault(printer_id, []).append(station_id)
    return stations


def printer_read(printer: Printer, station_ids: list[int], queued: int) -> PrinterRead:
    return PrinterRead(
        id=printer.id,
        name=printer.name,
        connection=printer.connection,
        address=printer.address,
        role=printer.role,
        width=printer.width,
        code_page=printer.code_page,
        two_colour=printer.two_colour,
        buzzer=printer.buzzer,
        backup_id=printer.backup_id,
        station_ids=station_ids,
        drawer=printer.drawer,
        status=printer.status,
        status_detail=printer.status_detail,
        last_seen=printer.last_seen,
        queued=queued,
        version=printer.version,
        language=printer.language,
    )


async def list_printers(session: AsyncSession, caller: Caller) -> list[PrinterRead]:
    """The venue's printers with their status, stations and number of waiting jobs."""
    v = caller.venue_id
    printers = list(
        (
            await session.execute(select(Printer).where(Printer.venue_id == v).order_by(Printer.id))
        ).scalars()
    )
    stations = await _stations_of(session, v)
    queued = dict(
        (
            await session.execute(
                select(PrintJob.printer_id, func.count())
                .where(PrintJob.venue_id == v, PrintJob.state.in_(["queued", "sending"]))
                .group_by(PrintJob.printer_id)
            )
        ).all()
    )
    return [printer_read(p, stations.get(p.id, []), queued.get(p.id, 0)) for p in printers]


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


# -- configuring printers ------------------------------------------------------------------


def _check_settings(
    connection: str, address: str, code_page: str, policy: OutboundPolicy | None
) -> None:
    """A parsable address the outbound ``policy`` allows (not re-checked when ``None``:
    a change that keeps the address), and a known code page."""
    if connection == Connection.NETWORK:
        try:
            parse_network(address)
        except ValueError as exc:
            raise Invalid(str(exc), field="address") from None
    try:
        if policy is not None:
            policy.check_printer(connection, address)
    except Refused as exc:
        raise outbound.invalid(exc, "address") from None
    try:
        find_code_page(code_page)
    except ValueError as exc:
        raise Invalid(str(exc), field="code_page") from None


async def _check_name(session: AsyncSession, venue_id: int, name: str, own_id: int = 0) -> None:
    taken = await session.scalar(
        select(Printer.id).where(
            Printer.venue_id == venue_id, Printer.name == name, Printer.id != own_id
        )
    )
    if taken is not None:
        raise Conflict(
            "a printer is already called {name!r}", name=name, field="name", printer_id=taken
        )


async def _check_backup(
    session: AsyncSession, venue_id: int, backup_id: int | None, own_id: int = 0
) -> None:
    if backup_id is None:
        return
    if backup_id == own_id:
        raise Invalid("a printer cannot be its own backup", field="backup_id")
    if await session.get(Printer, (venue_id, backup_id)) is None:
        raise Invalid("no printer {backup_id}", backup_id=backup_id, field="backup_id")


async def _assign_stations(
    session: AsyncSession, venue_id: int, printer_id: int, station_ids: list[int]
) -> None:
    """Make ``printer_id`` serve exactly ``station_ids``; a station has one printer."""
    wanted = set(station_ids)
    found = set(
        (
            await session.execute(
                select(Station.id).where(Station.venue_id == venue_id, Station.id.in_(wanted))
            )
        ).scalars()
    )
    if wanted - found:
        raise Invalid(
            "no stations {stations}", stations=sorted(wanted - found), field="station_ids"
        )
    served = (
        await session.execute(
            select(PrinterStation).where(
                PrinterStation.venue_id == venue_id, PrinterStation.station_id.in_(wanted)
            )
        )
    ).scalars()
    for link in served:
        if link.printer_id != printer_id:
            raise Conflict(
                "station {station_id} is served by printer {printer_id}",
                field="station_ids",
                station_id=link.station_id,
                printer_id=link.printer_id,
            )
    await session.execute(
        delete(PrinterStation).where(
            PrinterStation.venue_id == venue_id,
            PrinterStation.printer_id == printer_id,
            PrinterStation.station_id.not_in(wanted),
        )
    )
    current = set(
        (
            await session.execute(
                select(PrinterStation.station_id).where(
                    PrinterStation.venue_id == venue_id, PrinterStation.printer_id == printer_id
                )
            )
        ).scalars()
    )
    session.add_all(
        PrinterStation(venue_id=venue_id, station_id=s, printer_id=printer_id)
        for s in sorted(wanted - current)
    )
    await session.flush()


async def _read_one(session: AsyncSession, printer: Printer) -> PrinterRead:
    stations = await _stations_of(session, printer.venue_id)
    queued = await session.scalar(
        select(func.count()).where(
            PrintJob.venue_id == printer.venue_id,
            PrintJob.printer_id == printer.id,
            PrintJob.state.in_(["queued", "sending"]),
        )
    )
    return printer_read(printer, stations.get(printer.id, []), int(queued or 0))


async def create_printer(
    session: AsyncSession, caller: Caller, data: PrinterCreate, policy: OutboundPolicy
) -> PrinterRead:
    """Add a printer (manager): unique name, an address the outbound policy allows, a
    valid code page, its stations."""
    v = caller.venue_id
    _check_settings(data.connection, data.address, data.code_page, policy)
    await _check_name(session, v, data.name)
    await _check_backup(session, v, data.backup_id)
    printer = Printer(
        venue_id=v,
        name=data.name,
        connection=data.connection,
        address=data.address,
        role=data.role,
        width=data.width,
        code_page=data.code_page.upper(),
        two_colour=data.two_colour,
        buzzer=data.buzzer,
        backup_id=data.backup_id,
        language=data.language or i18n.language_of((await venues.get(session, v)).locale),
        drawer=data.drawer,
    )
    session.add(printer)
    await session.flush()
    await session.refresh(printer)
    await _one_drawer(session, printer)
    await _assign_stations(session, v, printer.id, data.station_ids)
    await audit.record(
        session,
        caller,
        "printer.created",
        f"printer:{printer.id}",
        {**_audited(printer), "station_ids": sorted(data.station_ids)},
    )
    read = await _read_one(session, printer)
    _configured(session, v, read)
    return read


def _audited(printer: Printer) -> dict[str, object]:
    return {
        name: getattr(printer, name)
        for name in ("name", "connection", "address", "role", "backup_id", "drawer", "language")
    }


async def _one_drawer(session: AsyncSession, printer: Printer) -> None:
    """A venue's drawer hangs on one printer: choosing this one unchooses the others."""
    if printer.drawer:
        await session.execute(
            update(Printer)
            .where(Printer.venue_id == printer.venue_id, Printer.id != printer.id, Printer.drawer)
            .values(drawer=False, version=Printer.version + 1)
        )


async def drawer_printer(session: AsyncSession, venue_id: int) -> Printer | None:
    """The printer the venue's cash drawer hangs on: the one chosen (``drawer``), else
    the receipt printer."""
    chosen = (
        await session.execute(
            select(Printer).where(Printer.venue_id == venue_id, Printer.drawer).limit(1)
        )
    ).scalar_one_or_none()
    return chosen or await receipt_printer(session, venue_id)


async def patch_printer(
    session: AsyncSession,
    caller: Caller,
    printer_id: int,
    data: PrinterPatch,
    policy: OutboundPolicy,
) -> PrinterRead:
    """Change a printer's settings or stations (manager)."""
    v = caller.venue_id
    printer = await session.get(Printer, (v, printer_id), with_for_update=True)
    if printer is None:
        raise NotFound("no printer {printer_id}", printer_id=printer_id, field="printer_id")
    if data.version is not UNSET and data.version != printer.version:
        raise Conflict(
            "printer {printer_id} changed (version {version}, not {version2})",
            printer_id=printer_id,
            version=printer.version,
            version2=data.version,
            field="version",
            current=msgspec.to_builtins(await _read_one(session, printer)),
        )
    before = _audited(printer)
    changes = {
        name: value
        for name, value in msgspec.structs.asdict(data).items()
        if value is not UNSET and name not in ("station_ids", "version")
    }
    if "name" in changes:
        await _check_name(session, v, changes["name"], printer.id)
    if "backup_id" in changes:
        await _check_backup(session, v, changes["backup_id"], printer.id)
    if "code_page" in changes:
        changes["code_page"] = changes["code_page"].upper()
    for name, value in changes.items():
        setattr(printer, name, value)
    moved = bool({"connection", "address"} & changes.keys())
    _check_settings(
        printer.connection, printer.address, printer.code_page, policy if moved else None
    )
    if moved:
        printer.status, printer.status_detail = PrinterState.UNKNOWN, None
    printer.version += 1
    await session.flush()
    await _one_drawer(session, printer)
    if data.station_ids is not UNSET:
        await _assign_stations(session, v, printer.id, data.station_ids)
    after = _audited(printer)
    changed: dict[str, object] = {
        k: {"from": before[k], "to": value} for k, value in after.items() if before[k] != value
    }
    if data.station_ids is not UNSET:
        changed["station_ids"] = sorted(data.station_ids)
    if changed:
        await audit.record(session, caller, "printer.changed", f"printer:{printer.id}", changed)
    read = await _read_one(session, printer)
    _configured(session, v, read)
    return read


def _configured(session: AsyncSession, venue_id: int, printer: PrinterRead) -> None:
    events.record(
        session,
        venue_id,
        PRINTERS_TOPIC,
        PrinterConfigured(
            printer_id=printer.id,
            name=printer.name,
            station_ids=printer.station_ids,
            backup_id=printer.backup_id,
            version=printer.version,
        ),
    )


# -- the queue's state machine -------------------------------------------------------------


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


# -- use cases of the API --------------------------------------------------------------------


async def _job(session: AsyncSession, venue_id: int, job_id: int, *, lock: bool) -> PrintJob:
    job = await session.get(PrintJob, (venue_id, job_id), with_for_update=lock)
    if job is None:
        raise NotFound("no print job {job_id}", job_id=job_id, field="job_id")
    return job


async def reprint(
    session: AsyncSession, caller: Caller, job_id: int, data: ReprintRequest
) -> PrintJobRead:
    """Print a job's document again, headed "REPRINT n" (n counts the copies of it)."""
    v = caller.venue_id
    job = await _job(session, v, job_id, lock=False)
    if job.kind == JobKind.DRAWER:
        raise Conflict("a drawer pulse is not sent again", field="job_id")
    root = await _job(session, v, job.reprint_of or job.id, lock=True)
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
    new_id = await _insert(
        session,
        v,
        _BY_PRINTER,
        decode_document(job),
        JobKind.REPRINT,
        printer_id=target.id,
        station_id=job.station_id,
        banner=banner,
        reprint=int(last or 0) + 1,
        reprint_of=root.id,
    )
    assert new_id is not None
    return job_read(await _job(session, v, new_id, lock=False))


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
    job = await _job(session, caller.venue_id, job_id, lock=True)
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
