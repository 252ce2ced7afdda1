"""Helpers of the kitchen tests: sending, reading screens and the event log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import text

from tests.conftest import Demo


async def send(demo: Demo, check_id: int, role: str = "waiter", **body: Any) -> Any:
    r = await demo.call("POST", f"/api/checks/{check_id}/send", role, json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def screen(
    demo: Demo, station: str | None = None, state: str | None = None, role: str = "kitchen"
) -> list[dict[str, Any]]:
    params = {k: v for k, v in (("station", station), ("state", state)) if v is not None}
    r = await demo.call("GET", "/api/kitchen/tickets", role, params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["tickets"])


async def ticket_at(demo: Demo, station: str, state: str = "all") -> dict[str, Any]:
    """The one ticket of ``station``."""
    (ticket,) = await screen(demo, station, state)
    return ticket


async def events(demo: Demo, topic: str, type_: str | None = None) -> list[dict[str, Any]]:
    rows = await demo.sql(
        "SELECT seq, topic, type, data FROM events WHERE venue_id = :v AND topic = :t ORDER BY seq",
        v=demo.venue_id,
        t=topic,
    )
    return [
        {"seq": r.seq, "topic": r.topic, "type": r.type, "data": r.data}
        for r in rows
        if type_ is None or r.type == type_
    ]


def at(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def by_name(ticket: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["name"]: i for i in ticket["items"]}


async def venue_setting(demo: Demo, key: str, value: Any) -> None:
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text("UPDATE venues SET settings = settings || CAST(:s AS jsonb) WHERE id = :v"),
            {"s": json.dumps({key: value}), "v": demo.venue_id},
        )


async def run_task(demo: Demo, name: str, now: dt.datetime) -> int:
    """Run a scheduled task once at ``now`` (the app runs in the test's own loop)."""
    return int(await demo.app.state.scheduler.run_task(name, now))
