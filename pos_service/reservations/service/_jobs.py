"""Scheduled work of reservations, driven by rows (see ``core.scheduler``).

Reminders, no-show releases and start-of-day floor refreshes are ``reservation_jobs``
rows written with the booking; waiting waitlist entries drive the table-ready check.
Each task claims its due rows with ``FOR UPDATE SKIP LOCKED`` and marks them done in the
same transaction, so two processes never do one job twice and a restart loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.core.scheduler import Task
from pos_service.reservations.events import ReminderDue, ReservationNoShow
from pos_service.reservations.models import (
    JobKind,
    Reservation,
    ReservationJob,
    ReservationStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from pos_service.reservations.notifiers import Notifier, OutboxNotifier, Reminder
from pos_service.reservations.service._common import TOPIC, refresh_next, reservation_read
from pos_service.reservations.service._waitlist import announce_ready
from pos_service.venues import service as venues

BATCH = 100
NOT_ARRIVED = (ReservationStatus.BOOKED, ReservationStatus.CONFIRMED)


async def _claim(session: AsyncSession, kind: JobKind, now: dt.datetime) -> list[ReservationJob]:
    """Due jobs of a kind, locked for this transaction; rows another run holds are skipped."""
    return list(
        (
            await session.execute(
                select(ReservationJob)
                .where(
                    ReservationJob.kind == kind,
                    ReservationJob.done_at.is_(None),
                    ReservationJob.due_at <= now,
                )
                .order_by(ReservationJob.due_at, ReservationJob.venue_id, ReservationJob.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )


async def _reservation(session: AsyncSession, job: ReservationJob) -> Reservation:
    r = await session.get(Reservation, (job.venue_id, job.reservation_id), with_for_update=True)
    assert r is not None
    return r


async def release_no_shows(session: AsyncSession, now: dt.datetime) -> int:
    """Mark booked/confirmed reservations not arrived ``no_show_minutes`` after their time
    as no-shows and release their tables (the floor's next reservation moves on)."""
    touched: dict[int, set[int]] = defaultdict(set)
    released = 0
    for job in await _claim(session, JobKind.NO_SHOW, now):
        job.done_at = now
        r = await _reservation(session, job)
        if r.status not in NOT_ARRIVED:
            continue
        venue = await venues.get(session, r.venue_id)
        r.status = ReservationStatus.NO_SHOW
        r.status_changed_at = now
        r.version += 1
        read = reservation_read(r, venue.timezone)
        events.record(
            session, r.venue_id, TOPIC, ReservationNoShow(reservation=msgspec.to_builtins(read))
        )
        touched[r.venue_id].update(r.table_ids)
        released += 1
    for venue_id in sorted(touched):
        await refresh_next(session, await venues.get(session, venue_id), touched[venue_id], now)
    return released


def send_reminders(notifier: Notifier) -> Task:
    """The reminder task: calls ``notifier`` and records ``reservation.reminder_due`` for
    each booked or confirmed reservation whose reminder is due."""

    async def run(session: AsyncSession, now: dt.datetime) -> int:
        sent = 0
        for job in await _claim(session, JobKind.REMINDER, now):
            job.done_at = now
            r = await _reservation(session, job)
            if r.status not in NOT_ARRIVED:
                continue
            reminder = Reminder(
                venue_id=r.venue_id,
                reservation_id=r.id,
                name=r.name,
                phone=r.phone,
                email=r.email,
                party_size=r.party_size,
                starts_at=r.starts_at,
                language=r.language,
            )
            await notifier.remind(session, reminder)
            events.record(
                session,
                r.venue_id,
                TOPIC,
                ReminderDue(
                    reservation_id=r.id,
                    name=r.name,
                    phone=r.phone,
                    email=r.email,
                    party_size=r.party_size,
                    starts_at=r.starts_at,
                ),
            )
            sent += 1
        return sent

    return Task("reservations.reminders", 60, run)


async def refresh_floor(session: AsyncSession, now: dt.datetime) -> int:
    """At the start of a reservation's business day, show it on its tables' floor view."""
    touched: dict[int, set[int]] = defaultdict(set)
    for job in await _claim(session, JobKind.FLOOR, now):
        job.done_at = now
        touched[job.venue_id].update((await _reservation(session, job)).table_ids)
    for venue_id in sorted(touched):
        await refresh_next(session, await venues.get(session, venue_id), touched[venue_id], now)
    return len(touched)


async def announce_ready_tables(session: AsyncSession, now: dt.datetime) -> int:
    """Announce ``waitlist.table_ready`` when free tables suit waiting parties."""
    entries = (
        await session.execute(
            select(WaitlistEntry)
            .where(WaitlistEntry.status == WaitlistStatus.WAITING)
            .order_by(WaitlistEntry.venue_id, WaitlistEntry.created_at, WaitlistEntry.id)
            .limit(BATCH * 10)
            .with_for_update(skip_locked=True)
        )
    ).scalars()
    queues: dict[int, list[WaitlistEntry]] = defaultdict(list)
    for entry in entries:
        queues[entry.venue_id].append(entry)
    return sum([await announce_ready(session, v, queues[v], now) for v in sorted(queues)])


def tasks(notifier: Notifier | None = None) -> list[Task]:
    """The scheduled tasks of reservations, reminders going to ``notifier``
    (by default e-mails through the mail outbox)."""
    return [
        send_reminders(notifier or OutboxNotifier()),
        Task("reservations.no_shows", 30, release_no_shows),
        Task("reservations.floor", 60, refresh_floor),
        Task("reservations.waitlist_ready", 15, announce_ready_tables),
    ]
