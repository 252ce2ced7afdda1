"""The lock order, proved on the statements themselves: every write path of an evening
is traced (asyncpg's query loggers on the server's connections), and in every
transaction no row is locked after a per-venue counter (docs/locking.md)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import Demo
from tests.support.service import in_service, next_slot, traced

# A statement that takes a counter row: the upsert itself, or a database function that
# takes one inside (kitchen_send_write takes the day's ticket numbers, bill_cash_write,
# bill_close_write and bill_settled_close_write the journal's, each after its own row
# locks).
COUNTER = re.compile(
    r"INSERT\s+INTO\s+counters\b"
    r"|\b(kitchen_send_write|bill_cash_write|bill_close_write|bill_settled_close_write)\s*\(",
    re.I,
)
# A statement that locks rows another writer may hold (SKIP LOCKED claims never wait).
LOCK = re.compile(
    r"\bFOR\s+(NO\s+KEY\s+)?UPDATE\b(?!.*SKIP\s+LOCKED)"
    r"|\bFOR\s+(KEY\s+)?SHARE\b"
    r"|\bUPDATE\s+(?!counters\b|idempotency_keys\b)\w+(\s+\w+)?\s+SET\b"
    r"|^\s*DELETE\b"
    r"|\badvisory_xact_lock\b"
    r"|\b(kitchen_send_open|bill_close_open)\s*\(",
    re.I | re.S,
)


def violations(transactions: list[list[str]]) -> list[tuple[str, str]]:
    """(counter, later lock) pairs: a row lock requested while a counter is held."""
    found = []
    for statements in transactions:
        counter = None
        for query in statements:
            if COUNTER.search(query):
                counter = counter or query
            elif counter is not None and LOCK.search(query):
                found.append((counter[:80], query[:160]))
    return found


def test_the_classifier_knows_the_first_orders_deadlock() -> None:
    """The shape of the bug: the table's update flushed after the event counter."""
    events_write = "WITH seq AS (INSERT INTO counters (venue_id, name, value) VALUES ($1)"
    table = "UPDATE dining_tables SET status=$1::VARCHAR WHERE dining_tables.venue_id = $2"
    assert violations([["SELECT kitchen_send_open($1)", events_write, table]]) != []
    assert violations([["SELECT kitchen_send_open($1)", table, events_write]]) == []


async def _call(demo: Demo, method: str, path: str, role: str = "waiter", **kw: Any) -> Any:
    r = await demo.call(method, path, role, **kw)
    assert r.status_code < 300, (path, r.status_code, r.text)
    return r.json()


async def _evening(demo: Demo) -> None:
    """One of every write an evening makes, through the public API."""
    tz = await in_service(demo)
    await _call(demo, "PUT", "/api/floor/turnover", "manager", json={"clean_after_minutes": 5})
    check = await demo.open_check("12", covers=2)
    c = check["id"]
    for name, options in (("Cola", ("0.2 l",)), ("Calamari fritti", ()), ("Tiramisu", ())):
        assert (await demo.add(c, name, 1, options)).status_code == 201
    assert (await demo.add(c, "Sirloin", 1, ("rare", "fries"), role="waiter2")).status_code == 201
    sent = await _call(demo, "POST", f"/api/checks/{c}/send", json={})
    await _call(demo, "POST", f"/api/checks/{c}/fire", json={"course": "main"})
    tickets = (await _call(demo, "GET", "/api/kitchen/tickets", "kitchen"))["tickets"]
    await _call(demo, "POST", f"/api/kitchen/tickets/{tickets[0]['id']}/bump", "kitchen")
    approval = await _call(
        demo, "POST", "/api/auth/approve", json={"pin": "9999", "action": "void"}
    )
    cola = next(line for line in sent["lines"] if line["name"] == "Cola")
    await _call(
        demo,
        "POST",
        f"/api/checks/{c}/lines/{cola['id']}/void",
        json={"reason": "spilt", "approval": approval["approval"]},
    )
    other = await demo.open_check("5", covers=2, role="waiter2")
    assert (await demo.add(other["id"], "Panna cotta", role="waiter2")).status_code == 201
    await _call(demo, "POST", f"/api/checks/{other['id']}/send", "waiter2", json={})
    await _call(demo, "POST", f"/api/checks/{c}/merge", json={"check_id": other["id"]})
    await _call(
        demo, "POST", f"/api/checks/{c}/transfer", json={"table_id": await demo.table_id("3")}
    )
    parts = await _call(demo, "POST", f"/api/checks/{c}/split", json={"mode": "even", "n": 2})
    for part in parts["parts"]:  # both lean, the last closing the check (bill_close_write)
        await _call(
            demo,
            "POST",
            f"/api/checks/{c}/payments",
            json={"method": "cash", "part_id": part["id"]},
        )
    calamari = next(line for line in sent["lines"] if line["name"] == "Calamari fritti")
    await _call(
        demo,
        "POST",
        f"/api/checks/{c}/returns",
        json={"lines": [{"line_id": calamari["id"], "quantity": 1}], "reason": "cold"},
    )
    await _call(demo, "POST", f"/api/tables/{await demo.table_id('3')}/clean")
    nothing = await demo.open_check("12", covers=1)  # nothing ordered: closed as settled
    await _call(demo, "POST", f"/api/checks/{nothing['id']}/close")
    booking = await _call(
        demo,
        "POST",
        "/api/reservations",
        "host",
        json={"name": "Rossi", "party_size": 2, "starts_at": next_slot(tz).isoformat()},
    )
    await _call(demo, "POST", f"/api/reservations/{booking['id']}/seat", "host", json={})
    entry = await _call(
        demo, "POST", "/api/waitlist", "host", json={"name": "Bianchi", "party_size": 2}
    )
    await _call(
        demo,
        "POST",
        f"/api/waitlist/{entry['id']}/seat",
        "host",
        json={"table_id": await demo.table_id("7")},
    )
    await _call(
        demo, "POST", "/api/days/close", "manager", json={"counted_cash": 0, "open_checks": "carry"}
    )
    # the scheduled work (every task once, later: releases, late flags, cleaning ...)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    await demo.app.state.scheduler.run_due(later)


