"""Scheduled work: no-show release and reminders, driven by rows, never run twice."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.db import create_engine, session_factory
from pos_service.core.scheduler import Scheduler
from pos_service.reservations import service
from pos_service.reservations.notifiers import Notifier, Reminder
from tests.reservations.conftest import Collecting, MakeVenue, RunTask

MIN = dt.timedelta(minutes=1)


class Recording(Notifier):
    def __init__(self) -> None:
        self.sent: list[Reminder] = []

    async def remind(self, session: AsyncSession, reminder: Reminder) -> None:
        await asyncio.sleep(0)
        self.sent.append(reminder)


@pytest.fixture
async def two_processes(database_url: str) -> AsyncIterator[tuple[Scheduler, Scheduler, Recording]]:
    """Two schedulers over two engines, as two server processes would have."""
    notifier = Recording()
    engines = [create_engine(database_url, pool_size=2) for _ in range(2)]
    schedulers = [
        Scheduler(session_factory(e), Collecting(), service.tasks(notifier)) for e in engines
    ]
    yield schedulers[0], schedulers[1], notifier
    for e in engines:
        await e.dispose()


async def test_a_party_not_arrived_in_time_is_released_as_no_show(
    make_venue: MakeVenue, run_task: RunTask
) -> None:
    v = await make_venue([("A", 2), ("B", 2)], no_show_minutes=15)
    at = v.next_slot(30)
    late = await v.booked(2, at, name="Late", table_ids=[v.tables["A"]])
    here = await v.booked(2, at, name="Here", table_ids=[v.tables["B"]])
    await v.call("POST", f"/api/reservations/{here['id']}/arrive")
    assert await run_task("reservations.no_shows", at + 14 * MIN) == 0
    assert await run_task("reservations.no_shows", at + 16 * MIN) == 1
    assert await run_task("reservations.no_shows", at + 30 * MIN) == 0
    rows = await v.sql(
        "SELECT name, status FROM reservations WHERE venue_id = :v ORDER BY id", v=v.venue_id
    )
    assert [(r.name, r.status) for r in rows] == [("Late", "no_show"), ("Here", "arrived")]
    assert [e["reservation"]["id"] for e in await v.events("reservation.no_show")] == [late["id"]]
    floor = (await v.call("GET", "/api/floor", "waiter")).json()
    nxt = {t["name"]: t["next_reservation"] for t in floor["areas"][0]["tables"]}
    assert nxt["A"] is None and nxt["B"]["name"] == "Here"
    cleared = [e for e in await v.events("table.next_reservation_changed") if e["name"] == "A"]
    assert cleared[-1]["next_reservation"] is None


async def test_reminders_go_to_the_notifier_once_and_before_the_time(
    make_venue: MakeVenue, two_processes: tuple[Scheduler, Scheduler, Recording]
) -> None:
    one, _, notifier = two_processes
    v = await make_venue([("A", 2), ("B", 2)], reminder_hours=24)
    at = v.at(v.future_day(2), "19:00")
    kept = await v.booked(2, at, name="Kept", phone="+39 333 1234567")
    dropped = await v.booked(2, at, name="Dropped")
    await v.call("POST", f"/api/reservations/{dropped['id']}/cancel")
    assert await one.run_task("reservations.reminders", at - 25 * 60 * MIN) == 0
    assert await one.run_task("reservations.reminders", at - 23 * 60 * MIN) == 1
    assert await one.run_task("reservations.reminders", at - 22 * 60 * MIN) == 0
    assert [(s.reservation_id, s.phone) for s in notifier.sent] == [(kept["id"], "+393331234567")]
    assert [e["reservation_id"] for e in await v.events("reservation.reminder_due")] == [kept["id"]]


async def test_two_processes_never_run_the_same_job_twice(
    make_venue: MakeVenue, two_processes: tuple[Scheduler, Scheduler, Recording]
) -> None:
    one, two, notifier = two_processes
    v = await make_venue([(str(n), 2) for n in range(6)], reminder_hours=24)
    soon, later = v.next_slot(30), v.at(v.future_day(3), "19:00")
    soon_ids = {(await v.booked(2, soon))["id"] for _ in range(6)}
    later_ids = {(await v.booked(2, later))["id"] for _ in range(6)}

    async def both(task: str, now: dt.datetime) -> list[int]:
        return list(await asyncio.gather(one.run_task(task, now), two.run_task(task, now)))

    released = await both("reservations.no_shows", soon + 20 * MIN)
    reminded = await both("reservations.reminders", later - 23 * 60 * MIN)
    assert sum(released) == 6 and sum(reminded) == 6
    no_shows = [e["reservation"]["id"] for e in await v.events("reservation.no_show")]
    assert sorted(no_shows) == sorted(soon_ids)
    assert sorted(s.reservation_id for s in notifier.sent) == sorted(later_ids)
    assert await both("reservations.no_shows", soon + 60 * MIN) == [0, 0]
    assert await both("reservations.reminders", later) == [0, 0]


async def test_a_booking_shows_on_the_floor_from_the_start_of_its_day(
    make_venue: MakeVenue, run_task: RunTask
) -> None:
    v = await make_venue([("A", 2)])
    day = v.future_day(1)
    await v.booked(2, v.at(day, "19:00"), name="Tomorrow")

    async def next_on_a() -> object:
        floor = (await v.call("GET", "/api/floor", "waiter")).json()
        return floor["areas"][0]["tables"][0]["next_reservation"]

    assert await next_on_a() is None
    day_start = v.at(day, "04:00")  # the venue's business day begins at its cutoff
    assert await run_task("reservations.floor", day_start - MIN) == 0
    assert await run_task("reservations.floor", day_start) == 1
    shown = await next_on_a()
    assert isinstance(shown, dict) and shown["name"] == "Tomorrow"
