"""Events of guest profiles."""

from __future__ import annotations

from typing import ClassVar

from pos_service.core.events import DomainEvent


class GuestLinked(DomainEvent, frozen=True, kw_only=True):
    """A check was linked to a guest profile (by a waiter, or by seating a booking).
    Carries the check, the guest's id and points, and the guest's allergies (which the
    check now carries too). Recorded on ``orders``."""

    type: ClassVar[str] = "check.guest_linked"
    check_id: int
    guest_id: int
    points: int
    allergens: list[str]
    allergy_note: str
