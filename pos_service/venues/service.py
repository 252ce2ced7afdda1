"""Venue lookups and the business day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.errors import NotFound
from pos_service.venues.models import Venue


async def get(session: AsyncSession, venue_id: int) -> Venue:
    venue = await session.get(Venue, venue_id)
    if venue is None:
        raise NotFound("no such venue", field="venue")
    return venue


async def by_slug(session: AsyncSession, slug: str) -> Venue:
    venue = (await session.execute(select(Venue).where(Venue.slug == slug))).scalar_one_or_none()
    if venue is None:
        raise NotFound(f"no venue {slug!r}", field="venue")
    return venue


def business_day(venue: Venue, at: dt.datetime) -> dt.date:
    """The venue's business day of the moment ``at`` (it ends at the local cutoff)."""
    local = at.astimezone(ZoneInfo(venue.timezone))
    cutoff = dt.datetime.combine(local.date(), venue.day_cutoff, local.tzinfo)
    return local.date() - dt.timedelta(days=1) if local < cutoff else local.date()


def business_days(venue: Venue, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments ``[from, to)`` of the business days ``start`` to ``end``: a moment is in
    them exactly when its :func:`business_day` is."""
    zone = ZoneInfo(venue.timezone)
    return (
        dt.datetime.combine(start, venue.day_cutoff, zone),
        dt.datetime.combine(end + dt.timedelta(days=1), venue.day_cutoff, zone),
    )


async def group_venues(session: AsyncSession, venue_id: int) -> list[Venue]:
    """Every venue of ``venue_id``'s group, by id; 404 if the venue is in no group."""
    venue = await get(session, venue_id)
    if venue.group_id is None:
        raise NotFound("this venue belongs to no venue group", field="venue")
    found = await session.execute(
        select(Venue).where(Venue.group_id == venue.group_id).order_by(Venue.id)
    )
    return list(found.scalars())


async def group_venue(session: AsyncSession, venue_id: int, slug: str, field: str) -> Venue:
    """The venue ``slug`` of ``venue_id``'s group; 404 (naming ``field``) if not in it."""
    for venue in await group_venues(session, venue_id):
        if venue.slug == slug:
            return venue
    raise NotFound(f"no venue {slug!r} in this venue group", field=field)
