"""The guest's signed link to their booking: ``<venue>-<reservation>-<signature>``, an
HMAC keyed from the installation's secret. It opens that one booking only; it needs no
expiry, as what it can do ends with the booking (a cancelled or past one cannot change)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from pos_service.core.auth import derive_key
from pos_service.core.errors import Unauthorized


def _signature(secret_key: str, venue_id: int, reservation_id: int) -> str:
    key = derive_key(secret_key, "booking-link")
    digest = hmac.new(key, f"{venue_id}:{reservation_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def issue(secret_key: str, venue_id: int, reservation_id: int) -> str:
    return f"{venue_id}-{reservation_id}-{_signature(secret_key, venue_id, reservation_id)}"


def parse(token: str) -> tuple[int, int, str]:
    """The venue and reservation a token names, unchecked (401 if malformed)."""
    parts = token.split("-", 2)
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(token) > 80:
        raise Unauthorized("not a booking link", field="token")
    return int(parts[0]), int(parts[1]), parts[2]


def verify(secret_key: str, token: str) -> tuple[int, int]:
    """The venue and reservation of a genuine token; 401 otherwise."""
    venue_id, reservation_id, signature = parse(token)
    expected = _signature(secret_key, venue_id, reservation_id)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise Unauthorized("this booking link is not valid", field="token")
    return venue_id, reservation_id
