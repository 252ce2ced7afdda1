"""Client of the live event stream (`/ws`): handhelds, tests, benchmarks and the print agent.

A leaf module: it imports websockets, msgspec and the standard library only. The
protocol it speaks is described in `docs/live.md`.

    async with LiveClient("ws://host/ws", token, ["floor", "orders"]) as client:
        async for event in client:
            ...

Iterating the client drives it: it connects, sends the hello, yields events in `seq`
order without duplicates and, after any drop, waits a growing, jittered delay,
reconnects and resumes from `last_seq`. It stops for good with `LiveClientRefused` when
the server rejects the hello, token or topics.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Literal, Self

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

__all__ = [
    "REFUSED_CODES",
    "Event",
    "LiveClient",
    "LiveClientRefused",
    "State",
    "backoff_delays",
    "wait_for",
]

REFUSED_CODES = frozenset({4400, 4401, 4403})
"""Close codes after which reconnecting cannot help: bad hello, bad token, topic refused."""

State = Literal["connected", "ready", "disconnected", "refused"]


class Event(msgspec.Struct, frozen=True):
    """One server message: an event, a topic's `snapshot`, or a control message (`topic` None)."""

    seq: int
    topic: str | None
    type: str
    data: dict[str, Any]
    at: str


class LiveClientRefused(Exception):
    """The server closed the socket with a code in `REFUSED_CODES`; retrying would not help."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason


def backoff_delays(initial: float, maximum: float) -> Iterator[float]:
    """Yield reconnect delays: doubling from `initial` up to `maximum`, each scaled by 0.5-1.

    The random factor spreads out the reconnects of many devices after a server restart.
    """
    delay = initial
    while True:
        yield delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography
        delay = min(delay * 2, maximum)


class LiveClient:
    """A resuming subscription to a venue's live events.

    `last_seq` is the `seq` of the last event yielded (or of the last `ready`); it is sent
    as `since` on every reconnect, and any event with `seq <= last_seq` is dropped, except
    a `snapshot`, which the caller must apply by replacing its state for that topic.
    `connected` is set while a socket is open and the hello sent; `ready` is set on each
    `ready` message (replay complete) and cleared on a drop. `on_state` is called on each
    change of `State`. The client makes progress only while it is iterated.
    """

    def __init__(
        self,
        url: str,
        token: str,
        topics: Iterable[str],
        since: int | None = None,
        *,
        backoff_initial: float = 0.2,
        backoff_max: float = 10.0,
        ping_interval: float = 10.0,
        on_state: Callable[[State], None] | None = None,
    ) -> None:
        self.url = url
        self.token = token
        self.topics = list(topics)
        self.last_seq = since
        self.connected = asyncio.Event()
        self.ready = asyncio.Event()
        self._backoff = (backoff_initial, backoff_max)
        self._delays = backoff_delays(*self._backoff)
        self._ping_interval = ping_interval
        self._on_state = on_state
        self._decoder = msgspec.json.Decoder(Event)
        self._encoder = msgspec.json.Encoder()
        self._ws: ClientConnection | None = None
        self._attempted = False
        self._closing = asyncio.Event()
        self._refused: LiveClientRefused | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Event:
        while True:
            ws = self._ws or await self._connect()
            try:
                raw = await ws.recv(decode=False)
            except ConnectionClosed as exc:
                self._dropped(exc)
                continue
            event = self._decoder.decode(raw)
            if event.topic is None:
                self._control(event)
            elif event.type == "snapshot" or self.last_seq is None or event.seq > self.last_seq:
                self.last_seq = max(event.seq, self.last_seq or 0)
                return event

    async def send(self, obj: Any) -> None:
        """Send `obj` as a JSON text message; `ConnectionError` when no socket is open."""
        if self._ws is None:
            raise ConnectionError("not connected")
        try:
            await self._ws.send(self._encoder.encode(obj), text=True)
        except ConnectionClosed as exc:
            raise ConnectionError("connection lost") from exc

    async def close(self) -> None:
        """Close the socket and end the iteration (a pending `__anext__` stops too)."""
        self._closing.set()
        if self._ws is not None:
            await self._ws.close()

    async def _connect(self) -> ClientConnection:
        """Open a socket and send the hello, retrying with backoff until it works."""
        while True:
            if self._refused is not None:
                raise self._refused
            if self._attempted:
                await self._pause(next(self._delays))
            if self._closing.is_set():
                raise StopAsyncIteration
            self._attempted = True
            try:
                # no permessage-deflate: small messages, and zlib per socket costs both ends
                ws = await connect(
                    self.url,
                    ping_interval=self._ping_interval,
                    ping_timeout=self._ping_interval,
                    compression=None,
                )
                hello = {"token": self.token, "topics": self.topics, "since": self.last_seq}
                await ws.send(self._encoder.encode(hello), text=True)
            except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed):
                continue
            if self._closing.is_set():
                await ws.close()
                raise StopAsyncIteration
            self._ws = ws
            self.connected.set()
            self._notify("connected")
            return ws

    async def _pause(self, delay: float) -> None:
        """Sleep `delay` seconds, or less if `close()` is called meanwhile."""
        try:
            async with asyncio.timeout(delay):
                await self._closing.wait()
        except TimeoutError:
            pass

    def _dropped(self, exc: ConnectionClosed) -> None:
        """Forget the socket; stop if closing or refused, else let `_connect` retry."""
        self._ws = None
        self.connected.clear()
        self.ready.clear()
        if self._closing.is_set():
            raise StopAsyncIteration
        if exc.rcvd is not None and exc.rcvd.code in REFUSED_CODES:
            self._refused = LiveClientRefused(exc.rcvd.code, exc.rcvd.reason)
            self._notify("refused")
            raise self._refused
        self._notify("disconnected")

    def _control(self, event: Event) -> None:
        """Handle a message with no topic: `ready` marks the end of the replay."""
        if event.type == "ready":
            self.last_seq = max(event.seq, self.last_seq or 0)
            self._delays = backoff_delays(*self._backoff)
            self.ready.set()
            self._notify("ready")

    def _notify(self, state: State) -> None:
        if self._on_state is not None:
            self._on_state(state)


async def wait_for(
    client: LiveClient,
    predicate: Callable[[Event], bool],
    timeout: float,  # noqa: ASYNC109 - the call reads better than an enclosing asyncio.timeout
) -> Event:
    """Iterate `client` until an event satisfies `predicate`; `TimeoutError` after `timeout` s.

    The client stays usable afterwards. `EOFError` if the client is closed first.
    """
    async with asyncio.timeout(timeout):
        async for event in client:
            if predicate(event):
                return event
    raise EOFError("client closed before a matching event")
