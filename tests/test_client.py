from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from pos_service.client import (
    Event,
    LiveClient,
    LiveClientRefused,
    State,
    backoff_delays,
    wait_for,
)

AT = "2025-03-01T18:30:00Z"


class FakeLive:
    """A `/ws` server over an in-memory event log, speaking `docs/live.md`.

    `reject_first` connections are closed with 1011 right after the hello; a `since`
    below `retained_from - 1` gets a snapshot per topic; `duplicate` sends every event
    twice and `overlap` replays that many already-seen seqs again on a resume. An ack
    `{"type": "ack", "job": n}` from a client appends a `printers` event `print.acked`.
    """

    def __init__(
        self,
        *,
        reject_first: int = 0,
        retained_from: int = 1,
        duplicate: bool = False,
        overlap: int = 0,
    ) -> None:
        self.reject_first = reject_first
        self.retained_from = retained_from
        self.duplicate = duplicate
        self.overlap = overlap
        self.log: list[dict[str, Any]] = []
        self.hellos: list[dict[str, Any]] = []
        self.connected_at: list[float] = []
        self._live: set[asyncio.Queue[dict[str, Any]]] = set()
        self._sockets: set[ServerConnection] = set()

    def append(self, topic: str, type: str = "order.sent", **data: Any) -> int:
        seq = len(self.log) + 1
        event = {"seq": seq, "topic": topic, "type": type, "data": data, "at": AT}
        self.log.append(event)
        for queue in self._live:
            queue.put_nowait(event)
        return seq

    def kill(self) -> None:
        """Drop every connection without a close frame, as a dead Wi-Fi link would."""
        for ws in self._sockets:
            ws.transport.abort()

    async def handler(self, ws: ServerConnection) -> None:
        self.connected_at.append(time.monotonic())
        hello = json.loads(await ws.recv())
        self.hellos.append(hello)
        topics = set(hello["topics"])
        if not topics:
            await ws.close(4400, "no topics")
        elif hello["token"] != "good":
            await ws.close(4401, "token expired")
        elif "payments" in topics:
            await ws.close(4403, "topic refused: payments")
        elif len(self.connected_at) <= self.reject_first:
            await ws.close(1011, "starting up")
        else:
            await self._stream(ws, topics, hello["since"])

    async def _stream(self, ws: ServerConnection, topics: set[str], since: int | None) -> None:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._live.add(queue)
        self._sockets.add(ws)
        head = len(self.log)
        writer = asyncio.create_task(self._write(ws, queue, topics, since, head))
        try:
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "ack":
                    self.append("printers", "print.acked", job=message["job"])
        except ConnectionClosed:
            pass
        finally:
            writer.cancel()
            self._live.discard(queue)
            self._sockets.discard(ws)

    async def _write(
        self,
        ws: ServerConnection,
        queue: asyncio.Queue[dict[str, Any]],
        topics: set[str],
        since: int | None,
        head: int,
    ) -> None:
        try:
            if since is not None and since < self.retained_from - 1:
                for topic in sorted(topics):
                    await self._send(ws, head, topic, "snapshot", {"state": f"{topic}@{head}"})
            else:
                start = max(0, (since or 0) - self.overlap)
                for event in self.log[start:head]:
                    if event["topic"] in topics:
                        await self._send(ws, **event)
            await self._send(ws, head, None, "ready", {"topics": sorted(topics)})
            while True:
                event = await queue.get()
                if event["topic"] in topics:
                    await self._send(ws, **event)
        except ConnectionClosed:
            pass

    async def _send(
        self,
        ws: ServerConnection,
        seq: int,
        topic: str | None,
        type: str,
        data: dict[str, Any],
        at: str = AT,
    ) -> None:
        message = json.dumps({"seq": seq, "topic": topic, "type": type, "data": data, "at": at})
        for _ in range(2 if self.duplicate else 1):
            await ws.send(message)


@asynccontextmanager
async def running(server: FakeLive) -> AsyncIterator[str]:
    async with serve(server.handler, "127.0.0.1", 0) as ws_server:
        host, port = next(iter(ws_server.sockets)).getsockname()[:2]
        yield f"ws://{host}:{port}/ws"


async def take(client: LiveClient, n: int) -> list[Event]:
    async with asyncio.timeout(5):
        return [await anext(client) for _ in range(n)]


@pytest.mark.timeout(10)
async def test_a_dropped_client_gets_exactly_what_it_missed_then_live_events() -> None:
    server = FakeLive()
    states: list[State] = []
    async with running(server) as url:
        for _ in range(10):
            server.append("orders")
        async with LiveClient(
            url, "good", ["orders"], backoff_initial=0.01, on_state=states.append
        ) as client:
            assert [e.seq for e in await take(client, 10)] == list(range(1, 11))

            server.kill()
            missed = [server.append("orders", check_id=i) for i in range(50)]
            server.append("floor")
            assert [e.seq for e in await take(client, 50)] == missed
            live = [server.append("orders"), server.append("orders")]
            assert [e.seq for e in await take(client, 2)] == live

            assert [h["since"] for h in server.hellos] == [None, 10]
            assert states == ["connected", "ready", "disconnected", "connected", "ready"]
            assert client.last_seq == live[-1]
            assert client.ready.is_set()


