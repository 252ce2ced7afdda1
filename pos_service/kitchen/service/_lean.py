"""The kitchen's lean writes' two round trips: ``kitchen_open`` reads a check's facts
(locked in the kitchen's order), ``kitchen_write`` writes what the rules (``_rules``)
decided; then the events are recorded in the order the rules raised them."""

from __future__ import annotations

import datetime as dt

import msgspec

from pos_service.core import events, locks
from pos_service.core.errors import NotFound
from pos_service.core.tx import Tx
from pos_service.kitchen.service._rules import PICKUP, Facts, Slip, Work
from pos_service.orders import service as orders
from pos_service.orders.models import Check, CheckStatus
from pos_service.printing import service as printing
from pos_service.printing.models import DocumentType, JobKind
from pos_service.takeaway import pickup

OPEN = "SELECT kitchen_open($1, $2, $3, $4, $5)"
WRITE = "SELECT kitchen_write($1, $2, ($3::text)::jsonb)"
FACTS = msgspec.json.Decoder(Facts)


class _Job(printing.Queued):
    n: int = 0


class _Written(msgspec.Struct):
    version: int | None
    jobs: list[_Job]


WRITTEN = msgspec.json.Decoder(_Written)


async def open_check(
    tx: Tx, venue_id: int, check_id: int, *, version: int | None = None, open_only: bool = False
) -> Work:
    """The facts of a check's kitchen, the check locked. ``open_only``: refuse a check
    that is not open, and one whose ``version`` is not the one given, with the 409 of
    ``orders.load_for_write`` (which carries the check as the ORM reads it)."""
    locks.taken(tx, locks.Lock.CHECK)
    status = CheckStatus.OPEN.value if open_only else None
    facts = FACTS.decode(await tx.conn.fetchval(OPEN, venue_id, check_id, None, status, version))
    if facts.refused == "missing":
        raise NotFound("no check {check_id}", check_id=check_id, field="check_id")
    if facts.refused is not None:  # not open, or stale: the 409 carries the whole check
        await orders.load_for_write(tx.orm(), venue_id, check_id, version)
        # it was put right before the session's try (and is locked now): read it again
        facts = FACTS.decode(
            await tx.conn.fetchval(OPEN, venue_id, check_id, None, status, version)
        )
        if facts.refused is not None:
            raise AssertionError(f"kitchen_open refused: {facts.refused}")
    return Work(venue_id, facts)


async def open_ticket(tx: Tx, venue_id: int, ticket_id: int) -> Work:
    """The facts of a ticket's check's kitchen: the check locked, then the ticket."""
    locks.taken(tx, locks.Lock.CHECK)
    facts = FACTS.decode(await tx.conn.fetchval(OPEN, venue_id, None, ticket_id, None, None))
    if facts.refused is not None:
        raise NotFound("no ticket {ticket_id}", ticket_id=ticket_id, field="ticket_id")
    return Work(venue_id, facts)


async def commit(tx: Tx, work: Work, now: dt.datetime) -> None:
    """Write what ``work`` changed in one statement and record its events in order. A
    takeaway order to check for readiness needs the ORM (``tx.orm()``)."""
    session = tx.orm() if work.needs_session else None
    changes = work.changes()
    jobs: dict[int, list[_Job]] = {}
    if changes is not None:
        payload = {
            **changes,
            "kind": JobKind.TICKET.value,
            "document_type": DocumentType.KITCHEN_TICKET.value,
        }
        written = WRITTEN.decode(
            await tx.conn.fetchval(
                WRITE, work.venue_id, work.check.id, msgspec.json.encode(payload).decode()
            )
        )
        if written.version is not None:
            work.check.version = written.version
        for job in written.jobs:
            jobs.setdefault(job.n, []).append(job)
    for entry in work.outcome:
        if isinstance(entry, Slip):
            printing.record_queued(tx, work.venue_id, jobs.get(entry.n, []), JobKind.TICKET)
        elif entry == PICKUP:
            assert session is not None
            check = await session.get(Check, (work.venue_id, work.check.id))
            assert check is not None
            await pickup.ready_if_done(session, check, now)
        else:
            assert not isinstance(entry, str)
            topics, event = entry
            events.record(tx, work.venue_id, topics, event)
