"""Scenario 9: a real venue's devices, at 1, 10 and 100 venues.

Each venue has what a restaurant has: 8 handhelds, 4 kitchen screens (one per station),
an expo screen, a host stand and a manager page, each a real websocket client with the
topics its page asks for (web/static/handheld.js, kitchen.js, host.js, manager.js and
manager-live.js; the manager page opens two sockets, its own and the Live section's)
and making the HTTP reads its page makes. Meanwhile each venue's waiters send an order
every few seconds (``SEND_EVERY``), spread evenly over the venues.

Two models of the pages:

- *apply* (default): a page reads on start (and after a gap it cannot replay, which the
  benchmark does not provoke) and applies each event; what a screen shows changes when
  the event is on its socket.
- *refetch* (``--refetch``): each event makes the page read again, once per burst
  (``POS.debounce``: 120 ms, the manager's Live section 250 ms), as the pages did before
  they applied events; what a screen shows changes when those reads have answered.

Measured per size: send-to-screen latency on every screen an event of the send reached,
the HTTP reads of the screens per send, the server's CPU per send against the same sends
with no screen connected (target: at most twice), and server memory per socket.
Device sockets live in ``PROCESSES`` processes; a send's start and a socket's receipt are
stamped with the machine's one monotonic clock.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import datetime as dt
import json
import math
import multiprocessing
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench import env
from bench.context import Context
from bench.stats import Figure, Target, percentile

SEND_EVERY = 5.0  # seconds between two sends of one venue (twice a busy venue's peak)
PROCESSES = 2
CONNECTING_AT_ONCE = 32
HANDHELDS, KITCHEN_SCREENS = 8, 4
DEBOUNCE = 0.12  # POS.debounce's default
MANAGER_DEBOUNCE = 0.25  # manager-live.js


@dataclass(frozen=True)
class Device:
    """One socket of a page: who, which topics, what the page reads (on start, and on
    each burst of events when refetching)."""

    venue_id: int
    kind: str  # handheld, kitchen, expo, host, manager
    token: str
    topics: tuple[str, ...]
    reads: tuple[str, ...]
    start_reads: tuple[str, ...] = ()  # read once at start only (the handheld's menu)
    debounce: float = DEBOUNCE


def devices_of(venue: env.Venue, checks: list[int], refetch: bool = False) -> list[Device]:
    """The sockets of one venue's devices, as its pages open them: a handheld follows
    `floor`, `menu` and the `check:<id>` it holds (one socket here, two in the page);
    ``refetch`` models the pages before they applied events, a handheld then following
    every check's events on `orders` and `payments`."""
    waiter, kitchen, manager = (
        venue.tokens["waiter"],
        venue.tokens["kitchen"],
        venue.tokens["manager"],
    )
    stations = sorted(venue.stations)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    out = [
        Device(
            venue.id,
            "handheld",
            waiter,
            ("floor", "orders", "payments")
            if refetch
            else ("floor", "menu", f"check:{checks[i % len(checks)]}"),
            ("/api/floor", f"/api/checks/{checks[i % len(checks)]}"),
            ("/api/menu",),
        )
        for i in range(HANDHELDS)
    ]
    for i in range(KITCHEN_SCREENS):
        station = stations[i % len(stations)]
        out.append(
            Device(
                venue.id,
                "kitchen",
                kitchen,
                (f"kitchen:{station}",),
                (
                    f"/api/kitchen/tickets?station={station}",
                    f"/api/kitchen/all-day?station={station}",
                ),
            )
        )
    out.append(Device(venue.id, "expo", kitchen, ("expo",), ("/api/kitchen/expo",)))
    # the demo venue has no host PIN: the host stand signs in as the manager
    out.append(
        Device(
            venue.id,
            "host",
            manager,
            ("floor", "reservations"),
            ("/api/floor", f"/api/reservations?date={today}", "/api/waitlist"),
        )
    )
    # manager.js's socket (the Live section shown: floor and printers events redraw
    # nothing) and manager-live.js's, which applies its events (re-read when refetching)
    out.append(
        Device(venue.id, "manager", manager, ("floor", "printers"), (), ("/api/reports/live",))
    )
    out.append(
        Device(
            venue.id,
            "manager",
            manager,
            ("orders", "payments") if refetch else ("orders", "payments", "reports"),
            ("/api/reports/live",),
            debounce=MANAGER_DEBOUNCE,
        )
    )
    return out


