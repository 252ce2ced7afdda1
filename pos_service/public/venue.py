"""The venue of a public path (``/order/<slug>``, ``/api/public/venues/<slug>/...``).

A public route resolves its venue here, which also charges the request to the public
rate limits (``core.ratelimit.public_limit``) before anything else is read: an unknown
slug is charged to the address (venue 0), so guessing slugs is throttled too.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core.errors import NotFound
from pos_service.core.ratelimit import public_limit
from pos_service.venues.models import Venue

SLUG = r"^[a-z0-9][a-z0-9-]{0,63}$"


async def public_venue(
    connection: ASGIConnection[Any, Any, Any, Any], slug: str, feature: str
) -> Venue:
    """The venue of ``slug`` if it offers ``feature`` (its setting, e.g.
    ``takeaway_online``, is true); else 404 naming ``slug``. Charged to the limits."""
    sessions: async_sessionmaker[AsyncSession] = connection.app.state.sessions
    async with sessions() as session:
        found = await session.execute(select(Venue).where(Venue.slug == slug))
        venue = found.scalar_one_or_none()
    public_limit(connection, venue.id if venue is not None else 0)
    if venue is None or not (venue.settings or {}).get(feature):
        raise NotFound("no venue {slug!r} offers this online", slug=slug, field="slug")
    return venue


def venue_guard(feature: str) -> Any:
    """A guard for public routes under ``{slug}``: charges the request and finds the
    venue before the body is read (a flood of bad bodies is throttled too); the handler
    takes it from ``request.state.public_venue``."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        slug = str(connection.path_params.get("slug", ""))
        connection.state.public_venue = await public_venue(connection, slug, feature)

    return guard


def venue_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Venue:
    """The venue :func:`venue_guard` found."""
    venue: Venue = connection.state.public_venue
    return venue
