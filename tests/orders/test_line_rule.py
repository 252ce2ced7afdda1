"""The rule of adding a line, on facts alone (no database): what ``line_open`` would have
read, judged by ``line_rule.plan``."""

from __future__ import annotations

import datetime as dt

import pytest

from pos_service.core.allergens import Allergen
from pos_service.core.errors import Conflict, Invalid
from pos_service.orders import line_rule
from pos_service.orders.schemas import LineAdd
from pos_service.promotions.engine import WindowSpec

# a Friday, 17:30 in Amsterdam
AT = dt.datetime(2026, 12, 4, 16, 30, tzinfo=dt.UTC)
EVENING = WindowSpec(weekdays=[5], starts=dt.time(17), ends=dt.time(19))
MORNING = WindowSpec(weekdays=[5], starts=dt.time(9), ends=dt.time(11))


def _facts(**changed: object) -> line_rule.Opened:
    opened = line_rule.Opened(
        check=None,
        item=line_rule.ItemFacts(
            id=7,
            name="Beer",
            category_id=2,
            price=480,
            tax_rate_ppm=210_000,
            station_id=None,
            default_course=None,
            available=True,
            remaining=None,
            archived=False,
        ),
        category=line_rule.CategoryFacts(station_id=3, default_course="main"),
        groups=[line_rule.GroupFacts(id=1, name="Size", min_choices=1, max_choices=1)],
        options=[
            line_rule.OptionFacts(id=11, group_id=1, name="0.2 l", price_delta=0, position=0),
            line_rule.OptionFacts(id=12, group_id=1, name="0.5 l", price_delta=250, position=1),
        ],
        prices=[
            line_rule.DayPartFacts(price=300, windows=[EVENING]),
            line_rule.DayPartFacts(price=200, windows=[MORNING]),
        ],
        venue=line_rule.VenueFacts(timezone="Europe/Amsterdam", courses=["starter", "main"]),
    )
    for name, value in changed.items():
        setattr(opened, name, value)
    return opened


def test_the_line_takes_the_open_day_part_price_its_options_and_the_categorys_defaults() -> None:
    data = LineAdd(
        item_id=7, quantity=2, modifiers=[12], seat=1, note="", allergens=[Allergen("milk")]
    )
    line = line_rule.plan(_facts(), data, 5, AT, AT)
    assert line.unit_price == 300 + 250  # the evening price (the morning's is not open)
    assert line.modifiers == [
        {"option_id": 12, "group": "Size", "name": "0.5 l", "price_delta": 250}
    ]
    assert (line.course, line.station_id, line.note, line.allergens) == ("main", 3, None, ["milk"])
    assert (line.quantity, line.added_by, line.created_at) == (2, 5, AT)


def test_outside_its_schedule_the_item_is_refused_naming_the_schedules() -> None:
    lunch = line_rule.ScheduleFacts(
        name="Lunch", weekdays=[1, 2, 3, 4, 5], starts=dt.time(11), ends=dt.time(15)
    )
    brunch = line_rule.ScheduleFacts(
        name="Brunch", weekdays=[6, 7], starts=dt.time(10), ends=dt.time(14)
    )
    with pytest.raises(Invalid) as refused:
        line_rule.plan(
            _facts(item_schedules=[lunch, brunch]), LineAdd(item_id=7, modifiers=[11]), 5, AT, AT
        )
    assert refused.value.field == "item_id"
    assert refused.value.detail == "Beer is not on the menu now (only Brunch, Lunch)"


def test_the_first_broken_rule_is_the_one_told() -> None:
    short = _facts()
    assert short.item is not None
    short.item.remaining = 1
    with pytest.raises(Conflict) as refused:  # short, before the missing size
        line_rule.plan(short, LineAdd(item_id=7, quantity=2), 5, AT, AT)
    assert refused.value.detail == "Beer is not available (1 left)"
    with pytest.raises(Invalid) as refused_option:  # the size, before the unknown course
        line_rule.plan(_facts(), LineAdd(item_id=7, course="supper"), 5, AT, AT)
    assert refused_option.value.field == "modifiers"
    assert refused_option.value.detail == "'Size' needs at least 1 choice(s)"
