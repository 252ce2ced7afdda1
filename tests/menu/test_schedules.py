"""The schedule window rule (pure logic): weekdays, local times, past midnight."""

from __future__ import annotations

import datetime as dt

from pos_service.menu.models import Schedule
from pos_service.menu.schedules import any_open, is_open

# 2026-12-07 is a Monday
MONDAY = dt.date(2026, 12, 7)


def at(day: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day - 1), dt.time(hh, mm))


def window(days: list[int], starts: str, ends: str) -> Schedule:
    return Schedule(
        name="w",
        weekdays=days,
        starts=dt.time.fromisoformat(starts),
        ends=dt.time.fromisoformat(ends),
    )


def test_a_weekday_lunch() -> None:
    lunch = window([1, 2, 3, 4, 5], "11:30", "15:00")
    assert is_open(lunch, at(1, 11, 30)) and is_open(lunch, at(5, 14, 59))
    assert not is_open(lunch, at(1, 15, 0)) and not is_open(lunch, at(1, 11, 29))
    assert not is_open(lunch, at(6, 12))  # Saturday


def test_a_late_menu_runs_past_midnight_and_belongs_to_its_start_day() -> None:
    late = window([5], "22:00", "02:00")  # Friday night
    assert is_open(late, at(5, 23)) and is_open(late, at(6, 1, 59))  # early Saturday
    assert not is_open(late, at(6, 2)) and not is_open(late, at(5, 1))  # Friday 01:00 is Thursday's
    sunday_night = window([7], "22:00", "02:00")
    assert is_open(sunday_night, at(1, 0, 30))  # Monday early belongs to Sunday


def test_no_schedule_means_always() -> None:
    assert any_open([], at(3, 4))
    assert not any_open([window([1], "08:00", "09:00")], at(3, 8, 30))
