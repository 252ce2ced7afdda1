"""Scenarios on the live sockets: fan-out of one event (3) and catch-up after a gap (4).

Fan-out sockets are plain ``websockets`` clients spread over a few processes; each
records when the event reached it, on the machine's one monotonic clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench import env
from bench.context import Context
from bench.load import ARRIVAL
from bench.stats import Figure, Target, percentile
from pos_service.core.db import now_utc

FANOUT_TOPIC = "menu"  # an item 86'd reaches every handheld (docs/live.md)
PROCESSES = 2
CONNECTING_AT_ONCE = 64
CPU_NOTE = "workers' user+system, the PATCH included; the kernel counts in 10 ms ticks"


def sockets_main(conn: Connection, ws_url: str, token: str) -> None:
    """A process holding many idle subscribed sockets; commands come over ``conn``."""
    env.raise_open_files()
    asyncio.run(_sockets(conn, ws_url, token))


async def _open(ws_url: str, token: str, gate: asyncio.Semaphore) -> ClientConnection:
    async with gate:
        ws = await connect(ws_url, ping_interval=None, open_timeout=60, compression=None)
        await ws.send(json.dumps({"token": token, "topics": [FANOUT_TOPIC], "since": None}))
        ready = json.loads(await ws.recv())
        assert ready["type"] == "ready", ready
        return ws


async def _sockets(conn: Connection, ws_url: str, token: str) -> None:
    loop = asyncio.get_running_loop()
    sockets: list[ClientConnection] = []
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    while True:
        command, arg = await loop.run_in_executor(None, conn.recv)
        if command == "connect":
            opened = await asyncio.gather(
                *(_open(ws_url, token, gate) for _ in range(arg)), return_exceptions=True
            )
            sockets += [ws for ws in opened if isinstance(ws, ClientConnection)]
            conn.send(sum(not isinstance(ws, ClientConnection) for ws in opened))
        elif command == "arm":
            pending = [asyncio.create_task(_arrival(ws)) for ws in sockets]
            await asyncio.sleep(0.1)  # every socket is waiting in recv
            conn.send("armed")
            times = [t for t in await asyncio.gather(*pending) if t is not None]
            conn.send((len(times), min(times, default=0.0), max(times, default=0.0)))
        else:
            break
    for ws in sockets:
        with contextlib.suppress(Exception):
            await ws.close()


async def _arrival(ws: ClientConnection) -> float | None:
    try:
        async with asyncio.timeout(10):
            await ws.recv()
    except (TimeoutError, Exception):
        return None
    return time.monotonic()


def sockets_per_worker(server: env.Server) -> list[int]:
    """Established TCP connections on the server's port held by each worker process."""
    port = f"{server.port:04X}"
    established: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[1].rsplit(":", 1)[1] == port and fields[3] == "01":
                    established.add(fields[9])  # the socket's inode
    counts = []
    for pid in server.worker_pids():
        with contextlib.suppress(OSError):  # the supervisor's resource tracker is no worker
            if b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
        held = 0
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    link = os.readlink(fd)
                    held += link.startswith("socket:[") and link[8:-1] in established
        counts.append(held)
    return counts


