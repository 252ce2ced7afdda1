"""The pure planning rules, without a database."""

from __future__ import annotations

import datetime as dt

from pos_service.reservations.planning import (
    Hold,
    Rules,
    ServicePeriod,
    TableSpec,
    best_fit,
    expected_free,
    peak_held,
    quote_queue,
    slots,
    walk_in_kept,
)

NOW = dt.datetime(2030, 5, 1, 18, 0, tzinfo=dt.UTC)


def test_turn_time_is_that_of_the_smallest_listed_size_holding_the_party() -> None:
    rules = Rules()
    minutes = {n: rules.turn(n).seconds // 60 for n in (1, 2, 3, 4, 5, 6, 12)}
    assert minutes == {1: 90, 2: 90, 3: 120, 4: 120, 5: 150, 6: 150, 12: 150}


def test_slots_are_local_wall_clock_and_may_run_past_midnight() -> None:
    rules = Rules(
        periods=[ServicePeriod(name="late", start=dt.time(22, 0), end=dt.time(1, 0))],
        slot_minutes=30,
    )
    out = slots(rules, dt.date(2030, 5, 1), "Europe/Berlin")
    assert [s.strftime("%d %H:%M") for s in out] == [
        "01 22:00",
        "01 22:30",
        "01 23:00",
        "01 23:30",
        "02 00:00",
        "02 00:30",
    ]
    assert out[0].utcoffset() == dt.timedelta(hours=2)


def test_best_fit_takes_the_smallest_table_and_combines_only_when_no_single_fits() -> None:
    a, b, c, d = (
        TableSpec(1, 2, (2,)),
        TableSpec(2, 2, ()),
        TableSpec(3, 4, ()),
        TableSpec(4, 6, (3,)),
    )
    tables = [a, b, c, d]
    assert best_fit(tables, 2) == (1,)
    assert best_fit(tables, 3) == (3,)
    assert best_fit(tables, 6) == (4,)
    assert best_fit(tables, 8) == (3, 4)  # 4 + 6, the only pair seating 8
    assert best_fit([a, b, c], 4) == (3,)
    assert best_fit([a, b], 4) == (1, 2)  # joined only because no single table fits
    assert best_fit([a, c], 5) is None  # 1 and 3 are not combinable


def test_walk_in_share_and_peak_of_held_tables() -> None:
    assert walk_in_kept(5, 20) == 1 and walk_in_kept(5, 10) == 1 and walk_in_kept(5, 0) == 0
    h = dt.timedelta(hours=1)
    holds = [Hold(NOW, NOW + h, (1,)), Hold(NOW + h / 2, NOW + 2 * h, (2, 3))]
    assert peak_held(holds, (NOW - h, NOW)) == 0
    assert peak_held(holds, (NOW, NOW + h / 4)) == 1
    assert peak_held(holds, (NOW, NOW + h)) == 3


def test_tables_free_sooner_once_the_bill_is_asked_for_or_paid() -> None:
    rules = Rules()
    seated = NOW - dt.timedelta(minutes=30)
    eating = expected_free(rules, "ordered", 2, seated, NOW)
    asked = expected_free(rules, "bill_requested", 2, seated, NOW)
    paid = expected_free(rules, "paid", 2, seated, NOW)
    assert (eating - NOW, asked - NOW, paid - NOW) == (
        dt.timedelta(minutes=60),
        dt.timedelta(minutes=10),
        dt.timedelta(0),
    )
    late = expected_free(rules, "ordered", 2, NOW - dt.timedelta(hours=3), NOW)
    assert late == asked  # past its turn, still no sooner than a table with the bill


def test_queue_quotes_wait_for_the_tables_earlier_parties_take() -> None:
    rules = Rules()
    tables = [TableSpec(1, 2, ()), TableSpec(2, 4, ())]
    ready = {1: NOW + dt.timedelta(minutes=20), 2: NOW}
    booked = {2: [(NOW + dt.timedelta(minutes=60), NOW + dt.timedelta(minutes=180))]}
    q = quote_queue(rules, tables, ready, booked, [2, 2, 4, 8])
    assert q[0] is not None and q[0] == (NOW + dt.timedelta(minutes=20), (1,))
    # table 2 is free now but booked in an hour: a 90-minute party cannot sit before it
    assert q[1] is not None and q[1].at == NOW + dt.timedelta(minutes=110)
    assert q[1].table_ids == (1,)
    assert q[2] is not None and q[2] == (NOW + dt.timedelta(minutes=180), (2,))
    assert q[3] is None
