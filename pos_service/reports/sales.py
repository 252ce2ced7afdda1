"""Sales by group: pure functions from the journal's ``sale`` entries to report rows.

A sale is a closed check as the journal keeps it (:func:`pos_service.payments.service`
writes it when the check closes): its lines after voids and comps, the discounts, the
service charge, the taxes per rate and the total. Rows of checks (day, hour, staff,
table) add whole sales. Rows of lines (item, category, tax rate) add lines, each with a
share of its check's service charge (by line amounts) and of its rate's tax (by the
amounts of that rate's lines), both cut with ``allocate``, so the lines of a sale add up
to its total to the cent. Rows of payment methods split a sale's total over the methods
that paid it, in proportion to what each paid (``allocate`` again); they carry totals and
tips only. So every grouping sums to the same total, the journal's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import msgspec

from pos_service.core.money import allocate, format_rate_percent, round_div
from pos_service.reports.schemas import PromotionSales, SalesGroup, SalesRow

CHECK_GROUPS = ("day", "hour", "staff", "table")
LINE_GROUPS = ("item", "category", "tax_rate")


RATE_UNIT = "ppm"


def in_ppm(data: dict[str, Any]) -> dict[str, Any]:
    """A journal ``sale`` entry's data with its tax rates in parts per million.

    Entries written before the rates became ppm (docs/decisions/1240) carry basis
    points (``tax_rate_bp`` on lines, bp first in each ``taxes`` row) and no
    ``rate_unit``; the journal is append-only and hash-chained, so they are converted
    when read, never rewritten.
    """
    if data.get("rate_unit") == RATE_UNIT:
        return data
    return {
        **data,
        "rate_unit": RATE_UNIT,
        "taxes": [[rate * 100, base, tax] for rate, base, tax in data["taxes"]],
        "lines": [
            {
                **{k: v for k, v in line.items() if k != "tax_rate_bp"},
                "tax_rate_ppm": line["tax_rate_bp"] * 100,
            }
            for line in data["lines"]
        ],
    }


class Sale(msgspec.Struct, frozen=True, kw_only=True):
    """A journal ``sale`` entry with when it closed and how it was paid.

    ``payments`` maps a method to the (amount, tip) of the check's approved payments
    (refunds left out)."""

    day: dt.date
    hour: int
    data: dict[str, Any]
    payments: dict[str, tuple[int, int]] = {}

    @property
    def tax(self) -> int:
        return sum(tax for _, _, tax in self.data["taxes"])

    @property
    def tips(self) -> int:
        return sum(tip for _, tip in self.payments.values())


def _shares(total: int, weights: Sequence[int]) -> list[int]:
    if not weights:
        return []
    # a return's lines are negative: shares by size, the sign from ``total``
    sizes = [abs(weight) for weight in weights]
    return allocate(total, sizes if any(sizes) else [1] * len(sizes))


def line_totals(data: dict[str, Any]) -> list[tuple[int, int, int]]:
    """Each line's (service charge share, tax share, total) of a sale; the totals sum to
    the sale's total."""
    lines = data["lines"]
    nets = [line["net"] for line in lines]
    service = _shares(data["service_charge"], nets)
    taxes = [0] * len(lines)
    for rate, _base, tax in data["taxes"]:
        of_rate = [i for i, line in enumerate(lines) if line["tax_rate_ppm"] == rate]
        for i, part in zip(of_rate, _shares(tax, [nets[i] for i in of_rate]), strict=True):
            taxes[i] += part
    exclusive = not data["tax_inclusive"]
    return [
        (s, t, net + s + (t if exclusive else 0))
        for net, s, t in zip(nets, service, taxes, strict=True)
    ]


def returned(data: dict[str, Any]) -> dict[str, Any]:
    """A journal ``return`` entry's data as a sale with every amount negative (no covers),
    so the sales report's rows take returns off the sales they are grouped with."""
    data = in_ppm(data)
    return {
        **data,
        "returned": True,
        "covers": 0,
        **{k: -data[k] for k in ("subtotal", "discount_total", "service_charge", "total")},
        "taxes": [[rate, -base, -tax] for rate, base, tax in data["taxes"]],
        "lines": [
            {
                **line,
                "quantity": -line["quantity"],
                "gross": -line["gross"],
                "net": -line["net"],
            }
            for line in data["lines"]
        ],
    }


def rate_label(rate_ppm: int) -> str:
    return format_rate_percent(rate_ppm)