class _Sockets:
    def __init__(self, ctx: Context, token: str) -> None:
        mp = multiprocessing.get_context("spawn")
        self.pipes = []
        self.procs = []
        for _ in range(PROCESSES):
            parent, child = mp.Pipe()
            proc = mp.Process(
                target=sockets_main, args=(child, ctx.server.ws_url, token), daemon=True
            )
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)

    def grow(self, total: int) -> int:
        """Open ``total`` more sockets; how many could not be opened."""
        share = total // PROCESSES
        for pipe in self.pipes:
            pipe.send(("connect", share))
        return sum(pipe.recv() for pipe in self.pipes)

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(("stop", None))
        for proc in self.procs:
            proc.join(30)
            if proc.is_alive():
                proc.kill()

    def deliver(
        self, server: env.Server, client: httpx.Client, item_id: int, available: bool
    ) -> tuple[float, int, float]:
        """Seconds from the 86 request to the last socket having it; how many got it; the
        server's CPU seconds meanwhile."""
        for pipe in self.pipes:
            pipe.send(("arm", None))
        for pipe in self.pipes:
            pipe.recv()
        cpu = server.cpu_seconds()
        start = time.monotonic()
        r = client.patch(f"/api/menu/items/{item_id}", json={"available": available})
        r.raise_for_status()
        got = [pipe.recv() for pipe in self.pipes]
        cpu = server.cpu_seconds() - cpu
        return max(g[2] for g in got) - start, sum(g[0] for g in got), cpu


def fanout(ctx: Context) -> list[Figure]:
    """Scenario 3: one event to 1,000 and 10,000 sockets; memory per idle socket."""
    env.raise_open_files()
    small, large = ctx.pick((1000, 10000), (1000, 3000), (20, 60))
    venue = ctx.venues[0]
    item_id = venue.items["Tiramisu"][0]
    t_small: list[float] = []
    t_large: list[float] = []
    cpu_small: list[float] = []
    cpu_large: list[float] = []
    per_socket: list[float] = []
    missing: list[float] = []
    busiest: list[float] = []
    spread: list[list[int]] = []
    headers = {"Authorization": f"Bearer {venue.tokens['kitchen']}"}
    with httpx.Client(base_url=ctx.server.url, headers=headers, timeout=30) as client:
        for run in range(ctx.repeat):
            if run:  # memory freed by the last run's sockets stays with the process: restart
                ctx.server.stop()
                ctx.server.start()
                ctx.server.wait_workers()
            time.sleep(ctx.pick(2, 2, 0.2))
            baseline = ctx.server.rss()
            sockets = _Sockets(ctx, venue.tokens["waiter"])
            try:
                failed = sockets.grow(small)
                seconds, got, cpu = sockets.deliver(ctx.server, client, item_id, False)
                t_small.append(seconds * 1000)
                cpu_small.append(cpu * 1000)
                failed += sockets.grow(large - small)
                time.sleep(ctx.pick(2, 2, 0.2))
                per_socket.append((ctx.server.rss() - baseline) / max(1, large - failed) / 1024)
                counts = sockets_per_worker(ctx.server)
                spread.append(counts)
                busiest.append(100 * max(counts) / max(1, sum(counts)))
                seconds, got_large, cpu = sockets.deliver(ctx.server, client, item_id, True)
                t_large.append(seconds * 1000)
                cpu_large.append(cpu * 1000)
                missing.append(small - got + large - got_large)
            finally:
                sockets.close()
    workers = len(spread[-1]) if spread else 0
    spread_note = "sockets per worker: " + "; ".join(" / ".join(map(str, c)) for c in spread)
    return [
        Figure(f"one event to {small:,} sockets: last one has it", "ms", t_small, Target(50)),
        Figure(f"one event to {large:,} sockets: last one has it", "ms", t_large, Target(500)),
        Figure(f"server CPU for it, {small:,} sockets", "ms", cpu_small, note=CPU_NOTE),
        Figure(f"server CPU for it, {large:,} sockets", "ms", cpu_large, note=CPU_NOTE),
        Figure("server memory per idle subscribed socket", "KiB", per_socket, Target(24)),
        Figure(
            f"share of the sockets on the busiest of {workers} workers",
            "%",
            busiest,
            note=spread_note,
        ),
        Figure("sockets that never got the event (or never opened)", "", missing, Target(0)),
        *publish_in_process(ctx),
    ]


CATCH_UP_EVENTS = 1000
OTHER_EVENTS_EACH = 4  # the venue's other topics move too while the screen is away
CATCH_UP_ROUNDS = 5


