"""Configuring printers (manager): name, address, code page, backup, drawer and the
stations each serves; every change audited and announced."""

from __future__ import annotations

import msgspec
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service import i18n
from pos_service.audit import service as audit
from pos_service.core import events, outbound
from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, Invalid, NotFound
from pos_service.core.outbound import OutboundPolicy, Refused
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.menu.models import Station
from pos_service.printing.events import PrinterConfigured
from pos_service.printing.models import Connection, Printer, PrinterState, PrinterStation, PrintJob
from pos_service.printing.schemas import PrinterCreate, PrinterPatch, PrinterRead
from pos_service.printing.service._common import PRINTERS_TOPIC
from pos_service.printing.service._queue import receipt_printer
from pos_service.venues import service as venues
from printers.codepages import find_code_page
from printers.connections import parse_network


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
