"""Database plumbing: the declarative base, the engine and sessions.

Every domain table carries ``venue_id`` and has the primary key ``(venue_id, id)``, so the
data can be distributed by venue (see docs/scaling.md) and a lookup by primary key is
scoped to a venue by construction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
from collections.abc import AsyncIterator, Iterable
from typing import Any

import asyncpg
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    MetaData,
    event,
    func,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table; the metadata Alembic compares against."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: DateTime(timezone=True), int: BigInteger}


def one_of(column: str, values: Iterable[str]) -> str:
    """The SQL condition ``column IN ('a', 'b')`` (a CHECK of the allowed values)."""
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"{column} IN ({listed})"


def enum_check(column: str, values: type[enum.StrEnum]) -> CheckConstraint:
    """A CHECK that ``column`` holds one of the Python enum's values, named
    ``ck_<table>_<column>_values``: the enum is the one list; a migration renders the
    same condition with :func:`one_of` (``tests/test_enum_checks.py`` finds every such
    constraint by its ``info`` and compares it with the enum)."""
    return CheckConstraint(
        one_of(column, [v.value for v in values]),
        name=f"{column}_values",
        info={"column": column, "enum": values},
    )


def now_utc() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class VenueScoped:
    """Mixin for a venue's rows: primary key ``(venue_id, id)`` and a creation time."""

    venue_id: Mapped[int] = mapped_column(
        ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


def sqlalchemy_url(database_url: str) -> str:
    """``postgresql://...`` -> the asyncpg dialect URL SQLAlchemy wants."""
    url = make_url(database_url)
    return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def asyncpg_dsn(database_url: str) -> str:
    """The plain libpq-style DSN asyncpg accepts."""
    url = make_url(database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def create_engine(database_url: str, *, pool_size: int = 10, **kwargs: Any) -> AsyncEngine:
    """The application's engine; one per process, created in the app lifespan."""
    engine = create_async_engine(
        sqlalchemy_url(database_url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
        **kwargs,
    )
    event.listen(engine.sync_engine.pool, "checkout", _refuse_closed)
    return engine


def _refuse_closed(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """A pooled connection whose socket the server closed (a restart) is replaced on
    checkout. asyncpg notices the close as it happens, so this costs no round trip,
    where ``pool_pre_ping`` costs three (BEGIN, a ping, ROLLBACK) on every request; a
    connection that breaks while in use fails its request and is discarded."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the database closed this connection")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep objects usable after commit (events are read after it)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


async def driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under ``session``, inside the session's transaction.

    For statements of a session's transaction that are cheaper on the driver (the event
    log's write, the idempotency claim). Only public API: SQLAlchemy begins the driver's
    transaction on the first statement it runs itself, so when none has run yet one
    ``SELECT 1`` through it begins the transaction first. The hot paths do not come here:
    they run on a connection of the plain asyncpg pool (``core.tx``, decision 1480).
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    conn: asyncpg.Connection = raw.driver_connection
    if not conn.is_in_transaction():
        await connection.exec_driver_sql("SELECT 1")
    return conn


async def create_pool(database_url: str, *, size: int = 10) -> asyncpg.Pool:
    """The plain asyncpg pool the write transactions run on (``core.tx``), beside the
    engine, on the same database; it connects on demand and replaces a connection the
    server closed (a restart) when it is next acquired.

    A released connection is not reset with asyncpg's ``RESET ALL; UNLISTEN *; ...``
    (a round trip per write): nothing on it sets session state; only a transaction left
    open by a failure is rolled back."""
    pool: asyncpg.Pool = await asyncpg.create_pool(
        asyncpg_dsn(database_url),
        min_size=0,
        max_size=size,
        max_inactive_connection_lifetime=1800,
        reset=_rollback_if_open,
    )
    return pool


@contextlib.asynccontextmanager
async def plain(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the plain pool. One that fails as a lost or broken connection
    (the database restarted or cut it: asyncpg then reports closed or confused protocol
    states) is terminated, so the pool never lends it again, and the failure is raised
    as a lost connection, which a request answers with 503 (``core.errors``)."""
    async with pool.acquire() as conn:
        try:
            yield conn
        except (OSError, asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError) as exc:
            with contextlib.suppress(asyncpg.InterfaceError):
                conn.terminate()
            raise asyncpg.ConnectionDoesNotExistError("the database connection was lost") from exc


async def _rollback_if_open(conn: asyncpg.Connection) -> None:
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")
