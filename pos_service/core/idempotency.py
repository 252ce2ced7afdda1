"""Idempotency keys: a retried request returns the first answer and changes nothing.

The key is claimed with an insert in the same transaction as the change it guards. A
concurrent request with the same key waits on that insert until the first transaction
ends; if the first committed, the second gets its stored answer; if it rolled back, the
second proceeds as the first.

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
CLAIM = (
    "INSERT INTO idempotency_keys (venue_id, key, request_hash, status, response) "
    "VALUES ($1, $2, $3, 0, '') ON CONFLICT DO NOTHING RETURNING 1"
)
STORED = (
    "SELECT request_hash, status, response FROM idempotency_keys WHERE venue_id = $1 AND key = $2"
)
STORE = "UPDATE idempotency_keys SET status = $3, response = $4 WHERE venue_id = $1 AND key = $2"


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
    if not key or len(key) > MAX_KEY_LENGTH:
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


async def store(session: AsyncSession, venue_id: int, key: str, status: int, body: bytes) -> None:
    """Remember the answer given for ``key``."""
    await store_on(await driver(session), venue_id, key, status, body)


async def store_on(
    db: asyncpg.Connection, venue_id: int, key: str, status: int, body: bytes
) -> None:
    """:func:`store` on the transaction's asyncpg connection."""
    await db.execute(STORE, venue_id, key, status, body)
