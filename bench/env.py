"""The system under test: an embedded PostgreSQL of the benchmark's own, the real server
in a subprocess, the seeded venues and the prepared checks.

Everything listens on loopback (PostgreSQL on a Unix socket only). Checks and their
pending lines are written with plain SQL before a timed phase, so preparing a send costs
the server nothing while it is being measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_DIR = ROOT / "var" / "bench-postgres"
DATABASE = "bench"
SECRET = "bench-secret-key-not-for-production"


def secret_file() -> Path:
    """The file the bench server reads its secret from (servers never take it from the
    environment)."""
    path = VAR / "secret_key"
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(SECRET)
    return path


PINS = {"waiter": "1111", "kitchen": "3333", "bar": "4444", "manager": "9999"}

# The five lines of a send: two stations get one line each, the bar two, the hot side two.
SEND_ITEMS = ["Burrata", "Lasagne", "Vegan curry", "House red", "Prosecco"]


def raise_open_files() -> int:
    """Raise this process's open-file limit to its hard limit (10,000 sockets need it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_database(name: str = DATABASE) -> str:
    """Start the benchmark's PostgreSQL (fsync on, as shipped) and migrate a new database."""
    from pos_service.core import embedded
    from pos_service.migrations import upgrade

    os.environ.setdefault("XDG_RUNTIME_DIR", str(ROOT / "var"))
    server = embedded.start(PG_DIR)
    server.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
    url = embedded.database_url(server, name)
    upgrade(url)
    return url


def asyncpg_dsn(url: str) -> str:
    from pos_service.core.db import asyncpg_dsn as dsn

    return dsn(url)


class Server:
    """``pos-service serve --workers N`` on 127.0.0.1, as an operator would start it."""

    def __init__(
        self, database_url: str, *, workers: int, pool_size: int = 10, log_name: str = "server"
    ) -> None:
        self.database_url = database_url
        self.workers = workers
        self.pool_size = pool_size
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        self.log_path = VAR / f"{log_name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_in = 0.0

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "pos_service.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "POS_SECRET_KEY_FILE": str(secret_file()),
            "POS_VAR_DIR": str(VAR),
            "POS_POOL_SIZE": str(self.pool_size),
            "PYTHONPATH": str(ROOT),
        }

    def start(self, command: list[str] | None = None, timeout: float = 60) -> float:
        """Start and wait for a healthy ``/health``; returns the seconds that took."""
        VAR.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        began = time.monotonic()
        self.proc = subprocess.Popen(
            command or self.command(), cwd=ROOT, env=self.env(), stdout=log, stderr=log
        )
        log.close()
        with httpx.Client(timeout=1) as client:
            while time.monotonic() - began < timeout:
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        f"server exited with {self.proc.returncode}: {self.log_path}"
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.url}/health").status_code == 200:
                        self.started_in = time.monotonic() - began
                        return self.started_in
                time.sleep(0.005)
        raise TimeoutError(f"server not healthy within {timeout} s: {self.log_path}")

    def wait_workers(self, timeout: float = 30) -> None:
        """Every worker answers: new connections are spread over all of them from now on."""
        deadline = time.monotonic() + timeout
        while len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # the last worker's lifespan (engine, listener) is up

    def wait_idle(self, timeout: float = 120, busy: float = 0.05) -> bool:
        """Wait until the workers use less than ``busy`` of a core (an overloaded phase
        leaves requests behind); False if they are still busy after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            used = self.cpu_seconds()
            time.sleep(0.5)
            if self.cpu_seconds() - used < busy * 0.5:
                return True
        return False

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def worker_pids(self) -> list[int]:
        """The serving processes: the supervisor's children (the workers and the process of
        the scheduled tasks, whose CPU is the server's too)."""
        if self.proc is None:
            return []
        return _children(self.proc.pid)

    def rss(self) -> int:
        """Resident memory of the serving processes, in bytes."""
        return sum(_rss(pid) for pid in self.worker_pids())

    def cpu_seconds(self) -> float:
        """User plus system CPU time used so far by the serving processes."""
        return sum(_cpu(pid) for pid in self.worker_pids())


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return sorted(found)


def _rss(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _cpu(pid: int) -> float:
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


@dataclass
class Venue:
    """A seeded venue as the load generator needs it."""

    id: int
    slug: str
    tokens: dict[str, str]
    waiter_id: int
    stations: dict[str, int]
    # name -> (item id, price, tax bp, station id, course)
    items: dict[str, tuple[int, int, int, int, str]] = field(default_factory=dict)

    def station_of(self, item: str) -> str:
        station_id = self.items[item][3]
        return next(name for name, sid in self.stations.items() if sid == station_id)

    def send_stations(self) -> list[str]:
        """The stations a prepared send reaches."""
        return sorted({self.station_of(name) for name in SEND_ITEMS})


async def seed(url: str, count: int, prefix: str = "bench") -> list[int]:
    """Seed ``count`` demo venues ``bench0``, ``bench1``... (idempotent); their ids."""
    from sqlalchemy import text

    from pos_service import demo
    from pos_service.core.auth import PinHasher, TokenSigner
    from pos_service.core.db import create_engine, session_factory
    from pos_service.staff.service import Security

    engine = create_engine(url, pool_size=1)
    security = Security(
        TokenSigner(SECRET),
        PinHasher(1, 8),  # the stored hash carries its parameters; sign-in is not measured
        token_ttl=0,
        approval_ttl=0,
    )
    ids = []
    try:
        for i in range(count):
            async with session_factory(engine)() as session, session.begin():
                venue_id = await demo.seed(session, security, slug=f"{prefix}{i}")
                # Printers at a venue are reached through its print agent (a server
                # carrying many venues cannot reach their LANs): jobs are queued for it.
                await session.execute(
                    text(
                        "UPDATE venues SET settings = settings || "
                        '\'{"print_mode": "agent"}\'::jsonb WHERE id = :v'
                    ),
                    {"v": venue_id},
                )
                ids.append(venue_id)
    finally:
        await engine.dispose()
    return ids


async def enrol_device(url: str, slug: str) -> str:
    """A newly enrolled device of the venue (sign-in needs one); its credential."""
    from pos_service.core.db import create_engine, session_factory
    from pos_service.devices import service as devices
    from pos_service.venues import service as venue_service

    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine)() as session, session.begin():
            venue = await venue_service.by_slug(session, slug)
            _, credential = await devices.enrol(session, venue.id, "Bench handheld", "handheld")
    finally:
        await engine.dispose()
    return credential


