"""Fault injection for the reliability tests: handhelds that retry, a server process that
can be killed, and the audit that proves nothing was lost or doubled.

A :class:`Handheld` sends every mutating call with a fresh ``Idempotency-Key`` and
retries it with the SAME key after any transport error, timeout or 5xx, until it gets a
2xx (accepted) or a 4xx (refused for good). :func:`rush` runs many handhelds through
whole orders (open a check, add lines, send, pay cash) while faults are injected by the
caller; :func:`audit` then checks the database against what the handhelds saw accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from pos_service.core import journal
from pos_service.core.db import session_factory
from tests.support import devices
from tests.support.servers import ROOT, free_port, secret_key_file, wait_healthy

# Items without a required modifier, per station: every order reaches two or three stations.
ORDER_ITEMS = {
    "cold": ["Burrata", "Tomato soup", "Tuna tartare", "Green salad"],
    "hot": ["Lasagne", "Vegan curry", "Spaghetti carbonara"],
    "bar": ["House red", "Espresso", "Still water", "Negroni"],
}


class Refused(Exception):
    """The server answered a 4xx: the action is refused for good (retrying cannot help)."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"{response.status_code} {response.text[:300]}")
        self.response = response


@dataclass
class Tally:
    """What the handhelds did and met; summed over all of them."""

    requests: int = 0
    accepted: int = 0
    retries: int = 0
    failures: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        self.requests += other.requests
        self.accepted += other.accepted
        self.retries += other.retries
        self.failures.update(other.failures)


class Handheld:
    """A waiter's device: each action keeps its ``Idempotency-Key`` across retries."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 5.0,
        give_up_after: float = 60.0,
    ) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )
        self.give_up_after = give_up_after
        self.tally = Tally()

    async def act(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Send one action until it is accepted (its JSON answer) or refused (:class:`Refused`)."""
        key = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.give_up_after
        delay = 0.05
        last = ""
        while True:
            self.tally.requests += 1
            try:
                r = await self.http.request(
                    method,
                    path,
                    json=body or {} if method != "GET" else None,
                    headers={"Idempotency-Key": key} if method != "GET" else None,
                )
            except httpx.TransportError as exc:
                self.tally.failures[type(exc).__name__] += 1
                last = repr(exc)
            else:
                if r.status_code < 400:
                    self.tally.accepted += 1
                    return r.json()
                if r.status_code < 500:
                    raise Refused(r)
                self.tally.failures[f"http {r.status_code}"] += 1
                last = f"{r.status_code} {r.text[:300]}"
            if loop.time() > deadline:
                raise TimeoutError(
                    f"{method} {path} not accepted in {self.give_up_after} s: {last}"
                )
            self.tally.retries += 1
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, 1.0)

    async def read(self, path: str) -> Any:
        """GET ``path`` until it answers 200 (reads are safe to repeat)."""
        return await self.act("GET", path)

    async def close(self) -> None:
        await self.http.aclose()


@dataclass
class Order:
    """An order as its handheld saw it accepted."""

    table_id: int
    check_id: int = 0
    lines: list[str] = field(default_factory=list)
    stations: set[str] = field(default_factory=set)
    paid: int = 0


async def menu_ids(handheld: Handheld) -> dict[str, int]:
    """Item name -> id of the venue's menu."""
    menu = await handheld.read("/api/menu")
    return {i["name"]: i["id"] for c in menu["categories"] for i in c["items"]}


async def place_order(
    handheld: Handheld, table_id: int, items: dict[str, int], rng: random.Random
) -> Order:
    """Open a check, add two or three lines, send them and pay cash: one whole order."""
    order = Order(table_id)
    check = await handheld.act("POST", "/api/checks", {"table_id": table_id, "covers": 2})
    order.check_id = check["id"]
    for station in rng.sample(sorted(ORDER_ITEMS), rng.randint(2, 3)):
        name = rng.choice(ORDER_ITEMS[station])
        await handheld.act("POST", f"/api/checks/{order.check_id}/lines", {"item_id": items[name]})
        order.lines.append(name)
        order.stations.add(station)
    await handheld.act("POST", f"/api/checks/{order.check_id}/send")
    paid = await handheld.act("POST", f"/api/checks/{order.check_id}/payments", {"method": "cash"})
    order.paid = paid["payment"]["amount"]
    return order


