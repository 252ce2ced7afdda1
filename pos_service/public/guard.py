"""The start of every public route: charge the request to its address and its venue
(``core.ratelimit.public_limit``: 429 with ``Retry-After``), then the unit of work of an
anonymous guest of that venue (``booked_by``/``added_by`` 0; no staff rights)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request

from pos_service import i18n
from pos_service.core.auth import Caller
from pos_service.core.ratelimit import public_limit
from pos_service.core.uow import UnitOfWork, unit_of_work


async def guest_uow(request: Request[Any, Any, Any], venue_of: Callable[[], int]) -> UnitOfWork:
    """``venue_of()`` names the venue from the path (raising for a malformed one); a
    request whose venue cannot be named is still charged to its address."""
    try:
        venue_id = venue_of()
    except Exception:
        public_limit(request, 0)  # a flood of forged links is throttled too
        raise
    public_limit(request, venue_id)
    return await unit_of_work(request, Caller(kind="guest", venue_id=venue_id))


def base_url(request: Request[Any, Any, Any]) -> str:
    """The server's address for links in e-mails and QR codes: ``POS_PUBLIC_URL`` where it
    is set, so a forged ``Host`` header cannot send a guest's link elsewhere; else the
    address the request reached (a demo or a test)."""
    configured: str | None = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def guest_language(request: Request[Any, Any, Any]) -> str | None:
    """The language the guest reads the public pages in (the pages' switch, the
    ``pos_lang`` cookie, else the browser's ``Accept-Language``): kept with a booking or
    an order, their e-mails are written in it. ``None``: the venue's language."""
    return i18n.reader_language(
        request.cookies.get(i18n.COOKIE), request.headers.get("accept-language")
    )
