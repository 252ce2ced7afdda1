"""The ``/ws`` endpoint and the per-process dispatcher of committed events.

The event log in PostgreSQL is the truth. Each process runs one :class:`LiveDispatcher`
which publishes a venue's new events to the in-process :class:`Hub` in ``seq`` order:

- after a local commit, straight from the committed rows when they follow the last
  published ``seq`` (no read), otherwise by reading the log from the last ``seq``;
- on a ``NOTIFY pos_events 'venue:seq'`` from another process, by reading the log;
- every few seconds for every venue with sockets (a lost NOTIFY only delays delivery);
- after the listening connection comes back from a drop, for every venue.

The listening connection is a plain asyncpg connection that reconnects by itself; it is
also the process's one reader of the log: each wake-up marks a venue, and one query
reads every marked venue's new events, their ``data`` as JSON text that is spliced
into the message unparsed. Each event is encoded once and the same string is written
to every socket at once while its transport takes data; only a socket that is behind
queues, with one task until it has caught up.
See docs/live.md for the protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import asyncpg
import msgspec
import structlog
from litestar import WebSocket, websocket
from litestar.datastructures import State
from litestar.types import WebSocketSendEvent
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller, TokenSigner
from pos_service.core.db import driver, now_utc
from pos_service.core.errors import DomainError
from pos_service.core.events import Committed
from pos_service.core.realtime import CHANNEL
from pos_service.core.realtime_hub import Hub, Subscriber, encode_event, encode_stored
from pos_service.core.sessions import SessionGuard

log = structlog.get_logger(__name__)

REPLAY_BATCH = 2000
RESCAN_SECONDS = 5.0

# every marked venue's events after its last published seq, oldest first
READ_SQL = (
    "SELECT e.venue_id, e.seq, e.topic, e.type, e.data::text, e.at "
    "FROM unnest($1::int[], $2::bigint[]) AS w(venue_id, after) CROSS JOIN LATERAL "
    "(SELECT venue_id, seq, topic, type, data, at FROM events "
    "WHERE venue_id = w.venue_id AND seq > w.after ORDER BY seq LIMIT $3) AS e "
    "ORDER BY e.venue_id, e.seq"
)
# one socket's missed events: its topics only (`kitchen` matches every station)
REPLAY_SQL = (
    "SELECT seq, topic, type, data::text, at FROM events WHERE venue_id = $1 "
    "AND seq > $2 AND seq <= $3 AND (topic = ANY($4::text[]) "
    "OR ($5 AND topic LIKE 'kitchen:%')) ORDER BY seq LIMIT $6"
)

SnapshotFn = Callable[[AsyncSession, Caller, str], Awaitable[Any]]

ROLE_TOPICS: dict[str, tuple[str, ...]] = {
    "kitchen": ("kitchen:", "expo", "stock", "pickup", "menu"),
    "bar": ("kitchen:", "expo", "stock", "pickup", "menu"),
    "host": ("floor", "reservations", "pickup"),
    "printer": ("printers",),
    "waiter": (
        "floor",
        "orders",
        "kitchen",
        "kitchen:",
        "expo",
        "payments",
        "check:",
        "pickup",
        "menu",
    ),
}


def topic_refusal(caller: Caller, topic: str) -> str | None:
    """Why ``caller`` may not follow ``topic``, or None if it may."""
    if caller.kind == "guest":
        return (
            None if topic == f"check:{caller.check_id}" else "a guest link sees its own check only"
        )
    if "manager" in caller.roles:
        return None
    if caller.actor and topic == f"staff:{caller.actor}":
        return None  # a member's own roster changes (docs/rosters.md)
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

    def __init__(self, dsn: str, hub: Hub) -> None:
        self.dsn = dsn
        self.hub = hub
        self.last: dict[int, int] = {}
        self._marked: set[int] = set()
        self._wakeup = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    # -- wake-ups ------------------------------------------------------------
    def committed(self, rows: list[Committed]) -> None:
        """Local commit: publish directly when contiguous, else read the log."""
        by_venue: dict[int, list[Committed]] = {}
        for row in rows:
            if row.venue_id in self.last:
                by_venue.setdefault(row.venue_id, []).append(row)
        for venue_id, venue_rows in by_venue.items():
            if venue_rows[0].seq == self.last[venue_id] + 1:
                for row in venue_rows:
                    self._publish(
                        venue_id,
                        row.seq,
                        row.topic,
                        encode_stored(row.seq, row.topic, row.type, row.data_json, row.at),
                    )
            elif venue_rows[-1].seq > self.last[venue_id]:
                self.wake(venue_id)

    def wake(self, venue_id: int) -> None:
        """Have the reader read the venue's log after its last published ``seq``."""
        self._marked.add(venue_id)
        self._wakeup.set()

    def _publish(self, venue_id: int, seq: int, topic: str, message: str) -> None:
        """Hand one event to the hub unless it is already published (the reader and a
        local commit may both hold it)."""
        if seq > self.last.get(venue_id, seq):
            self.hub.publish(venue_id, seq, topic, message)
            self.last[venue_id] = seq

    async def _read(self, conn: asyncpg.Connection) -> None:
        """Publish the marked venues' new events; a full batch marks its venue again."""
        venues = [venue_id for venue_id in self._marked if venue_id in self.last]
        self._marked.clear()
        if not venues:
            return
        after = [self.last[venue_id] for venue_id in venues]
        rows = await conn.fetch(READ_SQL, venues, after, REPLAY_BATCH)
        read: Counter[int] = Counter()
        for venue_id, seq, topic, type_, data, at in rows:
            read[venue_id] += 1
            if seq > self.last.get(venue_id, seq):
                self._publish(venue_id, seq, topic, encode_stored(seq, topic, type_, data, at))
        for venue_id, count in read.items():
            if count == REPLAY_BATCH:
                self.wake(venue_id)

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
        """Listen and read; reconnect forever (a failed read is retried after it)."""
        delay = 0.2
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self.dsn, timeout=5)
                await self._serve(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "event listener down, reconnecting",
                    error=str(exc).split("\n", 1)[0],
                    delay=delay,
                )
            else:
                delay = 0.2
            finally:
                self.listening.clear()
                if conn is not None and not conn.is_closed():
                    conn.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _serve(self, conn: asyncpg.Connection) -> None:
        """Read the log on each wake-up and every few seconds until the connection is lost."""
        conn.add_termination_listener(lambda _c: self._wakeup.set())
        await conn.add_listener(CHANNEL, self._notified)
        self.listening.set()
        self._marked.update(self.last)  # fill whatever was missed while away
        while not conn.is_closed():
            if not self._marked:
                self._wakeup.clear()
                try:
                    async with asyncio.timeout(RESCAN_SECONDS):
                        await self._wakeup.wait()
                except TimeoutError:
                    self._marked.update(self.last)
                    if not self._marked:
                        await conn.execute("SELECT 1")
            if not conn.is_closed():
                await self._read(conn)

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


