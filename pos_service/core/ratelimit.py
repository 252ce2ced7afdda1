"""Fixed-window request limits for the public pages (docs/security.md, "Public pages").

A :class:`Windows` counts hits per key in one-minute windows; :func:`public_limit`
charges a request to its client address and to its venue and answers 429 with
``Retry-After`` once either is spent. The counts are per process: a server with N
workers lets through at most N times the limit, which still stops a flood.
"""

from __future__ import annotations

import time
from typing import Any

from litestar.connection import ASGIConnection

from pos_service.core.auth import client_address
from pos_service.core.errors import TooManyAttempts


class Windows:
    """Hit counts per key in fixed windows of ``seconds``; old windows are dropped as
    the clock passes them, so memory stays bounded by the keys of one window."""

    __slots__ = ("counts", "seconds", "started")

    def __init__(self, seconds: float = 60.0) -> None:
        self.seconds = seconds
        self.started = time.monotonic()
        self.counts: dict[str, int] = {}

    def hit(self, key: str, limit: int) -> int | None:
        """Count one hit on ``key``; past ``limit`` in this window, the whole seconds
        until the window ends (the ``Retry-After``), else ``None``."""
        now = time.monotonic()
        if now - self.started >= self.seconds:
            self.started = now
            self.counts.clear()
        count = self.counts.get(key, 0) + 1
        self.counts[key] = count
        if count > limit:
            return max(1, int(self.seconds - (now - self.started)) + 1)
        return None


_windows = Windows()


def public_limit(connection: ASGIConnection[Any, Any, Any, Any], venue_id: int) -> None:
    """Charge one public request to its address and its venue; raise 429 with
    ``Retry-After`` when either has spent its minute (``POS_PUBLIC_PER_*``)."""
    settings = connection.app.state.settings
    address = client_address(connection)
    wait = _windows.hit(f"address:{address}", settings.public_per_address_per_minute)
    if wait is None:
        wait = _windows.hit(f"venue:{venue_id}", settings.public_per_venue_per_minute)
    if wait is not None:
        raise TooManyAttempts(
            "too many requests; try again in {retry_after} s", field="address", retry_after=wait
        )