# -- the device processes -------------------------------------------------------------


class _Page:
    """One device's socket and reads, recording when events arrive and reads answer."""

    def __init__(self, index: int, device: Device, proc: _Process) -> None:
        self.index = index
        self.device = device
        self.proc = proc
        self.ws: ClientConnection | None = None
        self.burst_at: float | None = None  # first event of the burst being debounced
        self.timer: asyncio.TimerHandle | None = None

    async def open(self, ws_url: str, gate: asyncio.Semaphore) -> None:
        async with gate:
            ws = await connect(ws_url, ping_interval=None, open_timeout=120, compression=None)
            hello = {"token": self.device.token, "topics": list(self.device.topics), "since": None}
            await ws.send(json.dumps(hello))
            ready = json.loads(await ws.recv())
            assert ready["type"] == "ready", ready
            self.ws = ws
        await self.read(self.device.start_reads + self.device.reads)

    async def read(self, paths: tuple[str, ...]) -> None:
        headers = {"Authorization": f"Bearer {self.device.token}"}
        for path in paths:
            self.proc.requests += 1
            try:
                r = await self.proc.http.get(path, headers=headers)
                self.proc.failed += r.status_code != 200
            except httpx.HTTPError:
                self.proc.failed += 1

    async def listen(self) -> None:
        assert self.ws is not None
        with contextlib.suppress(Exception):
            async for _ in self.ws:
                now = time.monotonic()
                self.proc.arrivals.append((self.device.venue_id, self.index, now))
                if self.proc.refetch and self.device.reads:
                    if self.burst_at is None:
                        self.burst_at = now
                    if self.timer is not None:
                        self.timer.cancel()
                    loop = asyncio.get_running_loop()
                    self.timer = loop.call_later(self.device.debounce, self._refetch)

    def _refetch(self) -> None:
        first, self.burst_at, self.timer = self.burst_at, None, None
        task = asyncio.get_running_loop().create_task(self._reread(first or time.monotonic()))
        self.proc.tasks.add(task)
        task.add_done_callback(self.proc.tasks.discard)

    async def _reread(self, first: float) -> None:
        await self.read(self.device.reads)
        self.proc.refreshed.append((self.device.venue_id, self.index, first, time.monotonic()))


class _Process:
    def __init__(self, base_url: str) -> None:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits)
        self.refetch = False
        self.requests = 0
        self.failed = 0
        self.arrivals: list[tuple[int, int, float]] = []
        self.refreshed: list[tuple[int, int, float, float]] = []
        self.tasks: set[asyncio.Task[None]] = set()


async def _settle(proc: _Process) -> None:
    """Wait for the re-reads in flight; cancel those an overloaded server never answers."""
    if proc.tasks:
        await asyncio.wait(set(proc.tasks), timeout=10)
        for task in proc.tasks:
            task.cancel()


def devices_main(conn: Connection, base_url: str, ws_url: str) -> None:
    """A process holding some venues' device sockets; commands come over ``conn``."""
    env.raise_open_files()
    asyncio.run(_devices(conn, base_url, ws_url))


async def _devices(conn: Connection, base_url: str, ws_url: str) -> None:
    loop = asyncio.get_running_loop()
    proc = _Process(base_url)
    pages: list[_Page] = []
    listeners: list[asyncio.Task[None]] = []
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    while True:
        command, arg = await loop.run_in_executor(None, conn.recv)
        if command == "open":
            first, devices, proc.refetch = arg
            new = [_Page(first + i, device, proc) for i, device in enumerate(devices)]
            opened = await asyncio.gather(
                *(p.open(ws_url, gate) for p in new), return_exceptions=True
            )
            for page, result in zip(new, opened, strict=True):
                if result is None:
                    pages.append(page)
                    listeners.append(asyncio.create_task(page.listen()))
            conn.send((sum(r is not None for r in opened), proc.requests, proc.failed))
        elif command == "reset":
            proc.requests = proc.failed = 0
            proc.arrivals, proc.refreshed = [], []
            conn.send("reset")
        elif command == "collect":
            await asyncio.sleep(arg)  # the last sends' events and reads
            await _settle(proc)
            conn.send((proc.arrivals, proc.refreshed, proc.requests, proc.failed))
        elif command == "close":
            for task in listeners:
                task.cancel()
            for page in pages:
                if page.ws is not None:
                    with contextlib.suppress(Exception):
                        await page.ws.close()
            pages, listeners = [], []
            conn.send("closed")
        else:
            break
    await proc.http.aclose()


