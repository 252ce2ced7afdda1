"""Paying in cash as one lean write: the same answer, events, journal and drawer as the
session path (the payment that closes the check too: the table, the sale, the receipt),
the same change and tip rules, refusals that write nothing, a retry's bytes, two
payments of one check at once, and the close's rare branch on a session."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import msgspec
import pytest

from pos_service.core.auth import Caller
from pos_service.core.uow import UnitOfWork
from pos_service.payments import service
from pos_service.payments.schemas import PaymentCreate, PaymentResult
from pos_service.payments.service import _cash
from tests.conftest import Demo
from tests.kitchen.test_countdown import Discard
from tests.payments.helpers import bill, check_with, pay
from tests.reliability.test_races import held

ITEMS = (("Burrata", 1, 1), ("House red", 2, 2), ("Lemon tart", 1, 3))
DRAWERS = "/api/drawer-sessions"


def _split(demo: Demo, check_id: int, n: int) -> Any:
    return demo.call("POST", f"/api/checks/{check_id}/split", json={"mode": "even", "n": n})


async def _split_check(demo: Demo, n: int, table: str = "12") -> tuple[int, list[int]]:
    check = await check_with(demo, *ITEMS, table=table)
    r = await _split(demo, check["id"], n)
    assert r.status_code == 200, r.text
    return check["id"], [p["id"] for p in r.json()["parts"]]


def _anna(demo: Demo, staff_id: int, *, lean: bool) -> UnitOfWork:
    caller = Caller(
        kind="staff",
        venue_id=demo.venue_id,
        staff_id=staff_id,
        name="Anna",
        roles=frozenset({"waiter"}),
    )
    pool = demo.app.state.pool if lean else None  # no pool: the write runs on a session
    return UnitOfWork(demo.sessions, caller, Discard(), pool=pool)


class _Spy:
    """Counts the payments that ran on a session (``payments.service.pay``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        inner = service.pay

        async def counted(*args: Any, **kwargs: Any) -> PaymentResult:
            self.calls += 1
            return await inner(*args, **kwargs)

        monkeypatch.setattr(_cash, "pay", counted)


def _shape(value: Any) -> Any:
    """``value`` with its ids and times blanked (and the table's name, the two checks'
    one difference): what two checks' payments share."""
    if isinstance(value, dict):
        return {
            k: "*" if k.endswith(("id", "_at")) and v is not None else _shape(v)
            for k, v in value.items()
            if k != "name" or value.get("status") != "to_clean"
        }
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


async def _facts(demo: Demo, check_id: int, after: tuple[int, int, int]) -> dict[str, Any]:
    """What a payment of ``check_id`` left: its events, journal entries, drawer pulses."""
    events = await demo.sql(
        "SELECT topic, type, data FROM events WHERE venue_id = :v AND seq > :s ORDER BY seq",
        v=demo.venue_id,
        s=after[0],
    )
    entries = await demo.sql(
        "SELECT kind, data FROM journal WHERE venue_id = :v AND seq > :s ORDER BY seq",
        v=demo.venue_id,
        s=after[1],
    )
    pulses = await demo.sql(
        "SELECT count(*) AS n FROM print_jobs WHERE venue_id = :v AND kind = 'drawer'",
        v=demo.venue_id,
    )
    return {
        "events": [
            (e.topic.replace(f"check:{check_id}", "check:*"), e.type, _shape(e.data))
            for e in events
        ],
        "journal": [(j.kind, _shape(j.data)) for j in entries],
        "pulses": pulses[0].n - after[2],
    }


async def _marks(demo: Demo) -> tuple[int, int, int]:
    """The last event and journal entry, and the drawer pulses queued so far."""
    rows = await demo.sql(
        "SELECT (SELECT coalesce(max(seq), 0) FROM events WHERE venue_id = :v) AS e,"
        " (SELECT coalesce(max(seq), 0) FROM journal WHERE venue_id = :v) AS j,"
        " (SELECT count(*) FROM print_jobs WHERE venue_id = :v AND kind = 'drawer') AS p",
        v=demo.venue_id,
    )
    return rows[0].e, rows[0].j, rows[0].p


async def _drawer(demo: Demo, session_id: int) -> tuple[int, int]:
    r = await demo.call("GET", f"{DRAWERS}/{session_id}", "manager")
    return r.json()["cash_sales"], r.json()["cash_tips"]


async def test_lean_cash_answers_as_the_session_path_a_part_then_the_last(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = await demo.call("POST", DRAWERS, json={"opening_float": 10000})
    assert r.status_code == 201, r.text
    drawer = r.json()
    lean_check, lean_parts = await _split_check(demo, 2, "12")
    orm_check, orm_parts = await _split_check(demo, 2, "5")
    lean, orm = (
        _anna(demo, drawer["staff_id"], lean=True),
        _anna(demo, drawer["staff_id"], lean=False),
    )
    provider = demo.app.state.payment_provider
    spy = _Spy(monkeypatch)
    results: dict[str, list[Any]] = {"lean": [], "session": []}
    for i in range(2):  # a part, then the last part (which closes the check)
        data = PaymentCreate(method="cash", part_id=lean_parts[i], tendered=5000, tip=150)
        mark = await _marks(demo)
        answer = await lean.write_tx(service.pay_cash, provider, lean_check, data)
        results["lean"].append(
            (_shape(msgspec.to_builtins(answer)), await _facts(demo, lean_check, mark))
        )
        data = PaymentCreate(method="cash", part_id=orm_parts[i], tendered=5000, tip=150)
        mark = await _marks(demo)
        answer = await orm.write_tx(service.pay_cash, provider, orm_check, data)
        results["session"].append(
            (_shape(msgspec.to_builtins(answer)), await _facts(demo, orm_check, mark))
        )
        # the lean ran with no session (decision 1557: the closing part too), the other on one
        assert spy.calls == 1 + i
    assert results["lean"] == results["session"]
    (first, facts), (last, closed) = results["lean"]
    assert first["bill"]["status"] == "open" and last["bill"]["status"] == "closed"
    assert first["payment"]["change"] == 5000 - 150 - first["payment"]["amount"]
    assert [e[1] for e in facts["events"]] == ["print.queued"] + ["payment.changed"] * 3
    assert [j[0] for j in facts["journal"]] == ["payment"]
    assert facts["journal"][0][1]["tip"] == 150 and facts["journal"][0][1]["method"] == "cash"
    assert "check.closed" in [e[1] for e in closed["events"]]
    assert [j[0] for j in closed["journal"]] == ["payment", "sale"]
    total = (await bill(demo, lean_check))["total"]
    assert await _drawer(demo, drawer["id"]) == (2 * total, 4 * 150)
    entries = await demo.call("GET", "/api/journal/verify", "manager")
    assert entries.status_code == 200 and entries.json()["ok"], entries.text


async def test_cash_change_tip_and_overpay_hold_on_a_part(demo: Demo) -> None:
    check_id, parts = await _split_check(demo, 3)
    open_ = (await bill(demo, check_id))["parts"][0]["due"]
    # more than is open, in cash: the excess is change
    paid = await pay(demo, check_id, method="cash", part_id=parts[0], amount=open_ + 500)
    assert (paid["payment"]["amount"], paid["payment"]["change"]) == (open_, 500)
    assert paid["payment"]["tendered"] == open_ + 500
    # tendered covers the tip first, then the part
    paid = await pay(demo, check_id, method="cash", part_id=parts[1], tip=300, tendered=5000)
    assert paid["payment"]["tip"] == 300
    assert paid["payment"]["change"] == 5000 - 300 - paid["payment"]["amount"]
    assert paid["bill"]["tips"] == 300 and paid["bill"]["status"] == "open"
    assert [p["due"] for p in paid["bill"]["parts"]][:2] == [0, 0]


async def test_a_refused_cash_payment_writes_nothing(demo: Demo) -> None:
    check_id, parts = await _split_check(demo, 3)
    await pay(demo, check_id, method="cash", part_id=parts[0])
    before = await _marks(demo)
    payments = await demo.sql("SELECT count(*) AS n FROM payments WHERE check_id = :c", c=check_id)
    refusals = [
        ({"method": "cash", "part_id": parts[0]}, 409, "part_id", "nothing is due on this part"),
        ({"method": "cash", "part_id": 987654}, 409, "part_id", None),
        (
            {"method": "cash", "part_id": parts[1], "tip": 500, "tendered": 400},
            422,
            "tendered",
            None,
        ),
        (
            {"method": "cash", "part_id": parts[1], "amount": 900, "tendered": 800},
            422,
            "tendered",
            None,
        ),
        ({"method": "cash", "part_id": parts[1], "reference": "T-1"}, 422, "reference", None),
    ]
    for body, status, field, detail in refusals:
        r = await demo.call("POST", f"/api/checks/{check_id}/payments", json=body)
        assert (r.status_code, r.json()["field"]) == (status, field), r.text
        if detail is not None:
            assert r.json()["detail"] == detail
    r = await demo.call("POST", "/api/checks/999999/payments", json={"method": "cash"})
    assert (r.status_code, r.json()["field"]) == (404, "check_id")
    assert await _marks(demo) == before
    after = await demo.sql("SELECT count(*) AS n FROM payments WHERE check_id = :c", c=check_id)
    assert after[0].n == payments[0].n


async def test_a_retried_cash_payment_answers_the_same_bytes_and_pays_once(demo: Demo) -> None:
    check_id, parts = await _split_check(demo, 2)
    path = f"/api/checks/{check_id}/payments"
    body = {"method": "cash", "part_id": parts[0], "tendered": 5000}
    first = await demo.call("POST", path, key="cash-once", json=body)
    again = await demo.call("POST", path, key="cash-once", json=body)
    assert first.status_code == again.status_code == 201, first.text
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    rows = await demo.sql("SELECT count(*) AS n FROM payments WHERE check_id = :c", c=check_id)
    assert rows[0].n == 1
    # the last part closes the check (lean, decision 1557): its retry answers its bytes too
    body = {"method": "cash", "part_id": parts[1]}
    first = await demo.call("POST", path, key="cash-closing", json=body)
    again = await demo.call("POST", path, key="cash-closing", json=body)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json()["bill"]["status"] == "closed"
    assert again.content == first.content
    rows = await demo.sql("SELECT count(*) AS n FROM payments WHERE check_id = :c", c=check_id)
    assert rows[0].n == 2


async def _post(demo: Demo, path: str, body: dict[str, Any]) -> Any:
    return await demo.call("POST", path, json=body)


async def test_two_cash_payments_of_one_check_at_once_are_serialised(demo: Demo) -> None:
    check_id, parts = await _split_check(demo, 3)
    path = f"/api/checks/{check_id}/payments"
    lock = f"SELECT 1 FROM checks WHERE venue_id = :v AND id = {check_id} FOR UPDATE"
    same = {"method": "cash", "part_id": parts[0]}
    answers = await held(demo, lock, [functools.partial(_post, demo, path, same)] * 2)
    assert sorted(a.status_code for a in answers) == [201, 409]
    assert [a.json()["field"] for a in answers if a.status_code == 409] == ["part_id"]
    others = [{"method": "cash", "part_id": parts[1]}, {"method": "cash", "part_id": parts[2]}]
    answers = await held(demo, lock, [functools.partial(_post, demo, path, b) for b in others])
    assert [a.status_code for a in answers] == [201, 201]
    # the second to get the lock saw the first's payment: it paid the last part and closed
    assert sorted(a.json()["bill"]["status"] for a in answers) == ["closed", "open"]
    final = await bill(demo, check_id)
    assert final["status"] == "closed" and final["paid"] == final["total"]
    rows = await demo.sql("SELECT count(*) AS n FROM payments WHERE check_id = :c", c=check_id)
    assert rows[0].n == 3


async def _receipts(demo: Demo, after: int) -> list[Any]:
    """The receipt jobs queued after job ``after``, without their check's table."""
    rows = await demo.sql(
        "SELECT kind, document_type, document FROM print_jobs"
        " WHERE venue_id = :v AND id > :a AND kind = 'receipt' ORDER BY id",
        v=demo.venue_id,
        a=after,
    )
    return [(r.kind, r.document_type, _shape({**r.document, "table": "*"})) for r in rows]


async def _last_job(demo: Demo) -> int:
    rows = await demo.sql(
        "SELECT coalesce(max(id), 0) AS n FROM print_jobs WHERE venue_id = :v", v=demo.venue_id
    )
    return int(rows[0].n)


async def _table(demo: Demo, name: str) -> dict[str, Any]:
    floor = (await demo.call("GET", "/api/floor")).json()
    return next(t for a in floor["areas"] for t in a["tables"] if t["name"] == name)


async def test_the_closing_cash_payment_is_lean_and_closes_as_the_session_path(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = await demo.call(
        "PUT", "/api/venue/guest-settings", "manager", json={"print_receipt_after_payment": True}
    )
    assert r.status_code == 200, r.text
    r = await demo.call("POST", DRAWERS, json={"opening_float": 10000})
    assert r.status_code == 201, r.text
    drawer = r.json()
    provider = demo.app.state.payment_provider
    spy = _Spy(monkeypatch)
    results: dict[str, tuple[Any, ...]] = {}
    for way, name in (("lean", "12"), ("session", "5")):
        check = await check_with(demo, *ITEMS, table=name)
        uow = _anna(demo, drawer["staff_id"], lean=way == "lean")
        mark, job = await _marks(demo), await _last_job(demo)
        data = PaymentCreate(method="cash", tendered=20000, tip=200)
        answer = await uow.write_tx(service.pay_cash, provider, check["id"], data)
        after = await _table(demo, name)
        results[way] = (
            _shape(msgspec.to_builtins(answer)),
            await _facts(demo, check["id"], mark),
            await _receipts(demo, job),
            (after["status"], after["open_check"]),
        )
    assert spy.calls == 1  # the session path's payment only
    assert results["lean"] == results["session"]
    answer, facts, receipts, table = results["lean"]
    assert answer["bill"]["status"] == "closed" and answer["bill"]["due"] == 0
    kinds = [e[1] for e in facts["events"]]
    assert [k for i, k in enumerate(kinds) if k not in kinds[:i] or k == "print.queued"] == [
        "print.queued",
        "payment.changed",
        "table.status_changed",
        "check.closed",
        "print.queued",
    ], kinds
    assert [j[0] for j in facts["journal"]] == ["payment", "sale"]
    assert "" not in {line["category"] for line in facts["journal"][1][1]["lines"]}
    assert [(kind, kind_of) for kind, kind_of, _ in receipts] == [("receipt", "receipt")]
    assert receipts[0][2]["change_minor"] == answer["payment"]["change"]
    assert table == ("to_clean", None)
    total = answer["bill"]["total"]
    assert await _drawer(demo, drawer["id"]) == (2 * total, 2 * 200)
    entries = await demo.call("GET", "/api/journal/verify", "manager")
    assert entries.status_code == 200 and entries.json()["ok"], entries.text


async def test_a_seated_reservations_closing_payment_runs_on_a_session(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date().isoformat()
    slots = await demo.call(
        "GET", f"/api/reservations/availability?date={day}&party_size=2", "host"
    )
    booked = await demo.call(
        "POST",
        "/api/reservations",
        "host",
        json={"name": "Weber", "party_size": 2, "starts_at": slots.json()["slots"][0]["starts_at"]},
    )
    assert booked.status_code == 201, booked.text
    seated = await demo.call("POST", f"/api/reservations/{booked.json()['id']}/seat", "host")
    assert seated.status_code == 200, seated.text
    check_id = seated.json()["check_id"]
    assert (await demo.add(check_id, "Burrata")).status_code == 201
    spy = _Spy(monkeypatch)
    paid = await pay(demo, check_id, method="cash")
    assert paid["bill"]["status"] == "closed"
    assert spy.calls == 1  # the reservation is completed through the ORM
    r = await demo.call("GET", f"/api/reservations/{booked.json()['id']}", "host")
    assert r.json()["status"] == "completed"


async def test_two_closing_cash_payments_of_one_check_at_once_close_it_once(
    demo: Demo,
) -> None:
    check = await check_with(demo, *ITEMS)
    path = f"/api/checks/{check['id']}/payments"
    lock = f"SELECT 1 FROM checks WHERE venue_id = :v AND id = {check['id']} FOR UPDATE"
    body = {"method": "cash", "tendered": 20000}
    mark = await _marks(demo)
    answers = await held(demo, lock, [functools.partial(_post, demo, path, body)] * 2)
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    [won] = [a.json() for a in answers if a.status_code == 201]
    assert won["bill"]["status"] == "closed"
    rows = await demo.sql("SELECT count(*) AS n FROM payments WHERE check_id = :c", c=check["id"])
    assert rows[0].n == 1
    facts = await _facts(demo, check["id"], mark)
    assert [e[1] for e in facts["events"]].count("table.status_changed") == 1
    assert [j[0] for j in facts["journal"]] == ["payment", "sale"]
