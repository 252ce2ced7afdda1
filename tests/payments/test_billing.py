from collections import Counter
from collections.abc import Callable
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from pos_service.payments.billing import (
    Bill,
    BillLine,
    Comp,
    Discount,
    Part,
    ServiceCharge,
    TaxAmount,
    balance,
    compute_bill,
    resplit,
    split_by_items,
    split_by_seat,
    split_custom,
    split_evenly,
    split_shares,
    validate_payment,
    whole,
)

STEAK = BillLine(1, "Steak", quantity=2, unit_price=1250, tax_rate_ppm=200_000, seat=1)
WATER = BillLine(2, "Water", quantity=1, unit_price=400, tax_rate_ppm=100_000, seat=2)

BURGER = BillLine(1, "Burger", quantity=1, unit_price=1599, tax_rate_ppm=82_500, seat=1)
FRIES = BillLine(2, "Fries", quantity=1, unit_price=499, tax_rate_ppm=82_500, seat=2)
SODAS = BillLine(3, "Soda", quantity=2, unit_price=299, tax_rate_ppm=82_500)


def taxes_by_rate(parts: list[Part]) -> dict[int, tuple[int, int]]:
    bases: Counter[int] = Counter()
    taxes: Counter[int] = Counter()
    for part in parts:
        for tax in part.taxes:
            bases[tax.rate_ppm] += tax.base
            taxes[tax.rate_ppm] += tax.tax
    return {rate: (bases[rate], taxes[rate]) for rate in taxes if bases[rate] or taxes[rate]}


def assert_consistent(bill: Bill, parts: list[Part]) -> None:
    assert [part.index for part in parts] == list(range(len(parts)))
    assert sum(part.amount for part in parts) == bill.total
    expected = {t.rate_ppm: (t.base, t.tax) for t in bill.taxes if t.base or t.tax}
    assert taxes_by_rate(parts) == expected
    assert sum(part.service_charge for part in parts) == bill.service_charge
    line_sums: Counter[int] = Counter()
    for part in parts:
        for line_id, amount in part.line_shares:
            line_sums[line_id] += amount
            assert amount >= 0
        lines = sum(amount for _, amount in part.line_shares)
        added_tax = 0 if bill.tax_inclusive else sum(tax.tax for tax in part.taxes)
        assert part.amount == lines + part.service_charge + added_tax
        assert all(tax.base >= 0 and tax.tax >= 0 for tax in part.taxes)
    assert line_sums == Counter({line.line_id: line.net for line in bill.lines if line.net})


def test_inclusive_vat_is_computed_once_per_rate() -> None:
    bill = compute_bill([STEAK, WATER], tax_inclusive=True)
    # 20 %: 2 x 12.50 = 25.00 contains 25.00 x 20/120 = 4.1667 -> 4.17
    # 10 %:      4.00 contains  4.00 x 10/110 = 0.3636 -> 0.36
    assert bill.taxes == [
        TaxAmount(100_000, base=364, tax=36),
        TaxAmount(200_000, base=2083, tax=417),
    ]
    assert (bill.subtotal, bill.discount_total, bill.service_charge) == (2900, 0, 0)
    assert bill.total == 2900  # prices include the tax: the guest pays 29.00


def test_inclusive_vat_split_evenly_gives_each_part_its_share_of_each_rate() -> None:
    bill = compute_bill([STEAK, WATER], tax_inclusive=True)
    first, second = split_evenly(bill, 2)
    # steak 25.00 -> 12.50 + 12.50, water 4.00 -> 2.00 + 2.00: each part 14.50
    assert (first.amount, second.amount) == (1450, 1450)
    # 20 % tax 4.17 over 12.50 : 12.50 -> 2.085 each: 2.09 + 2.08 (tie to the first part)
    # 10 % tax 0.36 over  2.00 :  2.00 -> 0.18 each
    assert first.taxes == [
        TaxAmount(100_000, base=182, tax=18),
        TaxAmount(200_000, base=1041, tax=209),
    ]
    assert second.taxes == [
        TaxAmount(100_000, base=182, tax=18),
        TaxAmount(200_000, base=1042, tax=208),
    ]


