"""The manager's live figures: open checks' bills and closed sales, by the venue's hour."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from tests.conftest import Demo


async def live(demo: Demo, role: str = "manager") -> dict[str, object]:
    r = await demo.call("GET", "/api/reports/live", role)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_open_bills_turn_into_sales_in_the_hour_they_close(demo: Demo) -> None:
    empty = await live(demo)
    assert (empty["sales_total"], empty["open_total"], empty["by_hour"]) == (0, 0, [])
    first = await demo.open_check("3", covers=2)
    assert (await demo.add(first["id"], "Burrata")).status_code == 201  # 13.50
    second = await demo.open_check("12", covers=3)
    assert (await demo.add(second["id"], "Lasagne")).status_code == 201  # 18.50
    now = await live(demo)
    assert (now["open_checks"], now["open_total"], now["open_covers"]) == (2, 3200, 5)
    [(zone,)] = await demo.sql("SELECT timezone FROM venues WHERE id = :v", v=demo.venue_id)
    hour = dt.datetime.now(ZoneInfo(zone)).hour
    assert now["by_hour"] == [{"hour": hour, "closed": 0, "open": 3200}]

    paid = await demo.call("POST", f"/api/checks/{second['id']}/payments", json={"method": "cash"})
    assert paid.status_code in (200, 201), paid.text
    after = await live(demo)
    assert (after["sales_total"], after["checks"]) == (1850, 1)
    assert (after["open_checks"], after["open_total"], after["open_covers"]) == (1, 1350, 2)
    assert after["by_hour"] == [{"hour": hour, "closed": 1850, "open": 1350}]
    assert after["currency"] == "EUR"


async def test_only_managers_see_the_live_figures(demo: Demo) -> None:
    for role in ("waiter", "kitchen", "host"):
        r = await demo.call("GET", "/api/reports/live", role)
        assert r.status_code == 403, role


async def test_the_figures_name_their_seq_and_the_open_checks_lines_to_apply_events_to(
    demo: Demo,
) -> None:
    check = await demo.open_check("3", covers=2)
    assert (await demo.add(check["id"], "Burrata")).status_code == 201  # 13.50
    [(line_id,)] = await demo.sql("SELECT id FROM check_lines WHERE check_id = :c", c=check["id"])
    [(head,)] = await demo.sql(
        "SELECT value FROM counters WHERE venue_id = :v AND name = 'event_seq'", v=demo.venue_id
    )
    now = await live(demo)
    assert now["seq"] == head
    [(zone,)] = await demo.sql("SELECT timezone FROM venues WHERE id = :v", v=demo.venue_id)
    hour = dt.datetime.now(ZoneInfo(zone)).hour
    assert now["timezone"] == zone
    assert now["open"] == [
        {
            "check_id": check["id"],
            "covers": 2,
            "hour": hour,
            "total": 1350,
            "lines": {str(line_id): 1350},
        }
    ]

    paid = await demo.call(
        "POST", f"/api/checks/{check['id']}/payments", json={"method": "cash", "tip": 150}
    )
    assert paid.status_code in (200, 201), paid.text
    after = await live(demo)
    assert (after["tips"], after["open"], after["sales_total"]) == (150, [], 1350)
    assert after["seq"] > head
    # the payment's event tells the bill's total, from which the page follows open bills
    [(data,)] = await demo.sql(
        "SELECT data FROM events WHERE venue_id = :v AND topic = 'payments' "
        "AND type = 'payment.changed' AND seq > :s",
        v=demo.venue_id,
        s=head,
    )
    assert (data["total"], data["tip"], data["status"]) == (1350, 150, "approved")
