"""The pacing rules and item statuses, without a database."""

from __future__ import annotations

import datetime as dt

from pos_service.kitchen import courses
from pos_service.kitchen.screen import item_status

ORDER = ["drinks", "starter", "main", "dessert"]
T = dt.datetime(2025, 3, 1, 19, 0, tzinfo=dt.UTC)


def test_first_course_is_immediate_unless_configured() -> None:
    assert courses.fire_on_send(ORDER, {}) == {"drinks"}
    assert courses.fire_on_send(ORDER, {"fire_on_send": []}) == set()
    assert courses.fire_on_send(ORDER, {"fire_on_send": ["drinks", "dessert"]}) == {
        "drinks",
        "dessert",
    }


def test_on_send_drinks_and_the_first_paced_course_fire() -> None:
    immediate = {"drinks"}
    sent = {"drinks", "starter", "main", "dessert"}
    assert courses.firing_on_send(ORDER, immediate, set(), sent) == {"drinks", "starter"}
    assert courses.firing_on_send(ORDER, immediate, set(), {"dessert", "main"}) == {"main"}
    # a paced course is already cooking: a new one waits, more of a fired one goes
    assert courses.firing_on_send(ORDER, immediate, {"starter"}, {"main", "starter"}) == {"starter"}
    # drinks alone fired before: the first food course still goes
    assert courses.firing_on_send(ORDER, immediate, {"drinks"}, {"main"}) == {"main"}


def test_next_course_fires_only_after_a_paced_course_with_nothing_else_cooking() -> None:
    immediate = {"drinks"}
    held = {"main", "dessert"}
    assert courses.next_to_fire(ORDER, immediate, "starter", held, set()) == "main"
    assert courses.next_to_fire(ORDER, immediate, "drinks", held, {"starter"}) is None
    assert courses.next_to_fire(ORDER, immediate, "starter", held, {"main"}) is None
    assert courses.next_to_fire(ORDER, immediate, "starter", held, {"drinks"}) == "main"
    assert courses.next_to_fire(ORDER, immediate, "dessert", held, set()) is None


def test_release_times_bring_a_course_up_together() -> None:
    times = courses.release_times(T, {1: 18, 2: 4, 3: 18})
    assert times == {1: T, 2: T + dt.timedelta(minutes=14), 3: T}
    assert courses.release_times(T, {}) == {}


def test_item_status_follows_the_timestamps() -> None:
    assert item_status(None, None, None, None, None) == "held"
    assert item_status(T, None, None, None, None) == "waiting"
    assert item_status(T, T, None, None, None) == "released"
    assert item_status(T, T, T, None, None) == "started"
    assert item_status(T, T, T, T, None) == "bumped"
    assert item_status(T, None, None, None, T) == "voided"