async def _hello(
    socket: WebSocket[Any, Any, Any], signer: TokenSigner, guard: SessionGuard
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
    refusal = await guard.refusal(caller)
    if refusal is not None:
        await socket.close(4401, refusal)
        return None
    for topic in hello.topics:
        reason = topic_refusal(caller, topic)
        if reason is not None:
            await socket.close(4403, f"topic {topic} refused: {reason}"[:120])
            return None
    return caller, hello


async def _send_text(socket: WebSocket[Any, Any, Any], message: str) -> None:
    event: WebSocketSendEvent = {"type": "websocket.send", "text": message, "bytes": None}
    await socket.send(event)


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
                snapshot = msgspec.to_builtins(data)
                await _send_text(socket, encode_event(head, topic, "snapshot", snapshot, now_utc()))
        elif since is not None and since < head:
            conn = await driver(session)
            kitchen = "kitchen" in hello.topics
            after = since
            while after < head:
                rows = await conn.fetch(
                    REPLAY_SQL, caller.venue_id, after, head, hello.topics, kitchen, REPLAY_BATCH
                )
                for seq, topic, type_, data, at in rows:
                    await _send_text(socket, encode_stored(seq, topic, type_, data, at))
                if len(rows) < REPLAY_BATCH:
                    break
                after = rows[-1][0]
    sub.last_seq = head
    await _send_text(socket, encode_event(head, None, "ready", {"topics": hello.topics}, now_utc()))
    return head


_UNSTARTED = object()


def _text(message: str) -> WebSocketSendEvent:
    return {"type": "websocket.send", "text": message, "bytes": None}


async def _resume(send: Coroutine[Any, Any, None], waiting: Any) -> None:
    """Drive a send that suspended on ``waiting`` (what it yielded) to its end."""
    while True:
        try:
            if waiting is None:  # a bare yield: one turn of the loop
                await asyncio.sleep(0)
            else:
                await waiting
        except BaseException as exc:  # its own failure, or this task's cancellation
            try:
                waiting = send.throw(exc)
            except StopIteration:
                return
        else:
            try:
                waiting = send.send(None)
            except StopIteration:
                return


class _Writer:
    """Writes a subscriber's messages on its socket.

    Live, the hub calls :meth:`write` (the subscriber's ``sink``) for each event: the
    ASGI send is stepped by hand and, while the transport takes data, finishes without
    suspending, so the frame is written with no task, no queue and no await. A send that
    does suspend (the transport's buffer is above its high-water mark: the client is not
    reading) makes the socket *behind*: the sink is removed, the hub queues the next
    messages (bounded), and one task finishes that send, sends the queue and, once it is
    empty, sets the sink again. An overflowed subscriber's socket is closed with 4408.
    """

    __slots__ = ("send", "socket", "sub", "task")

    def __init__(self, socket: WebSocket[Any, Any, Any], sub: Subscriber) -> None:
        self.socket = socket
        self.send = socket.send
        self.sub = sub
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Write what queued up during the replay, then go live."""
        self.sub.on_ready = self.kick
        messages = self.sub.take()
        for i, message in enumerate(messages):
            if not self._write(message, messages[i + 1 :]):
                return
        if not self.sub.overflowed:
            self.sub.sink = self.write

    def stop(self) -> None:
        self.sub.sink = None
        self.sub.on_ready = None
        if self.task is not None:
            self.task.cancel()

    def write(self, message: str) -> None:
        """The sink: write ``message`` now, or fall behind (see the class)."""
        self._write(message, [])

    def _write(self, message: str, rest: list[str]) -> bool:
        """Whether ``message`` went out without suspending. If not, the socket is behind
        (a task finishes the send, then sends ``rest`` and the queue) or gone (its reader
        sees the disconnect)."""
        send = self.send(_text(message))
        if not isinstance(send, Coroutine):  # not steppable by hand: awaited by the task
            self.sub.sink = None
            self.task = asyncio.get_running_loop().create_task(
                self._catch_up(send, _UNSTARTED, rest)
            )
            return False
        try:
            waiting = send.send(None)
        except StopIteration:
            return True
        except Exception as exc:  # closed or gone: nothing more to write
            self.sub.sink = None
            self.sub.on_ready = None
            log.debug("live socket write failed", error=repr(exc))
            return False
        self.sub.sink = None
        self.task = asyncio.get_running_loop().create_task(self._catch_up(send, waiting, rest))
        return False

    def kick(self) -> None:
        """The queue stopped being empty (or overflowed) while the socket had no sink."""
        if self.task is None and (self.sub.pending or self.sub.overflowed):
            self.task = asyncio.get_running_loop().create_task(self._catch_up(None, None, []))

    async def _catch_up(self, send: Awaitable[None] | None, waiting: Any, rest: list[str]) -> None:
        sub = self.sub
        try:
            if waiting is _UNSTARTED:
                assert send is not None
                await send
            elif isinstance(send, Coroutine):
                await _resume(send, waiting)
            for message in rest:
                await self.send(_text(message))
            while not sub.overflowed and (messages := sub.take()):
                for message in messages:
                    await self.send(_text(message))
            if sub.overflowed:
                await self.socket.close(4408, "too slow: reconnect with your last seq")
            elif sub.on_ready is not None:  # caught up (and not stopped): live again
                sub.sink = self.write
        except Exception as exc:  # the socket is gone: its reader sees the disconnect
            log.debug("live socket write failed", error=repr(exc))
        finally:
            self.task = None


async def _read_until_closed(socket: WebSocket[Any, Any, Any]) -> None:
    """Read (and ignore) what the client sends, until it closes or a ping goes unanswered."""
    while True:
        await socket.receive_data(mode="text")


@websocket("/ws", exclude_from_auth=True)
async def live_socket(socket: WebSocket[Any, Any, Any], state: State) -> None:
    """One screen's live feed: see docs/live.md."""
    await socket.accept()
    guard: SessionGuard = state.guard
    greeted = await _hello(socket, state.signer, guard)
    if greeted is None:
        return
    caller, hello = greeted
    hub: Hub = state.live.hub
    sub = hub.subscribe(caller.venue_id, frozenset(hello.topics), state.settings.live_queue_size)
    writer = _Writer(socket, sub)
    # the session (or the token) ends: the sweep closes the socket with 4401
    watched = guard.watch(caller, lambda code, reason: socket.close(code, reason))
    try:
        await _replay(socket, state, caller, hello, sub)
        del greeted, hello  # the hello's token and topics: not kept for the socket's life
        writer.start()
        await _read_until_closed(socket)
    except Exception as exc:
        log.debug("live socket ended", error=repr(exc))
    finally:
        guard.unwatch(watched)
        writer.stop()
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
