"""The ``/ws`` endpoint and the per-process dispatcher of committed events.

The event log in PostgreSQL is the truth. Each process runs one :class:`LiveDispatcher`
which publishes a venue's new events to the in-process :class:`Hub` in ``seq`` order:

- after a local commit, straight from the committed rows when they follow the last
  published ``seq`` (no read), otherwise by reading the log from the last ``seq``;
- on a ``NOTIFY pos_events 'venue:seq'`` from another process, by reading the log;
- every few seconds for every venue with sockets (a lost NOTIFY only delays delivery);
- after the listening connection comes back from a drop, for every venue.

The listening connection is a plain asyncpg connection that reconnects by itself.
See docs/live.md for the protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import msgspec
import structlog
from litestar import WebSocket, websocket
from litestar.datastructures import State
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core.auth import Caller, TokenSigner
from pos_service.core.db import now_utc
from pos_service.core.errors import DomainError
from pos_service.core.events import Committed
from pos_service.core.realtime import CHANNEL
from pos_service.core.realtime_hub import Hub, Subscriber, SubscriberOverflow, encode_event

log = structlog.get_logger(__name__)

REPLAY_BATCH = 2000
RESCAN_SECONDS = 5.0

SnapshotFn = Callable[[AsyncSession, Caller, str], Awaitable[Any]]

ROLE_TOPICS: dict[str, tuple[str, ...]] = {
    "kitchen": ("kitchen:", "expo", "stock"),
    "bar": ("kitchen:", "expo", "stock"),
    "host": ("floor", "reservations"),
    "printer": ("printers",),
    "waiter": ("floor", "orders", "kitchen", "kitchen:", "expo", "payments", "check:"),
}


def topic_refusal(caller: Caller, topic: str) -> str | None:
    """Why ``caller`` may not follow ``topic``, or None if it may."""
    if caller.kind == "guest":
        return (
            None if topic == f"check:{caller.check_id}" else "a guest link sees its own check only"
        )
    if "manager" in caller.roles:
        return None
    for role in caller.roles:
        for allowed in ROLE_TOPICS.get(role, ()):
            if topic == allowed or (allowed.endswith(":") and topic.startswith(allowed)):
                return None
    return f"roles {sorted(caller.roles)} may not follow {topic!r}"


class Hello(msgspec.Struct, forbid_unknown_fields=False):
    token: str
    topics: list[str]
    since: int | None = None


_decode_hello = msgspec.json.Decoder(Hello).decode


class LiveDispatcher:
    """Publishes each venue's committed events to the hub, in order, exactly once."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], dsn: str, hub: Hub) -> None:
        self.sessions = sessions
        self.dsn = dsn
        self.hub = hub
        self.last: dict[int, int] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    # -- wake-ups ------------------------------------------------------------
    def committed(self, rows: list[Committed]) -> None:
        """Local commit: publish directly when contiguous, else read the log."""
        by_venue: dict[int, list[Committed]] = {}
        for row in rows:
            if self.hub.has_venue(row.venue_id):
                by_venue.setdefault(row.venue_id, []).append(row)
        for venue_id, venue_rows in by_venue.items():
            last = self.last.get(venue_id)
            lock = self._lock(venue_id)
            if last is not None and venue_rows[0].seq == last + 1 and not lock.locked():
                for row in venue_rows:
                    self._publish(venue_id, row.seq, row.topic, row.type, row.data, row.at)
            else:
                self.wake(venue_id)

    def wake(self, venue_id: int) -> None:
        task = asyncio.get_running_loop().create_task(self.pump(venue_id))
        self._tasks.add(task)
        task.add_done_callback(self._pumped)

    def _pumped(self, task: asyncio.Task[None]) -> None:
        """A failed read (the database is away) is retried by the next wake or rescan."""
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning(
                "event log read failed; the next rescan retries",
                error=str(task.exception()).split("\n", 1)[0],
            )

    def _lock(self, venue_id: int) -> asyncio.Lock:
        return self._locks.setdefault(venue_id, asyncio.Lock())

    def _publish(
        self, venue_id: int, seq: int, topic: str, type_: str, data: Any, at: dt.datetime
    ) -> None:
        self.hub.publish(venue_id, seq, topic, encode_event(seq, topic, type_, data, at))
        self.last[venue_id] = seq

    async def pump(self, venue_id: int) -> None:
        """Publish everything after the last published ``seq`` of the venue."""
        async with self._lock(venue_id):
            if venue_id not in self.last:
                return
            while True:
                async with self.sessions() as session:
                    rows = (
                        await session.execute(
                            text(
                                "SELECT seq, topic, type, data, at FROM events WHERE venue_id = :v "
                                "AND seq > :s ORDER BY seq LIMIT :n"
                            ),
                            {"v": venue_id, "s": self.last[venue_id], "n": REPLAY_BATCH},
                        )
                    ).all()
                for row in rows:
                    self._publish(venue_id, row.seq, row.topic, row.type, row.data, row.at)
                if len(rows) < REPLAY_BATCH:
                    return

    async def head(self, session: AsyncSession, venue_id: int) -> tuple[int, int]:
        """The venue's (first retained seq, last seq)."""
        row = (
            await session.execute(
                text(
                    "SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM events "
                    "WHERE venue_id = :v"
                ),
                {"v": venue_id},
            )
        ).one()
        low, high = int(row[0]), int(row[1])
        # the counter is the truth for the head (pruning may have emptied the log)
        counter = await session.scalar(
            text("SELECT value FROM counters WHERE venue_id = :v AND name = 'event_seq'"),
            {"v": venue_id},
        )
        return low, max(high, int(counter or 0))

    def track(self, venue_id: int, head: int) -> None:
        """Start following a venue (its first socket arrived) from ``head``."""
        if venue_id not in self.last:
            self.last[venue_id] = head
            self.wake(venue_id)

    def untrack(self, venue_id: int) -> None:
        """Stop following a venue once its last socket has gone."""
        if not self.hub.has_venue(venue_id):
            self.last.pop(venue_id, None)

    # -- the listening connection -------------------------------------------
    async def run(self) -> None:
        """Listen for other processes' commits; reconnect forever; rescan periodically."""
        delay = 0.2
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self.dsn, timeout=5)
                await self._listen(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("event listener down, reconnecting", error=str(exc), delay=delay)
            else:
                delay = 0.2
            finally:
                self.listening.clear()
                if conn is not None and not conn.is_closed():
                    conn.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _listen(self, conn: asyncpg.Connection) -> None:
        """Serve one listening connection until it is lost."""
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _c: lost.set())
        await conn.add_listener(CHANNEL, self._notified)
        self.listening.set()
        for venue_id in list(self.last):
            self.wake(venue_id)  # fill whatever was missed while away
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), RESCAN_SECONDS)
            if not lost.is_set():
                await conn.execute("SELECT 1")
                for venue_id in list(self.last):
                    self.wake(venue_id)

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        venue, _, seq = payload.partition(":")
        with contextlib.suppress(ValueError):
            venue_id, head = int(venue), int(seq)
            if venue_id in self.last and head > self.last[venue_id]:
                self.wake(venue_id)

    def start(self) -> None:
        self._runner = asyncio.get_running_loop().create_task(self.run())

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        for task in list(self._tasks):
            task.cancel()


