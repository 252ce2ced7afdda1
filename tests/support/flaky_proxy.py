"""A flaky network between handhelds and the server: an asyncio TCP proxy on 127.0.0.1.

Each client connection is relayed to ``target``; a seeded random source decides, per
connection and per chunk of bytes, whether to drop the connection before anything
reaches the server, delay the chunk, or cut it: forward only part of the chunk and
close both sides. A cut of a response means the server did the work and the handheld
never heard of it, the case an ``Idempotency-Key`` exists for.

    async with FlakyProxy(("127.0.0.1", port), seed=3) as proxy:
        httpx.AsyncClient(base_url=proxy.url)
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass


@dataclass
class Faults:
    """How often each fault happens (probabilities) and the longest delay, in seconds."""

    drop: float = 0.05
    cut_request: float = 0.03
    cut_response: float = 0.08
    delay: float = 0.02


@dataclass
class Injected:
    """How many of each fault the proxy injected."""

    connections: int = 0
    dropped: int = 0
    requests_cut: int = 0
    responses_cut: int = 0
    delayed_chunks: int = 0


class FlakyProxy:
    """See the module docstring."""

    def __init__(self, target: tuple[str, int], *, seed: int, faults: Faults | None = None):
        self.target = target
        self.random = random.Random(seed)
        self.faults = faults or Faults()
        self.injected = Injected()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FlakyProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.injected.connections += 1
        if self.random.random() < self.faults.drop:
            self.injected.dropped += 1
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        pipes = [
            asyncio.create_task(self._pipe(reader, up_writer, self.faults.cut_request, "request")),
            asyncio.create_task(
                self._pipe(up_reader, writer, self.faults.cut_response, "response")
            ),
        ]
        self._tasks.update(pipes)
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pipes:
                task.cancel()
                self._tasks.discard(task)
            for w in (writer, up_writer):
                w.close()

    async def _pipe(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        cut: float,
        kind: str,
    ) -> None:
        with contextlib.suppress(OSError):
            while chunk := await source.read(65536):
                if self.random.random() < 0.5:
                    self.injected.delayed_chunks += 1
                    await asyncio.sleep(self.random.uniform(0, self.faults.delay))
                if self.random.random() < cut:
                    sink.write(chunk[: self.random.randrange(len(chunk))])
                    await sink.drain()
                    if kind == "request":
                        self.injected.requests_cut += 1
                    else:
                        self.injected.responses_cut += 1
                    return
                sink.write(chunk)
                await sink.drain()
