"""Alembic migrations: the only source of the schema.

``upgrade(url)`` applies pending migrations; it is what ``pos-service migrate`` and
``serve`` run, and what the test suite uses to build its template database.
``upgrade_if_behind(url)`` is what a start-up runs: it first compares the database's
``alembic_version`` with the head revision read from the version files, and imports
Alembic and the models (about a second) only when they differ.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection

HERE = Path(__file__).parent

_REVISION = re.compile(r'^revision\s*=\s*"([^"]+)"\s*$', re.MULTILINE)
_DOWN = re.compile(r'^down_revision\s*=\s*(None|"[^"]+")\s*$', re.MULTILINE)


def config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` over one connection."""
    from alembic import command

    from pos_service.core.db import create_engine

    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(config(sync), revision))
    finally:
        await engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply pending migrations (from synchronous code: the CLI, test setup)."""
    asyncio.run(upgrade_async(database_url, revision))


def head_revision(versions: Path = HERE / "versions") -> str | None:
    """The one head of the version files, read as text; None when they do not plainly
    form one chain (then only Alembic can tell)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        text = path.read_text()
        revision, down = _REVISION.search(text), _DOWN.search(text)
        if revision is None or down is None:
            return None
        revisions.add(revision[1])
        if down[1] != "None":
            parents.add(down[1].strip('"'))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


async def database_revisions(database_url: str) -> set[str]:
    """The revisions in the database's ``alembic_version`` (empty for a new database)."""
    import asyncpg

    dsn = re.sub(r"^postgresql\+\w+://", "postgresql://", database_url)
    connection = await asyncpg.connect(dsn)
    try:
        if await connection.fetchval("SELECT to_regclass('alembic_version')") is None:
            return set()
        return {row[0] for row in await connection.fetch("SELECT version_num FROM alembic_version")}
    finally:
        await connection.close()


async def upgrade_if_behind_async(database_url: str) -> bool:
    """Apply pending migrations unless the database is at the head; True if Alembic ran."""
    head = head_revision()
    if head is not None and await database_revisions(database_url) == {head}:
        return False
    await upgrade_async(database_url)
    return True


def upgrade_if_behind(database_url: str) -> bool:
    """:func:`upgrade_if_behind_async` from synchronous code (the CLI)."""
    return asyncio.run(upgrade_if_behind_async(database_url))
