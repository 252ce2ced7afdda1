"""Events of the sign-in (topic ``alerts``, followed by the managers' pages)."""

from __future__ import annotations

from typing import ClassVar

from pos_service.core.events import DomainEvent


class SignInLocked(DomainEvent, frozen=True, kw_only=True):
    """Wrong PINs locked a subject (``device:7``, ``staff:3`` or ``venue``) for
    ``seconds``; carries the failures counted so far."""

    type: ClassVar[str] = "auth.locked"
    subject: str
    failures: int
    seconds: int


class SignInBurst(DomainEvent, frozen=True, kw_only=True):
    """The venue's wrong PINs within the window reached the alert level ``failures``;
    carries the device the last one came from."""

    type: ClassVar[str] = "auth.burst"
    failures: int
    device_id: int | None


class ClockedIn(DomainEvent, frozen=True, kw_only=True):
    """A member opened a shift (topic ``staff``)."""

    type: ClassVar[str] = "staff.clocked_in"
    shift_id: int
    staff_id: int
    at: str


class ClockedOut(DomainEvent, frozen=True, kw_only=True):
    """A member closed their shift (topic ``staff``); ``forgotten``: nobody did, the day
    close ended it."""

    type: ClassVar[str] = "staff.clocked_out"
    shift_id: int
    staff_id: int
    at: str
    forgotten: bool = False


class BreakStarted(DomainEvent, frozen=True, kw_only=True):
    """A clocked-in member went on a break (topic ``staff``)."""

    type: ClassVar[str] = "staff.break_started"
    shift_id: int
    staff_id: int
    at: str


class BreakEnded(DomainEvent, frozen=True, kw_only=True):
    """A member came back from a break; ``break_seconds``: the shift's breaks so far."""

    type: ClassVar[str] = "staff.break_ended"
    shift_id: int
    staff_id: int
    at: str
    break_seconds: int
