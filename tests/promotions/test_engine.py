"""The promotion rules without a database: groups, combos, windows, days, overlaps."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pos_service.promotions.engine import (
    Applied,
    Component,
    PromoLine,
    Terms,
    WindowSpec,
    apply,
    business_day,
)

BERLIN = ZoneInfo("Europe/Berlin")
CUTOFF = dt.time(4, 0)
FRIDAY_EVENING = dt.datetime(2026, 12, 4, 20, 0, tzinfo=BERLIN)


def line(
    line_id: int,
    price: int,
    quantity: int = 1,
    item: int = 1,
    category: int = 10,
    local: dt.datetime = FRIDAY_EVENING,
) -> PromoLine:
    return PromoLine(
        line_id=line_id,
        item_id=item,
        category_id=category,
        quantity=quantity,
        unit_price=price,
        ordered_at=local.astimezone(dt.UTC),
        local=local,
        business_day=business_day(local, CUTOFF),
    )


def test_buy_two_get_one_frees_the_cheapest_and_shares_it_by_price() -> None:
    three_for_two = Terms(id=1, name="3 for 2", kind="buy_n_get_m", buy=2, get=1, item_ids=[1])
    lines = [line(1, 1000), line(2, 800), line(3, 600), line(4, 500)]
    # the dearest three make the group; the 6.00 one is free, shared 10:8:6
    assert apply(lines, [three_for_two]) == [
        Applied(1, "3 for 2", 1, 250),
        Applied(1, "3 for 2", 2, 200),
        Applied(1, "3 for 2", 3, 150),
    ]


def test_a_combo_only_where_it_is_cheaper_and_as_often_as_it_is_whole() -> None:
    menu = Terms(
        id=1,
        name="Menu",
        kind="combo_price",
        price=2000,
        components=[Component(category_ids=[10]), Component(category_ids=[20])],
    )
    burgers = line(1, 1850, quantity=2, item=1, category=10)
    cola = line(2, 420, item=2, category=20)
    water = line(3, 100, item=3, category=20)
    # one burger with the cola: 22.70 -> 20.00; the other burger with the water costs
    # 19.50, already less than the combo, so it stays as it is
    assert apply([burgers, cola, water], [menu]) == [
        Applied(1, "Menu", 1, 220),
        Applied(1, "Menu", 2, 50),
    ]


def test_a_late_window_belongs_to_the_day_it_starts() -> None:
    late = Terms(
        id=1,
        name="Late",
        kind="percent_off",
        percent_bp=5000,
        item_ids=[1],
        windows=[WindowSpec(weekdays=[5], starts=dt.time(22, 0), ends=dt.time(2, 0))],
    )
    saturday_1am = dt.datetime(2026, 12, 5, 1, 0, tzinfo=BERLIN)
    saturday_3am = dt.datetime(2026, 12, 5, 3, 0, tzinfo=BERLIN)
    lines = [line(1, 400, local=saturday_1am), line(2, 400, local=saturday_3am)]
    assert apply(lines, [late]) == [Applied(1, "Late", 1, 200)]


def test_dates_are_business_days_and_an_end_keeps_earlier_lines() -> None:
    from_saturday = Terms(
        id=1,
        name="Weekend",
        kind="amount_off",
        amount=100,
        item_ids=[1],
        starts_on=dt.date(2026, 12, 5),
    )
    # 02:00 on Saturday is still Friday's business day (cutoff 04:00)
    early = line(1, 400, local=dt.datetime(2026, 12, 5, 2, 0, tzinfo=BERLIN))
    later = line(2, 400, local=dt.datetime(2026, 12, 5, 12, 0, tzinfo=BERLIN))
    assert apply([early, later], [from_saturday]) == [Applied(1, "Weekend", 2, 100)]
    ended = Terms(
        id=2,
        name="Ended",
        kind="amount_off",
        amount=100,
        item_ids=[1],
        ended_at=dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC),
    )
    assert apply([early, later], [ended]) == [Applied(2, "Ended", 1, 100)]


def test_each_line_gets_the_best_single_promotion() -> None:
    ten_percent = Terms(id=1, name="10 %", kind="percent_off", percent_bp=1000, category_ids=[10])
    euro_off = Terms(id=2, name="1 off", kind="amount_off", amount=100, item_ids=[1])
    beer = line(1, 480, quantity=2, item=1)
    wine = line(2, 650, item=2)
    # 1.00 x 2 on the beers beats 0.96 on them; the wine still gets its 10 %
    assert apply([beer, wine], [ten_percent, euro_off]) == [
        Applied(2, "1 off", 1, 200),
        Applied(1, "10 %", 2, 65),
    ]
    # equal amounts: the lower id wins
    same = Terms(id=3, name="same", kind="amount_off", amount=100, item_ids=[1])
    assert [a.promotion_id for a in apply([beer], [same, euro_off])] == [2]


def test_an_amount_off_never_takes_a_unit_below_zero() -> None:
    big = Terms(id=1, name="Big", kind="amount_off", amount=1000, item_ids=[1])
    assert apply([line(1, 300, quantity=3)], [big]) == [Applied(1, "Big", 1, 900)]