async def venues(url: str, base_url: str, count: int, prefix: str = "bench") -> list[Venue]:
    """Sign in to the first ``count`` seeded venues and read what the load needs."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    found = []
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            for i in range(count):
                slug = f"{prefix}{i}"
                venue_id = await conn.fetchval("SELECT id FROM venues WHERE slug = $1", slug)
                tokens = {}
                device = await enrol_device(url, slug)
                for role, pin in PINS.items():
                    r = await client.post(
                        "/api/auth/login", json={"venue": slug, "pin": pin, "device": device}
                    )
                    r.raise_for_status()
                    tokens[role] = r.json()["token"]
                waiter_id = await conn.fetchval(
                    "SELECT id FROM staff WHERE venue_id = $1 AND name = 'Anna'", venue_id
                )
                stations = {
                    r["name"]: r["id"]
                    for r in await conn.fetch(
                        "SELECT id, name FROM stations WHERE venue_id = $1", venue_id
                    )
                }
                rows = await conn.fetch(
                    "SELECT i.name, i.id, i.price, i.tax_rate_ppm, "
                    "coalesce(i.station_id, c.station_id) AS station_id, "
                    "coalesce(i.default_course, c.default_course) AS course "
                    "FROM items i JOIN categories c ON c.venue_id = i.venue_id "
                    "AND c.id = i.category_id WHERE i.venue_id = $1",
                    venue_id,
                )
                items = {r["name"]: tuple(r)[1:] for r in rows}
                found.append(Venue(venue_id, slug, tokens, waiter_id, stations, items))
    finally:
        await conn.close()
    return found


async def clear_rail(url: str, venue_ids: Sequence[int]) -> None:
    """Bump every ticket still on the venues' screens, as their kitchens would have done
    by the next phase: a rail of thousands of never-bumped tickets turning late at once is
    not a rush any kitchen has (not timed)."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with conn.transaction():
            await conn.execute(
                "UPDATE kitchen_ticket_items SET bumped_at = now() WHERE venue_id = ANY($1) "
                "AND bumped_at IS NULL AND voided_at IS NULL",
                list(venue_ids),
            )
            await conn.execute(
                "UPDATE kitchen_tickets SET state = 'bumped', bumped_at = now() "
                "WHERE venue_id = ANY($1) AND state IN ('held', 'open', 'started')",
                list(venue_ids),
            )
    finally:
        await conn.close()


async def prepare_checks(
    url: str, venue: Venue, count: int, lines: Sequence[tuple[str, int | None]] | None = None
) -> list[int]:
    """``count`` open checks of ``venue`` with pending lines (item name, seat); their ids.

    The default lines are one send: ``SEND_ITEMS``. The checks hang on no table (a venue
    has twenty and one open check each), so a send skips the table's state change.
    """
    spec = lines or [(name, None) for name in SEND_ITEMS]
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with conn.transaction():
            ids: list[int] = [
                r["id"]
                for r in await conn.fetch(
                    "INSERT INTO checks (venue_id, table_id, covers, waiter_id, version) "
                    "SELECT $1, NULL, 4, $2, $3 FROM generate_series(1, $4) RETURNING id",
                    venue.id,
                    venue.waiter_id,
                    1 + len(spec),
                    count,
                )
            ]
            columns: list[list[Any]] = [[] for _ in range(8)]
            for name, seat in spec:
                item_id, price, tax, station_id, course = venue.items[name]
                for value, column in zip(
                    (item_id, name, price, tax, seat, course, station_id, venue.waiter_id),
                    columns,
                    strict=True,
                ):
                    column.append(value)
            await conn.execute(
                "INSERT INTO check_lines (venue_id, check_id, item_id, name, quantity, "
                "unit_price, tax_rate_ppm, seat, course, station_id, added_by) "
                "SELECT $1, c.id, l.item_id, l.name, 1, l.price, l.tax, l.seat, l.course, "
                "l.station_id, l.added_by FROM unnest($2::bigint[]) AS c(id) CROSS JOIN "
                "unnest($3::bigint[], $4::text[], $5::bigint[], $6::int[], $7::int[], "
                "$8::text[], $9::bigint[], $10::bigint[]) "
                "AS l(item_id, name, price, tax, seat, course, station_id, added_by)",
                venue.id,
                ids,
                *columns,
            )
        await conn.execute("ANALYZE checks, check_lines")
    finally:
        await conn.close()
    return ids


async def postgres_version(url: str) -> str:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def machine(pg_version: str) -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    from importlib.metadata import version

    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{memory / 2**30:.1f} GiB",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "uvicorn": version("uvicorn"),
        "litestar": version("litestar"),
        "websockets": version("websockets"),
        "httpx (load generator)": version("httpx"),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def run(coro: Any) -> Any:
    return asyncio.run(coro)