class _Devices:
    """The device processes of one size."""

    def __init__(self, ctx: Context) -> None:
        mp = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs: list[Any] = []
        for _ in range(PROCESSES):
            parent, child = mp.Pipe()
            proc = mp.Process(
                target=devices_main,
                args=(child, ctx.server.url, ctx.server.ws_url),
                daemon=True,
            )
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)
        self.kinds: list[str] = []

    def open(self, devices: list[Device], refetch: bool) -> tuple[int, int, int]:
        """Open every device's socket and make its start reads; (failed, reads, failed reads)."""
        self.kinds = [d.kind for d in devices]
        share = math.ceil(len(devices) / PROCESSES)
        for i, pipe in enumerate(self.pipes):
            pipe.send(("open", (i * share, devices[i * share : (i + 1) * share], refetch)))
        got = [pipe.recv() for pipe in self.pipes]
        return sum(g[0] for g in got), sum(g[1] for g in got), sum(g[2] for g in got)

    def reset(self) -> None:
        for pipe in self.pipes:
            pipe.send(("reset", None))
        for pipe in self.pipes:
            pipe.recv()

    def collect(self, wait: float) -> tuple[list[Any], list[Any], int, int]:
        for pipe in self.pipes:
            pipe.send(("collect", wait))
        got = [pipe.recv() for pipe in self.pipes]
        return (
            [a for g in got for a in g[0]],
            [r for g in got for r in g[1]],
            sum(g[2] for g in got),
            sum(g[3] for g in got),
        )

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(("close", None))
                pipe.recv()
            with contextlib.suppress(OSError):
                pipe.send(("stop", None))
        for proc in self.procs:
            proc.join(30)
            if proc.is_alive():
                proc.kill()


# -- the waiters ----------------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    venue_id: int
    start: float
    end: float
    status: int


async def _waiters(
    base_url: str, venues: list[env.Venue], pools: dict[int, list[int]], duration: float
) -> list[Send]:
    """Each venue sends every ``SEND_EVERY`` s, the venues' sends spread evenly."""
    sends: list[Send] = []
    limits = httpx.Limits(max_connections=len(venues) + 8)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:

        async def send(venue: env.Venue, check_id: int) -> None:
            headers = {
                "Authorization": f"Bearer {venue.tokens['waiter']}",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            start = time.monotonic()
            try:
                status = (
                    await http.post(f"/api/checks/{check_id}/send", json={}, headers=headers)
                ).status_code
            except httpx.HTTPError:
                status = 0
            sends.append(Send(venue.id, start, time.monotonic(), status))

        schedule = sorted(
            (i * SEND_EVERY / len(venues) + k * SEND_EVERY, venue)
            for i, venue in enumerate(venues)
            for k in range(max(1, int(duration / SEND_EVERY)))
        )
        began = time.monotonic()
        tasks = []
        for at, venue in schedule:
            delay = began + at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(venue, pools[venue.id].pop())))
        await asyncio.gather(*tasks)
    return sends


def _phase(ctx: Context, venues: list[env.Venue], duration: float) -> tuple[list[Send], float]:
    """One timed phase of sends; the sends and the server's CPU seconds meanwhile."""
    per_venue = max(1, int(duration / SEND_EVERY)) + 1
    pools, _ = ctx.prepare(per_venue * len(venues), venues)
    ctx.server.wait_idle(timeout=30)
    cpu = ctx.server.cpu_seconds()
    sends = env.run(_waiters(ctx.server.url, venues, pools, duration))
    return sends, ctx.server.cpu_seconds() - cpu


# -- figures --------------------------------------------------------------------------


