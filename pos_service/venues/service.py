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