def test_inclusive_discount_and_untaxed_service_charge_split_by_items() -> None:
    bill = compute_bill(
        [STEAK, WATER],
        [Discount("percent", 1000, line_id=1, reason="regular")],
        ServiceCharge(rate_bp=1000),
        tax_inclusive=True,
    )
    # steak 25.00 - 10 % = 22.50; water 4.00; lines 26.50; service 10 % of 26.50 = 2.65
    assert [line.net for line in bill.lines] == [2250, 400]
    assert (bill.discount_total, bill.service_charge, bill.total) == (250, 265, 2915)
    # 20 %: 22.50 x 20/120 = 3.75; 10 %: 0.36 as before; the service charge carries no tax
    assert bill.taxes == [
        TaxAmount(100_000, base=364, tax=36),
        TaxAmount(200_000, base=1875, tax=375),
    ]
    first, second = split_by_items(bill, {1: 0}, parts=2)
    # part 1: steak 22.50 + half the water 2.00 = 24.50; part 2: half the water 2.00
    # service 2.65 over 24.50 : 2.00 -> 2.45 + 0.20
    assert (first.service_charge, second.service_charge) == (245, 20)
    assert (first.amount, second.amount) == (2695, 220)
    assert first.taxes == [
        TaxAmount(100_000, base=182, tax=18),
        TaxAmount(200_000, base=1875, tax=375),
    ]
    assert second.taxes == [TaxAmount(100_000, base=182, tax=18)]


def test_exclusive_sales_tax_with_check_discount_split_by_seat() -> None:
    bill = compute_bill(
        [BURGER, FRIES, SODAS],
        [Discount("percent", 1000, reason="happy hour")],
        tax_inclusive=False,
    )
    # subtotal 15.99 + 4.99 + 2 x 2.99 = 26.96; 10 % off = 2.696 -> 2.70, allocated by line:
    # 2.70 x 15.99/26.96 = 1.6014, x 4.99/26.96 = 0.4997, x 5.98/26.96 = 0.5989
    # -> 1.60 + 0.49 + 0.59 = 2.68, the 2 cents left go to the largest remainders (fries, sodas)
    assert [line.discount for line in bill.lines] == [160, 50, 60]
    assert [line.net for line in bill.lines] == [1439, 449, 538]
    # 8.25 % on 24.26 = 2.00145 -> 2.00, added on top: 26.26
    assert bill.taxes == [TaxAmount(82_500, base=2426, tax=200)]
    assert bill.total == 2626
    seat1, seat2 = split_by_seat(bill)
    # sodas have no seat: 5.38 -> 2.69 each
    # seat 1: 14.39 + 2.69 = 17.08, seat 2: 4.49 + 2.69 = 7.18
    # tax 2.00 x 17.08/24.26 = 1.408 and x 7.18/24.26 = 0.592 -> 1.40 + 0.59, 1 cent to seat 1
    assert (seat1.label, seat1.amount, seat1.taxes) == (
        "Seat 1",
        1849,
        [TaxAmount(82_500, 1708, 141)],
    )
    assert (seat2.label, seat2.amount, seat2.taxes) == ("Seat 2", 777, [TaxAmount(82_500, 718, 59)])


def test_exclusive_custom_split_allocates_tax_in_proportion() -> None:
    bill = compute_bill(
        [BURGER, FRIES, SODAS], [Discount("percent", 1000, reason="")], tax_inclusive=False
    )
    first, second = split_custom(bill, [1000, 1626])
    assert (first.amount, second.amount) == (1000, 1626)
    # tax 2.00 x 10.00/26.26 = 0.7616 and x 16.26/26.26 = 1.2384 -> 0.76 + 1.24
    assert [tax.tax for tax in first.taxes] == [76]
    assert [tax.tax for tax in second.taxes] == [124]
    assert_consistent(bill, [first, second])


