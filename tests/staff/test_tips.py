"""Tip pooling: by hours or by points per role, shared to the cent, settled at the close."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar import Litestar
from sqlalchemy import text

from pos_service.staff.schemas import TipPool
from pos_service.staff.tips import Worked, shares
from tests.conftest import Demo
from tests.payments.helpers import check_with, pay

HOUR = 3600


def test_hours_pool_by_hand() -> None:
    rule = TipPool(mode="hours", roles=["waiter", "bar"])
    worked = [
        Worked(staff_id=1, roles=["waiter"], seconds=3 * HOUR),
        Worked(staff_id=2, roles=["waiter"], seconds=5 * HOUR),
        Worked(staff_id=3, roles=["kitchen"], seconds=8 * HOUR),
        Worked(staff_id=4, roles=["bar"], seconds=4 * HOUR),
    ]
    # 1001 cents over 3 + 5 + 4 hours: 250.25, 417.08, 333.67 -> the cent goes to the bar
    assert [(s.staff_id, s.amount) for s in shares(1001, rule, worked)] == [
        (1, 250),
        (2, 417),
        (4, 334),
    ]


def test_points_pool_by_hand() -> None:
    rule = TipPool(mode="points", roles=["waiter", "bar", "host"], points={"waiter": 10, "bar": 5})
    worked = [
        Worked(staff_id=1, roles=["waiter"], seconds=HOUR),
        Worked(staff_id=2, roles=["waiter", "bar"], seconds=9 * HOUR),
        Worked(staff_id=3, roles=["bar"], seconds=2 * HOUR),
        Worked(staff_id=4, roles=["host"], seconds=HOUR),
    ]
    # points, not hours: 10, 10 (the better role), 5; a host without points takes none
    assert [(s.staff_id, s.weight, s.amount) for s in shares(1001, rule, worked)] == [
        (1, 10, 401),
        (2, 10, 400),
        (3, 5, 200),
    ]


def test_no_rule_or_nobody_pools_nothing() -> None:
    worked = [Worked(staff_id=1, roles=["kitchen"], seconds=HOUR)]
    assert shares(500, TipPool(), worked) == []
    assert shares(500, TipPool(mode="hours"), worked) == []


members = st.lists(
    st.builds(
        Worked,
        staff_id=st.integers(1, 10**6),
        roles=st.lists(st.sampled_from(["waiter", "bar", "host", "kitchen"]), max_size=3),
        seconds=st.integers(0, 16 * HOUR),
    ),
    max_size=12,
)
rules = st.builds(
    TipPool,
    mode=st.sampled_from(["none", "hours", "points"]),
    roles=st.lists(st.sampled_from(["waiter", "bar", "host", "kitchen"]), max_size=4),
    points=st.dictionaries(st.sampled_from(["waiter", "bar", "host"]), st.integers(0, 20)),
)


@given(total=st.integers(0, 10**9), rule=rules, worked=members)
def test_shares_sum_to_the_cent_and_follow_the_weights(
    total: int, rule: TipPool, worked: list[Worked]
) -> None:
    found = shares(total, rule, worked)
    if not found:
        return
    assert sum(s.amount for s in found) == total
    weights = sum(s.weight for s in found)
    for s in found:
        assert s.weight > 0
        assert abs(s.amount * weights - total * s.weight) < weights  # within a cent


async def _worked(demo: Demo, role: str, hours: int) -> None:
    r = await demo.call("POST", "/api/staff/clock-in", role)
    assert r.status_code == 201, r.text
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE shifts SET clock_out = clock_in + make_interval(hours => :h) "
                "WHERE venue_id = :v AND id = :i"
            ),
            {"h": hours, "v": demo.venue_id, "i": r.json()["id"]},
        )


async def _card_tip(demo: Demo, tip: int, table: str) -> None:
    check = await check_with(demo, ("Espresso", 1, None), table=table)
    card = await pay(demo, check["id"], method="card", tip=tip)
    r = await demo.call("POST", f"/api/payments/{card['payment']['id']}/poll")
    assert r.json()["payment"]["status"] == "approved", r.text


async def test_the_day_close_settles_the_card_tips_by_hours(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.state.payment_provider, "delay_seconds", 0)
    rule = {"mode": "hours", "roles": ["waiter", "bar"]}
    r = await demo.call("PUT", "/api/tip-pool", "manager", json=rule)
    assert r.status_code == 200, r.text
    await _worked(demo, "waiter", 3)
    await _worked(demo, "waiter2", 5)
    await _worked(demo, "bar", 4)
    await _worked(demo, "kitchen", 8)
    await _card_tip(demo, 600, "3")
    await _card_tip(demo, 401, "4")
    await pay(demo, (await check_with(demo, ("Espresso", 1, None), table="5"))["id"], method="cash")
    r = await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 290})
    assert r.status_code == 201, r.text
    day = r.json()["business_date"]
    tips = (await demo.call("GET", f"/api/days/{day}/tips", "manager")).json()
    assert (tips["mode"], tips["card_tips"], tips["unallocated"]) == ("hours", 1001, 0)
    assert [(s["name"], s["weight"], s["amount"]) for s in tips["shares"]] == [
        ("Anna", 3 * HOUR, 250),
        ("Ben", 5 * HOUR, 417),
        ("Eva", 4 * HOUR, 334),
    ]
    async with demo.sessions() as session:
        with pytest.raises(Exception, match="tip_shares is append-only"):
            await session.execute(text("UPDATE tip_shares SET amount = 0"))


async def test_without_a_pool_the_tips_stay_unallocated(
    demo: Demo, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.state.payment_provider, "delay_seconds", 0)
    await _card_tip(demo, 250, "3")
    r = await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 0})
    day = r.json()["business_date"]
    tips = (await demo.call("GET", f"/api/days/{day}/tips", "manager")).json()
    assert (tips["mode"], tips["card_tips"], tips["unallocated"], tips["shares"]) == (
        "none",
        250,
        250,
        [],
    )
    r = await demo.call("GET", "/api/days/2001-01-01/tips", "manager")
    assert r.status_code == 404


async def test_a_points_pool_needs_points_and_known_roles(demo: Demo) -> None:
    r = await demo.call("PUT", "/api/tip-pool", "manager", json={"mode": "points"})
    assert r.status_code == 422 and r.json()["field"] == "points"
    r = await demo.call(
        "PUT", "/api/tip-pool", "manager", json={"mode": "hours", "roles": ["chef"]}
    )
    assert r.status_code == 422 and r.json()["field"] == "roles"
    rule = {"mode": "points", "roles": ["waiter"], "points": {"waiter": 3}}
    assert (await demo.call("PUT", "/api/tip-pool", "manager", json=rule)).status_code == 200
    assert (await demo.call("GET", "/api/tip-pool", "manager")).json() == rule
