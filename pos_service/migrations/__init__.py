"""Alembic migrations: the only source of the schema.

``upgrade(url)`` applies pending migrations; it is what ``pos-service migrate`` and
``serve`` run, and what the test suite uses to build its template database.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from pos_service.core.db import create_engine

HERE = Path(__file__).parent


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` over one connection."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(config(sync), revision))
    finally:
        await engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply pending migrations (from synchronous code: the CLI, test setup)."""
    asyncio.run(upgrade_async(database_url, revision))
