"""The test database: one embedded PostgreSQL per checkout, a template database migrated
once per run (under a file lock, for xdist), and a copy of it per worker."""

from __future__ import annotations

import hashlib
from pathlib import Path

import fasteners
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from pos_service.core import embedded
from pos_service.migrations import HERE as MIGRATIONS
from pos_service.migrations import upgrade

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "var" / "test-postgres"
TEMPLATE = "pos_template"

_tables_sql: str | None = None


def _migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def server_url(database: str) -> str:
    server = embedded.start(DATA_DIR)
    return embedded.database_url(server, database)


def _psql(sql: str) -> str:
    return str(embedded.start(DATA_DIR).psql(sql))


def worker_database(worker_id: str) -> str:
    """Create (or refresh) this worker's database from the migrated template."""
    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    with fasteners.InterProcessLock(str(DATA_DIR.parent / "test-postgres.lock")):
        digest = _migrations_digest()
        marker = DATA_DIR.parent / "test-template.digest"
        if (
            not marker.exists()
            or marker.read_text() != digest
            or "(1 row)" not in _psql(f"SELECT 1 FROM pg_database WHERE datname = '{TEMPLATE}';")
        ):
            _psql(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE);')
            upgrade(server_url(TEMPLATE))
            marker.write_text(digest)
        name = f"pos_test_{worker_id}"
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
        _psql(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}";')
    return server_url(name)


async def truncate_all(engine: AsyncEngine) -> None:
    """Empty every application table and restart identities.

    A background task of the previous test's server (a print agent's claim, a webhook
    round) may still hold a row lock that TRUNCATE's table locks wait on in another order;
    PostgreSQL then breaks the deadlock by failing one side, and we simply try again."""
    for attempt in range(5):
        try:
            await _truncate(engine)
            return
        except DBAPIError as exc:
            if "deadlock detected" not in str(exc) or attempt == 4:
                raise


async def _truncate(engine: AsyncEngine) -> None:
    global _tables_sql
    async with engine.begin() as conn:
        if _tables_sql is None:
            names: list[str] = list(
                (
                    await conn.execute(
                        text(
                            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                            "AND tablename <> 'alembic_version'"
                        )
                    )
                )
                .scalars()
                .all()
            )
            _tables_sql = (
                "TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"
            )
        await conn.execute(text(_tables_sql))


def reset_with_demo(database_url: str) -> None:
    """Empty the database and seed the demo venue (from synchronous fixtures)."""
    import asyncio

    from pos_service import demo
    from pos_service.core.auth import PinHasher, TokenSigner
    from pos_service.core.db import create_engine, session_factory
    from pos_service.staff.service import Security

    async def run() -> None:
        engine = create_engine(database_url, pool_size=1)
        try:
            await truncate_all(engine)
            security = Security(
                TokenSigner("test-secret"),
                PinHasher(1, 8),
                token_ttl=0,
                approval_ttl=0,
            )
            async with session_factory(engine)() as session, session.begin():
                await demo.seed(session, security)
        finally:
            await engine.dispose()

    asyncio.run(run())