@pytest.mark.timeout(10)
async def test_duplicates_from_the_server_are_dropped() -> None:
    server = FakeLive(duplicate=True, overlap=3)
    async with running(server) as url:
        for _ in range(5):
            server.append("orders")
        async with LiveClient(url, "good", ["orders"], backoff_initial=0.01) as client:
            first = await take(client, 5)
            server.kill()
            server.append("orders")
            server.append("orders")
            again = await take(client, 2)

    assert [e.seq for e in first + again] == [1, 2, 3, 4, 5, 6, 7]
    assert server.hellos[1]["since"] == 5


@pytest.mark.timeout(10)
async def test_a_client_too_far_behind_gets_a_snapshot_per_topic_then_newer_events() -> None:
    server = FakeLive(retained_from=50)
    async with running(server) as url:
        for seq in range(1, 61):
            server.append("floor" if seq % 2 else "orders")
        async with LiveClient(url, "good", ["orders", "floor"], since=10) as client:
            snapshots = await take(client, 2)
            assert client.last_seq == 60
            server.append("orders")
            (event,) = await take(client, 1)

    assert [(e.seq, e.topic, e.type) for e in snapshots] == [
        (60, "floor", "snapshot"),
        (60, "orders", "snapshot"),
    ]
    assert snapshots[1].data == {"state": "orders@60"}
    assert (event.seq, event.type) == (61, "order.sent")


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    ("token", "topics", "code", "reason"),
    [
        ("good", [], 4400, "no topics"),
        ("stale", ["orders"], 4401, "token expired"),
        ("good", ["orders", "payments"], 4403, "topic refused: payments"),
    ],
)
async def test_a_refusal_stops_the_client_without_retrying(
    token: str, topics: list[str], code: int, reason: str
) -> None:
    server = FakeLive()
    async with running(server) as url, LiveClient(url, token, topics, backoff_initial=0.01) as c:
        with pytest.raises(LiveClientRefused) as refused:
            await take(c, 1)
        await asyncio.sleep(0.1)
        with pytest.raises(LiveClientRefused):
            await take(c, 1)

    assert (refused.value.code, refused.value.reason) == (code, reason)
    assert len(server.hellos) == 1


@pytest.mark.timeout(10)
async def test_backoff_grows_while_failing_and_resets_after_a_ready() -> None:
    server = FakeLive(reject_first=4)
    async with running(server) as url:
        server.append("orders")
        async with LiveClient(
            url, "good", ["orders"], backoff_initial=0.05, backoff_max=0.4
        ) as client:
            await take(client, 1)
            server.append("orders")
            await wait_for(client, lambda e: e.seq == 2, 5)
            dropped_at = time.monotonic()
            server.kill()
            server.append("orders")
            await wait_for(client, lambda e: e.seq == 3, 5)

    t = server.connected_at
    gaps = [b - a for a, b in itertools.pairwise(t[:5])]
    assert len(t) == 6
    assert gaps[0] < gaps[2] < gaps[3]
    assert gaps[3] >= 0.2
    assert t[5] - dropped_at < 0.15


def test_backoff_delays_double_up_to_the_maximum_with_jitter() -> None:
    delays = backoff_delays(0.2, 3.0)
    ceilings = [0.2, 0.4, 0.8, 1.6, 3.0, 3.0, 3.0]

    for ceiling in ceilings:
        assert ceiling / 2 <= next(delays) <= ceiling


@pytest.mark.timeout(10)
async def test_send_reaches_the_server_as_json() -> None:
    server = FakeLive()
    async with running(server) as url, LiveClient(url, "good", ["printers"]) as client:
        with pytest.raises(ConnectionError):
            await client.send({"type": "ack", "job": 1})
        server.append("printers", "print.queued", job=7)
        await take(client, 1)
        await client.send({"type": "ack", "job": 7})
        acked = await wait_for(client, lambda e: e.type == "print.acked", 5)

    assert acked.data == {"job": 7}


@pytest.mark.timeout(10)
async def test_close_ends_the_iteration_even_while_waiting_to_reconnect() -> None:
    server = FakeLive(reject_first=100)
    async with running(server) as url:
        dropped = asyncio.Event()

        def on_state(state: State) -> None:
            if state == "disconnected":
                dropped.set()

        client = LiveClient(url, "good", ["orders"], backoff_initial=30, on_state=on_state)
        waiting = asyncio.create_task(wait_for(client, lambda e: True, 5))
        await dropped.wait()
        await client.close()
        with pytest.raises(EOFError):
            await waiting