async def _hello(
    socket: WebSocket[Any, Any, Any], signer: TokenSigner
) -> tuple[Caller, Hello] | None:
    try:
        async with asyncio.timeout(10):
            raw = await socket.receive_data(mode="text")
        hello = _decode_hello(raw)
    except (TimeoutError, msgspec.ValidationError, msgspec.DecodeError):
        await socket.close(4400, "first message must be {token, topics, since}")
        return None
    if not hello.topics or len(hello.topics) > 50:
        await socket.close(4400, "topics must name 1 to 50 topics")
        return None
    try:
        caller = signer.verify(hello.token)
    except DomainError as exc:
        await socket.close(4401, exc.detail)
        return None
    for topic in hello.topics:
        reason = topic_refusal(caller, topic)
        if reason is not None:
            await socket.close(4403, f"topic {topic} refused: {reason}"[:120])
            return None
    return caller, hello


async def _replay(
    socket: WebSocket[Any, Any, Any], state: State, caller: Caller, hello: Hello, sub: Subscriber
) -> int:
    """Send what the client missed (or snapshots), then ``ready``; returns the head."""
    dispatcher: LiveDispatcher = state.live
    snapshots: dict[str, SnapshotFn] = state.snapshots
    async with state.sessions() as session:
        low, head = await dispatcher.head(session, caller.venue_id)
        dispatcher.track(caller.venue_id, head)
        since = hello.since
        if since is not None and low > since + 1 and head > since:
            for topic in hello.topics:
                provider = next(
                    (fn for prefix, fn in snapshots.items() if topic.startswith(prefix)), None
                )
                data = await provider(session, caller, topic) if provider else {}
                await socket.send_data(
                    encode_event(head, topic, "snapshot", msgspec.to_builtins(data), now_utc())
                )
        elif since is not None:
            after = since
            while after < head:
                rows = (
                    await session.execute(
                        text(
                            "SELECT seq, topic, type, data, at FROM events WHERE venue_id = :v "
                            "AND seq > :s AND seq <= :h AND (topic = ANY(:t) "
                            "OR (:k AND topic LIKE 'kitchen:%')) ORDER BY seq LIMIT :n"
                        ),
                        {
                            "v": caller.venue_id,
                            "s": after,
                            "h": head,
                            "t": hello.topics,
                            "k": "kitchen" in hello.topics,
                            "n": REPLAY_BATCH,
                        },
                    )
                ).all()
                if not rows:
                    break
                for row in rows:
                    await socket.send_data(
                        encode_event(row.seq, row.topic, row.type, row.data, row.at)
                    )
                after = rows[-1].seq
    sub.last_seq = head
    await socket.send_data(encode_event(head, None, "ready", {"topics": hello.topics}, now_utc()))
    return head


