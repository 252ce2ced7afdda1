"""Events of the kitchen.

Ticket events are recorded on ``kitchen:<station name>`` and ``expo``; course events on
``orders``, ``check:<id>`` and ``expo``. Each ticket event carries what a screen needs to
change its copy of the ticket without asking the server (see ``kitchen.screen``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from pos_service.core.events import DomainEvent


class TicketCreated(DomainEvent, frozen=True, kw_only=True):
    """A send created a ticket for a station. Carries the whole ticket as the screens read
    it: number, table, waiter, covers, allergies and items (held ones included), and
    ``earlier_tickets``: whether the check had tickets before this send (the pass shows
    the whole check again, so a pass that does not hold it re-reads it)."""

    type: ClassVar[str] = "ticket.created"
    ticket: dict[str, Any]
    earlier_tickets: bool = False


class TicketFired(DomainEvent, frozen=True, kw_only=True):
    """A held course of the ticket was fired. Carries the ticket's new state and timer
    (``fired_at``, ``started_at``, ``bumped_at``, ``late_at``) and the fired items with
    their release times."""

    type: ClassVar[str] = "ticket.fired"
    ticket_id: int
    number: int
    station: str
    table: str | None
    course: str
    state: str
    fired_at: dt.datetime | None
    started_at: dt.datetime | None
    bumped_at: dt.datetime | None
    late_at: dt.datetime | None
    items: list[dict[str, Any]]


class TicketItemReleased(DomainEvent, frozen=True, kw_only=True):
    """A waiting item's start time came (quick items wait for the slow ones of their
    course). Carries the item and when it was released."""

    type: ClassVar[str] = "ticket.item_released"
    ticket_id: int
    number: int
    station: str
    item_id: int
    name: str
    released_at: dt.datetime


class TicketStarted(DomainEvent, frozen=True, kw_only=True):
    """A cook started the ticket. Carries the time and the items that started with it."""

    type: ClassVar[str] = "ticket.started"
    ticket_id: int
    number: int
    station: str
    started_at: dt.datetime
    item_ids: list[int]


class TicketItemBumped(DomainEvent, frozen=True, kw_only=True):
    """One item was bumped (done). Carries the ticket's resulting state."""

    type: ClassVar[str] = "ticket.item_bumped"
    ticket_id: int
    number: int
    station: str
    item_id: int
    bumped_at: dt.datetime
    state: str
    ticket_bumped_at: dt.datetime | None


class TicketBumped(DomainEvent, frozen=True, kw_only=True):
    """The ticket was bumped: its fired items are done. ``state`` is ``bumped``, or
    ``held`` when items of a later course are still held on it."""

    type: ClassVar[str] = "ticket.bumped"
    ticket_id: int
    number: int
    station: str
    table: str | None
    at: dt.datetime
    state: str
    bumped_at: dt.datetime | None
    item_ids: list[int]


class TicketRecalled(DomainEvent, frozen=True, kw_only=True):
    """A bumped ticket was brought back to the screen with the items its bump closed.
    ``ticket`` is the whole ticket as it now is (a screen that started after the bump
    does not hold it); events recorded before it was added lack it."""

    type: ClassVar[str] = "ticket.recalled"
    ticket_id: int
    number: int
    station: str
    state: str
    item_ids: list[int]
    ticket: dict[str, Any] | None = None


class TicketItemVoided(DomainEvent, frozen=True, kw_only=True):
    """A sent line was voided: its item shows struck through with VOID. Carries the item,
    the reason and the time."""

    type: ClassVar[str] = "ticket.item_voided"
    ticket_id: int
    number: int
    station: str
    table: str | None
    item_id: int
    line_id: int
    name: str
    quantity: int
    reason: str
    voided_at: dt.datetime


class TicketLate(DomainEvent, frozen=True, kw_only=True):
    """A ticket passed its station's ``late_minutes`` since it was fired (raised once per
    firing). Carries the ticket, the threshold and when it was flagged."""

    type: ClassVar[str] = "ticket.late"
    ticket_id: int
    number: int
    station: str
    table: str | None
    fired_at: dt.datetime
    late_minutes: int
    late_at: dt.datetime


class TicketAllergiesChanged(DomainEvent, frozen=True, kw_only=True):
    """The waiter changed the table's allergies after the send: the ticket shows the
    check's new band. Carries the ticket, its station and check, and the band."""

    type: ClassVar[str] = "ticket.allergies_changed"
    ticket_id: int
    number: int
    station: str
    check_id: int
    allergies: list[str]


class KitchenAlert(DomainEvent, frozen=True, kw_only=True):
    """Something a station must notice at once (a void of what it is cooking). Carries the
    kind, the ticket and a short message for the screen's banner."""

    type: ClassVar[str] = "kitchen.alert"
    kind: str
    station: str
    ticket_id: int
    number: int
    table: str | None
    message: str


class CourseFired(DomainEvent, frozen=True, kw_only=True):
    """A course of a check was fired (by the waiter or by the previous course coming up).
    Carries the check, table, course and the fired ticket items."""

    type: ClassVar[str] = "course.fired"
    check_id: int
    table_id: int | None
    course: str
    fired_at: dt.datetime
    item_ids: list[int]


class CourseReady(DomainEvent, frozen=True, kw_only=True):
    """Every station's items of a course of a check are bumped: the pass can send it out.
    Carries the check, table and course."""

    type: ClassVar[str] = "course.ready"
    check_id: int
    table_id: int | None
    table: str | None
    course: str
    ready_at: dt.datetime


class CoursePickup(DomainEvent, frozen=True, kw_only=True):
    """The pass called a ready course up for pickup: the check's waiter's handheld shows
    a notice with the table and course. Carries the check, table, course, the waiter it
    is meant for (``waiter_id``, ``None`` on a check without one) and when."""

    type: ClassVar[str] = "course.pickup"
    check_id: int
    table_id: int | None
    table: str | None
    course: str
    waiter_id: int | None
    pickup_at: dt.datetime


class CourseServed(DomainEvent, frozen=True, kw_only=True):
    """The pass marked a course of a check served: it leaves the pass, and the table is
    no longer waiting for a course to be taken out. Carries the check, table and course."""

    type: ClassVar[str] = "course.served"
    check_id: int
    table_id: int | None
    table: str | None
    course: str
    served_at: dt.datetime


class TicketMoved(DomainEvent, frozen=True, kw_only=True):
    """The ticket's check moved to another table or was merged into another check: the
    ticket now belongs to ``check_id`` at ``table``; ``moved`` is the note the screen and
    the slip show (``"moved to table 5"``, ``"merged into 12"``)."""

    type: ClassVar[str] = "ticket.moved"
    ticket_id: int
    number: int
    station: str
    check_id: int
    table_id: int | None
    table: str | None
    moved: str
