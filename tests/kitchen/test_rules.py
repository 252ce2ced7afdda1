"""The kitchen's rules of a check as pure functions of its facts (no database): what
firing, bumping and a course coming up change, print and record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import pytest

from pos_service.core.errors import Conflict
from pos_service.kitchen.service import _rules
from pos_service.kitchen.service._rules import Facts, Slip, Work

NOW = dt.datetime(2026, 12, 5, 19, 30, tzinfo=dt.UTC)
SENT = NOW - dt.timedelta(minutes=20)


def _item(id_: int, ticket: int, course: str, prep: int, *, fired: bool) -> dict[str, Any]:
    return {
        "id": id_,
        "ticket_id": ticket,
        "line_id": 100 + id_,
        "item_id": 200 + id_,
        "name": f"dish {id_}",
        "quantity": 1,
        "seat": None,
        "course": course,
        "modifiers": [],
        "note": None,
        "allergens": [],
        "allergy_flags": [],
        "prep_minutes": prep,
        "fired_at": SENT if fired else None,
        "release_at": SENT if fired else None,
        "released_at": SENT if fired else None,
        "started_at": None,
        "bumped_at": None,
        "voided_at": None,
        "void_reason": None,
    }


def _ticket(id_: int, station: str, state: str) -> dict[str, Any]:
    return {
        "id": id_,
        "number": id_,
        "business_day": "2026-12-05",
        "station_id": id_,
        "station": station,
        "check_id": 7,
        "table_id": 3,
        "table_name": "12",
        "waiter_id": 1,
        "waiter_name": "Anna",
        "covers": 2,
        "allergies": [],
        "state": state,
        "created_at": SENT,
        "fired_at": SENT if state != "held" else None,
        "started_at": None,
        "bumped_at": None,
        "late_at": None,
        "moved": None,
    }


def _work(table_status: str = "ordered", **settings: Any) -> Work:
    """A table's check: the starter fired on the cold station, the main held on the hot
    station (an 18-minute steak) and the cold one (a 4-minute soup)."""
    facts = {
        "check": {"id": 7, "status": "open", "version": 4, "table_id": 3, "kind": "dine_in"},
        "venue": {"name": "Demo", "courses": ["drinks", "starter", "main"], "settings": settings},
        "table": {
            "id": 3,
            "name": "12",
            "status": table_status,
            "status_changed_at": SENT,
            "open_check": {"id": 7, "covers": 2},
        },
        "courses": [{"course": "starter", "fired_at": SENT}],
        "tickets": [_ticket(1, "cold", "open"), _ticket(2, "hot", "held")],
        "items": [
            _item(1, 1, "starter", 6, fired=True),
            _item(2, 1, "main", 4, fired=False),
            _item(3, 2, "main", 18, fired=False),
        ],
    }
    return Work(1, msgspec.convert(facts, Facts))


def _types(work: Work) -> list[str]:
    """The outcome in order: each event's type, ``print`` for a slip."""
    return [
        x[1].type if isinstance(x, tuple) else ("print" if isinstance(x, Slip) else x)
        for x in work.outcome
    ]


def test_firing_a_course_releases_its_items_to_come_up_together() -> None:
    work = _work()
    assert _rules.fire_course(work, "main", NOW) == [2, 3]
    soup, steak = work.items[1], work.items[2]
    assert steak.released_at == NOW and steak.release_at == NOW
    assert soup.released_at is None and soup.release_at == NOW + dt.timedelta(minutes=14)
    assert work.tickets[2].state == "open" and work.tickets[2].fired_at == NOW
    assert work.tickets[1].state == "open" and work.tickets[1].fired_at == SENT  # cooking
    assert work.courses["main"].fired_at == NOW
    assert [s.station_id for s in work.slips] == [1, 2]
    assert [s.document.kind for s in work.slips] == ["fire", "fire"]
    assert _types(work) == ["print", "ticket.fired", "print", "ticket.fired", "course.fired"]
    assert _rules.fire_course(work, "main", NOW) == []  # nothing of it is held now


def test_a_takeaway_floor_paces_every_course_by_the_longest_prep() -> None:
    work = _work()
    _rules.fire_course(work, "main", NOW, longest=30)
    assert work.items[2].release_at == NOW + dt.timedelta(minutes=12)
    assert work.items[2].released_at is None


def test_the_last_bump_of_a_course_makes_it_ready_and_the_table_shows_it() -> None:
    work = _work()
    _rules.bump(work, 1, NOW)  # the starter: the soup of the main stays held on it
    assert work.tickets[1].state == "held"
    assert work.courses["starter"].ready_at == NOW
    assert work.table is not None and work.table.status == "course_ready"
    assert _types(work) == ["ticket.bumped", "table.status_changed", "course.ready"]
    assert work.changes() is not None


def test_a_ready_course_pulls_the_next_one_when_the_venue_wants_it() -> None:
    work = _work(fire_next_on_bump=True)
    _rules.bump(work, 1, NOW)
    assert work.courses["main"].fired_at == NOW
    assert work.table is not None and work.table.status == "ordered"
    assert _types(work) == [
        "ticket.bumped",
        "table.status_changed",
        "course.ready",
        "print",
        "ticket.fired",
        "print",
        "ticket.fired",
        "course.fired",
        "table.status_changed",
    ]


def test_a_held_ticket_is_not_bumped_and_nothing_changes() -> None:
    work = _work()
    with pytest.raises(Conflict):
        _rules.bump(work, 2, NOW)
    assert work.changes() is None and work.outcome == []
