"""The demo venue's printers, and fake printers for them that ``serve --demo`` runs in-process.

Kitchen (hot, cold, pastry; two colours and a buzzer) with the bar printer as its backup,
Bar (bar), and Receipt, on 127.0.0.1 ports 9101-9103. Each fake prints what it receives
to the log as a cook would read it. A print agent may sign in with PIN 7777.
"""

from __future__ import annotations

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.menu.models import Station
from pos_service.printing.models import Connection, Printer, PrinterStation, Role
from pos_service.staff import service as staff
from printers.decoder import decode
from printers.fake import FakePrinter

log = structlog.get_logger(__name__)

HOST = "127.0.0.1"
# name -> (role, port, stations, two colours and buzzer)
PRINTERS: dict[str, tuple[Role, int, list[str], bool]] = {
    "Kitchen": (Role.KITCHEN, 9101, ["hot", "cold", "pastry"], True),
    "Bar": (Role.BAR, 9102, ["bar"], False),
    "Receipt": (Role.RECEIPT, 9103, [], False),
}
AGENT_PIN = "7777"


async def seed(
    session: AsyncSession,
    security: staff.Security,
    venue_id: int,
    kinds: dict[str, tuple[Role, int, list[str], bool]] = PRINTERS,
    language: str = "en",
) -> None:
    """Create a demo venue's printers (the kitchen printer backed up by the second, the
    bar's), their stations and the print agent's sign-in."""
    printers = {
        name: Printer(
            venue_id=venue_id,
            name=name,
            connection=Connection.NETWORK,
            address=f"{HOST}:{port}",
            role=role,
            width=42,
            two_colour=fancy,
            buzzer=fancy,
            language=language,
        )
        for name, (role, port, _, fancy) in kinds.items()
    }
    session.add_all(printers.values())
    await session.flush()
    kitchen, backup = list(printers)[:2]
    printers[kitchen].backup_id = printers[backup].id
    stations = dict(
        (
            await session.execute(
                select(Station.name, Station.id).where(Station.venue_id == venue_id)
            )
        ).all()
    )
    session.add_all(
        PrinterStation(
            venue_id=venue_id, station_id=stations[station], printer_id=printers[name].id
        )
        for name, (_, _, served, _) in kinds.items()
        for station in served
        if station in stations
    )
    await staff.create_staff(session, security, venue_id, "Print agent", ["printer"], AGENT_PIN)
    await session.flush()


def _fake(name: str) -> FakePrinter:
    def on_job(job: bytes) -> None:
        log.info("demo printer printed", printer=name, text="\n" + decode(job).text)

    _, port, _, _ = PRINTERS[name]
    return FakePrinter(HOST, port, on_job=on_job)


async def start_fake_printers() -> list[FakePrinter]:
    """Start a fake printer on each demo port that is free; the ones started."""
    started = []
    for name in PRINTERS:
        fake = _fake(name)
        try:
            await fake.start()
        except OSError as exc:
            log.warning("demo printer port taken", printer=name, port=fake.port, error=str(exc))
            continue
        started.append(fake)
    return started
