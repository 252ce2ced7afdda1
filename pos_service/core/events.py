"""Recording events in the transaction of the change, and numbering them at commit.

A service calls :func:`record` while it works; the unit of work calls :func:`flush`
right before it commits, which takes the venue's ``event_seq`` counter (late, so the row
lock is held as briefly as possible) and writes the rows. Publication happens only
after the commit (see ``core.realtime``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, NamedTuple

import asyncpg
import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import idempotency, locks
from pos_service.core.db import driver, now_utc

_PENDING = "pos_pending_events"
SEQ_COUNTER = "event_seq"


class DomainEvent(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every event type. Subclasses set ``type`` (e.g. ``"check.opened"``)."""

    type: ClassVar[str]


class Committed(msgspec.Struct, frozen=True):
    """An event as written to the log; ``data_json`` is ``data`` as the JSON text written
    (encoded once per event, for the log and for the live sockets)."""

    venue_id: int
    seq: int
    topic: str
    type: str
    data: dict[str, Any]
    at: dt.datetime
    data_json: str


_Pending = tuple[int, str, str, dict[str, Any], str]


Scope = locks.Scope
"""What a write queues its events on: an ORM session or a ``core.tx.Tx``."""


def record(scope: Scope, venue_id: int, topics: str | list[str], event: DomainEvent) -> None:
    """Queue ``event`` on each topic; it is written when the transaction commits.

    The event is encoded here, once: the same text is written to the log and sent to
    the live sockets."""
    data = msgspec.to_builtins(event)
    data_json = msgspec.json.encode(data).decode()
    pending: list[_Pending] = scope.info.setdefault(_PENDING, [])
    for topic in [topics] if isinstance(topics, str) else topics:
        pending.append((venue_id, topic, event.type, data, data_json))


WRITE = """
WITH seq AS (
  INSERT INTO counters (venue_id, name, value) VALUES ($1, 'event_seq', $2)
  ON CONFLICT (venue_id, name) DO UPDATE SET value = counters.value + $2
  RETURNING value - $2 AS base),
written AS (
  INSERT INTO events (venue_id, seq, topic, type, data, at)
  SELECT $1, seq.base + e.n, e.topic, e.type, e.data::jsonb, $3
  FROM seq, unnest($4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS e(topic, type, data, n)),
answered AS (
  UPDATE idempotency_keys SET status = $8, response = $9 WHERE venue_id = $1 AND key = $7)
SELECT base FROM seq
"""

WRITE_CLAIMING = f"""
WITH claimed AS (
  INSERT INTO idempotency_keys (venue_id, key, request_hash, status, response)
  SELECT $1::bigint, $7::text, $10::bytea, $8::integer, $9::bytea
  WHERE pg_try_advisory_xact_lock({idempotency.KEY_LOCK.format(venue="$1", key="$7")})
  ON CONFLICT DO NOTHING RETURNING 1),
seq AS (
  INSERT INTO counters (venue_id, name, value) SELECT $1::bigint, 'event_seq', $2::bigint
  FROM claimed
  ON CONFLICT (venue_id, name) DO UPDATE SET value = counters.value + $2
  RETURNING value - $2 AS base),
written AS (
  INSERT INTO events (venue_id, seq, topic, type, data, at)
  SELECT $1, seq.base + e.n, e.topic, e.type, e.data::jsonb, $3
  FROM seq, unnest($4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS e(topic, type, data, n))
SELECT base FROM seq
"""
""":data:`WRITE` claiming the key with its answer first (``core.idempotency``, the claim
at the end): no row, and nothing written, if another transaction has the key."""


class Answer(NamedTuple):
    """The answer to store for a request's ``Idempotency-Key`` (see ``core.idempotency``).

    With ``claim`` (the request's fingerprint) the key is claimed here, with its answer,
    rather than having been claimed first: :class:`idempotency.Taken` if another
    transaction has it (a lean write, ``core.tx.run``)."""

    venue_id: int
    key: str
    status: int
    body: bytes
    claim: bytes | None = None


async def flush(session: AsyncSession, answer: Answer | None = None) -> list[Committed]:
    """Number and insert the queued events, and store ``answer``; call last before commit.

    One round trip per venue (usually one): the ``event_seq`` counter, the rows and the
    answer in one statement, so the counter's row lock is held for as short as can be.
    First the work deferred to the counters (journal entries) runs and pending ORM
    changes are flushed (``core.locks``): nothing locks a row after this.
    """
    await locks.before_counters(session)
    if answer is None and not session.info.get(_PENDING):
        return []
    return await write(await driver(session), session.info, answer)


async def write(
    db: asyncpg.Connection, info: dict[Any, Any], answer: Answer | None = None
) -> list[Committed]:
    """Number and insert the events queued in ``info`` and store ``answer`` on ``db``,
    inside its transaction (``core.tx.finish``; :func:`flush` for a session)."""
    pending: list[_Pending] = info.pop(_PENDING, [])
    by_venue: dict[int, list[_Pending]] = {}
    for row in pending:
        by_venue.setdefault(row[0], []).append(row)
    if answer is not None and answer.venue_id not in by_venue:
        venue_id, key, status, body, claim = answer
        if claim is None:
            await idempotency.store_on(db, venue_id, key, status, body)
        else:
            await idempotency.claim_answer_on(db, venue_id, key, status, body, claim)
    if not by_venue:
        return []
    committed: list[Committed] = []
    at = now_utc()
    for venue_id in sorted(by_venue):
        rows = by_venue[venue_id]
        stored = answer if answer is not None and answer.venue_id == venue_id else None
        topics, types, data = [r[1] for r in rows], [r[2] for r in rows], [r[4] for r in rows]
        if stored is None:
            base = await db.fetchval(
                WRITE, venue_id, len(rows), at, topics, types, data, None, None, None
            )
        elif stored.claim is None:
            base = await db.fetchval(
                WRITE, venue_id, len(rows), at, topics, types, data, *stored[1:4]
            )
        else:
            base = await db.fetchval(
                WRITE_CLAIMING, venue_id, len(rows), at, topics, types, data, *stored[1:]
            )
            if base is None:
                raise idempotency.Taken
        committed.extend(
            Committed(venue_id, base + 1 + i, topic, type_, data, at, data_json)
            for i, (_, topic, type_, data, data_json) in enumerate(rows)
        )
    return committed


def discard(session: AsyncSession) -> None:
    """Forget queued events (the transaction rolled back)."""
    session.info.pop(_PENDING, None)
    locks.forget(session)


async def next_value(session: AsyncSession, venue_id: int, name: str, step: int = 1) -> int:
    """Increment the venue's counter ``name`` by ``step`` and return its new value.

    The counter row is created on first use. Holding its row lock until commit
    serialises the venue's writers of this counter from here on; no row lock may be
    taken after it (``core.locks.counter``).
    """
    return await locks.counter(session, venue_id, name, step)
