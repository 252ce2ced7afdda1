"""What the first-run setup reads and answers."""

from __future__ import annotations

from typing import Annotated

import msgspec

from pos_service.staff.schemas import Name, Pin, StaffRead
from pos_service.venues.schemas import VenueCreate


class OwnerCreate(msgspec.Struct, kw_only=True):
    """The owner: signs in with ``pin`` and manages the venue (roles owner and manager)."""

    name: Name
    pin: Pin


class SetupRequest(msgspec.Struct, kw_only=True):
    """The setup code from the server's log, the venue and its owner."""

    code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    venue: VenueCreate
    owner: OwnerCreate


class SetupStatus(msgspec.Struct, kw_only=True):
    """Whether the server still waits for its first venue."""

    needed: bool


class SetupResult(msgspec.Struct, kw_only=True):
    """The new venue and the owner signed in (the answer of a PIN sign-in)."""

    token: str
    expires_in: int
    staff: StaffRead
    venue_id: int
    venue: str
    credential: str
    """This browser's device credential (the setup enrolled it): shown once, kept by the
    page like a paired device's."""