@dataclass
class Rush:
    """The outcome of :func:`rush`."""

    orders: list[Order]
    tally: Tally
    seconds: float


async def rush(
    base_url: str,
    tokens: Sequence[str],
    table_ids: Sequence[int],
    orders: int,
    *,
    seed: int = 7,
    on_progress: Callable[[int], Coroutine[Any, Any, None]] | None = None,
) -> Rush:
    """``len(tokens)`` handhelds place ``orders`` orders, each on its own tables in turn.

    ``on_progress(done)`` is awaited (in its own task) after each finished order: the
    hook where a test injects its faults.
    """
    handhelds = [Handheld(base_url, token) for token in tokens]
    items = await menu_ids(handhelds[0])
    done: list[Order] = []
    hooks: list[asyncio.Task[None]] = []
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def run(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        mine = table_ids[index :: len(handhelds)]
        for n in range(index, orders, len(handhelds)):
            done.append(await place_order(handhelds[index], mine[n % len(mine)], items, rng))
            if on_progress is not None:
                hooks.append(asyncio.create_task(on_progress(len(done))))

    try:
        await asyncio.gather(*(run(i) for i in range(len(handhelds))))
        await asyncio.gather(*hooks)
    finally:
        for hook in hooks:
            hook.cancel()
        for handheld in handhelds:
            await handheld.close()
    tally = Tally()
    for handheld in handhelds:
        tally.add(handheld.tally)
    return Rush(done, tally, loop.time() - start)


async def login(base_url: str, pin: str, engine: AsyncEngine, venue: str = "demo") -> str:
    """A token of the member with ``pin``, signed in on a newly enrolled device."""
    device = await devices.enrol(engine, venue)
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        headers = await devices.bearer(http, venue, pin, device)
        return headers["Authorization"].removeprefix("Bearer ")


# -- the audit ----------------------------------------------------------------------------


@dataclass
class Audit:
    """What the database holds for the audited orders."""

    checks: int
    lines: int
    tickets: int
    print_jobs: int
    payments: int
    events: int
    journal_entries: int


async def _rows(engine: AsyncEngine, query: str, **params: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(query), params)).all())


async def event_seqs(engine: AsyncEngine, venue_id: int, topic: str | None = None) -> list[int]:
    """The venue's event ``seq``s in order (of one topic if given)."""
    rows = await _rows(
        engine,
        "SELECT seq FROM events WHERE venue_id = :v "
        "AND (CAST(:t AS text) IS NULL OR topic = :t) ORDER BY seq",
        v=venue_id,
        t=topic,
    )
    return [row.seq for row in rows]


async def _per_check(engine: AsyncEngine, venue_id: int, query: str) -> dict[int, int]:
    return {row[0]: row[1] for row in await _rows(engine, query, v=venue_id)}


