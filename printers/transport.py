"""Printers behind one interface: ESC/POS over TCP, a file, and an in-memory fake.

``send`` hands bytes to the printer; ``status`` asks it how it is and raises a
``PrinterError`` when it cannot be asked at all. TCP cannot tell whether bytes were
printed, so ``deliver`` asks before and after writing, within one ``job`` (one
connection to a network printer), and only returns when both answers are clean.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import msgspec
from escpos.constants import RT_MASK_ONLINE, RT_STATUS

_QUERY = RT_STATUS + b"\x01" + RT_STATUS + b"\x02" + RT_STATUS + b"\x04"
_FIXED_BITS, _FIXED_MASK = 0x12, 0x93
_COVER_OPEN, _PAPER_STOP, _ERROR = 0x04, 0x20, 0x40
_PAPER_END = 0x60


class PrinterError(Exception):
    """A job could not be printed; ``reason`` says why in words a manager understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PrinterOffline(PrinterError):
    """The printer cannot be reached or reports itself offline."""


class PrinterTimeout(PrinterError):
    """The printer did not connect, accept data or answer in time."""


class PaperOut(PrinterError):
    """The printer is out of paper."""


class CoverOpen(PrinterError):
    """The printer's cover is open."""


class PrinterStatus(msgspec.Struct, frozen=True):
    """What a printer reports about itself."""

    online: bool = True
    cover_open: bool = False
    paper_end: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the printer can print."""
        return self.online and not self.cover_open and not self.paper_end and self.error is None

    def problem(self) -> PrinterError | None:
        """The error this status stands for, or None when it is ok."""
        if self.paper_end:
            return PaperOut("paper out")
        if self.cover_open:
            return CoverOpen("cover open")
        if not self.online:
            return PrinterOffline(f"offline: {self.error}" if self.error else "offline")
        return PrinterError(self.error) if self.error else None


def parse_status(answer: bytes) -> PrinterStatus:
    """Read the answers to DLE EOT 1, 2 and 4 (printer, offline cause, roll paper)."""
    if len(answer) != 3 or any(byte & _FIXED_MASK != _FIXED_BITS for byte in answer):
        return PrinterStatus(online=False, error=f"unreadable status {answer.hex()}")
    printer, cause, paper = answer
    return PrinterStatus(
        online=not printer & RT_MASK_ONLINE,
        cover_open=bool(cause & _COVER_OPEN),
        paper_end=bool(paper & _PAPER_END or cause & _PAPER_STOP),
        error="printer reports an error" if cause & _ERROR else None,
    )


class Printer(ABC):
    """A ticket or receipt printer."""

    @abstractmethod
    async def send(self, data: bytes) -> None:
        """Hand ``data`` to the printer; raise ``PrinterError`` when it cannot be handed over."""

    @abstractmethod
    async def status(self) -> PrinterStatus:
        """Ask the printer how it is; raise ``PrinterError`` when it cannot be asked."""

    @abstractmethod
    def describe(self) -> str:
        """Where the printer is, for people: ``network printer 10.0.0.7:9100``."""

    def job(self) -> AbstractAsyncContextManager[object]:
        """Hold the printer for the calls of one job; a network printer makes them on one
        connection. Nothing to hold for the others."""
        return contextlib.nullcontext()

    async def close(self) -> None:  # noqa: B027 - most printers hold nothing
        """Let go of whatever the printer holds between jobs."""


async def deliver(printer: Printer, data: bytes) -> None:
    """Print ``data``: check the printer, write, check again, all within one ``job``.

    Returns only after a clean write and a clean status; otherwise raises the
    ``PrinterError`` that explains what went wrong and when.
    """
    async with printer.job():
        _check(printer, await printer.status(), "before printing")
        await printer.send(data)
        _check(printer, await printer.status(), "after printing")


def _check(printer: Printer, status: PrinterStatus, when: str) -> None:
    problem = status.problem()
    if problem is not None:
        raise type(problem)(f"{printer.describe()}: {problem.reason} {when}")


class NetworkPrinter(Printer):
    """An ESC/POS printer on a raw TCP port (JetDirect, usually 9100).

    A job's calls (status, write, status) go over one connection; the status after the
    write travels behind the data, so its answer also says the printer has all of it.
    With ``keep_seconds`` the connection serves the jobs that start within that time of
    its opening and is closed when it is over (at once if idle, else after the job in
    hand): a printer that serves one host at a time is never held much longer from
    another. A kept connection the printer has dropped or stopped answering on fails the
    job's first status query, before anything is written; the query is then asked again
    on a new connection. A job that fails for any reason closes its connection.
    """

    def __init__(
        self,
        host: str,
        port: int = 9100,
        *,
        connect_timeout: float = 2.0,
        write_timeout: float = 5.0,
        status_timeout: float = 1.0,
        keep_seconds: float = 0.0,
    ) -> None:
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self.write_timeout = write_timeout
        self.status_timeout = status_timeout
        self.keep_seconds = keep_seconds
        self._stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._opened = 0.0
        self._reused = False
        self._closer: asyncio.TimerHandle | None = None
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[object] | None = None

    def describe(self) -> str:
        return f"network printer {self.host}:{self.port}"

    @asynccontextmanager
    async def job(self) -> AsyncIterator[object]:
        """One connection for the calls inside; jobs of several tasks take turns."""
        if self._holder is not None and self._holder is asyncio.current_task():
            yield self
            return
        async with self._lock:
            self._holder = asyncio.current_task()
            self._take()
            try:
                yield self
            except BaseException:
                self._drop()
                raise
            finally:
                self._holder = None
            await self._release()

    def _take(self) -> None:
        if self._closer is not None:
            self._closer.cancel()
            self._closer = None
        if self._stream is not None:
            reader, writer = self._stream
            expired = time.monotonic() - self._opened > self.keep_seconds
            if expired or reader.at_eof() or writer.is_closing():
                self._drop()
        self._reused = self._stream is not None

    async def _release(self) -> None:
        if self._stream is None:
            return
        left = self._opened + self.keep_seconds - time.monotonic()
        if left > 0:
            self._closer = asyncio.get_running_loop().call_later(left, self._idle)
            return
        _, writer = self._stream
        self._stream = None
        try:
            async with asyncio.timeout(self.write_timeout):
                writer.close()
                await writer.wait_closed()
        except TimeoutError:
            raise PrinterTimeout(
                f"{self.describe()}: data not taken within {self.write_timeout}s"
            ) from None
        except OSError as exc:
            raise PrinterOffline(f"{self.describe()}: connection lost ({exc})") from None
        finally:
            writer.transport.abort()

    def _idle(self) -> None:
        self._closer = None
        if self._stream is not None and self._holder is None:
            self._stream[1].close()
            self._stream = None

    def _drop(self) -> None:
        if self._stream is not None:
            self._stream[1].transport.abort()
            self._stream = None

    async def close(self) -> None:
        """Close the kept connection, if any."""
        async with self._lock:
            if self._closer is not None:
                self._closer.cancel()
                self._closer = None
            if self._stream is not None:
                self._stream[1].close()
                self._stream = None

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._stream is not None:
            return self._stream
        try:
            async with asyncio.timeout(self.connect_timeout):
                self._stream = await asyncio.open_connection(self.host, self.port)
        except TimeoutError:
            raise PrinterTimeout(
                f"{self.describe()}: no connection within {self.connect_timeout}s"
            ) from None
        except OSError as exc:
            raise PrinterOffline(f"{self.describe()}: cannot connect ({exc})") from None
        self._opened = time.monotonic()
        return self._stream

    async def send(self, data: bytes) -> None:
        async with self.job():
            self._reused = False
            _, writer = await self._connection()
            try:
                async with asyncio.timeout(self.write_timeout):
                    writer.write(data)
                    await writer.drain()
            except TimeoutError:
                raise PrinterTimeout(
                    f"{self.describe()}: data not taken within {self.write_timeout}s"
                ) from None
            except OSError as exc:
                raise PrinterOffline(f"{self.describe()}: connection lost ({exc})") from None

    async def status(self) -> PrinterStatus:
        async with self.job():
            if self._reused:
                self._reused = False
                try:
                    return await self._ask()
                except PrinterError:
                    self._drop()
            return await self._ask()

    async def _ask(self) -> PrinterStatus:
        reader, writer = await self._connection()
        try:
            async with asyncio.timeout(self.status_timeout):
                writer.write(_QUERY)
                answer = await reader.readexactly(3)
        except TimeoutError:
            raise PrinterTimeout(
                f"{self.describe()}: no status answer within {self.status_timeout}s"
            ) from None
        except (OSError, asyncio.IncompleteReadError) as exc:
            raise PrinterOffline(f"{self.describe()}: connection lost ({exc})") from None
        return parse_status(answer)


class FilePrinter(Printer):
    """Appends jobs to a file or device node; online while its directory is writable."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def describe(self) -> str:
        return f"file printer {self.path}"

    def _append(self, data: bytes) -> None:
        with self.path.open("ab") as file:
            file.write(data)

    async def send(self, data: bytes) -> None:
        try:
            await asyncio.to_thread(self._append, data)
        except OSError as exc:
            raise PrinterOffline(f"{self.describe()}: {exc.strerror or exc}") from None

    async def status(self) -> PrinterStatus:
        if os.access(self.path.parent, os.W_OK | os.X_OK):
            return PrinterStatus()
        return PrinterStatus(online=False, error=f"{self.path.parent} is not writable")


class MemoryPrinter(Printer):
    """An in-memory printer for tests: reports ``reported``, collects ``jobs``, fails on demand."""

    def __init__(
        self,
        *,
        reported: PrinterStatus | None = None,
        send_error: PrinterError | None = None,
        status_error: PrinterError | None = None,
    ) -> None:
        self.reported = reported or PrinterStatus()
        self.send_error = send_error
        self.status_error = status_error
        self.jobs: list[bytes] = []

    def describe(self) -> str:
        return "memory printer"

    async def send(self, data: bytes) -> None:
        if self.send_error is not None:
            raise self.send_error
        self.jobs.append(bytes(data))

    async def status(self) -> PrinterStatus:
        if self.status_error is not None:
            raise self.status_error
        return self.reported
