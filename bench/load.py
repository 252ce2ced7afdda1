"""Simulated devices, each kind in a process of its own: handhelds that send and screens
that watch.

The parent talks to each process over a pipe. Times are ``time.monotonic()``, one clock
for every process of the machine, so a send's start (handhelds process) and its arrival
on a screen (screens process) can be subtracted.

What a kitchen screen waits for is :data:`ARRIVAL`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import multiprocessing
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import httpx

from pos_service.client import Event, LiveClient


@dataclass(frozen=True)
class Arrival:
    """The event that puts a send on a station's kitchen screen."""

    role: str  # whose token the screen signs in with
    topic: str  # ``{station}`` is the screen's station
    type: str
    check_path: tuple[str, ...]  # where the check id is in the event's data

    def topic_of(self, station: str) -> str:
        return self.topic.format(station=station)

    def check_id(self, data: dict[str, Any]) -> int:
        value: Any = data
        for key in self.check_path:
            value = value[key]
        return int(value)


ORDER_SENT = Arrival("waiter", "orders", "order.sent", ("check_id",))
TICKET_CREATED = Arrival("kitchen", "kitchen:{station}", "ticket.created", ("ticket", "check_id"))
ARRIVAL = TICKET_CREATED
"""What the screens wait for: the station's ticket (ORDER_SENT measured the send before the
kitchen package made tickets)."""


@dataclass
class ScreenVenue:
    venue_id: int
    token: str
    stations: list[str]


@dataclass
class HandheldVenue:
    venue_id: int
    token: str
    cashier_token: str


@dataclass
class Call:
    """One timed HTTP call: what, when it started and ended, and its status (0: failed)."""

    venue_id: int
    check_id: int
    start: float
    end: float
    status: int

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class PhaseResult:
    rate: float
    duration: float
    sends: list[Call]
    arrivals: dict[int, dict[str, float]]  # check id -> station -> time
    expected: dict[int, list[str]]  # check id -> stations that must get it
    extra: dict[str, list[Call]] = field(default_factory=dict)

    def delivery(self) -> tuple[list[float], int]:
        """Seconds from each successful send's start to its last station; and how many
        (send, station) pairs never arrived."""
        latencies, lost = [], 0
        for call in self.sends:
            if call.status != 200:
                continue
            got = self.arrivals.get(call.check_id, {})
            times = [got[s] for s in self.expected[call.check_id] if s in got]
            lost += len(self.expected[call.check_id]) - len(times)
            if len(times) == len(self.expected[call.check_id]):
                latencies.append(max(times) - call.start)
        return latencies, lost


# -- processes ---------------------------------------------------------------------


async def _command(conn: Connection) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, conn.recv)


async def _drain(client: LiveClient, on_event: Callable[[Event], None] | None = None) -> None:
    with contextlib.suppress(Exception):
        async for event in client:
            if on_event is not None:
                on_event(event)


async def _connect_all(clients: list[LiveClient], seconds: float) -> None:
    async with asyncio.timeout(seconds):
        for client in clients:
            await client.ready.wait()


def screens_main(
    conn: Connection, ws_url: str, venues: list[ScreenVenue], arrival: Arrival
) -> None:
    """One kitchen screen per station of each venue, recording when sends arrive."""
    asyncio.run(_screens(conn, ws_url, venues, arrival))


async def _screens(
    conn: Connection, ws_url: str, venues: list[ScreenVenue], arrival: Arrival
) -> None:
    arrivals: dict[int, dict[str, float]] = {}
    changed = asyncio.Event()
    clients, tasks = [], []
    for venue in venues:
        for station in venue.stations:

            def seen(event: Event, station: str = station) -> None:
                if event.type == arrival.type:
                    check = arrival.check_id(event.data)
                    arrivals.setdefault(check, {}).setdefault(station, time.monotonic())
                    changed.set()

            client = LiveClient(ws_url, venue.token, [arrival.topic_of(station)])
            clients.append(client)
            tasks.append(asyncio.create_task(_drain(client, seen)))
    await _connect_all(clients, 60)
    conn.send(("ready", len(clients)))
    while True:
        command, *args = await _command(conn)
        if command == "stop":
            break
        expected, timeout = args
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(
            len(arrivals.get(c, ())) < len(stations) for c, stations in expected.items()
        ):
            changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), 0.2)
        conn.send({c: arrivals.pop(c, {}) for c in expected})
    for client in clients:
        await client.close()
    for task in tasks:
        task.cancel()


class _Handheld:
    def __init__(self, base_url: str, ws_url: str, venue: HandheldVenue) -> None:
        self.venue_id = venue.venue_id
        self.http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {venue.token}"},
            timeout=20,
        )
        self.live = LiveClient(ws_url, venue.token, ["floor", "orders"])

    async def post(self, path: str, check_id: int, body: dict[str, Any]) -> Call:
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        start = time.monotonic()
        try:
            r = await self.http.post(path, json=body, headers=headers)
            status = r.status_code
        except httpx.HTTPError:
            status = 0
        return Call(self.venue_id, check_id, start, time.monotonic(), status)

    async def get(self, path: str, check_id: int) -> Call:
        start = time.monotonic()
        try:
            status = (await self.http.get(path)).status_code
        except httpx.HTTPError:
            status = 0
        return Call(self.venue_id, check_id, start, time.monotonic(), status)


def handhelds_main(
    conn: Connection, base_url: str, ws_url: str, venues: list[HandheldVenue], per_venue: int
) -> None:
    """``per_venue`` handhelds per venue (HTTP client plus live socket) and a cashier."""
    asyncio.run(_handhelds(conn, base_url, ws_url, venues, per_venue))