async def audit(engine: AsyncEngine, venue_id: int, orders: Sequence[Order]) -> Audit:
    """Assert that every accepted order exists exactly once, and nothing else does."""
    by_check = {o.check_id: o for o in orders}
    assert len(by_check) == len(orders), "two accepted orders share a check"
    checks = await _rows(
        engine, "SELECT id, status FROM checks WHERE venue_id = :v ORDER BY id", v=venue_id
    )
    assert sorted(by_check) == [c.id for c in checks], "a check exists that no handheld saw"
    assert {c.status for c in checks} <= {"closed"}
    lines = await _rows(
        engine,
        "SELECT check_id, name, state FROM check_lines WHERE venue_id = :v ORDER BY id",
        v=venue_id,
    )
    seen: dict[int, list[str]] = {}
    for line in lines:
        assert line.state == "sent", line
        seen.setdefault(line.check_id, []).append(line.name)
    for check_id, order in by_check.items():
        assert seen.get(check_id) == order.lines, (check_id, seen.get(check_id), order.lines)
    sends = await _per_check(
        engine,
        venue_id,
        "SELECT (data->>'check_id')::bigint, count(*) FROM events WHERE venue_id = :v "
        "AND type = 'order.sent' AND topic = 'orders' GROUP BY 1",
    )
    assert sends == dict.fromkeys(by_check, 1), "a send is missing or doubled"
    tickets = await _rows(
        engine,
        "SELECT t.check_id, s.name AS station, t.number, "
        "(SELECT count(*) FROM print_jobs j WHERE j.venue_id = t.venue_id "
        " AND j.kind = 'ticket' AND j.station_id = t.station_id "
        " AND j.number = t.number) AS jobs "
        "FROM kitchen_tickets t JOIN stations s ON s.venue_id = t.venue_id AND s.id = t.station_id "
        "WHERE t.venue_id = :v",
        v=venue_id,
    )
    stations: dict[int, list[str]] = {}
    for ticket in tickets:
        stations.setdefault(ticket.check_id, []).append(ticket.station)
        assert ticket.jobs == 1, f"ticket #{ticket.number} has {ticket.jobs} print jobs"
    for check_id, order in by_check.items():
        assert sorted(stations.get(check_id, [])) == sorted(order.stations), check_id
    payments = await _per_check(
        engine,
        venue_id,
        "SELECT check_id, sum(amount) FROM payments WHERE venue_id = :v GROUP BY 1",
    )
    assert payments == {c: o.paid for c, o in by_check.items()}, "a payment is missing or doubled"
    counts = await _rows(
        engine, "SELECT count(*) AS n FROM payments WHERE venue_id = :v", v=venue_id
    )
    assert counts[0].n == len(orders)
    seqs = await event_seqs(engine, venue_id)
    assert seqs == list(range(1, len(seqs) + 1)), "the event log has a gap"
    facts = await _rows(
        engine,
        "SELECT kind, (data->>'check_id')::bigint AS check_id, count(*) AS n FROM journal "
        "WHERE venue_id = :v GROUP BY 1, 2",
        v=venue_id,
    )
    assert {(f.kind, f.check_id): f.n for f in facts} == {
        (kind, c): 1 for c in by_check for kind in ("sale", "payment")
    }
    async with session_factory(engine)() as session:
        verified = await journal.verify(session, venue_id)
    assert verified.ok, verified
    return Audit(
        checks=len(checks),
        lines=len(lines),
        tickets=len(tickets),
        print_jobs=sum(t.jobs for t in tickets),
        payments=counts[0].n,
        events=len(seqs),
        journal_entries=verified.entries,
    )


async def table_ids(engine: AsyncEngine, venue_id: int) -> list[int]:
    rows = await _rows(
        engine, "SELECT id FROM dining_tables WHERE venue_id = :v ORDER BY id", v=venue_id
    )
    return [row.id for row in rows]


async def venue_id(engine: AsyncEngine, slug: str = "demo") -> int:
    return int((await _rows(engine, "SELECT id FROM venues WHERE slug = :s", s=slug))[0].id)


# -- a server process that can be killed ---------------------------------------------------


class ServerProcess:
    """``uvicorn pos_service.app:create_app`` in a subprocess on a port that survives
    :meth:`kill` and :meth:`start` again (a crash and a restart of the same server)."""

    def __init__(self, database_url: str, log_path: Path, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "POS_SECRET_KEY_FILE": secret_key_file(),
            "POS_VAR_DIR": str(log_path.parent),
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    async def start(self) -> None:
        """Start the server and wait until ``/health`` answers 200."""
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: ASYNC220
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "pos_service.app:create_app",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        await asyncio.to_thread(wait_healthy, self.url, self.proc, 60)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no lifespan end, connections cut mid-request."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    async def __aenter__(self) -> ServerProcess:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.stop()