def _payload(check_id: int) -> dict[str, Any]:
    """About the size of a real ticket event."""
    items = [
        {
            "id": i,
            "name": name,
            "quantity": 1,
            "seat": i,
            "course": "main",
            "modifiers": [],
            "state": "new",
        }
        for i, name in enumerate(["Lasagne", "Vegan curry"], start=1)
    ]
    ticket = {
        "id": check_id,
        "number": 42,
        "check_id": check_id,
        "station": "hot",
        "table": None,
        "waiter": "Anna",
        "covers": 4,
        "allergies": [],
        "state": "new",
        "items": items,
    }
    return {
        "check_id": check_id,
        "table_id": None,
        "version": 7,
        "line_ids": [1, 2],
        "ticket": ticket,
    }


async def _write_missed(url: str, venue_id: int, topic: str) -> None:
    """Append to the log, as the unit of work does (counter, rows), events the screen misses."""
    total = CATCH_UP_EVENTS * (1 + OTHER_EVENTS_EACH)
    conn = await asyncpg.connect(env.asyncpg_dsn(url))
    try:
        await conn.execute(
            "WITH c AS (INSERT INTO counters (venue_id, name, value) "
            "VALUES ($1, 'event_seq', $2) ON CONFLICT (venue_id, name) "
            "DO UPDATE SET value = counters.value + $2 RETURNING value) "
            "INSERT INTO events (venue_id, seq, topic, type, data, at) "
            "SELECT $1, c.value - $2 + g, CASE WHEN g % 5 = 0 THEN $3 "
            "ELSE (ARRAY['orders', 'expo', 'kitchen:cold', 'printers'])[g % 5] END, "
            "CASE WHEN g % 5 = 0 THEN $4 ELSE 'other.event' END, $5::jsonb, now() "
            "FROM c, generate_series(1, $2) AS g",
            venue_id,
            total,
            topic,
            ARRIVAL.type,
            json.dumps(_payload(1)),
        )
    finally:
        await conn.close()


async def _catch_up_once(ctx: Context, venue: env.Venue) -> float:
    from pos_service.client import LiveClient

    topic = ARRIVAL.topic_of("hot")
    token = venue.tokens[ARRIVAL.role]
    first = LiveClient(ctx.server.ws_url, token, [topic])
    drain = asyncio.create_task(_count(first, 0))
    await asyncio.wait_for(first.ready.wait(), 30)
    since = first.last_seq
    await first.close()
    drain.cancel()
    await _write_missed(ctx.url, venue.id, topic)
    start = time.monotonic()
    second = LiveClient(ctx.server.ws_url, token, [topic], since=since)
    await asyncio.wait_for(_count(second, CATCH_UP_EVENTS), 30)
    elapsed = time.monotonic() - start
    await second.close()
    return elapsed


async def _count(client: Any, wanted: int) -> None:
    seen = 0
    async for event in client:
        seen += event.type == ARRIVAL.type
        if wanted and seen >= wanted:
            return


def catch_up(ctx: Context) -> list[Figure]:
    """Scenario 4: a screen that missed 1,000 of its events reconnects."""
    venue = ctx.venues[1 % len(ctx.venues)]
    p50, worst = [], []
    for _ in range(ctx.repeat):
        rounds = ctx.pick(CATCH_UP_ROUNDS, CATCH_UP_ROUNDS, 1)
        times = [env.run(_catch_up_once(ctx, venue)) * 1000 for _ in range(rounds)]
        p50.append(percentile(times, 50))
        worst.append(max(times))
    total = CATCH_UP_EVENTS * (1 + OTHER_EVENTS_EACH)
    note = f"{CATCH_UP_EVENTS:,} of its events among {total:,} of the venue"
    return [
        Figure("reconnect to caught up, median of 5", "ms", p50, Target(100), note),
        Figure("reconnect to caught up, worst of 5", "ms", worst, Target(100)),
    ]


# -- the hub's publish in one process ------------------------------------------------

