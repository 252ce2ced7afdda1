"""Adding a line as one lean write (``line_open``, decision 1550): the answer and the
event as the check shows them, the same whether the add ran lean or with a session; the
refusals with their texts and nothing written; a retry's bytes; adds racing on one check."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

from pos_service.core import tx
from tests.conftest import Demo
from tests.kitchen.support import events

CASES: list[tuple[str, tuple[str, ...], dict[str, Any]]] = [
    ("Burrata", (), {}),
    ("Burger", ("medium", "truffle fries", "bacon"), {"quantity": 2}),
    ("Tiramisu", (), {"seat": 3, "course": "main", "note": "candle", "allergens": ["nuts"]}),
]


@pytest.fixture
def with_session(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The writes that ran with a session (``tx.run_with_session``)."""
    ran: list[Any] = []
    original = tx.run_with_session

    async def counted(*args: Any, **kwargs: Any) -> tx.Reply:
        ran.append(args)
        return await original(*args, **kwargs)

    monkeypatch.setattr(tx, "run_with_session", counted)
    return ran


def _as_added(line: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in line.items() if k not in ("id", "added_at")}


async def _state(demo: Demo, check_id: int) -> dict[str, Any]:
    r = await demo.call("GET", f"/api/checks/{check_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.parametrize(("item", "options", "fields"), CASES)
async def test_the_lean_add_answers_and_tells_as_the_session_path_does(
    demo: Demo,
    monkeypatch: pytest.MonkeyPatch,
    with_session: list[Any],
    item: str,
    options: tuple[str, ...],
    fields: dict[str, Any],
) -> None:
    lean_check = await demo.open_check("12", covers=2)
    assert (await demo.add(lean_check["id"], "Espresso")).status_code == 201
    r = await demo.add(lean_check["id"], item, options=options, **fields)
    assert r.status_code == 201, r.text
    assert with_session == []
    lean = r.json()
    # the answer is the check as it now reads, the new line last
    assert lean == await _state(demo, lean_check["id"])
    assert lean["version"] == lean_check["version"] + 2
    line = lean["lines"][-1]
    menu = await demo.item(item)
    deltas = {o["name"]: o["price_delta"] for g in menu["modifier_groups"] for o in g["options"]}
    assert line["unit_price"] == menu["price"] + sum(deltas[o] for o in options)
    assert line["amount"] == line["unit_price"] * fields.get("quantity", 1)
    assert sorted(m["name"] for m in line["modifiers"]) == sorted(options)
    assert (line["seat"], line["note"]) == (fields.get("seat"), fields.get("note"))
    assert line["course"] == fields.get("course", line["course"])
    assert line["state"] == "pending"
    # the event carries the line as the check shows it, on the venue's and the check's topic
    for topic in ("orders", f"check:{lean_check['id']}"):
        told = (await events(demo, topic, "line.added"))[-1]["data"]
        assert told == {"check_id": lean_check["id"], "version": lean["version"], "line": line}

    monkeypatch.setattr(demo.app.state, "pool", None)  # every write with a session
    session_check = await demo.open_check("14", covers=2)
    assert (await demo.add(session_check["id"], "Espresso")).status_code == 201
    r = await demo.add(session_check["id"], item, options=options, **fields)
    assert r.status_code == 201, r.text
    assert len(with_session) == 2
    other = r.json()
    assert other == await _state(demo, session_check["id"])
    assert other["version"] == lean["version"]
    assert [_as_added(x) for x in other["lines"]] == [_as_added(x) for x in lean["lines"]]
    told = (await events(demo, f"check:{session_check['id']}", "line.added"))[-1]["data"]
    assert told == {
        "check_id": session_check["id"],
        "version": other["version"],
        "line": other["lines"][-1],
    }


async def _nothing_written(demo: Demo, before: dict[str, Any], key: str) -> None:
    assert await _state(demo, before["id"]) == before
    stored = await demo.sql(
        "SELECT count(*) AS n FROM idempotency_keys WHERE venue_id = :v AND key LIKE :k",
        v=demo.venue_id,
        k=f"%:{key}",
    )
    assert stored[0].n == 0


async def test_refusals_say_why_in_the_same_words_and_write_nothing(
    demo: Demo, with_session: list[Any]
) -> None:
    check = await demo.open_check("12", covers=2)
    c = check["id"]
    assert (await demo.add(c, "Espresso")).status_code == 201
    before = await _state(demo, c)
    events_before = len(await events(demo, f"check:{c}"))
    burrata = (await demo.item("Burrata"))["id"]
    oat = await demo.option("Cappuccino", "oat milk")
    path = f"/api/checks/{c}/lines"

    def call(body: dict[str, Any], key: str, where: str = path) -> Any:
        return demo.call("POST", where, key=key, json=body)

    r = await call({"item_id": burrata}, "missing", "/api/checks/999999/lines")
    assert (r.status_code, r.json()["field"]) == (404, "check_id")
    assert r.json()["detail"] == "no check 999999"

    r = await call({"item_id": burrata, "version": 1}, "stale")
    assert (r.status_code, r.json()["field"]) == (409, "version")
    assert r.json()["detail"] == f"check {c} changed (version {before['version']}, not 1)"
    assert r.json()["current"] == before

    r = await call({"item_id": 999999}, "no-item")
    assert (r.status_code, r.json()["field"]) == (404, "item_id")
    assert r.json()["detail"] == "no item 999999"

    r = await call({"item_id": burrata, "modifiers": [oat]}, "bad-option")
    assert (r.status_code, r.json()["field"]) == (422, "modifiers")
    assert r.json()["detail"] == f"option {oat} is not offered for Burrata"

    r = await call({"item_id": burrata, "course": "supper"}, "bad-course")
    assert (r.status_code, r.json()["field"]) == (422, "course")
    assert r.json()["detail"].startswith("unknown course 'supper'; one of [")

    patched = await demo.call(
        "PATCH", f"/api/menu/items/{burrata}", "kitchen", json={"available": False}
    )
    assert patched.status_code == 200, patched.text
    r = await call({"item_id": burrata}, "eighty-sixed")
    assert (r.status_code, r.json()["field"]) == (409, "item_id")
    assert r.json()["detail"] == "Burrata is not available"

    assert with_session == []  # every refusal came from the lean attempt
    for key in ("stale", "no-item", "bad-option", "bad-course", "eighty-sixed"):
        await _nothing_written(demo, before, key)
    assert len(await events(demo, f"check:{c}")) == events_before


async def test_a_check_no_longer_open_is_409_with_the_check_as_it_is(demo: Demo) -> None:
    keep = await demo.open_check("12", covers=2)
    gone = await demo.open_check("14", covers=2)
    r = await demo.call("POST", f"/api/checks/{keep['id']}/merge", json={"check_id": gone["id"]})
    assert r.status_code == 200, r.text
    merged = await _state(demo, gone["id"])

    r = await demo.add(gone["id"], "Burrata")
    assert (r.status_code, r.json()["field"]) == (409, "check_id")
    assert r.json()["detail"] == f"check {gone['id']} is merged"
    assert r.json()["current"] == merged
    assert await _state(demo, gone["id"]) == merged


async def test_a_retried_add_answers_the_same_bytes_and_adds_once(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    body = {
        "item_id": (await demo.item("Burger"))["id"],
        "modifiers": [await demo.option("Burger", o) for o in ("rare", "fries")],
        "seat": 1,
    }
    path = f"/api/checks/{check['id']}/lines"
    first = await demo.call("POST", path, key="add-once", json=body)
    again = await demo.call("POST", path, key="add-once", json=body)

    assert first.status_code == again.status_code == 201, first.text
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    stored = await demo.sql(
        "SELECT status, response FROM idempotency_keys WHERE venue_id = :v AND key LIKE :k",
        v=demo.venue_id,
        k="%:add-once",
    )
    assert [(row.status, bytes(row.response)) for row in stored] == [(201, first.content)]
    assert len((await _state(demo, check["id"]))["lines"]) == 1
    assert len(await events(demo, f"check:{check['id']}", "line.added")) == 1


async def test_adds_racing_on_one_check_all_land_with_their_versions_in_order(
    demo: Demo,
) -> None:
    check = await demo.open_check("12", covers=4)
    v = check["version"]
    items = ["Burrata", "Espresso", "Tiramisu", "Lasagne"]
    answers = await asyncio.gather(
        *(
            demo.add(check["id"], item, role=role)
            for item, role in zip(items, ["waiter", "waiter2"] * 2, strict=True)
        )
    )
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    # each add saw the ones before it: its version counts the lines it shows
    assert sorted(a.json()["version"] for a in answers) == [v + 1, v + 2, v + 3, v + 4]
    for a in answers:
        assert len(a.json()["lines"]) == a.json()["version"] - v
    final = await _state(demo, check["id"])
    assert final["version"] == v + 4
    assert sorted(line["name"] for line in final["lines"]) == sorted(items)
    told = await events(demo, f"check:{check['id']}", "line.added")
    assert [e["data"]["version"] for e in told] == [v + 1, v + 2, v + 3, v + 4]
    assert [e["data"]["line"] for e in told] == final["lines"]


async def test_an_add_to_a_check_nobody_serves_runs_again_with_a_session_once(
    demo: Demo, with_session: list[Any]
) -> None:
    """The rare branch: the lean attempt meets an unassigned check (seated by a host), rolls
    back, and the add runs with a session: the adder serves the check, the floor shows
    them, one line, one event, one stored answer."""
    check = await demo.open_check("12", covers=2)
    async with demo.sessions() as session, session.begin():
        unassigned = "UPDATE checks SET waiter_id = NULL WHERE venue_id = :v AND id = :c"
        await session.execute(text(unassigned), {"v": demo.venue_id, "c": check["id"]})
    r = await demo.add(check["id"], "Burrata", role="waiter2")
    assert r.status_code == 201, r.text
    assert len(with_session) == 1
    (ben,) = await demo.sql(
        "SELECT id, name FROM staff WHERE venue_id = :v AND name = 'Ben'", v=demo.venue_id
    )
    assert r.json()["waiter_id"] == ben.id
    assert r.json() == await _state(demo, check["id"])
    assert r.json()["version"] == check["version"] + 1
    assert len(await events(demo, f"check:{check['id']}", "line.added")) == 1
    (table,) = await demo.sql(
        "SELECT open_check FROM dining_tables WHERE venue_id = :v AND id = :t",
        v=demo.venue_id,
        t=check["table_id"],
    )
    assert table.open_check["waiter"] == "Ben"
