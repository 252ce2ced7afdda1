"""A fake ESC/POS network printer for tests and demos.

In-process::

    fake = FakePrinter()          # 127.0.0.1, a free port
    await fake.start()
    printer = NetworkPrinter("127.0.0.1", fake.port)
    fake.mode = "paper_out"

From a shell, printing each job as text: ``python -m printers.fake --port 9100``.

It listens only on the host it is given. It answers DLE EOT real-time status queries
as an Epson TM printer does; everything else is printed, and a job ends at each paper
cut (GS V) and when the connection ends. A connection may carry several jobs.
Modes: ``ok``; ``refuse`` resets every connection; ``hang`` accepts but never reads or
answers; ``paper_out``, ``offline`` and ``cover_open`` answer with that status.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import struct
from collections.abc import Callable, Sequence
from typing import Literal, cast, get_args

from printers.decoder import decode

Mode = Literal["ok", "refuse", "hang", "paper_out", "offline", "cover_open"]
MODES: tuple[Mode, ...] = get_args(Mode)

# Answers to DLE EOT n for n = 1 (printer), 2 (offline cause), 3 (error cause),
# 4 (roll paper). Bits 1 and 4 are always set (0x12). n=1 0x08: offline. n=2 0x04:
# cover open, 0x20: stopped at paper end, 0x40: error. n=3 0x40: auto-recoverable
# error. n=4 0x60: paper end.
_OK = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}
_ANSWERS: dict[Mode, dict[int, int]] = {
    "ok": _OK,
    "paper_out": {**_OK, 1: 0x1A, 2: 0x32, 4: 0x72},
    "offline": {**_OK, 1: 0x1A, 2: 0x52, 3: 0x52},
    "cover_open": {**_OK, 1: 0x1A, 2: 0x16},
}
_DLE_EOT = b"\x10\x04"
_CUT = b"\x1dV"
_CUT_WITH_FEED = frozenset({65, 66, 97, 98, 103, 104})
_RESET = struct.pack("ii", 1, 0)


def _cut_end(job: bytearray) -> int | None:
    """Where the first paper cut (GS V m, or GS V m n) of ``job`` ends, once all of it is in."""
    start = job.find(_CUT)
    if start < 0 or start + 2 >= len(job):
        return None
    end = start + (4 if job[start + 2] in _CUT_WITH_FEED else 3)
    return end if end <= len(job) else None


class _Connection(asyncio.Protocol):
    def __init__(self, fake: FakePrinter) -> None:
        self.fake = fake
        self.job = bytearray()
        self.pending = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.fake._connections.add(self)
        self.fake.accepted += 1
        if self.fake.mode == "refuse":
            self.reset()
        elif self.fake.mode == "hang":
            self.transport.pause_reading()

    def reset(self) -> None:
        if self.transport is not None:
            self.transport.get_extra_info("socket").setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, _RESET
            )
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        self.fake.received += data
        buffer = self.pending + data
        while (start := buffer.find(_DLE_EOT)) >= 0 and start + 2 < len(buffer):
            self.job += buffer[:start]
            self.answer(buffer[start + 2])
            buffer = buffer[start + 3 :]
        cut = buffer.find(_DLE_EOT)
        if cut < 0:
            cut = len(buffer) - 1 if buffer.endswith(_DLE_EOT[:1]) else len(buffer)
        self.job += buffer[:cut]
        self.pending = buffer[cut:]
        while (end := _cut_end(self.job)) is not None:
            self.fake._finish(bytes(self.job[:end]))
            del self.job[:end]

    def answer(self, n: int) -> None:
        byte = _ANSWERS.get(self.fake.mode, {}).get(n)
        if byte is not None and self.transport is not None:
            self.transport.write(bytes([byte]))

    def connection_lost(self, exc: Exception | None) -> None:
        self.fake._connections.discard(self)
        job = bytes(self.job + self.pending)
        if job:
            self.fake._finish(job)


class FakePrinter:
    """A fake network printer; ``jobs`` holds one byte string per job: the bytes up to and
    including a cut, or the rest of a connection when it ends without one."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        mode: Mode = "ok",
        on_job: Callable[[bytes], None] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.mode = mode
        self.on_job = on_job
        self.jobs: list[bytes] = []
        self.received = bytearray()
        self.accepted = 0
        self._connections: set[_Connection] = set()
        self._server: asyncio.Server | None = None
        self._job_done = asyncio.Event()

    @property
    def mode(self) -> Mode:
        """How the printer behaves from now on; ``refuse`` also resets open connections."""
        return self._mode

    @mode.setter
    def mode(self, mode: Mode) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; modes: {', '.join(MODES)}")
        self._mode = mode
        if mode == "refuse":
            self.drop_connections()

    async def start(self) -> None:
        """Listen on ``host``; with port 0 the chosen port is then in ``port``."""
        self._server = await asyncio.get_running_loop().create_server(
            lambda: _Connection(self), self.host, self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and drop every connection."""
        if self._server is not None:
            self._server.close()
            for connection in list(self._connections):
                if connection.transport is not None:
                    connection.transport.abort()
            await self._server.wait_closed()
            self._server = None

    @property
    def open_connections(self) -> int:
        """How many connections are open now (``accepted`` counts them all)."""
        return len(self._connections)

    def drop_connections(self) -> None:
        """Reset every open connection, as a printer that restarts or times out its clients."""
        for connection in list(self._connections):
            connection.reset()

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """The addresses the printer listens on."""
        sockets = self._server.sockets if self._server is not None else ()
        return [sock.getsockname()[:2] for sock in sockets]

    async def wait_for_jobs(self, count: int) -> list[bytes]:
        """Wait until ``count`` jobs have arrived and return all jobs so far."""
        while len(self.jobs) < count:
            self._job_done.clear()
            await self._job_done.wait()
        return list(self.jobs)

    def _finish(self, job: bytes) -> None:
        self.jobs.append(job)
        self._job_done.set()
        if self.on_job is not None:
            self.on_job(job)


def _print_job(code_page: str) -> Callable[[bytes], None]:
    def show(job: bytes) -> None:
        decoded = decode(job, code_page)
        print(decoded.text, f"\n[cuts {decoded.cuts}, buzzes {decoded.buzzes}]\n", flush=True)

    return show


async def _serve(host: str, port: int, mode: Mode, code_page: str) -> None:
    fake = FakePrinter(host, port, mode=mode, on_job=_print_job(code_page))
    await fake.start()
    print(f"fake printer on {host}:{fake.port}, mode {mode}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """Run a fake printer until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m printers.fake", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--mode", choices=MODES, default="ok")
    parser.add_argument("--code-page", default="CP858")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.port, args.mode, args.code_page))


if __name__ == "__main__":
    main()