MAX_WAIT_SECONDS = 1.0
"""A phase stops starting calls once one has waited this long for its answer: the server
is past its capacity, and queueing more would only stretch the run."""


async def _open_loop(rate: float, calls: Sequence[Callable[[], Any]], start: float) -> list[Any]:
    """Start ``calls[i]`` at ``start + i / rate`` whatever the earlier ones are doing."""
    tasks: list[asyncio.Task[Any]] = []
    waiting: collections.deque[tuple[float, asyncio.Task[Any]]] = collections.deque()
    for i, call in enumerate(calls):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        while waiting and waiting[0][1].done():
            waiting.popleft()
        if waiting and time.monotonic() - waiting[0][0] > MAX_WAIT_SECONDS:
            break
        task = asyncio.create_task(call())
        tasks.append(task)
        waiting.append((time.monotonic(), task))
    return list(await asyncio.gather(*tasks))


async def _handhelds(
    conn: Connection, base_url: str, ws_url: str, venues: list[HandheldVenue], per_venue: int
) -> None:
    devices = {
        v.venue_id: [_Handheld(base_url, ws_url, v) for _ in range(per_venue)] for v in venues
    }
    cashiers = {
        v.venue_id: _Handheld(base_url, ws_url, HandheldVenue(v.venue_id, v.cashier_token, ""))
        for v in venues
    }
    everyone = [d for ds in devices.values() for d in ds]
    tasks = [asyncio.create_task(_drain(d.live)) for d in everyone]
    await _connect_all([d.live for d in everyone], 60)
    conn.send(("ready", len(everyone)))
    while True:
        command, *args = await _command(conn)
        if command == "stop":
            break
        rate, duration, pools, side = args
        conn.send(await _phase(devices, cashiers, rate, duration, pools, side))
    for d in everyone:
        await d.live.close()
        await d.http.aclose()
    for task in tasks:
        task.cancel()


async def _phase(
    devices: dict[int, list[_Handheld]],
    cashiers: dict[int, _Handheld],
    rate: float,
    duration: float,
    pools: dict[int, list[int]],
    side: dict[str, Any] | None,
) -> tuple[list[Call], dict[str, list[Call]]]:
    """Sends at ``rate`` for ``duration`` seconds, round robin over venues and handhelds;
    ``side``: split requests (``rate``, ``calls`` of (venue, check, body)) meanwhile."""
    count = int(rate * duration)
    order = [c for group in itertools.zip_longest(*pools.values()) for c in group if c]
    venue_of = {c: v for v, checks in pools.items() for c in checks}
    calls = []
    for i, check_id in enumerate(order[:count]):
        handhelds = devices[venue_of[check_id]]
        device = handhelds[(i // len(devices)) % len(handhelds)]
        calls.append(lambda d=device, c=check_id: d.post(f"/api/checks/{c}/send", c, {}))
    start = time.monotonic() + 0.05
    main = asyncio.create_task(_open_loop(rate, calls, start))
    extra: dict[str, list[Call]] = {}
    if side:
        splits = [
            lambda v=v, c=c, b=b: _split_and_bill(cashiers[v], c, b) for v, c, b in side["calls"]
        ]
        pairs = await _open_loop(side["rate"], splits, start + 1.0)
        extra = {"split": [p[0] for p in pairs], "bill": [p[1] for p in pairs]}
    return await main, extra


async def _split_and_bill(
    cashier: _Handheld, check_id: int, body: dict[str, Any]
) -> tuple[Call, Call]:
    split = await cashier.post(f"/api/checks/{check_id}/split", check_id, body)
    bill = await cashier.get(f"/api/checks/{check_id}/bill", check_id)
    return split, bill


class Fleet:
    """The screens and handhelds of some venues, each kind in its own process."""

    def __init__(
        self,
        base_url: str,
        ws_url: str,
        screens: list[ScreenVenue],
        handhelds: list[HandheldVenue],
        per_venue: int,
        arrival: Arrival = ARRIVAL,
    ) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._screens, screens_end = ctx.Pipe()
        self._handhelds, handhelds_end = ctx.Pipe()
        self.procs = [
            ctx.Process(
                target=screens_main, args=(screens_end, ws_url, screens, arrival), daemon=True
            ),
            ctx.Process(
                target=handhelds_main,
                args=(handhelds_end, base_url, ws_url, handhelds, per_venue),
                daemon=True,
            ),
        ]
        self.sockets = 0

    def __enter__(self) -> Fleet:
        for proc in self.procs:
            proc.start()
        for pipe in (self._screens, self._handhelds):
            if not pipe.poll(120):
                raise TimeoutError("simulated devices did not connect within 120 s")
            self.sockets += pipe.recv()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        for pipe in (self._screens, self._handhelds):
            with contextlib.suppress(OSError):
                pipe.send(("stop",))
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()

    def phase(
        self,
        rate: float,
        duration: float,
        pools: dict[int, list[int]],
        expected: dict[int, list[str]],
        side: dict[str, Any] | None = None,
    ) -> PhaseResult:
        """Run one open-loop phase and collect where each send arrived."""
        self._handhelds.send(("phase", rate, duration, pools, side))
        sends, extra = self._handhelds.recv()
        sent = {c.check_id: expected[c.check_id] for c in sends if c.status == 200}
        self._screens.send(("collect", sent, 5.0))
        arrivals = self._screens.recv()
        return PhaseResult(rate, duration, sends, arrivals, expected, extra)