def test_splits_compose_without_touching_other_parts() -> None:
    bill = compute_bill([BURGER, FRIES, SODAS], tax_inclusive=False)
    by_seat = split_by_seat(bill)
    parts = resplit(bill, by_seat, 0, 2)
    assert [part.label for part in parts] == ["Seat 1 1/2", "Seat 1 2/2", "Seat 2"]
    assert parts[2] == replace(by_seat[1], index=2)
    assert parts[0].amount + parts[1].amount == by_seat[0].amount
    assert_consistent(bill, parts)
    shared = split_shares(bill, parts, line_id=3, shares=3)
    assert [part.label for part in shared] == [
        "Seat 1 1/2",
        "Seat 1 2/2",
        "Seat 2",
        "Soda 1/3",
        "Soda 2/3",
        "Soda 3/3",
    ]
    # the sodas (5.98) leave the seats' parts: 5.98 / 3 = 1.9933 -> 1.99 each + 1 cent to the first
    assert [part.line_shares for part in shared[3:]] == [[(3, 200)], [(3, 199)], [(3, 199)]]
    assert all(3 not in dict(part.line_shares) for part in shared[:3])
    assert_consistent(bill, shared)


def test_voided_lines_are_left_out_and_comps_listed_with_their_value() -> None:
    lines = [
        STEAK,
        BillLine(2, "Water", 1, 400, 100_000, voided=True),
        BillLine(3, "Dessert", 1, 750, 100_000, comp=True),
    ]
    bill = compute_bill(lines, [Discount("amount", 100, line_id=3, reason="")], tax_inclusive=True)
    assert [line.line_id for line in bill.lines] == [1]
    assert bill.comps == [Comp(3, "Dessert", 750)]
    assert (bill.discount_total, bill.total) == (0, 2500)
    assert [tax.rate_ppm for tax in bill.taxes] == [200_000]


def test_zero_total_bill_splits_into_zero_parts() -> None:
    bill = compute_bill([BillLine(1, "Bread", 1, 0, 100_000, seat=1)], tax_inclusive=False)
    assert bill.total == 0
    assert bill.taxes == [TaxAmount(100_000, 0, 0)]
    for parts in (split_evenly(bill, 3), split_by_seat(bill), split_custom(bill, [0, 0])):
        assert all(part.amount == 0 for part in parts)
        assert_consistent(bill, parts)
    comped = compute_bill([BillLine(1, "Cake", 1, 500, 100_000, comp=True)], tax_inclusive=True)
    assert (comped.total, comped.taxes, comped.lines) == (0, [], [])
    assert [part.amount for part in split_evenly(comped, 2)] == [0, 0]


def test_one_cent_over_three_parts() -> None:
    bill = compute_bill([BillLine(1, "Mint", 1, 1, 200_000)], tax_inclusive=True)
    # 0.01 x 20/120 = 0.0017 -> no tax
    assert bill.taxes == [TaxAmount(200_000, 1, 0)]
    parts = split_evenly(bill, 3)
    assert [part.amount for part in parts] == [1, 0, 0]
    assert_consistent(bill, parts)


def test_discounts_larger_than_what_they_apply_to_are_clamped() -> None:
    bill = compute_bill(
        [STEAK, WATER],
        [
            Discount("amount", 9999, line_id=2, reason="spilled"),
            Discount("amount", 100_000, reason="owner's table"),
        ],
        ServiceCharge(1000),
        tax_inclusive=True,
    )
    assert [(line.discount, line.net) for line in bill.lines] == [(2500, 0), (400, 0)]
    assert (bill.subtotal, bill.discount_total) == (2900, 2900)
    assert (bill.service_charge, bill.total) == (0, 0)
    assert [part.amount for part in split_evenly(bill, 2)] == [0, 0]


def test_check_discount_applies_after_line_discounts_whatever_the_order_given() -> None:
    discounts = [
        Discount("amount", 500, reason="voucher"),
        Discount("percent", 5000, line_id=1, reason="half price"),
    ]
    bill = compute_bill([STEAK, WATER], discounts, tax_inclusive=True)
    # steak 25.00 -> 12.50; then 5.00 over 12.50 : 4.00 = 3.7879 + 1.2121 -> 3.79 + 1.21
    assert [line.net for line in bill.lines] == [1250 - 379, 400 - 121]
    assert bill.total == 1650 - 500