SendKey = tuple[int, int]  # (venue id, the send's index among the venue's)


def _starts(sends: list[Send]) -> dict[int, list[float]]:
    """Each venue's answered sends' start times, in order."""
    starts: dict[int, list[float]] = defaultdict(list)
    for s in sorted(sends, key=lambda s: s.start):
        if s.status == 200:
            starts[s.venue_id].append(s.start)
    return starts


def _latencies(
    sends: list[Send], arrivals: list[tuple[int, int, float]]
) -> tuple[dict[tuple[SendKey, int], float], int]:
    """Per (send, device), seconds from the send's start to the first event on the
    device's socket after it; and how many answered sends reached no socket."""
    starts = _starts(sends)
    first: dict[tuple[SendKey, int], float] = {}
    for venue_id, device, at in sorted(arrivals, key=lambda a: a[2]):
        venue_starts = starts.get(venue_id, [])
        i = bisect.bisect_right(venue_starts, at) - 1
        if i >= 0:
            first.setdefault(((venue_id, i), device), at - venue_starts[i])
    reached = {send for send, _ in first}
    return first, sum(len(v) for v in starts.values()) - len(reached)


def _per_send_max_by_key(latencies: dict[tuple[SendKey, int], float]) -> dict[SendKey, float]:
    worst: dict[SendKey, float] = {}
    for (send, _device), seconds in latencies.items():
        worst[send] = max(worst.get(send, 0.0), seconds)
    return worst


def _per_send_max(latencies: dict[tuple[SendKey, int], float]) -> list[float]:
    return list(_per_send_max_by_key(latencies).values())


def _answers(sends: list[Send]) -> dict[SendKey, tuple[float, float]]:
    """Each answered send's (start, end), by the key ``_latencies`` gives it."""
    out: dict[SendKey, tuple[float, float]] = {}
    count: dict[int, int] = defaultdict(int)
    for s in sorted(sends, key=lambda s: s.start):
        if s.status == 200:
            out[(s.venue_id, count[s.venue_id])] = (s.start, s.end)
            count[s.venue_id] += 1
    return out


