"""The one lock order of a write transaction: check, part, payment, gift card, table;
counters last (docs/locking.md).

Every write path takes its row locks through :func:`row` (or notes a lock it takes in
SQL with :func:`taken`) and its per-venue counters through :func:`counter` or
:func:`before_counters`. Before the first counter, pending ORM changes are flushed and
the work deferred with :func:`at_counters` (journal entries) runs, so that no row lock
is ever taken after a counter's: a counter row is the one lock every writer of a venue
shares, and holding it while waiting for a row lock held by a writer that waits for the
counter is a deadlock. A lock requested after a counter raises :class:`LockOrderError`
(a bug, never a user's mistake); ``tests/core/test_lock_order.py`` traces the statements
of every write path to prove the order holds in SQL too.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

_TAKEN = "pos_locks_taken"
_DEFERRED = "pos_locks_deferred"

M = TypeVar("M")


class Lock(enum.IntEnum):
    """What a write locks, in the order it must lock them."""

    CHECK = 10
    PART = 20
    PAYMENT = 30
    GIFT_CARD = 40
    DRAWER = 45
    TABLE = 50
    COUNTER = 90


class LockOrderError(RuntimeError):
    """A row lock was asked for after a counter of the same transaction."""


class Scope(Protocol):
    """Where a transaction keeps what it queued: an ORM session or a ``core.tx.Tx``."""

    @property
    def info(self) -> dict[Any, Any]: ...


def taken(scope: Scope, lock: Lock) -> None:
    """Note that ``lock`` is (about to be) taken; refuses anything but a counter once a
    counter is held."""
    held: list[Lock] = scope.info.setdefault(_TAKEN, [])
    if lock is not Lock.COUNTER and Lock.COUNTER in held:
        raise LockOrderError(f"{lock.name.lower()} locked after a counter")
    held.append(lock)


async def row(
    session: AsyncSession, lock: Lock, model: type[M], key: Any, *, refresh: bool = False
) -> M | None:
    """``session.get(model, key)`` locked ``FOR UPDATE``, in the lock order; ``refresh``
    reloads an object the session already holds (``populate_existing``)."""
    taken(session, lock)
    return await session.get(model, key, with_for_update=True, populate_existing=refresh)


def at_counters(session: AsyncSession, work: Callable[[AsyncSession], Awaitable[None]]) -> None:
    """Run ``work`` right before the transaction's first counter (in the order queued):
    how a fact that takes a counter of its own (a journal entry) is written last."""
    session.info.setdefault(_DEFERRED, []).append(work)


async def before_counters(session: AsyncSession) -> None:
    """Get ready to take a counter: run the deferred work, flush pending ORM changes
    (an UPDATE is a row lock), and from here on refuse row locks."""
    deferred: list[Callable[[AsyncSession], Awaitable[None]]] = session.info.pop(_DEFERRED, [])
    for work in deferred:
        await work(session)
    await session.flush()
    taken(session, Lock.COUNTER)


async def counter(session: AsyncSession, venue_id: int, name: str, step: int = 1) -> int:
    """Increment the venue's counter ``name`` by ``step`` and return its new value; its
    row lock is held until commit (see :func:`before_counters`)."""
    await before_counters(session)
    result = await session.execute(
        text(
            "INSERT INTO counters (venue_id, name, value) VALUES (:v, :n, :s) "
            "ON CONFLICT (venue_id, name) DO UPDATE SET value = counters.value + :s "
            "RETURNING value"
        ),
        {"v": venue_id, "n": name, "s": step},
    )
    return int(result.scalar_one())


def forget(session: AsyncSession) -> None:
    """Forget what this transaction locked and deferred (it ended)."""
    session.info.pop(_TAKEN, None)
    session.info.pop(_DEFERRED, None)


@event.listens_for(Session, "before_commit")
def _nothing_left_unwritten(session: Session) -> None:
    """A commit with deferred work still queued would lose it (a journal entry): refuse.
    Every write path ends with ``events.flush``, which runs it."""
    if session.info.get(_DEFERRED):
        raise LockOrderError("deferred work (journal entries) not written before commit")