def test_custom_split_must_sum_to_the_total() -> None:
    bill = compute_bill([STEAK, WATER], tax_inclusive=True)
    with pytest.raises(ValueError, match="10 more than the total 2900"):
        split_custom(bill, [1000, 1910])
    with pytest.raises(ValueError, match="1 less than the total 2900"):
        split_custom(bill, [2899])
    with pytest.raises(ValueError, match="non-negative"):
        split_custom(bill, [3000, -100])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda bill: split_by_items(bill, {9: 0}, 2), "line 9 is not a chargeable line"),
        (lambda bill: split_by_items(bill, {1: 2}, 2), "not in 0..1"),
        (lambda bill: split_evenly(bill, 0), "at least 1"),
        (lambda bill: resplit(bill, [whole(bill)], 1, 2), "no part 1"),
        (lambda bill: split_shares(bill, split_by_seat(bill), 9, 2), "line 9 is in no part"),
    ],
)
def test_bad_split_requests_are_rejected(call: Callable[[Bill], object], message: str) -> None:
    bill = compute_bill([STEAK, WATER], tax_inclusive=True)
    with pytest.raises(ValueError, match=message):
        call(bill)


def test_split_by_seat_needs_a_seat() -> None:
    bill = compute_bill([BillLine(1, "Bread", 1, 300, 100_000)], tax_inclusive=True)
    with pytest.raises(ValueError, match="seat"):
        split_by_seat(bill)


@pytest.mark.parametrize(
    ("lines", "discounts", "message"),
    [
        ([STEAK, STEAK], [], "unique"),
        ([BillLine(1, "Refund", -1, 100, 0)], [], "must be >= 0"),
        ([STEAK], [Discount("percent", 10_001, reason="x")], "out of range"),
        ([STEAK], [Discount("amount", -1, reason="x")], "out of range"),
        ([STEAK], [Discount("amount", 1, line_id=7, reason="x")], "unknown line 7"),
    ],
)
def test_bad_bills_are_rejected(
    lines: list[BillLine], discounts: list[Discount], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        compute_bill(lines, discounts, tax_inclusive=True)


def test_balance_and_due_come_from_payments() -> None:
    part = split_evenly(compute_bill([STEAK, WATER], tax_inclusive=True), 2)[0]
    assert part.due([]) == 1450
    assert part.due([1000, 450]) == 0
    assert balance(2900, [1000, 2000, -100]) == 0  # a refund is a negative payment
    with pytest.raises(ValueError, match="exceeds the 450 due"):
        validate_payment(450, 451)
    with pytest.raises(ValueError, match="positive"):
        validate_payment(450, 0)


rates = st.sampled_from([0, 55_000, 70_000, 82_500, 88_750, 90_000, 100_000, 190_000, 210_000])


@st.composite
def bills(draw: st.DrawFn) -> Bill:
    count = draw(st.integers(min_value=1, max_value=7))
    lines = [
        BillLine(
            line_id=line_id,
            name=f"item {line_id}",
            quantity=draw(st.integers(min_value=0, max_value=4)),
            unit_price=draw(st.integers(min_value=0, max_value=5000)),
            tax_rate_ppm=draw(rates),
            seat=draw(st.none() | st.integers(min_value=1, max_value=4)),
            voided=draw(st.booleans()) and draw(st.booleans()),
            comp=draw(st.booleans()) and draw(st.booleans()),
        )
        for line_id in range(1, count + 1)
    ]
    discount = st.builds(
        Discount,
        kind=st.just("percent"),
        value=st.integers(min_value=0, max_value=10_000),
        line_id=st.none() | st.integers(min_value=1, max_value=count),
        reason=st.just(""),
    ) | st.builds(
        Discount,
        kind=st.just("amount"),
        value=st.integers(min_value=0, max_value=20_000),
        line_id=st.none() | st.integers(min_value=1, max_value=count),
        reason=st.just(""),
    )
    return compute_bill(
        lines,
        draw(st.lists(discount, max_size=3)),
        draw(st.none() | st.builds(ServiceCharge, st.integers(min_value=0, max_value=2500))),
        tax_inclusive=draw(st.booleans()),
    )


def custom_amounts(draw: st.DrawFn, total: int) -> list[int]:
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=total), max_size=4)))
    bounds = [0, *cuts, total]
    return [high - low for low, high in pairwise(bounds)]


