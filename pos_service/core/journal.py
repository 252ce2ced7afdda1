"""The financial journal: an append-only, hash-chained record of every money fact per venue.

Each entry is ``(venue_id, seq, at, kind, data, prev_hash, hash)`` with ``seq`` gap-free
per venue from 1, ``prev_hash`` the hash of the entry before (64 zeros for the first) and
``hash = sha256(prev_hash || canonical(entry))``, where the canonical form is the JSON of
``{venue_id, seq, at, kind, data}`` with sorted keys, no spaces and ``at`` in UTC ISO 8601
with microseconds. Changing, inserting or removing any entry breaks the chain from there
on, which :func:`verify` finds. The database itself refuses UPDATE and DELETE on the
table (a trigger, see the migration).

An entry is appended in the transaction of the fact it records. :func:`append` queues it
for the end of the transaction (``core.locks.at_counters``), where it takes the venue's
``journal`` counter (its row lock serialises the venue's appends to their commit) and
reads the previous hash under that lock, after every row lock of the use case.
Data must be JSON of ints, strings, booleans, lists and objects: no floats, so that it
reads back from JSONB exactly as it was hashed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from typing import Any, Literal

import asyncpg
import msgspec
from sqlalchemy import BigInteger, ForeignKey, Index, String, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from pos_service.core import events, locks
from pos_service.core.db import Base, now_utc
from pos_service.core.models import Counter

COUNTER = "journal"
GENESIS = "0" * 64
KINDS = (
    "sale",
    "void",
    "discount",
    "comp",
    "payment",
    "refund",
    "day_close",
    "gift_card",
    "drawer",
    "return",
)
Kind = Literal[
    "sale",
    "void",
    "discount",
    "comp",
    "payment",
    "refund",
    "day_close",
    "gift_card",
    "drawer",
    "return",
]


class JournalEntry(Base):
    """One financial fact of a venue; see the module docstring. Never updated or deleted."""

    __tablename__ = "journal"
    __table_args__ = (Index("ix_journal_at", "venue_id", "at"),)

    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[dt.datetime]
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    """A journal entry as read or written."""

    venue_id: int
    seq: int
    at: dt.datetime
    kind: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


class Verification(msgspec.Struct, frozen=True, kw_only=True):
    """The result of checking a venue's chain; ``broken_at`` is the first bad ``seq``."""

    venue_id: int
    entries: int
    ok: bool
    last_hash: str
    broken_at: int | None = None
    problem: str | None = None


def canonical(venue_id: int, seq: int, at: dt.datetime, kind: str, data: Any) -> bytes:
    """The bytes an entry's hash covers (besides the previous hash)."""
    stamp = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    body = {"venue_id": venue_id, "seq": seq, "at": stamp, "kind": kind, "data": data}
    return msgspec.json.encode(body, order="sorted")


def chain_hash(
    prev_hash: str, venue_id: int, seq: int, at: dt.datetime, kind: str, data: Any
) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(venue_id, seq, at, kind, data)).hexdigest()


async def reserve(session: AsyncSession, venue_id: int) -> tuple[int, str]:
    """Take the next ``seq`` (locking the venue's journal) and the hash before it."""
    seq = await events.next_value(session, venue_id, COUNTER)
    prev = await session.scalar(
        select(JournalEntry.hash).where(
            JournalEntry.venue_id == venue_id, JournalEntry.seq == seq - 1
        )
    )
    return seq, prev or GENESIS


async def write(
    session: AsyncSession, venue_id: int, seq: int, prev_hash: str, kind: Kind, data: Any
) -> Entry:
    """Write the entry ``seq`` reserved with :func:`reserve`."""
    if kind not in KINDS:
        raise ValueError(f"unknown journal kind {kind!r}")
    plain = msgspec.to_builtins(data)
    at = now_utc()
    digest = chain_hash(prev_hash, venue_id, seq, at, kind, plain)
    session.add(
        JournalEntry(
            venue_id=venue_id,
            seq=seq,
            at=at,
            kind=kind,
            data=plain,
            prev_hash=prev_hash,
            hash=digest,
        )
    )
    await session.flush()
    return Entry(
        venue_id=venue_id, seq=seq, at=at, kind=kind, data=plain, prev_hash=prev_hash, hash=digest
    )


