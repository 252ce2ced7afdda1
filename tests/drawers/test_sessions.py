"""A drawer session from float to blind count, and its over/short on the Z report."""

from __future__ import annotations

from typing import Any

from tests.conftest import Demo
from tests.payments.helpers import check_with, pay

SESSIONS = "/api/drawer-sessions"


async def _open(demo: Demo, opening_float: int, role: str = "waiter") -> dict[str, Any]:
    r = await demo.call("POST", SESSIONS, role, json={"opening_float": opening_float})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_a_session_from_float_to_blind_count_shows_over_short_on_the_z_report(
    demo: Demo,
) -> None:
    drawer = await _open(demo, 10000)
    check = await check_with(demo, ("Lemon tart", 1, 1), ("Tuna tartare", 1, 2))
    paid = await pay(demo, check["id"], method="cash", amount=2350, tip=200, tendered=3000)
    assert paid["bill"]["status"] == "closed" and paid["payment"]["change"] == 450
    r = await demo.call("POST", f"{SESSIONS}/paid-out", json={"amount": 500, "reason": "ice"})
    assert r.status_code == 200, r.text
    r = await demo.call(
        "POST", f"{SESSIONS}/paid-in", json={"amount": 1000, "reason": "change from the bank"}
    )
    assert r.status_code == 200, r.text
    # blind: while open, the counter sees neither the takings nor what the drawer should hold
    own = r.json()
    assert (own["cash_sales"], own["expected"], own["over_short"]) == (None, None, None)
    assert (own["paid_in"], own["paid_out"]) == (1000, 500)
    managed = (await demo.call("GET", f"{SESSIONS}/{drawer['id']}", "manager")).json()
    assert (managed["cash_sales"], managed["cash_tips"]) == (2350, 200)

    r = await demo.call("POST", f"{SESSIONS}/{drawer['id']}/close", json={"counted": 13000})
    assert r.status_code == 200, r.text
    closed = r.json()
    # 100.00 + 23.50 + 2.00 - 5.00 + 10.00 = 130.50 expected; 130.00 counted: 0.50 short
    assert (closed["expected"], closed["counted"], closed["over_short"]) == (13050, 13000, -50)
    again = await demo.call("POST", f"{SESSIONS}/{drawer['id']}/close", json={"counted": 13050})
    assert again.status_code == 409

    r = await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 3000})
    assert r.status_code == 201, r.text
    z = r.json()
    assert z["kind"] == "Z"
    assert (z["paid_in"], z["paid_out"], z["drawer_over_short"]) == (1000, 500, -50)
    # the day's cash: the sale and its tip, plus paid in, less paid out (floats excluded)
    assert z["cash_expected"] == 2350 + 200 + 1000 - 500
    [row] = z["drawers"]
    assert row["session_id"] == drawer["id"] and row["name"] == "Anna"
    assert {k: row[k] for k in ("opening_float", "cash_sales", "cash_tips")} == {
        "opening_float": 10000,
        "cash_sales": 2350,
        "cash_tips": 200,
    }
    assert (row["paid_in"], row["paid_out"]) == (1000, 500)
    assert (row["expected"], row["counted"], row["over_short"]) == (13050, 13000, -50)
    stored = (await demo.call("GET", f"/api/days/{z['business_date']}", "manager")).json()
    assert stored["drawers"] == z["drawers"]


async def test_refusals_name_the_field(demo: Demo) -> None:
    r = await demo.call("POST", f"{SESSIONS}/paid-in", json={"amount": 100, "reason": "x"})
    assert r.status_code == 409  # no session open
    await _open(demo, 5000)
    r = await demo.call("POST", SESSIONS, json={"opening_float": 100})
    assert r.status_code == 409
    r = await demo.call("POST", f"{SESSIONS}/no-sale", json={"reason": "   "})
    assert r.status_code == 422 and "reason" in r.text
    r = await demo.call("POST", f"{SESSIONS}/paid-out", json={"amount": 5001, "reason": "rent"})
    assert r.status_code == 422 and "amount" in r.text
    r = await demo.call("POST", f"{SESSIONS}/paid-in", json={"amount": 0, "reason": "tips"})
    assert r.status_code == 422 and "amount" in r.text
    r = await demo.call("POST", SESSIONS, "bar", json={"opening_float": -1})
    assert r.status_code == 422 and "opening_float" in r.text
    r = await demo.call("POST", f"{SESSIONS}/no-sale", json={"reason": "float check"})
    assert r.status_code == 200, r.text
    assert r.json()["no_sales"] == 1
    assert r.json()["movements"][0]["reason"] == "float check"


async def test_managers_see_all_sessions_staff_their_own(demo: Demo) -> None:
    anna = await _open(demo, 5000)
    eva = await _open(demo, 7000, "bar")
    mine = (await demo.call("GET", SESSIONS)).json()
    assert [s["id"] for s in mine] == [anna["id"]]
    r = await demo.call("GET", f"{SESSIONS}/{eva['id']}")
    assert r.status_code == 404
    r = await demo.call("POST", f"{SESSIONS}/{eva['id']}/close", json={"counted": 7000})
    assert r.status_code == 404
    every = (await demo.call("GET", SESSIONS, "manager")).json()
    assert {s["id"] for s in every} == {anna["id"], eva["id"]}
    # a manager closes a session for its staff member; the answer shows over/short
    r = await demo.call("POST", f"{SESSIONS}/{eva['id']}/close", "manager", json={"counted": 7100})
    assert r.status_code == 200 and r.json()["over_short"] == 100


async def test_no_sale_is_journaled_and_audited(demo: Demo) -> None:
    drawer = await _open(demo, 5000)
    r = await demo.call("POST", f"{SESSIONS}/no-sale", json={"reason": "guest asked for change"})
    assert r.status_code == 200, r.text
    audit = (await demo.call("GET", "/api/audit", "manager")).json()
    entries = audit["entries"] if isinstance(audit, dict) else audit
    hit = [e for e in entries if e["action"] == "drawer.no_sale"]
    assert hit and hit[0]["subject"] == f"drawer_session:{drawer['id']}"
    facts = await demo.sql(
        "SELECT data FROM journal WHERE venue_id = :v AND kind = 'drawer' ORDER BY seq",
        v=demo.venue_id,
    )
    assert [f[0]["event"] for f in facts] == ["open", "no_sale"]
    assert facts[1][0]["reason"] == "guest asked for change"
