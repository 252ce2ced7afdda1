"""One contract for every printer: memory, file, and network (against the fake)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

import pytest

from printers.decoder import decode
from printers.documents import PrinterProfile
from printers.fake import FakePrinter
from printers.render import render_ticket
from printers.transport import (
    FilePrinter,
    MemoryPrinter,
    NetworkPrinter,
    PaperOut,
    Printer,
    PrinterError,
    PrinterOffline,
    PrinterStatus,
    deliver,
)
from tests.printers.conftest import make_ticket

pytestmark = pytest.mark.timeout(10)


class Harness(Protocol):
    @property
    def printer(self) -> Printer: ...

    async def printed(self, jobs: int) -> bytes: ...

    def go_offline(self) -> None: ...


class MemoryHarness:
    def __init__(self) -> None:
        self.printer = MemoryPrinter()

    async def printed(self, jobs: int) -> bytes:
        return b"".join(self.printer.jobs)

    def go_offline(self) -> None:
        self.printer.reported = PrinterStatus(online=False)


class FileHarness:
    def __init__(self, spool: Path) -> None:
        spool.mkdir()
        self.spool = spool
        self.printer = FilePrinter(spool / "kitchen.prn")

    async def printed(self, jobs: int) -> bytes:
        path = self.spool / "kitchen.prn"
        return path.read_bytes() if path.exists() else b""

    def go_offline(self) -> None:
        shutil.rmtree(self.spool)


class NetworkHarness:
    def __init__(self, fake: FakePrinter) -> None:
        self.fake = fake
        self.printer = NetworkPrinter("127.0.0.1", fake.port, status_timeout=2.0)

    async def printed(self, jobs: int) -> bytes:
        return b"".join(await self.fake.wait_for_jobs(jobs))

    def go_offline(self) -> None:
        self.fake.mode = "offline"


@pytest.fixture(params=["memory", "file", "network"])
async def harness(
    request: pytest.FixtureRequest, tmp_path: Path, fake: FakePrinter
) -> AsyncIterator[MemoryHarness | FileHarness | NetworkHarness]:
    if request.param == "memory":
        yield MemoryHarness()
    elif request.param == "file":
        yield FileHarness(tmp_path / "spool")
    else:
        yield NetworkHarness(fake)


def ticket_bytes(number: int) -> bytes:
    return render_ticket(make_ticket(ticket_number=number), PrinterProfile())


async def test_a_ready_printer_reports_ok(harness: Harness) -> None:
    status = await harness.printer.status()
    assert status.ok
    assert status == PrinterStatus()


async def test_deliver_prints_the_ticket(harness: Harness) -> None:
    await deliver(harness.printer, ticket_bytes(42))
    decoded = decode(await harness.printed(1))
    assert decoded.find("#42")
    assert decoded.find("2 x Ribeye")
    assert decoded.cuts == 1


async def test_jobs_print_in_the_order_sent(harness: Harness) -> None:
    await deliver(harness.printer, ticket_bytes(1))
    await harness.printer.send(ticket_bytes(2))
    decoded = decode(await harness.printed(2))
    headers = [line.text.split()[-1] for line in decoded.lines if line.double_width]
    assert headers == ["#1", "#2"]
    assert decoded.cuts == 2


async def test_an_offline_printer_gets_nothing(harness: Harness) -> None:
    harness.go_offline()
    assert not (await harness.printer.status()).ok
    with pytest.raises(PrinterOffline) as failure:
        await deliver(harness.printer, ticket_bytes(7))
    assert harness.printer.describe() in failure.value.reason
    assert "before printing" in failure.value.reason
    assert await harness.printed(0) == b""


async def test_describe_says_where_the_printer_is(harness: Harness) -> None:
    description = harness.printer.describe()
    assert description
    if isinstance(harness, NetworkHarness):
        assert f"127.0.0.1:{harness.fake.port}" in description
    if isinstance(harness, FileHarness):
        assert "kitchen.prn" in description


class RunsOutOfPaper(MemoryPrinter):
    async def send(self, data: bytes) -> None:
        await super().send(data)
        self.reported = PrinterStatus(online=False, paper_end=True)


async def test_deliver_fails_when_the_printer_breaks_during_the_job() -> None:
    printer = RunsOutOfPaper()
    with pytest.raises(PaperOut, match="after printing"):
        await deliver(printer, ticket_bytes(3))
    assert len(printer.jobs) == 1


async def test_a_failed_write_is_reported() -> None:
    printer = MemoryPrinter(send_error=PrinterOffline("unplugged"))
    with pytest.raises(PrinterError, match="unplugged"):
        await deliver(printer, ticket_bytes(4))
    assert printer.jobs == []


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (PrinterStatus(online=False, paper_end=True), "PaperOut"),
        (PrinterStatus(online=False, cover_open=True), "CoverOpen"),
        (PrinterStatus(online=False), "PrinterOffline"),
        (PrinterStatus(error="cutter jammed"), "PrinterError"),
        (PrinterStatus(), None),
    ],
)
def test_each_status_names_its_problem(status: PrinterStatus, error: str | None) -> None:
    problem = status.problem()
    assert (type(problem).__name__ if problem else None) == error
    assert status.ok is (error is None)