async def append(session: AsyncSession, venue_id: int, kind: Kind, data: Any) -> None:
    """Append a fact to the venue's journal in the current transaction, at its end."""
    if kind not in KINDS:
        raise ValueError(f"unknown journal kind {kind!r}")
    plain = msgspec.to_builtins(data)

    async def written(session: AsyncSession) -> None:
        seq, prev = await reserve(session, venue_id)
        await write(session, venue_id, seq, prev, kind, plain)

    locks.at_counters(session, written)


WRITE_ON = (
    "INSERT INTO journal (venue_id, seq, at, kind, data, prev_hash, hash)"
    " VALUES ($1, $2, $3, $4, ($5::text)::jsonb, $6, $7)"
)


async def write_on(
    conn: asyncpg.Connection, venue_id: int, seq: int, prev_hash: str, kind: Kind, data: Any
) -> Entry:
    """:func:`write` for a lean write (``core.tx``) on its connection: the entry ``seq``,
    reserved under the venue's ``journal`` counter with ``prev_hash`` read after it (a
    database function of the write does both, after its row locks)."""
    if kind not in KINDS:
        raise ValueError(f"unknown journal kind {kind!r}")
    plain = msgspec.to_builtins(data)
    at = now_utc()
    digest = chain_hash(prev_hash, venue_id, seq, at, kind, plain)
    text = msgspec.json.encode(plain).decode()
    await conn.execute(WRITE_ON, venue_id, seq, at, kind, text, prev_hash, digest)
    return Entry(
        venue_id=venue_id, seq=seq, at=at, kind=kind, data=plain, prev_hash=prev_hash, hash=digest
    )


async def entries(
    session: AsyncSession, venue_id: int, after: int = 0, before: int | None = None
) -> AsyncIterator[Entry]:
    """The venue's entries with ``after < seq < before`` in order, read in batches."""
    last = after
    while True:
        query = (
            select(*JournalEntry.__table__.columns)
            .where(JournalEntry.venue_id == venue_id, JournalEntry.seq > last)
            .order_by(JournalEntry.seq)
            .limit(1000)
        )
        if before is not None:
            query = query.where(JournalEntry.seq < before)
        rows = (await session.execute(query)).mappings().all()
        if not rows:
            return
        for row in rows:
            yield Entry(**row)
        last = rows[-1]["seq"]


async def verify(session: AsyncSession, venue_id: int) -> Verification:
    """Recompute the venue's chain from the first entry; report the first break."""
    prev, count = GENESIS, 0

    def broken(seq: int, problem: str) -> Verification:
        return Verification(
            venue_id=venue_id,
            entries=count,
            ok=False,
            last_hash=prev,
            broken_at=seq,
            problem=problem,
        )

    async for entry in entries(session, venue_id):
        if entry.seq != count + 1:
            return broken(count + 1, f"entry {count + 1} is missing")
        if entry.prev_hash != prev:
            return broken(entry.seq, "prev_hash does not match the entry before")
        expected = chain_hash(prev, venue_id, entry.seq, entry.at, entry.kind, entry.data)
        if entry.hash != expected:
            return broken(entry.seq, "hash does not match the entry's content")
        prev, count = entry.hash, count + 1
    taken = await session.scalar(
        select(Counter.value).where(Counter.venue_id == venue_id, Counter.name == COUNTER)
    )
    if (taken or 0) > count:
        return broken(count + 1, f"entries {count + 1} to {taken} are missing")
    return Verification(venue_id=venue_id, entries=count, ok=True, last_hash=prev)