def venue_devices(ctx: Context) -> list[Figure]:
    """Scenario 9: 1, 10 and 100 venues' devices while their waiters send."""
    env.raise_open_files()
    refetch = ctx.refetch
    sizes = ctx.venue_sizes or ctx.pick((1, 10, 100), (1, 10, 100), (1, 2))
    duration = ctx.pick(60.0, 20.0, 6.0)
    settle = ctx.pick(2.0, 2.0, 1.0)
    largest = max(sizes)
    venues = ctx.venues
    if len(venues) < largest:
        env.run(env.seed(ctx.url, largest))
        venues = env.run(env.venues(ctx.url, ctx.server.url, largest))
    mode = "refetch" if refetch else "apply"
    figures: list[Figure] = []
    for size in sizes:
        chosen = venues[:size]
        values: dict[str, list[float]] = defaultdict(list)
        notes: dict[str, str] = {}
        for _ in range(ctx.repeat):
            # the same sends with no screen connected
            bare, bare_cpu = _phase(ctx, chosen, duration)
            answered_bare = sum(s.status == 200 for s in bare)
            devices_proc = _Devices(ctx)
            try:
                checks = {v.id: env.run(env.prepare_checks(ctx.url, v, 2)) for v in chosen}
                devices = [d for v in chosen for d in devices_of(v, checks[v.id], refetch)]
                time.sleep(settle)
                rss = ctx.server.rss()
                failed, start_reads, _ = devices_proc.open(devices, refetch)
                time.sleep(settle)
                sockets = len(devices) - failed
                values["memory"].append((ctx.server.rss() - rss) / max(1, sockets) / 1024)
                devices_proc.reset()
                sends, cpu = _phase(ctx, chosen, duration)
                arrivals, refreshed, reads, failed_reads = devices_proc.collect(settle)
            finally:
                devices_proc.close()
            answered = sum(s.status == 200 for s in sends)
            latencies, unreached = _latencies(sends, arrivals)
            all_ms = [v * 1000 for v in latencies.values()]
            kinds = [devices[d].kind for (_s, d) in latencies]
            per_send = [v * 1000 for v in _per_send_max(latencies)]
            values["every p99"].append(percentile(per_send, 99))
            # the live part alone: from the send's answer to its last screen
            answers = _answers(sends)
            after = [
                (worst - (answers[key][1] - answers[key][0])) * 1000
                for key, worst in _per_send_max_by_key(latencies).items()
            ]
            values["after answer p99"].append(percentile(after, 99))
            values["answer p99"].append(
                percentile([(s.end - s.start) * 1000 for s in sends if s.status == 200], 99)
            )
            values["screen p50"].append(percentile(all_ms, 50))
            values["screen p99"].append(percentile(all_ms, 99))
            for kind in ("kitchen", "handheld"):
                mine = [ms for ms, k in zip(all_ms, kinds, strict=True) if k == kind]
                values[f"{kind} p99"].append(percentile(mine, 99))
            if refetch:
                shown = _refreshed(sends, refreshed)
                values["refreshed p50"].append(percentile(shown, 50))
                values["refreshed p99"].append(percentile(shown, 99))
            values["reads"].append(reads / max(1, answered))
            values["failed"].append(failed + failed_reads + unreached + len(sends) - answered)
            per_send_cpu = cpu / max(1, answered) * 1000
            bare_per_send = bare_cpu / max(1, answered_bare) * 1000
            values["cpu"].append(per_send_cpu)
            values["bare cpu"].append(bare_per_send)
            values["ratio"].append(per_send_cpu / bare_per_send if bare_per_send else math.nan)
            notes["sockets"] = (
                f"{sockets:,} sockets, {answered} sends in {duration:.0f} s "
                f"({size / SEND_EVERY:.1f}/s); start reads {start_reads:,}"
            )
        p = f"{size} venue{'s' if size > 1 else ''}, {mode}"
        every = Target(100) if size == largest and size >= 100 else None
        figures += [
            Figure(
                f"{p}: send to every screen, p99 of sends",
                "ms",
                values["every p99"],
                every,
                notes["sockets"],
            ),
            Figure(f"{p}: the send's HTTP answer p99", "ms", values["answer p99"]),
            Figure(
                f"{p}: answer to the last screen, p99 of sends",
                "ms",
                values["after answer p99"],
                note="the live part alone: from the send's answer to its last screen",
            ),
            Figure(f"{p}: send to a screen p50", "ms", values["screen p50"]),
            Figure(f"{p}: send to a screen p99", "ms", values["screen p99"]),
            Figure(f"{p}: send to a kitchen screen p99", "ms", values["kitchen p99"]),
            Figure(f"{p}: send to a handheld p99", "ms", values["handheld p99"]),
        ]
        if refetch:
            figures += [
                Figure(f"{p}: send to a re-read screen p50", "ms", values["refreshed p50"]),
                Figure(f"{p}: send to a re-read screen p99", "ms", values["refreshed p99"]),
            ]
        figures += [
            Figure(f"{p}: screens' HTTP reads per send", "", values["reads"]),
            Figure(f"{p}: server CPU per send, screens connected", "ms", values["cpu"]),
            Figure(f"{p}: server CPU per send, no screen", "ms", values["bare cpu"]),
            Figure(f"{p}: CPU with screens / without", "x", values["ratio"], Target(2)),
            Figure(
                f"{p}: server memory per socket",
                "KiB",
                values["memory"],
                note="RSS growth over the opening, the pages' start reads (and the caches"
                " they warm) included; per idle socket: scenario 3",
            ),
            Figure(
                f"{p}: failed (sockets, reads, sends, unreached)", "", values["failed"], Target(0)
            ),
        ]
    return figures


def _refreshed(sends: list[Send], refreshed: list[tuple[int, int, float, float]]) -> list[float]:
    """Milliseconds from a send's start to each screen's re-read answering, the re-read
    attributed to the send before the burst's first event."""
    starts = _starts(sends)
    out = []
    for venue_id, _device, first, done in refreshed:
        venue_starts = starts.get(venue_id, [])
        i = bisect.bisect_right(venue_starts, first) - 1
        if i >= 0:
            out.append((done - venue_starts[i]) * 1000)
    return out
