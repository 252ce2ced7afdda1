"""NetworkPrinter against the fake printer in each of its moods."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from printers.decoder import decode
from printers.documents import PrinterProfile
from printers.fake import FakePrinter
from printers.render import render_ticket
from printers.transport import (
    CoverOpen,
    NetworkPrinter,
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterStatus,
    PrinterTimeout,
    deliver,
)
from tests.printers.conftest import make_ticket

pytestmark = pytest.mark.timeout(10)

TICKET = render_ticket(make_ticket(), PrinterProfile())


def printer_for(fake: FakePrinter, **timeouts: float) -> NetworkPrinter:
    return NetworkPrinter("127.0.0.1", fake.port, **timeouts)


@asynccontextmanager
async def ticking() -> AsyncIterator[list[float]]:
    """Another task on the loop, recording when it got to run."""
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    task = asyncio.create_task(tick())
    try:
        yield ticks
    finally:
        task.cancel()


def assert_never_stalled(ticks: list[float], started: float, ended: float) -> None:
    """No gap near the write timeout (0.3 s): a blocking write would stall the loop that
    long or longer; a loaded 2-core machine alone can delay a tick by 100-150 ms."""
    gaps = [b - a for a, b in zip([started, *ticks], [*ticks, ended], strict=True)]
    assert max(gaps) < 0.25, max(gaps)


@pytest.mark.parametrize(
    ("mode", "error", "status"),
    [
        ("paper_out", PaperOut, PrinterStatus(online=False, paper_end=True)),
        ("cover_open", CoverOpen, PrinterStatus(online=False, cover_open=True)),
        (
            "offline",
            PrinterOffline,
            PrinterStatus(online=False, error="printer reports an error"),
        ),
    ],
)
async def test_a_printer_in_trouble_says_so_and_prints_nothing(
    fake: FakePrinter, mode: str, error: type[PrinterError], status: PrinterStatus
) -> None:
    fake.mode = mode  # type: ignore[assignment]
    printer = printer_for(fake)
    assert await printer.status() == status
    with pytest.raises(error, match="before printing"):
        await deliver(printer, TICKET)
    assert fake.jobs == []


async def test_a_printer_that_resets_connections_is_offline(fake: FakePrinter) -> None:
    fake.mode = "refuse"
    with pytest.raises(PrinterOffline, match="connection lost"):
        await deliver(printer_for(fake), TICKET)
    assert fake.jobs == []


async def test_a_printer_that_is_switched_off_is_offline(fake: FakePrinter) -> None:
    await fake.stop()
    with pytest.raises(PrinterOffline, match="cannot connect"):
        await deliver(printer_for(fake), TICKET)


async def test_a_hanging_printer_times_out_without_blocking_the_loop(fake: FakePrinter) -> None:
    fake.mode = "hang"
    printer = printer_for(fake, status_timeout=0.3)
    async with ticking() as ticks:
        started = time.monotonic()
        with pytest.raises(PrinterTimeout, match=r"no status answer within 0\.3s"):
            await deliver(printer, TICKET)
        ended = time.monotonic()
    assert 0.3 <= ended - started < 1.0
    assert_never_stalled(ticks, started, ended)


async def test_a_printer_that_stops_reading_times_out_the_write(fake: FakePrinter) -> None:
    fake.mode = "hang"
    printer = printer_for(fake, write_timeout=0.3)
    data = b"\n" * 12_000_000
    async with ticking() as ticks:
        started = time.monotonic()
        with pytest.raises(PrinterTimeout, match=r"data not taken within 0\.3s"):
            await printer.send(data)
        ended = time.monotonic()
    assert 0.3 <= ended - started < 1.5
    assert_never_stalled(ticks, started, ended)


async def test_the_fake_recovers_when_its_mode_changes(fake: FakePrinter) -> None:
    printer = printer_for(fake)
    fake.mode = "paper_out"
    with pytest.raises(PaperOut):
        await deliver(printer, TICKET)
    fake.mode = "ok"
    await deliver(printer, TICKET)
    [job] = await fake.wait_for_jobs(1)
    assert job == TICKET


async def test_the_fake_answers_status_queries_inside_a_job(fake: FakePrinter) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", fake.port)
    writer.write(b"one\n\x10")
    await writer.drain()
    await asyncio.sleep(0.05)
    writer.write(b"\x04\x04two\n\x10\x04\x02")
    assert await reader.readexactly(2) == b"\x12\x12"
    writer.close()
    await writer.wait_closed()
    [job] = await fake.wait_for_jobs(1)
    assert job == b"one\ntwo\n"
    assert fake.received == b"one\n\x10\x04\x04two\n\x10\x04\x02"


async def test_the_fake_listens_on_loopback_only(fake: FakePrinter) -> None:
    assert fake.addresses == [("127.0.0.1", fake.port)]
    with pytest.raises(ValueError, match="unknown mode"):
        fake.mode = "on fire"  # type: ignore[assignment]


async def test_the_fake_runs_from_the_command_line() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "printers.fake",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        banner = (await process.stdout.readline()).decode()
        match = re.search(r"127\.0\.0\.1:(\d+), mode ok", banner)
        assert match, banner
        await deliver(NetworkPrinter("127.0.0.1", int(match[1])), TICKET)
        shown = [(await process.stdout.readline()).decode() for _ in range(3)]
        assert shown[0].startswith("12 ")
        assert shown[0].rstrip().endswith("#42")
        assert shown[1].strip() == "Kitchen 1"
    finally:
        process.terminate()
        await process.wait()


async def test_what_the_fake_received_decodes_like_the_ticket(fake: FakePrinter) -> None:
    await deliver(printer_for(fake), TICKET)
    decoded = decode(b"".join(await fake.wait_for_jobs(1)))
    assert decoded.find("2 x Ribeye")
    assert decode(bytes(fake.received)).status_queries == 6


async def test_a_job_asks_and_writes_on_one_connection(fake: FakePrinter) -> None:
    await deliver(printer_for(fake), TICKET)
    assert fake.jobs == [TICKET]
    assert fake.accepted == 1
    assert decode(bytes(fake.received)).status_queries == 6


async def test_jobs_in_a_rush_share_a_kept_connection_that_closes_when_idle(
    fake: FakePrinter,
) -> None:
    printer = printer_for(fake, keep_seconds=0.3)
    for number in range(3):
        await deliver(printer, TICKET + str(number).encode())
    assert fake.jobs == [TICKET, b"0" + TICKET, b"1" + TICKET]  # each job ends at its cut
    assert fake.accepted == 1
    await asyncio.sleep(0.5)
    assert fake.open_connections == 0
    await deliver(printer, TICKET)
    assert fake.accepted == 2


async def test_a_printer_that_drops_the_kept_connection_still_gets_the_next_job(
    fake: FakePrinter,
) -> None:
    printer = printer_for(fake, keep_seconds=5.0)
    await deliver(printer, TICKET)
    fake.drop_connections()
    await asyncio.sleep(0.05)
    await deliver(printer, TICKET)
    assert await fake.wait_for_jobs(2) == [TICKET, TICKET]
    assert fake.accepted == 2
    await printer.close()


async def test_a_kept_connection_that_went_silent_is_replaced(fake: FakePrinter) -> None:
    printer = printer_for(fake, keep_seconds=5.0, status_timeout=0.2)
    await deliver(printer, TICKET)
    [connection] = list(fake._connections)
    assert connection.transport is not None
    connection.transport.pause_reading()  # half-open: the printer restarted without a reset
    await deliver(printer, TICKET)
    assert await fake.wait_for_jobs(2) == [TICKET, TICKET]
    assert fake.accepted == 2
    await printer.close()


async def test_a_failed_job_does_not_leave_its_connection_for_the_next(
    fake: FakePrinter,
) -> None:
    printer = printer_for(fake, keep_seconds=5.0)
    fake.mode = "paper_out"
    with pytest.raises(PaperOut):
        await deliver(printer, TICKET)
    await asyncio.sleep(0.05)
    assert fake.open_connections == 0
    fake.mode = "ok"
    await deliver(printer, TICKET)
    assert fake.jobs == [TICKET]
    await printer.close()


async def test_two_jobs_for_one_printer_at_once_take_turns(fake: FakePrinter) -> None:
    printer = printer_for(fake, keep_seconds=5.0)
    tickets = [render_ticket(make_ticket(ticket_number=n), PrinterProfile()) for n in (1, 2)]
    await asyncio.gather(*(deliver(printer, t) for t in tickets))
    assert sorted(fake.jobs) == sorted(tickets)
    assert fake.accepted == 1
    await printer.close()
    await asyncio.sleep(0.05)
    assert fake.open_connections == 0
