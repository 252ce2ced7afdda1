"""The kitchen's rules of a check, pure: its facts in, their changes and events out.

``kitchen_open`` (migration 0037) returns the facts of one check's kitchen in one JSON
row: the check, the venue's courses and settings, its table, its takeaway order's state,
its courses, tickets and ticket items. They decode into the structs below, which carry
the models' attribute names, so the readers of ``_common`` (``ticket_read``,
``status_of``) and ``printouts.paper`` take them as they are. A :class:`Work` holds them
while the rules change them in memory (firing a course, starting, bumping, a course
coming up and the next one firing, the table's state) and notes what changed, the slips
to print and the events in the order they happen; ``_lean.commit`` writes it all in one
statement (``kitchen_write``) and records the events. No I/O here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, cast

import msgspec

from pos_service.core.errors import Conflict, NotFound, Term
from pos_service.core.events import DomainEvent
from pos_service.kitchen import courses as pacing
from pos_service.kitchen import printouts
from pos_service.kitchen.events import (
    CourseFired,
    CourseReady,
    TicketBumped,
    TicketFired,
    TicketItemBumped,
    TicketStarted,
)
from pos_service.kitchen.models import CheckCourse, KitchenTicket, TicketItem, TicketState
from pos_service.kitchen.schemas import CourseRead, CoursesRead, TicketRead
from pos_service.kitchen.service._common import (
    EXPO_TOPIC,
    course_state,
    station_topics,
    status_of,
    ticket_read,
)
from pos_service.orders import service as orders
from pos_service.orders.models import CheckKind
from pos_service.tables import service as tables
from pos_service.tables.models import TableStatus
from pos_service.takeaway.models import PickupState
from printers import documents


class CheckFacts(msgspec.Struct):
    id: int
    status: str
    version: int
    table_id: int | None
    kind: str


class VenueFacts(msgspec.Struct):
    name: str
    courses: list[str]
    settings: dict[str, Any]


class TableFacts(msgspec.Struct):
    id: int
    name: str
    status: TableStatus
    status_changed_at: dt.datetime | None
    open_check: dict[str, Any] | None


class CourseRow(msgspec.Struct):
    """A ``kitchen_courses`` row (``CheckCourse``'s attribute names)."""

    course: str
    fired_at: dt.datetime
    ready_at: dt.datetime | None = None
    pickup_at: dt.datetime | None = None
    served_at: dt.datetime | None = None
    id: int | None = None


class TicketRow(msgspec.Struct):
    """A ``kitchen_tickets`` row with its station's name (``KitchenTicket``'s names)."""

    id: int
    number: int
    business_day: dt.date
    station_id: int
    station: str
    check_id: int
    table_id: int | None
    table_name: str | None
    waiter_id: int
    waiter_name: str
    covers: int
    allergies: list[str]
    state: str
    created_at: dt.datetime
    fired_at: dt.datetime | None
    started_at: dt.datetime | None
    bumped_at: dt.datetime | None
    late_at: dt.datetime | None
    moved: str | None


class ItemRow(msgspec.Struct):
    """A ``kitchen_ticket_items`` row (``TicketItem``'s attribute names)."""

    id: int
    ticket_id: int
    line_id: int
    item_id: int
    name: str
    quantity: int
    seat: int | None
    course: str
    modifiers: list[str]
    note: str | None
    allergens: list[str]
    allergy_flags: list[str]
    prep_minutes: int
    fired_at: dt.datetime | None
    release_at: dt.datetime | None
    released_at: dt.datetime | None
    started_at: dt.datetime | None
    bumped_at: dt.datetime | None
    voided_at: dt.datetime | None
    void_reason: str | None


class Facts(msgspec.Struct):
    """What ``kitchen_open`` read, or the reason it refused."""

    refused: str | None = None
    check: CheckFacts | None = None
    venue: VenueFacts | None = None
    table: TableFacts | None = None
    pickup: str | None = None
    courses: list[CourseRow] = []
    tickets: list[TicketRow] = []
    items: list[ItemRow] = []


class Slip(msgspec.Struct):
    """A printed slip for the printers of a station, numbered ``n`` in its write."""

    n: int
    station_id: int
    document: documents.KitchenTicket


PICKUP = "pickup"
"""In :attr:`Work.outcome`: here the takeaway order is checked for readiness (through the
ORM: ``takeaway.pickup.ready_if_done``)."""

Outcome = tuple[list[str], DomainEvent] | Slip | str


class Work:
    """A check's kitchen facts being changed by the rules, and what is to be written."""

    def __init__(self, venue_id: int, facts: Facts) -> None:
        assert facts.check is not None
        assert facts.venue is not None
        self.venue_id = venue_id
        self.check = facts.check
        self.venue = facts.venue
        self.table = facts.table
        self.pickup = facts.pickup
        self.courses = {c.course: c for c in facts.courses}
        self.tickets = {t.id: t for t in facts.tickets}
        self.items = facts.items  # in id order
        self.changed_items: set[int] = set()
        self.changed_tickets: set[int] = set()
        self.changed_courses: set[str] = set()
        self.table_changed = False
        self.version = False
        self.slips: list[Slip] = []
        self.outcome: list[Outcome] = []

    def emit(self, topics: list[str], event: DomainEvent) -> None:
        self.outcome.append((topics, event))

    def print(self, station_id: int, document: documents.KitchenTicket) -> None:
        slip = Slip(len(self.slips), station_id, document)
        self.slips.append(slip)
        self.outcome.append(slip)

    def items_of(self, ticket_id: int) -> list[ItemRow]:
        return [i for i in self.items if i.ticket_id == ticket_id]

    def ticket(self, ticket_id: int) -> TicketRow:
        return self.tickets[ticket_id]

    @property
    def needs_session(self) -> bool:
        return PICKUP in self.outcome

    def changes(self) -> dict[str, Any] | None:
        """What ``kitchen_write`` is to write, or None when nothing changed."""
        if not (
            self.changed_items
            or self.changed_tickets
            or self.changed_courses
            or self.table_changed
            or self.version
            or self.slips
        ):
            return None
        return {
            "items": [i for i in self.items if i.id in self.changed_items],
            "tickets": [self.tickets[t] for t in sorted(self.changed_tickets)],
            "courses": [self.courses[c] for c in sorted(self.changed_courses)],
            "table": self.table if self.table_changed else None,
            "version": self.version,
            "documents": self.slips,
        }


def _held(items: Iterable[ItemRow]) -> list[ItemRow]:
    return [i for i in items if i.fired_at is None and i.voided_at is None]


def held_courses(work: Work) -> set[str]:
    return {i.course for i in _held(work.items)}


def set_table(work: Work, status: TableStatus, now: dt.datetime) -> None:
    """The check's table set to ``status`` (``tables.change_state``'s rule)."""
    if work.table is None:
        return
    event = tables.change_state(work.table, status, now)
    if event is not None:
        work.table_changed = True
        work.emit([tables.FLOOR_TOPIC], event)


def fire_course(work: Work, course: str, now: dt.datetime, *, longest: int = 0) -> list[int]:
    """Fire the held items of ``course``; their ids (none: nothing was held). They are
    released to come up together after the course's longest prep, or ``longest`` minutes;
    their tickets go live, a FIRE slip is printed for each, and a table whose course was
    ready is ordering again."""
    fired = [i for i in _held(work.items) if i.course == course]
    if not fired:
        return []
    releases = pacing.release_times(now, {i.id: i.prep_minutes for i in fired}, longest=longest)
    for i in fired:
        i.fired_at = now
        i.release_at = releases[i.id]
        i.released_at = now if releases[i.id] == now else None
        work.changed_items.add(i.id)
    ticket_ids = sorted({i.ticket_id for i in fired})
    for t in (work.tickets[t] for t in ticket_ids):
        if t.state in (TicketState.HELD, TicketState.BUMPED):
            t.state = TicketState.OPEN
            t.fired_at, t.started_at, t.bumped_at, t.late_at = now, None, None, None
            work.changed_tickets.add(t.id)
    row = work.courses.get(course)
    if row is None:
        work.courses[course] = CourseRow(course=course, fired_at=now)
    else:
        row.ready_at = row.pickup_at = row.served_at = None
    work.changed_courses.add(course)
    for t in (work.tickets[t] for t in ticket_ids):
        mine = [i for i in fired if i.ticket_id == t.id]
        work.print(
            t.station_id,
            printouts.paper(
                work.venue.name,
                t.station,
                t.number,
                (t.table_name, t.waiter_name, t.covers, t.allergies),
                cast(list[TicketItem], mine),
                kind="fire",
                at=now,
                course=course,
            ),
        )
        work.emit(
            station_topics(t.station),
            TicketFired(
                ticket_id=t.id,
                number=t.number,
                station=t.station,
                table=t.table_name,
                course=course,
                state=t.state,
                fired_at=t.fired_at,
                started_at=t.started_at,
                bumped_at=t.bumped_at,
                late_at=t.late_at,
                items=[
                    {
                        "id": i.id,
                        "fired_at": i.fired_at,
                        "release_at": i.release_at,
                        "released_at": i.released_at,
                    }
                    for i in mine
                ],
            ),
        )
    check = work.check
    work.emit(
        [*orders.topics(check.id), EXPO_TOPIC],
        CourseFired(
            check_id=check.id,
            table_id=check.table_id,
            course=course,
            fired_at=now,
            item_ids=[i.id for i in fired],
        ),
    )
    if work.table is not None and work.table.status == TableStatus.COURSE_READY:
        set_table(work, TableStatus.ORDERED, now)
    return [i.id for i in fired]


def fire_takeaway(work: Work, now: dt.datetime) -> list[int]:
    """Fire everything held of a takeaway order: every course at once, each item released
    so that the whole order comes up together after its longest prep. The fired ids."""
    held = _held(work.items)
    longest = max((i.prep_minutes for i in held), default=0)
    ids: list[int] = []
    for course in sorted({i.course for i in held}, key=lambda c: rank(work, c)):
        ids += fire_course(work, course, now, longest=longest)
    return ids


def rank(work: Work, course: str) -> int:
    return pacing.rank(work.venue.courses, course)


def settle(ticket: TicketRow | KitchenTicket, items: Sequence[ItemRow], now: dt.datetime) -> None:
    """After bumps: bumped when nothing is left, held when only held items are."""
    live = [i for i in items if i.bumped_at is None and i.voided_at is None]
    if not live:
        ticket.state = TicketState.BUMPED
        ticket.bumped_at = now
    elif all(i.fired_at is None for i in live):
        ticket.state = TicketState.HELD


def _refuse_state(ticket: TicketRow) -> Conflict:
    return Conflict(
        "ticket {number} is {state}",
        number=ticket.number,
        state=Term(ticket.state),
        field="ticket_id",
    )


def start(work: Work, ticket_id: int, now: dt.datetime) -> None:
    """A cook starts the ticket: its released items are started, its timer stays."""
    ticket = work.ticket(ticket_id)
    if ticket.state != TicketState.OPEN:
        raise _refuse_state(ticket)
    started = [i for i in work.items_of(ticket.id) if status_of(cast(TicketItem, i)) == "released"]
    for i in started:
        i.started_at = now
        work.changed_items.add(i.id)
    ticket.state = TicketState.STARTED
    ticket.started_at = now
    work.changed_tickets.add(ticket.id)
    work.emit(
        station_topics(ticket.station),
        TicketStarted(
            ticket_id=ticket.id,
            number=ticket.number,
            station=ticket.station,
            started_at=now,
            item_ids=[i.id for i in started],
        ),
    )


def bump(work: Work, ticket_id: int, now: dt.datetime) -> None:
    """Bump the ticket: every fired item on it is done; then the courses it completed."""
    ticket = work.ticket(ticket_id)
    if ticket.state not in (TicketState.OPEN, TicketState.STARTED):
        raise _refuse_state(ticket)
    items = work.items_of(ticket.id)
    done = [
        i
        for i in items
        if i.fired_at is not None and status_of(cast(TicketItem, i)) not in ("bumped", "voided")
    ]
    for i in done:
        i.bumped_at = now
        work.changed_items.add(i.id)
    settle(ticket, items, now)
    work.changed_tickets.add(ticket.id)
    work.emit(
        station_topics(ticket.station),
        TicketBumped(
            ticket_id=ticket.id,
            number=ticket.number,
            station=ticket.station,
            table=ticket.table_name,
            at=now,
            state=ticket.state,
            bumped_at=ticket.bumped_at,
            item_ids=[i.id for i in done],
        ),
    )
    complete_courses(work, {i.course for i in done}, now)


def bump_item(work: Work, ticket_id: int, item_id: int, now: dt.datetime) -> None:
    """Bump one item; the ticket is bumped with its last live item."""
    ticket = work.ticket(ticket_id)
    items = work.items_of(ticket.id)
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise NotFound(
            "no item {item_id} on ticket {number}",
            item_id=item_id,
            number=ticket.number,
            field="item_id",
        )
    status = status_of(cast(TicketItem, item))
    if status in ("held", "bumped", "voided"):
        raise Conflict("{item} is {state}", item=item.name, state=Term(status), field="item_id")
    item.bumped_at = now
    work.changed_items.add(item.id)
    settle(ticket, items, now)
    work.changed_tickets.add(ticket.id)
    work.emit(
        station_topics(ticket.station),
        TicketItemBumped(
            ticket_id=ticket.id,
            number=ticket.number,
            station=ticket.station,
            item_id=item.id,
            bumped_at=now,
            state=ticket.state,
            ticket_bumped_at=ticket.bumped_at,
        ),
    )
    complete_courses(work, {item.course}, now)


def complete_courses(work: Work, courses: set[str], now: dt.datetime) -> None:
    """The courses whose items are now all bumped (voided ones aside; a course voided
    whole is not ready, there is nothing to serve) are ready: the table shows it, the pass
    is told, and the next course fires if the venue wants it (``fire_next_on_bump``). A
    takeaway order with nothing left to cook is checked for readiness first."""
    check = work.check
    left = any(i.voided_at is None and i.bumped_at is None for i in work.items)
    if check.kind == CheckKind.TAKEAWAY and work.pickup == PickupState.PREPARING and not left:
        work.outcome.append(PICKUP)
    live = [i for i in work.items if i.voided_at is None and i.course in courses]
    done = {i.course for i in live} - {i.course for i in live if i.bumped_at is None}
    ready = [c for c in done if c in work.courses and work.courses[c].ready_at is None]
    for course in ready:
        work.courses[course].ready_at = now
        work.changed_courses.add(course)
    for course in sorted(ready, key=lambda c: rank(work, c)):
        set_table(work, TableStatus.COURSE_READY, now)
        work.emit(
            [*orders.topics(check.id), EXPO_TOPIC],
            CourseReady(
                check_id=check.id,
                table_id=check.table_id,
                table=work.table.name if work.table is not None else None,
                course=course,
                ready_at=now,
            ),
        )
        if work.venue.settings.get("fire_next_on_bump"):
            fire_next(work, course, now)


def fire_next(work: Work, completed: str, now: dt.datetime) -> None:
    """Fire the course that ``completed`` pulls, if any (``courses.next_to_fire``)."""
    courses = work.venue.courses
    nxt = pacing.next_to_fire(
        courses,
        pacing.fire_on_send(courses, work.venue.settings),
        completed,
        held_courses(work),
        {c for c, row in work.courses.items() if row.ready_at is None},
    )
    if nxt is not None:
        fire_course(work, nxt, now)


# -- the answers: one mapper each


def ticket_answer(work: Work, ticket_id: int) -> TicketRead:
    """The ticket as its screen reads it (``_common.ticket_read``)."""
    ticket = work.ticket(ticket_id)
    return ticket_read(
        cast(KitchenTicket, ticket),
        ticket.station,
        cast(list[TicketItem], work.items_of(ticket_id)),
    )


def courses_read(
    check_id: int,
    version: int,
    courses: Sequence[str],
    rows: Iterable[CheckCourse | CourseRow],
    held: set[str],
) -> CoursesRead:
    """A check's courses the kitchen knows (held, fired, ready ...), in the venue's order:
    ``rows`` are its ``kitchen_courses``, ``held`` the courses of its held items."""
    by_course = {r.course: r for r in rows}
    read = []
    for course in sorted(by_course.keys() | held, key=lambda c: pacing.rank(courses, c)):
        row = by_course.get(course)
        read.append(
            CourseRead(
                course=course,
                state=course_state(cast(CheckCourse | None, row)),
                fired_at=row.fired_at if row else None,
                ready_at=row.ready_at if row else None,
                pickup_at=row.pickup_at if row else None,
                served_at=row.served_at if row else None,
            )
        )
    return CoursesRead(check_id=check_id, version=version, courses=read)


def courses_answer(work: Work) -> CoursesRead:
    return courses_read(
        work.check.id,
        work.check.version,
        work.venue.courses,
        work.courses.values(),
        held_courses(work),
    )
