"""Scheduled work: releasing waiting items and raising late alerts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events
from pos_service.kitchen.events import TicketItemReleased, TicketLate
from pos_service.kitchen.service._common import station_topics

_RELEASE_DUE = text(
    """
    WITH due AS (
        SELECT venue_id, id FROM kitchen_ticket_items
        WHERE released_at IS NULL AND voided_at IS NULL AND bumped_at IS NULL
          AND release_at <= CAST(:now AS timestamptz)
        ORDER BY release_at LIMIT 500
        FOR UPDATE SKIP LOCKED
    )
    UPDATE kitchen_ticket_items AS i SET released_at = CAST(:now AS timestamptz)
    FROM due, kitchen_tickets AS t, stations AS s
    WHERE i.venue_id = due.venue_id AND i.id = due.id
      AND t.venue_id = i.venue_id AND t.id = i.ticket_id
      AND s.venue_id = i.venue_id AND s.id = i.station_id
    RETURNING i.venue_id, i.id, i.ticket_id, i.name, t.number, s.name AS station
    """
)


async def release_due(session: AsyncSession, now: dt.datetime) -> int:
    """Scheduled: release the waiting items whose start time has come."""
    rows = (await session.execute(_RELEASE_DUE, {"now": now})).all()
    for r in sorted(rows, key=lambda r: (r.venue_id, r.id)):
        events.record(
            session,
            r.venue_id,
            station_topics(r.station),
            TicketItemReleased(
                ticket_id=r.ticket_id,
                number=r.number,
                station=r.station,
                item_id=r.id,
                name=r.name,
                released_at=now,
            ),
        )
    return len(rows)


_FLAG_LATE = text(
    """
    WITH due AS (
        SELECT t.venue_id, t.id FROM kitchen_tickets AS t
        JOIN stations AS s ON s.venue_id = t.venue_id AND s.id = t.station_id
        WHERE t.state IN ('open', 'started') AND t.late_at IS NULL
          AND t.fired_at <= CAST(:now AS timestamptz) - make_interval(mins => s.late_minutes)
        ORDER BY t.fired_at LIMIT 500
        FOR UPDATE OF t SKIP LOCKED
    )
    UPDATE kitchen_tickets AS t SET late_at = CAST(:now AS timestamptz)
    FROM due, stations AS s
    WHERE t.venue_id = due.venue_id AND t.id = due.id
      AND s.venue_id = t.venue_id AND s.id = t.station_id
    RETURNING t.venue_id, t.id, t.number, t.table_name, t.fired_at,
              s.name AS station, s.late_minutes
    """
)


async def flag_late(session: AsyncSession, now: dt.datetime) -> int:
    """Scheduled: raise ``ticket.late`` once for each ticket past its station's limit."""
    rows = (await session.execute(_FLAG_LATE, {"now": now})).all()
    for r in sorted(rows, key=lambda r: (r.venue_id, r.id)):
        events.record(
            session,
            r.venue_id,
            station_topics(r.station),
            TicketLate(
                ticket_id=r.id,
                number=r.number,
                station=r.station,
                table=r.table_name,
                fired_at=r.fired_at,
                late_minutes=r.late_minutes,
                late_at=now,
            ),
        )
    return len(rows)
