"""Idempotency keys: a retried request returns the first answer and changes nothing.

The key is claimed with an insert in the same transaction as the change it guards. A
concurrent request with the same key waits on that insert until the first transaction
ends; if the first committed, the second gets its stored answer; if it rolled back, the
second proceeds as the first.

Two ways to claim, one lock: every claim first takes the transaction-scoped advisory
lock of the key (:data:`KEY_LOCK`), so holding it means no other transaction has the key
in flight.

* **first** (:func:`claim_on`): the first statement of the transaction waits for the
  key's lock, then inserts it; the answer is stored at the end (``core.events``).
* **last** (:data:`CLAIM_ANSWER`, and folded into the events statement of
  ``core.events``): a lean write (``core.tx.run``) claims its key optimistically in its
  final statement, with the answer, saving a round trip. That claim never waits: it
  *tries* the key's lock (a row lock held then would sit beside the counters), and if
  the lock is taken or the key already stored, it claims nothing and the write raises
  :class:`Taken`; ``core.tx`` rolls back and runs the write again claiming first, which
  waits for the other transaction and answers its bytes (or 422 for another request).

A key belongs to its caller: it is stored as ``<caller>:<key>`` (:func:`scoped`), so the
same key sent by another staff member (or another guest link) is another request and
can neither replay nor block theirs.
"""

from __future__ import annotations

import hashlib

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.auth import Caller
from pos_service.core.db import driver
from pos_service.core.errors import Invalid

MAX_KEY_LENGTH = 200
KEY_LOCK = "hashtextextended('idempotency:' || {venue}::bigint::text || ':' || {key}::text, 0)"
"""The advisory lock of a venue's stored key, held by a claim to its commit."""
_LOCK = KEY_LOCK.format(venue="$1", key="$2")
CLAIM = (
    "INSERT INTO idempotency_keys (venue_id, key, request_hash, status, response) "
    "SELECT $1::bigint, $2::text, $3::bytea, 0, ''::bytea "
    f"FROM pg_advisory_xact_lock({_LOCK}) "
    "ON CONFLICT DO NOTHING RETURNING 1"
)
CLAIM_ANSWER = (
    "INSERT INTO idempotency_keys (venue_id, key, request_hash, status, response) "
    "SELECT $1::bigint, $2::text, $5::bytea, $3::integer, $4::bytea "
    f"WHERE pg_try_advisory_xact_lock({_LOCK}) "
    "ON CONFLICT DO NOTHING RETURNING 1"
)
"""The claim at the end: the key with its answer, or nothing if another has it."""
STORED = (
    "SELECT request_hash, status, response FROM idempotency_keys WHERE venue_id = $1 AND key = $2"
)
STORE = "UPDATE idempotency_keys SET status = $3, response = $4 WHERE venue_id = $1 AND key = $2"


class Taken(Exception):
    """A claim at the end found the key in flight or answered: claim first instead."""


def scoped(caller: Caller, key: str) -> str:
    """The stored form of a caller's ``key``: ``s<staff id>:`` or ``g<check id>:`` before
    it (a key too long for the column with its prefix is stored by its SHA-256)."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Invalid(
            "Idempotency-Key must be 1 to {max_length} characters",
            max_length=MAX_KEY_LENGTH,
            field="Idempotency-Key",
        )
    if caller.key_id is not None:
        owner = f"k{caller.key_id}"
    else:
        owner = f"s{caller.staff_id}" if caller.kind == "staff" else f"g{caller.check_id}"
    stored = f"{owner}:{key}"
    if len(stored) > MAX_KEY_LENGTH:
        stored = f"{owner}#{hashlib.sha256(key.encode()).hexdigest()}"
    return stored


def well_formed(key: str) -> bool:
    """Whether ``key`` fits the column (1 to :data:`MAX_KEY_LENGTH` characters)."""
    return 0 < len(key) <= MAX_KEY_LENGTH


def request_hash(method: str, path: str, body: bytes) -> bytes:
    """What must match for a retry to count as the same request."""
    digest = hashlib.sha256()
    for part in (method.encode(), b"\0", path.encode(), b"\0", body):
        digest.update(part)
    return digest.digest()


async def claim(
    session: AsyncSession, venue_id: int, key: str, fingerprint: bytes
) -> tuple[int, bytes] | None:
    """Claim ``key``; return the stored ``(status, body)`` if it was answered before."""
    return await claim_on(await driver(session), venue_id, key, fingerprint)


async def claim_on(
    db: asyncpg.Connection, venue_id: int, key: str, fingerprint: bytes
) -> tuple[int, bytes] | None:
    """:func:`claim` on the transaction's asyncpg connection."""
    if not well_formed(key):
        raise Invalid(
            "Idempotency-Key must be 1 to {max_length} characters",
            max_length=MAX_KEY_LENGTH,
            field="Idempotency-Key",
        )
    if await db.fetchval(CLAIM, venue_id, key, fingerprint) is not None:
        return None
    row = await db.fetchrow(STORED, venue_id, key)
    if bytes(row["request_hash"]) != fingerprint:
        raise Invalid(
            "Idempotency-Key was already used with a different request", field="Idempotency-Key"
        )
    return int(row["status"]), bytes(row["response"])


async def claim_answer_on(
    db: asyncpg.Connection,
    venue_id: int,
    key: str,
    status: int,
    body: bytes,
    fingerprint: bytes,
) -> None:
    """Claim ``key`` with its answer at the end of a transaction; :class:`Taken` if
    another transaction has it in flight or it was answered before."""
    if await db.fetchval(CLAIM_ANSWER, venue_id, key, status, body, fingerprint) is None:
        raise Taken


async def store(session: AsyncSession, venue_id: int, key: str, status: int, body: bytes) -> None:
    """Remember the answer given for ``key``."""
    await store_on(await driver(session), venue_id, key, status, body)


async def store_on(
    db: asyncpg.Connection, venue_id: int, key: str, status: int, body: bytes
) -> None:
    """:func:`store` on the transaction's asyncpg connection."""
    await db.execute(STORE, venue_id, key, status, body)
