"""Any sequence of splits, payments and bill changes keeps the ledger exact.

Runs the same pure functions the payments service runs (``ledger``, ``plan_split``,
``admit``) over random histories.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from pos_service.core.errors import Conflict, Invalid
from pos_service.payments.billing import BillLine, Discount, ServiceCharge, compute_bill
from pos_service.payments.ledger import (
    Ledger,
    Money,
    PaymentStatus,
    StoredPart,
    admit,
    ledger,
    plan_split,
)
from pos_service.payments.schemas import SplitRequest

rates = st.sampled_from([0, 70_000, 82_500, 88_750, 190_000, 210_000])
lines = st.builds(
    BillLine,
    line_id=st.just(0),
    name=st.just("item"),
    quantity=st.integers(1, 3),
    unit_price=st.integers(0, 4000),
    tax_rate_ppm=rates,
    seat=st.none() | st.integers(1, 3),
)


def check_consistent(book: Ledger) -> None:
    bill = book.bill
    states = [*book.parts, book.rest]
    assert sum(s.part.amount for s in states) == bill.total
    assert sum(s.part.service_charge for s in states) == bill.service_charge
    taxes: Counter[int] = Counter()
    for state in states:
        for tax in state.part.taxes:
            taxes[tax.rate_ppm] += tax.tax
    assert +taxes == +Counter({t.rate_ppm: t.tax for t in bill.taxes})
    assert 0 <= book.paid <= bill.total
    for state in states:
        assert 0 <= state.paid <= state.part.amount
        assert state.open >= 0
    assert book.due == sum(s.due for s in states)


def split_request(draw: st.DrawFn, book: Ledger) -> SplitRequest:
    mode = draw(st.sampled_from(["even", "seat", "items", "shares", "custom"]))
    part_ids = [s.id for s in book.parts if s.id is not None]
    part_id = draw(st.none() | st.sampled_from(part_ids)) if part_ids and mode != "shares" else None
    pool = next(s.part for s in book.parts if s.id == part_id) if part_id else None
    amount = (
        pool.amount if pool else book.bill.total - sum(s.part.amount for s in book.parts if s.held)
    )
    if mode == "custom":
        cuts = sorted(draw(st.lists(st.integers(0, max(amount, 0)), max_size=3)))
        return SplitRequest(
            mode="custom", part_id=part_id, amounts=[b - a for a, b in pairwise([0, *cuts, amount])]
        )
    if mode == "items":
        ids = [line.line_id for line in book.bill.lines]
        parts = draw(st.integers(1, 3))
        assignment = (
            draw(st.dictionaries(st.sampled_from(ids), st.integers(0, parts - 1))) if ids else {}
        )
        return SplitRequest(mode="items", part_id=part_id, parts=parts, assignment=assignment)
    if mode == "shares":
        ids = [line.line_id for line in book.bill.lines]
        return SplitRequest(
            mode="shares", line_id=draw(st.sampled_from(ids)), n=draw(st.integers(1, 3))
        )
    return SplitRequest(mode=mode, part_id=part_id, n=draw(st.integers(1, 4)))  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.lists(lines, min_size=1, max_size=5), st.booleans(), st.data())
def test_any_history_of_splits_and_payments_stays_exact(
    start: list[BillLine], inclusive: bool, data: st.DataObject
) -> None:
    items = [
        BillLine(i + 1, f"item {i + 1}", x.quantity, x.unit_price, x.tax_rate_ppm, x.seat)
        for i, x in enumerate(start)
    ]
    discount = [Discount("percent", 1000, reason="regular")] if data.draw(st.booleans()) else []
    service = ServiceCharge(1000) if data.draw(st.booleans()) else None
    stored: list[StoredPart] = []
    payments: list[Money] = []
    ids = iter(range(1, 10_000))

    def current() -> Ledger:
        bill = compute_bill(items, discount, service, tax_inclusive=inclusive)
        return ledger(bill, stored, payments)

    for _ in range(data.draw(st.integers(1, 12))):
        book = current()
        check_consistent(book)
        action = data.draw(st.sampled_from(["split", "pay", "resolve", "order"]))
        try:
            if action == "split":
                replaced, pieces = plan_split(
                    book,
                    [s.id for s in stored],
                    split_request(data.draw, book),  # type: ignore[arg-type]
                )
                stored = [s for s in stored if s.id not in replaced]
                stored += [StoredPart(next(ids), book.basis, piece) for piece in pieces]
            elif action == "pay":
                state = data.draw(st.sampled_from([*book.parts, book.rest]))
                cash = data.draw(st.booleans())
                amount = data.draw(st.none() | st.integers(1, max(book.bill.total, 1) + 100))
                applied, change = admit(state, amount, cash=cash)
                assert 0 < applied <= state.open and change >= 0
                assert cash or change == 0
                payments.append(Money(state.id, applied, "approved" if cash else "pending"))
            elif action == "resolve" and any(m.status == "pending" for m in payments):
                index = next(i for i, m in enumerate(payments) if m.status == "pending")
                outcome: PaymentStatus = data.draw(st.sampled_from(["approved", "declined"]))
                payments[index] = Money(payments[index].part_id, payments[index].amount, outcome)
            elif action == "order":
                line = data.draw(lines)
                items.append(
                    BillLine(
                        len(items) + 1,
                        "more",
                        line.quantity,
                        line.unit_price,
                        line.tax_rate_ppm,
                        line.seat,
                    )
                )
        except (Conflict, Invalid):
            pass
    book = current()
    check_consistent(book)
    # whatever happened, paying every part and the rest in full settles the check
    payments = [
        Money(m.part_id, m.amount, "approved" if m.status == "pending" else m.status)
        for m in payments
    ]
    book = current()
    for state in [*book.parts, book.rest]:
        if state.open > 0:
            applied, _ = admit(state, None, cash=False)
            payments.append(Money(state.id, applied, "approved"))
    book = current()
    assert book.settled and book.paid == book.bill.total