async def test_no_write_path_locks_a_row_after_a_counter(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    with traced(demo.app.state.engine, monkeypatch) as trace:
        await _evening(demo)
    transactions = trace.transactions()
    statements = [q for t in transactions for q in t]
    # the trace saw the evening: counters, row locks and the send's two functions
    assert sum(bool(COUNTER.search(q)) for q in statements) >= 15
    assert any("kitchen_send_open" in q for q in statements)
    assert any("bill_close_open" in q for q in statements)
    assert any("bill_close_write" in q for q in statements)
    assert any("bill_settled_close_write" in q for q in statements)
    assert any(re.search(r"UPDATE dining_tables", q) for q in statements)
    assert violations(transactions) == []


async def test_a_first_order_and_a_table_writer_never_deadlock(demo: Demo) -> None:
    """A writer that takes the table, then the event counter (as seating does), runs
    beside a check's first send: both commit (the send locks the table before any
    counter, so the two queue instead of waiting on each other)."""
    check = await demo.open_check("12")
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    table_id = await demo.table_id("12")
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text("SELECT 1 FROM dining_tables WHERE venue_id = :v AND id = :t FOR UPDATE"),
            {"v": demo.venue_id, "t": table_id},
        )
        send = asyncio.create_task(demo.call("POST", f"/api/checks/{check['id']}/send", json={}))
        await asyncio.sleep(0.5)  # the send reaches the table (or, before, the counter)
        await session.execute(
            text(
                "INSERT INTO counters (venue_id, name, value) VALUES (:v, 'event_seq', 0) "
                "ON CONFLICT (venue_id, name) DO UPDATE SET value = counters.value"
            ),
            {"v": demo.venue_id},
        )
    r = await asyncio.wait_for(send, 10)
    assert r.status_code == 200, r.text
    floor = (await demo.call("GET", "/api/floor")).json()
    table = next(t for a in floor["areas"] for t in a["tables"] if t["id"] == table_id)
    assert table["status"] == "ordered"


@pytest.mark.parametrize("versioned", [True, False])
async def test_two_sends_of_one_check_send_each_line_once(demo: Demo, versioned: bool) -> None:
    check = await demo.open_check("12")
    for name in ("Burrata", "Tiramisu"):
        assert (await demo.add(check["id"], name)).status_code == 201
    version = (await demo.call("GET", f"/api/checks/{check['id']}")).json()["version"]
    body = {"version": version} if versioned else {}
    first, second = await asyncio.gather(
        *(demo.call("POST", f"/api/checks/{check['id']}/send", json=body) for _ in range(2))
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    loser = first if first.status_code == 409 else second
    assert loser.json()["field"] == ("version" if versioned else "check_id")
    rows = await demo.sql(
        "SELECT count(*) FROM kitchen_ticket_items WHERE venue_id = :v AND check_id = :c",
        v=demo.venue_id,
        c=check["id"],
    )
    assert rows[0][0] == 2
    tickets = await demo.sql(
        "SELECT number FROM kitchen_tickets WHERE venue_id = :v ORDER BY number", v=demo.venue_id
    )
    assert [t.number for t in tickets] == [1, 2]  # cold and pastry, numbered once each