async def _stream(socket: WebSocket[Any, Any, Any], sub: Subscriber) -> None:
    while True:
        message = await sub.next()
        await socket.send_data(message)


async def _drain_client(socket: WebSocket[Any, Any, Any]) -> None:
    """Read (and ignore) what the client sends, so a close is noticed."""
    while True:
        await socket.receive_data(mode="text")


@websocket("/ws", exclude_from_auth=True)
async def live_socket(socket: WebSocket[Any, Any, Any], state: State) -> None:
    """One screen's live feed: see docs/live.md."""
    await socket.accept()
    greeted = await _hello(socket, state.signer)
    if greeted is None:
        return
    caller, hello = greeted
    hub: Hub = state.live.hub
    sub = hub.subscribe(caller.venue_id, frozenset(hello.topics), state.settings.live_queue_size)
    try:
        await _replay(socket, state, caller, hello, sub)
        streaming = asyncio.ensure_future(_stream(socket, sub))
        reading = asyncio.ensure_future(_drain_client(socket))
        done, pending = await asyncio.wait(
            {streaming, reading}, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        for task in done:
            exc = task.exception()
            if isinstance(exc, SubscriberOverflow):
                await socket.close(4408, "too slow: reconnect with your last seq")
    except Exception as exc:
        log.debug("live socket ended", error=repr(exc))
    finally:
        hub.unsubscribe(sub)
        state.live.untrack(caller.venue_id)


async def prune(session: AsyncSession, now: dt.datetime, *, keep: int) -> int:
    """Drop each venue's events older than the newest ``keep`` (clients then get snapshots)."""
    result = await session.execute(
        text(
            "DELETE FROM events e USING counters c WHERE c.venue_id = e.venue_id "
            "AND c.name = 'event_seq' AND e.seq <= c.value - :keep"
        ),
        {"keep": keep},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
