"""The table tent's signed order link.

A token is ``<venue>-<table>-<signature>``: an HMAC (keyed from the installation's secret)
over the venue, the table and two generation numbers kept in the venue's settings, one
for the venue and one for the table. It never expires, so a printed tent keeps working;
rotating the table's generation kills that table's tents, rotating the venue's kills
them all (docs/decisions/1450).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import msgspec

from pos_service.core.auth import derive_key
from pos_service.core.errors import Unauthorized

SETTINGS_KEY = "table_links"
"""``Venue.settings["table_links"]``: ``{"generation": n, "tables": {"<id>": n}}``."""


class Generations(msgspec.Struct, kw_only=True):
    generation: int = 0
    tables: dict[str, int] = {}

    def of(self, table_id: int) -> tuple[int, int]:
        return self.generation, self.tables.get(str(table_id), 0)


def generations(settings: dict[str, Any]) -> Generations:
    raw = settings.get(SETTINGS_KEY)
    return Generations() if raw is None else msgspec.convert(raw, Generations)


def _signature(secret_key: str, venue_id: int, table_id: int, gens: tuple[int, int]) -> str:
    key = derive_key(secret_key, "table-order-link")
    body = f"{venue_id}:{table_id}:{gens[0]}:{gens[1]}".encode()
    digest = hmac.new(key, body, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(secret_key: str, venue_id: int, table_id: int, gens: tuple[int, int]) -> str:
    """The table's token at the given (venue, table) generations."""
    return f"{venue_id}-{table_id}-{_signature(secret_key, venue_id, table_id, gens)}"


def parse(token: str) -> tuple[int, int, str]:
    """The venue and table a token names, and its signature (401 if malformed); the
    signature is checked by :func:`verify` against the venue's current generations."""
    parts = token.split("-", 2)
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(token) > 80:
        raise Unauthorized("not a table link", field="token")
    return int(parts[0]), int(parts[1]), parts[2]


def verify(
    secret_key: str, venue_id: int, table_id: int, signature: str, gens: tuple[int, int]
) -> None:
    """401 unless ``signature`` is the table's at its current generations."""
    expected = _signature(secret_key, venue_id, table_id, gens)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise Unauthorized("this table link is no longer valid", field="token")
