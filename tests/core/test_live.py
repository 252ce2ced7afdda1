"""Live updates over /ws against a real uvicorn with real websockets clients."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import time
from typing import Any

import httpx
import pytest
import websockets
from litestar import Litestar

from pos_service.client import Event, LiveClient, LiveClientRefused
from pos_service.core.auth import Caller, TokenSigner
from tests.conftest import Demo
from tests.support.servers import serve, server_process, ws_url

pytestmark = pytest.mark.timeout(240)
AT = datetime.datetime(2025, 3, 1, 18, 30, tzinfo=datetime.UTC)


async def _token(demo: Demo, role: str) -> str:
    return demo.headers[role]["Authorization"].removeprefix("Bearer ")


class Collector:
    """Iterates a LiveClient in the background, keeping what arrives."""

    def __init__(self, client: LiveClient) -> None:
        self.client = client
        self.events: list[Event] = []
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        async for event in self.client:
            self.events.append(event)

    async def ready(self, timeout: float = 10) -> None:
        async with asyncio.timeout(timeout):
            while not self.client.ready.is_set():
                if self.task.done():
                    self.task.result()
                await asyncio.sleep(0.01)

    async def take(self, n: int, timeout: float = 20) -> list[Event]:
        async with asyncio.timeout(timeout):
            while len(self.events) < n:
                if self.task.done():
                    self.task.result()
                await asyncio.sleep(0.01)
        got, self.events = self.events[:n], self.events[n:]
        return got

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task


@contextlib.asynccontextmanager
async def collecting(url: str, token: str, topics: list[str], since: int | None = None):  # type: ignore[no-untyped-def]
    async with LiveClient(ws_url(url), token, topics, since=since) as client:
        collector = Collector(client)
        try:
            await collector.ready()
            yield collector
        finally:
            await collector.stop()


class Waiter:
    """A handheld talking HTTP to a server."""

    def __init__(self, url: str, demo: Demo, role: str = "waiter") -> None:
        self.http = httpx.AsyncClient(base_url=url, headers=demo.headers[role], timeout=10)
        self.demo = demo

    async def add(self, check_id: int, item: str = "Espresso") -> dict[str, Any]:
        r = await self.http.post(
            f"/api/checks/{check_id}/lines", json={"item_id": (await self.demo.item(item))["id"]}
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def close(self) -> None:
        await self.http.aclose()


async def test_reconnect_gets_exactly_the_missed_events_then_live(
    demo: Demo, fresh_app: Litestar
) -> None:
    check = await demo.open_check()
    async with serve(fresh_app) as url:
        waiter = Waiter(url, demo)
        token = await _token(demo, "manager")
        async with collecting(url, token, ["orders"]) as live:
            await waiter.add(check["id"])
            first = await live.take(1)
            last_seen = first[0].seq
        # offline: 50 changes happen
        for _ in range(50):
            await waiter.add(check["id"])
        async with collecting(url, token, ["orders"], since=last_seen) as live:
            missed = await live.take(50)
            assert [e.type for e in missed] == ["line.added"] * 50
            seqs = [e.seq for e in missed]
            assert seqs == sorted(seqs)
            assert seqs[0] > last_seen
            assert [e.data["version"] for e in missed] == list(range(3, 53))
            await waiter.add(check["id"])
            now = await live.take(1)
            assert now[0].seq > seqs[-1]
            assert now[0].data["version"] == 53
        await waiter.close()


async def test_a_change_through_one_process_reaches_a_client_of_another(
    demo: Demo, fresh_app: Litestar, database_url: str
) -> None:
    check = await demo.open_check()
    token = await _token(demo, "waiter")
    with server_process(database_url) as other_url:
        async with collecting(other_url, token, ["orders"]) as live:
            async with serve(fresh_app) as url:
                waiter = Waiter(url, demo)
                added = await waiter.add(check["id"])
                got = await live.take(1)
                assert got[0].type == "line.added"
                assert got[0].data["line"]["id"] == added["lines"][-1]["id"]
                await waiter.close()


async def test_500_subscribers_get_a_burst_of_200_in_order(demo: Demo, fresh_app: Litestar) -> None:
    check = await demo.open_check()
    token = await _token(demo, "waiter")
    async with serve(fresh_app) as url:
        hello = '{"token": "%s", "topics": ["check:%d"], "since": null}' % (token, check["id"])
        sockets = []
        for _ in range(500):
            ws = await websockets.connect(ws_url(url), max_queue=None, ping_interval=None)
            await ws.send(hello)
            sockets.append(ws)
        for ws in sockets:
            ready = await asyncio.wait_for(ws.recv(), 20)
            assert '"ready"' in ready
        waiter = Waiter(url, demo)
        for _ in range(200):
            await waiter.add(check["id"])

        async def collect(ws: Any) -> list[int]:
            seqs: list[int] = []
            while len(seqs) < 200:
                message = await asyncio.wait_for(ws.recv(), 30)
                seqs.append(int(message.split('"seq":', 1)[1].split(",", 1)[0]))
            return seqs

        results = await asyncio.gather(*(collect(ws) for ws in sockets))
        expected = results[0]
        assert len(set(expected)) == 200
        assert expected == sorted(expected)
        assert all(r == expected for r in results)
        for ws in sockets:
            await ws.close()
        await waiter.close()


async def test_topic_rules_and_expired_tokens(demo: Demo, fresh_app: Litestar) -> None:
    check = await demo.open_check()
    other = await demo.open_check("3")
    signer: TokenSigner = fresh_app.state.signer
    guest = signer.issue(Caller(kind="guest", venue_id=demo.venue_id, check_id=check["id"]), 60)
    expired = signer.issue(
        Caller(kind="staff", venue_id=demo.venue_id, staff_id=1, roles=frozenset({"manager"})), -5
    )
    async with serve(fresh_app) as url:
        with pytest.raises(LiveClientRefused) as refused:
            async with collecting(url, await _token(demo, "kitchen"), ["payments"]):
                pass
        assert refused.value.code == 4403
        assert "payments" in refused.value.reason

        async with collecting(url, await _token(demo, "kitchen"), ["kitchen:hot", "expo"]):
            pass

        with pytest.raises(LiveClientRefused) as refused:
            async with collecting(url, guest, [f"check:{other['id']}"]):
                pass
        assert refused.value.code == 4403

        waiter = Waiter(url, demo)
        async with collecting(url, guest, [f"check:{check['id']}"]) as live:
            await waiter.add(other["id"])
            await waiter.add(check["id"])
            got = await live.take(1)
            assert got[0].topic == f"check:{check['id']}"
            assert got[0].data["check_id"] == check["id"]
        await waiter.close()

        with pytest.raises(LiveClientRefused) as refused:
            async with collecting(url, expired, ["orders"]):
                pass
        assert refused.value.code == 4401


async def test_client_too_slow_is_closed_4408_and_others_keep_everything(
    demo: Demo, settings: Any
) -> None:
    import socket

    import msgspec

    from pos_service.app import create_app
    from pos_service.core.realtime_hub import encode_event

    check = await demo.open_check()
    small = create_app(msgspec.structs.replace(settings, live_queue_size=2))
    token = await _token(demo, "manager")
    loop = asyncio.get_running_loop()
    async with serve(small) as url:
        hub = small.state.live.hub
        # a screen that stops reading after its `ready`, with a small receive buffer: the
        # server's writes soon stop going out and its socket falls behind
        slow = socket.socket()
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.setblocking(False)
        await loop.sock_connect(slow, ("127.0.0.1", int(url.rsplit(":", 1)[1])))
        await loop.sock_sendall(
            slow,
            b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        )
        received = b""
        async with asyncio.timeout(10):
            while b"\r\n\r\n" not in received:
                received += await loop.sock_recv(slow, 4096)
        hello = '{"token": "%s", "topics": ["check:%d", "orders", "floor"], "since": null}'
        payload = (hello % (token, check["id"])).encode()
        frame = bytes([0x81, 0x80 | 126]) + len(payload).to_bytes(2, "big") + b"\0" * 4
        await loop.sock_sendall(slow, frame + payload)
        async with asyncio.timeout(10):
            while b'"ready"' not in received:
                received += await loop.sock_recv(slow, 4096)
        async with collecting(url, token, ["orders"]) as fast:
            subs = hub.count()
            big = {"pad": "x" * 60_000}
            topic = f"check:{check['id']}"
            for i in range(1, 2000):  # on the slow screen's topic only
                seq = 10**9 + i
                hub.publish(demo.venue_id, seq, topic, encode_event(seq, topic, "big", big, AT))
                await asyncio.sleep(0)
                if hub.count() < subs:
                    break
            assert hub.count() == subs - 1  # overflowed: dropped from the hub
            # the others keep everything: one merge commits several events at once
            other = await demo.open_check("3")
            async with httpx.AsyncClient(base_url=url, headers=demo.headers["waiter"]) as http:
                r = await http.post(
                    f"/api/checks/{check['id']}/merge", json={"check_id": other["id"]}
                )
                assert r.status_code == 200
            got = await fast.take(2)
            assert [e.type for e in got] == ["check.opened", "check.merged"]
            # reading again, the slow screen gets what was in flight, then a close 4408
            closing = (4408).to_bytes(2, "big") + b"too slow"
            async with asyncio.timeout(20):
                while closing not in received[-200_000:]:
                    chunk = await loop.sock_recv(slow, 1 << 16)
                    assert chunk, "closed without 4408"
                    received += chunk
        slow.close()


async def test_dead_client_is_dropped_by_pings(demo: Demo, fresh_app: Litestar) -> None:
    token = await _token(demo, "waiter")
    async with serve(fresh_app, ws_ping_interval=0.3, ws_ping_timeout=0.3) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", int(url.rsplit(":", 1)[1]))
        writer.write(
            b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        await reader.readuntil(b"\r\n\r\n")
        hub = fresh_app.state.live.hub
        payload = ('{"token": "%s", "topics": ["floor"], "since": null}' % token).encode()
        mask = b"\x00\x00\x00\x00"
        writer.write(bytes([0x81, 0x80 | 126]) + len(payload).to_bytes(2, "big") + mask + payload)
        await writer.drain()
        deadline = time.monotonic() + 5
        while hub.count() == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert hub.count() == 1
        # never answer a ping: the server must drop the socket
        deadline = time.monotonic() + 10
        while hub.count() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert hub.count() == 0
        writer.close()


async def test_idle_sockets_cost_no_task_of_their_own_and_still_get_every_event(
    demo: Demo, fresh_app: Litestar
) -> None:
    check = await demo.open_check()
    token = await _token(demo, "waiter")
    async with serve(fresh_app) as url:
        hello = '{"token": "%s", "topics": ["orders"], "since": null}' % token
        before = len(asyncio.all_tasks())
        sockets = []
        for _ in range(30):
            ws = await websockets.connect(ws_url(url), ping_interval=None)
            await ws.send(hello)
            assert '"ready"' in await asyncio.wait_for(ws.recv(), 10)
            sockets.append(ws)
        await asyncio.sleep(0.1)
        # the client's own reader task and the server's handler task, per socket
        assert len(asyncio.all_tasks()) - before <= 2 * len(sockets)
        waiter = Waiter(url, demo)
        for _ in range(3):
            await waiter.add(check["id"])
        for ws in sockets:
            got = [await asyncio.wait_for(ws.recv(), 10) for _ in range(3)]
            assert all('"line.added"' in message for message in got)
        # written at once while the transports took them: no writer task was left behind
        assert len(asyncio.all_tasks()) - before <= 2 * len(sockets)
        assert not any("_catch_up" in repr(task.get_coro()) for task in asyncio.all_tasks()), (
            "a socket that keeps up needs no writer task"
        )
        for ws in sockets:
            await ws.close()
        await waiter.close()