def first_split(draw: st.DrawFn, bill: Bill) -> list[Part]:
    mode = draw(st.sampled_from(["evenly", "seat", "items", "custom"]))
    seated = any(line.seat is not None for line in bill.lines)
    if mode == "seat" and seated:
        return split_by_seat(bill)
    if mode == "items":
        count = draw(st.integers(min_value=1, max_value=4))
        ids = [line.line_id for line in bill.lines]
        assignment = (
            draw(st.dictionaries(st.sampled_from(ids), st.integers(0, count - 1))) if ids else {}
        )
        return split_by_items(bill, assignment, count)
    if mode == "custom":
        return split_custom(bill, custom_amounts(draw, bill.total))
    return split_evenly(bill, draw(st.integers(min_value=1, max_value=5)))


@settings(max_examples=300)
@given(bills(), st.data())
def test_any_sequence_of_splits_keeps_total_and_taxes_exact(
    bill: Bill, data: st.DataObject
) -> None:
    assert bill.total == sum(line.net for line in bill.lines) + bill.service_charge + (
        0 if bill.tax_inclusive else sum(tax.tax for tax in bill.taxes)
    )
    assert all(0 <= line.net <= line.gross for line in bill.lines)
    parts = first_split(data.draw, bill)  # type: ignore[arg-type]
    assert_consistent(bill, parts)
    for _ in range(data.draw(st.integers(min_value=0, max_value=4))):
        held = sorted({line_id for part in parts for line_id, _ in part.line_shares})
        if held and data.draw(st.booleans()):  # type: ignore[arg-type]
            line_id = data.draw(st.sampled_from(held))
            after = split_shares(bill, parts, line_id, data.draw(st.integers(1, 4)))
            remaining = iter([replace(p, index=0) for p in after])
            assert all(
                replace(p, index=0) in remaining
                for p in parts
                if line_id not in dict(p.line_shares)
            )
        else:
            index = data.draw(st.integers(min_value=0, max_value=len(parts) - 1))
            n = data.draw(st.integers(min_value=1, max_value=4))
            after = resplit(bill, parts, index, n)
            assert after[:index] == parts[:index]
            assert [replace(p, index=0) for p in after[index + n :]] == [
                replace(p, index=0) for p in parts[index + 1 :]
            ]
            assert sum(p.amount for p in after[index : index + n]) == parts[index].amount
        parts = after
        assert_consistent(bill, parts)


@given(bills(), st.data())
def test_payments_beyond_what_is_due_are_rejected(bill: Bill, data: st.DataObject) -> None:
    parts = first_split(data.draw, bill)  # type: ignore[arg-type]
    paid: list[list[int]] = [[] for _ in parts]
    attempts = st.tuples(
        st.integers(min_value=0, max_value=len(parts) - 1),
        st.integers(min_value=-100, max_value=bill.total + 100),
    )
    for index, amount in data.draw(st.lists(attempts, max_size=12)):
        due = parts[index].due(paid[index])
        if 0 < amount <= due:
            validate_payment(due, amount)
            paid[index].append(amount)
        else:
            with pytest.raises(ValueError, match=r"positive|exceeds"):
                validate_payment(due, amount)
    assert all(0 <= part.due(made) <= part.amount for part, made in zip(parts, paid, strict=True))
    everything = [amount for made in paid for amount in made]
    assert balance(bill.total, everything) == sum(
        part.due(made) for part, made in zip(parts, paid, strict=True)
    )
    for part, made in zip(parts, paid, strict=True):
        if part.due(made):
            made.append(part.due(made))
    assert balance(bill.total, [amount for made in paid for amount in made]) == 0


