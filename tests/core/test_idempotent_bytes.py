"""A write's answer is encoded once: the bytes stored for its ``Idempotency-Key`` are the
bytes sent, and a retry gets them again, byte for byte; the common send runs lean, on the
plain asyncpg pool, with no ORM session (docs/architecture.md)."""

from __future__ import annotations

from typing import Any

import pytest

from pos_service.core import tx
from tests.conftest import Demo


async def _send_ready(demo: Demo) -> int:
    """A check on a table already ordered from (its first send done), with a new line."""
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Espresso")).status_code == 201
    r = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert r.status_code == 200, r.text
    assert (await demo.add(check["id"], "Tiramisu", seat=1)).status_code == 201
    return int(check["id"])


async def test_a_retried_send_gets_the_first_answer_byte_for_byte(demo: Demo) -> None:
    c = await _send_ready(demo)
    first = await demo.call("POST", f"/api/checks/{c}/send", key="send-twice", json={})
    assert first.status_code == 200, first.text
    again = await demo.call("POST", f"/api/checks/{c}/send", key="send-twice", json={})

    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    stored = await demo.sql(
        "SELECT status, response FROM idempotency_keys WHERE venue_id = :v AND key LIKE :k",
        v=demo.venue_id,
        k="%:send-twice",
    )
    assert [(row.status, bytes(row.response)) for row in stored] == [(200, first.content)]
    # the retry changed nothing: one send, the line sent once
    lines = first.json()["lines"]
    assert [line["state"] for line in lines] == ["sent", "sent"]
    tickets = await demo.sql(
        "SELECT count(*) AS n FROM kitchen_tickets WHERE venue_id = :v AND check_id = :c",
        v=demo.venue_id,
        c=c,
    )
    assert tickets[0].n == 2


async def test_the_common_send_runs_without_an_orm_session(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = await _send_ready(demo)
    with_session: list[Any] = []
    original = tx.run_with_session

    async def counted(*args: Any, **kwargs: Any) -> tx.Reply:
        with_session.append(args)
        return await original(*args, **kwargs)

    monkeypatch.setattr(tx, "run_with_session", counted)
    r = await demo.call("POST", f"/api/checks/{c}/send", key="lean", json={})

    assert r.status_code == 200, r.text
    assert with_session == []
    assert r.json()["lines"][1]["state"] == "sent"


async def test_a_refused_send_says_why_and_stores_nothing(demo: Demo) -> None:
    c = await _send_ready(demo)
    stale = await demo.call("POST", f"/api/checks/{c}/send", key="stale", json={"version": 1})

    assert stale.status_code == 409
    assert stale.json()["field"] == "version"
    stored = await demo.sql(
        "SELECT count(*) AS n FROM idempotency_keys WHERE venue_id = :v AND key LIKE :k",
        v=demo.venue_id,
        k="%:stale",
    )
    assert stored[0].n == 0


async def test_a_tables_first_send_runs_again_with_a_session_and_counts_once(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lean attempt meets the table's first order, rolls back and the send runs with a
    session: one send, one ticket, its events in the log once, the table ordered."""
    check = await demo.open_check("12", covers=2)
    c = check["id"]
    assert (await demo.add(c, "Espresso")).status_code == 201
    with_session: list[Any] = []
    original = tx.run_with_session

    async def counted(*args: Any, **kwargs: Any) -> tx.Reply:
        with_session.append(args)
        return await original(*args, **kwargs)

    monkeypatch.setattr(tx, "run_with_session", counted)
    r = await demo.call("POST", f"/api/checks/{c}/send", key="first", json={})

    assert r.status_code == 200, r.text
    assert len(with_session) == 1
    sent = await demo.sql(
        "SELECT count(*) AS n FROM events WHERE venue_id = :v AND type = 'order.sent' "
        "AND topic = :t",
        v=demo.venue_id,
        t=f"check:{c}",
    )
    assert sent[0].n == 1
    tickets = await demo.sql(
        "SELECT count(*) AS n FROM kitchen_tickets WHERE venue_id = :v AND check_id = :c",
        v=demo.venue_id,
        c=c,
    )
    assert tickets[0].n == 1
    table = await demo.sql(
        "SELECT status FROM dining_tables WHERE venue_id = :v AND id = :t",
        v=demo.venue_id,
        t=check["table_id"],
    )
    assert table[0].status == "ordered"