class _Rows:
    """Rows by key, counting each check once per row."""

    def __init__(self) -> None:
        self.rows: dict[str, SalesRow] = {}
        self.checks: dict[str, set[int]] = {}

    def row(self, key: str, label: str, sale: Sale) -> SalesRow:
        row = self.rows.setdefault(key, SalesRow(key=key, label=label))
        seen = self.checks.setdefault(key, set())
        if sale.data["check_id"] not in seen and not sale.data.get("returned"):
            seen.add(sale.data["check_id"])
            row.checks += 1
            row.covers += sale.data["covers"]
        return row

    def add_check(self, key: str, label: str, sale: Sale) -> None:
        data = sale.data
        row = self.row(key, label, sale)
        row.quantity += sum(line["quantity"] for line in data["lines"])
        row.gross += data["subtotal"]
        row.discounts += data["discount_total"]
        row.net += data["subtotal"] - data["discount_total"]
        row.service_charge += data["service_charge"]
        row.tax += sale.tax
        row.total += data["total"]
        row.tips += sale.tips

    def add_lines(self, group: str, sale: Sale) -> None:
        for line, (service, tax, total) in zip(
            sale.data["lines"], line_totals(sale.data), strict=True
        ):
            key, label = _line_key(group, line)
            row = self.row(key, label, sale)
            row.quantity += line["quantity"]
            row.gross += line.get("gross", line["net"])
            row.discounts += line.get("gross", line["net"]) - line["net"]
            row.net += line["net"]
            row.service_charge += service
            row.tax += tax
            row.total += total

    def add_methods(self, sale: Sale) -> None:
        methods = sorted(sale.payments) or ["none"]
        paid = [sale.payments.get(method, (0, 0)) for method in methods]
        totals = _shares(sale.data["total"], [abs(amount) for amount, _ in paid])
        for method, (_, tip), total in zip(methods, paid, totals, strict=True):
            row = self.row(method, method, sale)
            row.total += total
            row.tips += tip


def _line_key(group: str, line: dict[str, Any]) -> tuple[str, str]:
    if group == "item":
        return line["name"], line["name"]
    if group == "category":
        return line["category"], line["category"] or "no category"
    return str(line["tax_rate_ppm"]), rate_label(line["tax_rate_ppm"])


def check_key(
    group: str, staff: dict[int, str], tables: dict[int, str]
) -> Callable[[Sale], tuple[str, str]]:
    """The (key, label) of a sale's row in a grouping of checks."""

    def key(sale: Sale) -> tuple[str, str]:
        data = sale.data
        if group == "day":
            return sale.day.isoformat(), sale.day.isoformat()
        if group == "hour":
            return f"{sale.hour:02d}", f"{sale.hour:02d}:00"
        if group == "staff":
            waiter = data["waiter_id"]
            if waiter is None:
                return "", "unassigned"
            return str(waiter), staff.get(waiter, str(waiter))
        table = data["table_id"]
        if table is None:
            return "", "no table"
        return str(table), tables.get(table, str(table))

    return key


def rows(
    sales: Iterable[Sale], group: SalesGroup, staff: dict[int, str], tables: dict[int, str]
) -> list[SalesRow]:
    """The sales in rows of ``group``, sorted by key (days, hours, rates in order)."""
    found = _Rows()
    key = check_key(group, staff, tables)
    for sale in sales:
        if group in LINE_GROUPS:
            found.add_lines(group, sale)
        elif group == "payment_method":
            found.add_methods(sale)
        else:
            found.add_check(*key(sale), sale)
    result = list(found.rows.values())
    for row in result:
        row.average_check = round_div(row.total, row.checks) if row.checks else 0
    numeric = group in ("staff", "table", "tax_rate")
    return sorted(result, key=lambda r: (len(r.key), r.key) if numeric else (0, r.key))


def promotion_rows(sales: Iterable[Sale]) -> list[PromotionSales]:
    """The sales' promotion discounts per promotion (by id; the latest name), in id order.
    Sales journaled before promotions existed carry none."""
    found: dict[int, PromotionSales] = {}
    for sale in sales:
        seen: set[int] = set()
        for applied in sale.data.get("promotions", ()):
            pid = applied["promotion_id"]
            row = found.setdefault(pid, PromotionSales(promotion_id=pid, name=applied["name"]))
            row.name = applied["name"]
            row.lines += 1
            row.amount += applied["amount"]
            if pid not in seen:
                seen.add(pid)
                row.checks += 1
    return [found[pid] for pid in sorted(found)]
