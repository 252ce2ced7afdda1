"""The venue of a public path (``/order/<slug>``, ``/api/public/venues/<slug>/...``).

A public route resolves its venue here, which also charges the request to the public
rate limits (``core.ratelimit.public_limit``) before anything else is read: an unknown
slug is charged to the address (venue 0), so guessing slugs is throttled too.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from sqlalchemy import select

from pos_service.core.errors import NotFound
from pos_service.core.ratelimit import public_limit
from pos_service.venues.models import Venue

SLUG = r"^[a-z0-9][a-z0-9-]{0,63}$"


async def public_venue(request: Request[Any, Any, Any], slug: str, feature: str) -> Venue:
    """The venue of ``slug`` if it offers ``feature`` (its setting, e.g.
    ``takeaway_online``, is true); else 404 naming ``slug``. Charged to the limits."""
    async with request.app.state.sessions() as session:
        venue = (await session.execute(select(Venue).where(Venue.slug == slug))).scalar_one_or_none()
    public_limit(request, venue.id if venue is not None else 0)
    if venue is None or not (venue.settings or {}).get(feature):
        raise NotFound(f"no venue {slug!r} offers this online", field="slug")
    return venue
