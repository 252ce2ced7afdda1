"""Open a printer from how it is configured, and print on it once, reporting what happened.

Connections: ``network`` (``host:port``, port 9100 if left out) and ``file`` (a path).
USB and serial printers are stored by the server but cannot be driven from here;
opening one raises a ``PrinterError`` that says so, which fails the job cleanly.
Both the server's dispatcher and the print agent print through :func:`attempt`, with a
:class:`Pool` that keeps each network printer's connection for the jobs that follow
within ``Timeouts.keep`` seconds.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Literal

import msgspec

from printers.transport import (
    CoverOpen,
    FilePrinter,
    NetworkPrinter,
    PaperOut,
    Printer,
    PrinterError,
    PrinterStatus,
    deliver,
)

Status = Literal["online", "offline", "paper_out", "cover_open", "unknown"]


class Timeouts(msgspec.Struct, frozen=True):
    """Seconds allowed to connect, to hand over the data, to answer a status query, and
    for the whole attempt; and how long a pooled connection is reused (``keep``: kept
    below ``status``, so another host waiting for a printer that serves one connection at
    a time gets its answer in time)."""

    connect: float = 2.0
    write: float = 5.0
    status: float = 1.0
    total: float = 15.0
    keep: float = 0.5


class Attempt(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of printing once. ``may_have_printed``: data was handed over (or its
    hand-over began), so paper may have come out even though the attempt failed."""

    ok: bool
    error: str | None = None
    status: Status = "online"
    may_have_printed: bool = False


def parse_network(address: str) -> tuple[str, int]:
    """``host:port`` -> ``(host, port)``; ``ValueError`` if malformed."""
    host, sep, port = address.rpartition(":")
    if not sep:
        host, port = address, "9100"
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not a host:port address: {address!r}")
    return host, int(port)


def open_printer(
    connection: str, address: str, timeouts: Timeouts | None = None, *, keep: bool = False
) -> Printer:
    """The ``Printer`` for a configured connection; ``PrinterError`` when it cannot be driven.
    With ``keep`` a network printer reuses its connection for ``timeouts.keep`` seconds."""
    timeouts = timeouts or Timeouts()
    if connection == "network":
        try:
            host, port = parse_network(address)
        except ValueError as exc:
            raise PrinterError(str(exc)) from None
        return NetworkPrinter(
            host,
            port,
            connect_timeout=timeouts.connect,
            write_timeout=timeouts.write,
            status_timeout=timeouts.status,
            keep_seconds=timeouts.keep if keep else 0.0,
        )
    if connection == "file":
        return FilePrinter(address)
    raise PrinterError(f"{connection} printers are not supported here; use a network printer")


def status_of(error: PrinterError) -> Status:
    """The printer status an error stands for."""
    if isinstance(error, PaperOut):
        return "paper_out"
    if isinstance(error, CoverOpen):
        return "cover_open"
    return "offline"


class Pool:
    """The printers of one event loop, each opened once and kept, so a network printer's
    connection serves the jobs that follow within ``Timeouts.keep``."""

    def __init__(self) -> None:
        self._printers: dict[tuple[str, str, Timeouts], Printer] = {}

    def get(self, connection: str, address: str, timeouts: Timeouts) -> Printer:
        """The kept printer for this connection (opened on first use)."""
        key = (connection, address, timeouts)
        printer = self._printers.get(key)
        if printer is None:
            printer = self._printers[key] = open_printer(connection, address, timeouts, keep=True)
        return printer

    async def close(self) -> None:
        """Close every kept connection."""
        printers, self._printers = list(self._printers.values()), {}
        for printer in printers:
            await printer.close()


class _Watched(Printer):
    """Passes calls through, remembering whether the hand-over of data began."""

    def __init__(self, inner: Printer) -> None:
        self.inner = inner
        self.sent = False

    async def send(self, data: bytes) -> None:
        self.sent = True
        await self.inner.send(data)

    async def status(self) -> PrinterStatus:
        return await self.inner.status()

    def describe(self) -> str:
        return self.inner.describe()

    def job(self) -> AbstractAsyncContextManager[object]:
        return self.inner.job()


async def attempt(
    connection: str,
    address: str,
    data: bytes,
    timeouts: Timeouts | None = None,
    pool: Pool | None = None,
) -> Attempt:
    """Print ``data`` once with ``deliver`` (status, write, status on one connection, kept
    in ``pool`` when given); never raises."""
    timeouts = timeouts or Timeouts()
    try:
        inner = pool.get(connection, address, timeouts) if pool else None
        printer = _Watched(inner or open_printer(connection, address, timeouts))
    except PrinterError as exc:
        return Attempt(ok=False, error=exc.reason, status="unknown")
    try:
        async with asyncio.timeout(timeouts.total):
            await deliver(printer, data)
    except PrinterError as exc:
        return Attempt(
            ok=False, error=exc.reason, status=status_of(exc), may_have_printed=printer.sent
        )
    except TimeoutError:
        error = f"{printer.describe()}: no answer within {timeouts.total}s"
        return Attempt(ok=False, error=error, status="offline", may_have_printed=printer.sent)
    return Attempt(ok=True)


async def probe(connection: str, address: str, timeouts: Timeouts | None = None) -> Attempt:
    """Ask a printer how it is, as an ``Attempt`` that printed nothing; never raises."""
    try:
        status = await open_printer(connection, address, timeouts).status()
    except PrinterError as exc:
        return Attempt(ok=False, error=exc.reason, status="offline")
    problem = status.problem()
    if problem is None:
        return Attempt(ok=True)
    return Attempt(ok=False, error=problem.reason, status=status_of(problem))