@given(bills(), st.data())
def test_custom_split_gives_each_part_exactly_its_amount(bill: Bill, data: st.DataObject) -> None:
    amounts = custom_amounts(data.draw, bill.total)  # type: ignore[arg-type]
    parts = split_custom(bill, amounts)
    assert [part.amount for part in parts] == amounts
    for part, amount in zip(parts, amounts, strict=True):
        for line_id, share in part.line_shares:
            net = next(line.net for line in bill.lines if line.line_id == line_id)
            # exact share rounded down, or up by one unit: |share - net x amount / total| <= 1
            assert abs(share * bill.total - net * amount) <= bill.total
    assert_consistent(bill, parts)


def test_an_even_split_is_even_however_many_odd_lines() -> None:
    """Issue #17: each line's odd cent went to the first part, so the gap grew with the lines."""
    pasta = [BillLine(i, "Pasta", 1, 765, 70_000) for i in (1, 2, 3)]
    bill = compute_bill(pasta, tax_inclusive=True)
    assert bill.total == 2295
    first, second = split_evenly(bill, 2)
    assert (first.amount, second.amount) == (1148, 1147)  # not 11.49 + 11.46
    # 7 %: 22.95 contains 1.50, shared in proportion to 11.48 : 11.47 -> 0.75 + 0.75
    assert (first.taxes, second.taxes) == (
        [TaxAmount(70_000, 1073, 75)],
        [TaxAmount(70_000, 1072, 75)],
    )
    lines = [
        BillLine(1, "Salad", 1, 1235, 70_000),
        BillLine(2, "Salad", 1, 1235, 70_000),
        BillLine(3, "Wine", 1, 2210, 190_000),
    ]
    bill = compute_bill(lines, tax_inclusive=True)
    assert [part.amount for part in split_evenly(bill, 2)] == [2340, 2340]  # not 23.41 + 23.39
    assert_consistent(bill, split_evenly(bill, 2))


def test_an_even_split_of_sales_tax_at_8_875_percent() -> None:
    lines = [BillLine(i, "Bagel", 1, 765, 88_750) for i in (1, 2, 3)]
    bill = compute_bill(lines, tax_inclusive=False)
    # 22.95 x 8.875 % = 2.0368 -> 2.04 on top: 24.99
    assert (bill.taxes, bill.total) == ([TaxAmount(88_750, 2295, 204)], 2499)
    parts = split_evenly(bill, 3)
    assert [part.amount for part in parts] == [833, 833, 833]
    assert [part.taxes[0].tax for part in parts] == [68, 68, 68]
    assert_consistent(bill, parts)


def assert_even(parts: list[Part]) -> None:
    amounts = [part.amount for part in parts]
    assert max(amounts) - min(amounts) <= 1, amounts


@settings(max_examples=300)
@given(bills(), st.integers(min_value=1, max_value=7))
def test_even_parts_differ_by_at_most_one_unit_and_keep_every_rate_exact(
    bill: Bill, n: int
) -> None:
    parts = split_evenly(bill, n)
    assert len(parts) == n
    assert_even(parts)
    assert_consistent(bill, parts)  # sums, and taxes rate by rate, exactly the bill's


@settings(max_examples=200)
@given(bills(), st.data())
def test_splitting_a_part_or_sharing_an_item_evenly_is_even_too(
    bill: Bill, data: st.DataObject
) -> None:
    parts = first_split(data.draw, bill)  # type: ignore[arg-type]
    index = data.draw(st.integers(min_value=0, max_value=len(parts) - 1))
    n = data.draw(st.integers(min_value=1, max_value=5))
    after = resplit(bill, parts, index, n)
    assert_even(after[index : index + n])
    assert_consistent(bill, after)
    held = sorted({line_id for part in parts for line_id, _ in part.line_shares})
    if held:
        line_id = data.draw(st.sampled_from(held))
        shared = split_shares(bill, parts, line_id, n)
        assert_even(shared[len(shared) - n :])
        assert_consistent(bill, shared)
