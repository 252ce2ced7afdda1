"""The one write transaction: begin, claim the key, work, events and answer, commit,
publish after commit (docs/architecture.md, "The path of a write").

A write runs on a :class:`Tx`. Its statements go to ``tx.conn``, a plain asyncpg
connection; what it queues (events, locks taken, deferred work) lives in ``tx.info``.

Two ways to begin one, one way to end it (:func:`run`):

* **lean**: a connection of the application's plain asyncpg pool (``state.pool``), a
  ``BEGIN`` of asyncpg's own. No ORM session, no SQLAlchemy pool: the hot paths (the
  send). A lean write that meets a case it leaves to the ORM (a rare branch: a host-
  seated check, a counted item, a recipe, a table's first order) asks for
  :meth:`Tx.orm`, which raises :class:`NeedsSession`; the transaction rolls back (it
  has written nothing that counts) and the same function runs again **with a session**.
* **with a session**: an ORM ``AsyncSession`` owns the transaction (the cold paths,
  the dispatcher, the scheduler); ``tx.conn`` is the asyncpg connection under it, reached
  through SQLAlchemy's public API (``core.db.driver``).

Either way the end is the same: :func:`finish` runs the deferred work, flushes the
ORM, numbers and writes the events and stores the answer's bytes in one statement
(``core.events``); after the commit the events are published. The answer is encoded
once: the bytes stored for the ``Idempotency-Key`` are the bytes sent (decision 1481).

A session's write claims its key first; a lean write claims it in that last statement,
with its answer (one round trip fewer), and runs again claiming first if the key is
taken there (a retry, a duplicate in flight) or the write is refused (decision 1566).
"""

from __future__ import annotations

import typing
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

import asyncpg
import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core import events, idempotency, locks
from pos_service.core.auth import Caller
from pos_service.core.db import driver, plain
from pos_service.core.errors import DomainError, database_unreachable

P = ParamSpec("P")
T = TypeVar("T")


class NeedsSession(Exception):
    """A lean write reached a branch that needs the ORM: run it again with a session."""


class Tx:
    """One write transaction (see the module docstring)."""

    __slots__ = ("conn", "info", "session")

    def __init__(self, conn: asyncpg.Connection, session: AsyncSession | None = None) -> None:
        self.conn = conn
        self.session = session
        self.info: dict[str, Any] = session.info if session is not None else {}

    def orm(self) -> AsyncSession:
        """The ORM session of this transaction; a lean one has none (:class:`NeedsSession`)."""
        if self.session is None:
            raise NeedsSession
        return self.session

    async def before_counters(self) -> None:
        """Ready to take a counter: deferred work and ORM changes written, no row lock
        after this (``core.locks``)."""
        if self.session is not None:
            await locks.before_counters(self.session)
        else:
            locks.taken(self, locks.Lock.COUNTER)


async def of_session(session: AsyncSession) -> Tx:
    """The :class:`Tx` of a session's transaction: for a write on a session that calls a
    write written for a :class:`Tx` (the send, from ordering at the table or takeaway)."""
    return Tx(await driver(session), session)


TxFn = Callable[Concatenate[Tx, Caller, P], Awaitable[T]]


class Reply(msgspec.Struct, frozen=True):
    """A write's answer as sent: its status and its JSON bytes."""

    status: int
    body: bytes