UPGRADE = (
    b"GET /ws HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


async def _publish_in_process(sizes: tuple[int, ...], events: int) -> dict[int, list[float]]:
    """CPU seconds ``Hub.publish`` takes for one event to each size of subscribed sockets, in
    a process of its own: a Litestar app under uvicorn (the server's send path and
    ``_Writer``), the sockets' far ends raw and not read while it runs."""
    import socket as sockets

    import uvicorn
    from litestar import Litestar, WebSocket, websocket

    from pos_service.core.live import _read_until_closed, _Writer
    from pos_service.core.realtime_hub import Hub, encode_event

    hub = Hub()

    @websocket("/ws")
    async def live(socket: WebSocket[Any, Any, Any]) -> None:
        await socket.accept()
        await socket.receive_data(mode="text")
        sub = hub.subscribe(1, frozenset({FANOUT_TOPIC}))
        writer = _Writer(socket, sub)
        await socket.send_data("ready")
        writer.start()
        try:
            await _read_until_closed(socket)
        except Exception:
            pass
        finally:
            writer.stop()
            hub.unsubscribe(sub)

    config = uvicorn.Config(
        Litestar([live]),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
        ws_per_message_deflate=False,
        ws_ping_interval=None,
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    async with asyncio.timeout(30):
        while not server.started:  # noqa: ASYNC110 (uvicorn's flag, no event to wait on)
            await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()
    far: list[sockets.socket] = []
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)

    async def connect_one() -> None:
        async with gate:
            s = sockets.socket()
            s.setblocking(False)
            await loop.sock_connect(s, ("127.0.0.1", port))
            await loop.sock_sendall(s, UPGRADE)
            got = b""
            while b"\r\n\r\n" not in got:
                got += await loop.sock_recv(s, 4096)
            await loop.sock_sendall(s, b"\x81\x82\0\0\0\0hi")  # the hello
            while b"ready" not in got:
                got += await loop.sock_recv(s, 4096)
            far.append(s)

    message = encode_event(
        1, FANOUT_TOPIC, "menu.item_changed", {"item_id": 5, "available": False}, now_utc()
    )
    seconds: dict[int, list[float]] = {}
    seq = 1
    try:
        for size in sizes:
            await asyncio.gather(*(connect_one() for _ in range(size - len(far))))
            await asyncio.sleep(0.5)
            seconds[size] = []
            for _ in range(events):
                seq += 1
                # CPU time: on a busy machine the wall time mostly waits for a core
                began = time.thread_time()
                hub.publish(1, seq, FANOUT_TOPIC, message)
                seconds[size].append(time.thread_time() - began)
                await asyncio.sleep(0.05)
                for s in far:  # drain, so no socket falls behind
                    with contextlib.suppress(BlockingIOError):
                        while s.recv(1 << 16):
                            pass
    finally:
        for s in far:
            s.close()
        server.should_exit = True
        await serving
    return seconds


def publish_in_process(ctx: Context) -> list[Figure]:
    """The server's side of scenario 3 alone: ``Hub.publish`` to 1,000 and 10,000 sockets."""
    # 5,000 is one of two workers' share of 10,000 (and both ends of 10,000 in one
    # process would pass the usual limit of 20,000 open files)
    sizes = ctx.pick((1000, 5000), (1000, 3000), (20, 60))
    runs: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(ctx.repeat):
        got = env.run(_publish_in_process(sizes, 5))
        for size in sizes:
            runs[size].append(percentile(got[size], 50) * 1000)
    note = (
        "CPU time of the publish, median of 5 events (the server's whole fan-out: the"
        " frames are on the sockets when it returns); one process, the far ends not reading"
    )
    return [
        Figure(
            f"in one process: publish one event to {size:,} sockets (CPU)",
            "ms",
            runs[size],
            Target(target),
            note,
        )
        for size, target in zip(sizes, (50, 500), strict=True)
    ]
