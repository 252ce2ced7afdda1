"""The hash-chained journal: every money fact, append-only, tampering detected."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from pos_service.cli import _verify_journal
from tests.conftest import Demo
from tests.payments.helpers import approval, check_with, pay


async def _facts(demo: Demo) -> None:
    """A sent line voided, a discount, a payment that closes the check (a sale)."""
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    assert (await demo.call("POST", f"/api/checks/{check['id']}/send", json={})).status_code == 200
    check_id = check["id"]
    lines = (await demo.call("GET", f"/api/checks/{check_id}")).json()["lines"]
    wine = next(line["id"] for line in lines if line["name"] == "House red")
    r = await demo.call(
        "POST",
        f"/api/checks/{check_id}/lines/{wine}/void",
        json={"reason": "corked", "approval": await approval(demo, "void")},
    )
    assert r.status_code == 200, r.text
    r = await demo.call(
        "POST",
        f"/api/checks/{check_id}/discounts",
        json={"kind": "amount", "value": 50, "reason": "wait"},
    )
    assert r.status_code == 201, r.text
    await pay(demo, check_id, method="cash", amount=2000)


async def _verify(demo: Demo) -> dict[str, object]:
    r = await demo.call("GET", "/api/journal/verify", "manager")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_money_facts_are_chained_in_the_journal(demo: Demo) -> None:
    await _facts(demo)
    rows = await demo.sql("SELECT seq, kind, data, prev_hash, hash FROM journal ORDER BY seq")
    assert [(r.seq, r.kind) for r in rows] == [
        (1, "void"),
        (2, "discount"),
        (3, "payment"),
        (4, "sale"),
    ]
    assert rows[0].data["reason"] == "corked" and rows[0].data["amount"] == 1300
    assert rows[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert rows[3].data["total"] == 1300 and rows[2].data["amount"] == 1300
    assert await _verify(demo) == {
        "venue_id": demo.venue_id,
        "entries": 4,
        "ok": True,
        "last_hash": rows[3].hash,
        "broken_at": None,
        "problem": None,
    }
    assert (await demo.call("GET", "/api/journal/verify")).status_code == 403


@pytest.mark.parametrize("statement", ["UPDATE journal SET kind = 'sale'", "DELETE FROM journal"])
async def test_the_database_refuses_to_change_the_journal(demo: Demo, statement: str) -> None:
    await _facts(demo)
    async with demo.sessions() as session:
        with pytest.raises(DBAPIError, match="journal is append-only"):
            await session.execute(text(statement))
    assert (await _verify(demo))["ok"] is True


async def test_an_entry_edited_behind_the_trigger_is_detected(
    demo: Demo, database_url: str
) -> None:
    await _facts(demo)
    async with demo.sessions() as session, session.begin():
        await session.execute(text("ALTER TABLE journal DISABLE TRIGGER journal_append_only"))
        await session.execute(
            text("UPDATE journal SET data = jsonb_set(data, '{amount}', '300') WHERE seq = 3")
        )
        await session.execute(text("ALTER TABLE journal ENABLE TRIGGER journal_append_only"))
    result = await _verify(demo)
    assert (result["ok"], result["broken_at"]) == (False, 3)
    assert result["problem"] == "hash does not match the entry's content"
    assert await _verify_journal(database_url, "demo") is False


async def test_an_entry_removed_as_a_replica_is_detected(demo: Demo) -> None:
    await _facts(demo)
    async with demo.sessions() as session, session.begin():
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        await session.execute(text("DELETE FROM journal WHERE seq = 4"))
    result = await _verify(demo)
    assert (result["ok"], result["broken_at"], result["entries"]) == (False, 4, 3)
    async with demo.sessions() as session, session.begin():
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        await session.execute(text("DELETE FROM journal WHERE seq = 2"))
    result = await _verify(demo)
    assert (result["ok"], result["broken_at"]) == (False, 2)