@asynccontextmanager
async def lean(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the plain pool inside ``BEGIN`` ... ``COMMIT`` (``ROLLBACK`` on error).

    A connection the database closed under it (a restart) fails as a lost connection and
    leaves the pool (``core.db.plain``); the request answers 503."""
    async with plain(pool) as conn, conn.transaction():
        yield conn


async def claim(tx: Tx, venue_id: int, key: str | None, fingerprint: bytes) -> Reply | None:
    """Claim the request's key in ``tx``; the stored reply if it was answered before."""
    if key is None:
        return None
    stored = await idempotency.claim_on(tx.conn, venue_id, key, fingerprint)
    return None if stored is None else Reply(*stored)


async def finish(tx: Tx, answer: events.Answer | None) -> list[events.Committed]:
    """The end of every write before its commit: deferred work, ORM flush, the events
    numbered and written and the answer stored, in one statement per venue."""
    await tx.before_counters()
    return await events.write(tx.conn, tx.info, answer)


def _encode(result: object) -> bytes:
    return msgspec.json.encode(result)


async def run(
    pool: asyncpg.Pool,
    sessions: async_sessionmaker[AsyncSession],
    publish: Callable[[list[events.Committed]], Awaitable[None]],
    caller: Caller,
    key: str | None,
    fingerprint: bytes,
    status: int,
    fn: TxFn[P, Any],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Reply:
    """Run ``fn`` as one write (lean first, with a session if it asks for one) and
    return its answer's bytes, stored for ``key`` when there is one.

    The key is claimed at the end, with the answer, in the events statement (one round
    trip fewer; decision 1566). If that claim finds the key taken (a retry, a duplicate
    in flight, the key of another request), or the write fails while a key is given (a
    duplicate may have changed what it found), the write rolls back and runs again
    claiming its key first, as the session path does: it waits for the other
    transaction and answers its stored bytes, or 422, or does the work afresh."""
    try:
        if key is not None and idempotency.well_formed(key):
            try:
                return await _lean(
                    pool, publish, caller, key, fingerprint, status, True, fn, *args, **kwargs
                )
            except NeedsSession:
                raise
            except idempotency.Taken:
                pass
            except Exception as exc:
                if not _maybe_a_duplicate(exc):
                    raise
        return await _lean(
            pool, publish, caller, key, fingerprint, status, False, fn, *args, **kwargs
        )
    except NeedsSession:
        return await run_with_session(
            sessions, publish, caller, key, fingerprint, status, fn, *args, **kwargs
        )


def _maybe_a_duplicate(exc: Exception) -> bool:
    """Whether a lean write that claimed its key at the end may have failed because a
    duplicate changed what it read: a refusal, or a database error that is not a lost
    connection (that one answers 503 as it is)."""
    if isinstance(exc, DomainError):
        return True
    return isinstance(exc, asyncpg.PostgresError) and not database_unreachable(exc)


async def _lean(
    pool: asyncpg.Pool,
    publish: Callable[[list[events.Committed]], Awaitable[None]],
    caller: Caller,
    key: str | None,
    fingerprint: bytes,
    status: int,
    claim_last: bool,
    fn: TxFn[P, Any],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Reply:
    """One lean attempt of :func:`run`: the key claimed first, or last (``claim_last``)."""
    venue_id = caller.venue_id
    async with lean(pool) as conn:
        tx = Tx(conn)
        if not claim_last:
            reply = await claim(tx, venue_id, key, fingerprint)
            if reply is not None:
                return reply
        body = _encode(await fn(tx, caller, *args, **kwargs))
        if key is None:
            answer = None
        else:
            answer = events.Answer(venue_id, key, status, body, fingerprint if claim_last else None)
        committed = await finish(tx, answer)
    if committed:
        await publish(committed)
    return Reply(status, body)


async def run_with_session(
    sessions: async_sessionmaker[AsyncSession],
    publish: Callable[[list[events.Committed]], Awaitable[None]],
    caller: Caller,
    key: str | None,
    fingerprint: bytes,
    status: int,
    fn: TxFn[P, Any],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Reply:
    """:func:`run` with an ORM session owning the transaction."""
    venue_id = caller.venue_id

    async def work(session: AsyncSession) -> Reply | bytes:
        tx = await of_session(session)
        reply = await claim(tx, venue_id, key, fingerprint)
        if reply is not None:
            return reply
        return _encode(await fn(tx, caller, *args, **kwargs))

    def answer(done: Reply | bytes) -> events.Answer | None:
        if key is None or isinstance(done, Reply):
            return None
        return events.Answer(venue_id, key, status, done)

    done = await in_session(sessions, publish, work, answer)
    return done if isinstance(done, Reply) else Reply(status, done)


async def in_session(
    sessions: async_sessionmaker[AsyncSession],
    publish: Callable[[list[events.Committed]], Awaitable[None]],
    work: Callable[[AsyncSession], Awaitable[T]],
    answer: Callable[[T], events.Answer | None] | None = None,
) -> T:
    """One write on an ORM session (the cold paths through ``core.uow``, the print
    dispatcher, the scheduler): ``work``, then :func:`events.flush` with the answer to
    store (``answer(result)``), commit, publish. The session's pending events are
    forgotten if anything fails."""
    async with sessions() as session:
        try:
            async with session.begin():
                result = await work(session)
                stored = answer(result) if answer is not None else None
                committed = await events.flush(session, stored)
        except BaseException:
            events.discard(session)
            raise
    if committed:
        await publish(committed)
    return result


def decode_as(fn: Callable[..., Any], body: bytes) -> Any:
    """A stored answer decoded as ``fn``'s return type (for callers wanting the value)."""
    return msgspec.json.decode(body, type=typing.get_type_hints(fn)["return"])
