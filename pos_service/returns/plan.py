"""What a return refunds: pure functions of the check's bill and its earlier returns.

Every share is cumulative, so any sequence of returns of a check adds up exactly to
the sale: returning ``q`` more units of a line of ``Q`` units and net ``N`` (after its
discounts, as :func:`pos_service.payments.billing.compute_bill` gives it) when ``p``
were returned before refunds ``round(N x (p + q) / Q) - round(N x p / Q)``; a rate's tax
follows the returned net of that rate the same way (``round(T x A / R)`` less what the
earlier returns took, ``R`` the rate's net on the bill, ``A`` its net returned so far);
the service charge follows the returned net of all lines. Returning everything, in one
return or many, refunds exactly the bill's total, tax per rate and service charge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from pos_service.core.errors import Reason
from pos_service.core.money import allocate, round_div
from pos_service.payments.billing import Bill, TaxAmount


class LineBack(msgspec.Struct, frozen=True):
    """One line's units given back and their share of the line's gross, net and tax."""

    line_id: int
    name: str
    quantity: int
    gross: int
    net: int
    tax_rate_ppm: int
    tax: int = 0


class Earlier(msgspec.Struct, frozen=True):
    """What earlier returns of the check took back, line by line: quantity, gross, net."""

    quantity: int = 0
    gross: int = 0
    net: int = 0


class Plan(msgspec.Struct, frozen=True):
    lines: list[LineBack]
    taxes: list[TaxAmount]
    service_charge: int
    amount: int


def _share(total: int, part: int, whole: int) -> int:
    return round_div(total * part, whole) if whole else 0


def plan(
    bill: Bill,
    quantities: Mapping[int, int],
    sold: Mapping[int, int],
    earlier: Mapping[int, Earlier],
) -> Plan:
    """The refund of ``quantities`` (line id -> units) of the bill's lines, of which
    ``sold`` units were sold and ``earlier`` returned before. ValueError names a line
    that is not chargeable on the bill or has fewer units left."""
    billed = {line.line_id: line for line in bill.lines}
    backs: list[LineBack] = []
    for line_id, quantity in quantities.items():
        line = billed.get(line_id)
        if line is None:
            raise Reason("line {line_id} is not a charged line of the check", line_id=line_id)
        before = earlier.get(line_id, Earlier())
        units = sold[line_id]
        if before.quantity + quantity > units:
            left = units - before.quantity
            raise Reason(
                "line {line_id} has {left} of {units} units left to return",
                line_id=line_id,
                left=left,
                units=units,
            )
        after = before.quantity + quantity
        backs.append(
            LineBack(
                line_id=line_id,
                name=line.name,
                quantity=quantity,
                gross=_share(line.gross, after, units) - before.gross,
                net=_share(line.net, after, units) - before.net,
                tax_rate_ppm=line.tax_rate_ppm,
            )
        )
    rate_net: dict[int, int] = {}
    for line in bill.lines:
        rate_net[line.tax_rate_ppm] = rate_net.get(line.tax_rate_ppm, 0) + line.net
    rate_of = {line.line_id: line.tax_rate_ppm for line in bill.lines}
    net_before: dict[int, int] = {}
    for line_id, done in earlier.items():
        if line_id in rate_of:
            net_before[rate_of[line_id]] = net_before.get(rate_of[line_id], 0) + done.net
    net_now = {rate: sum(b.net for b in backs if b.tax_rate_ppm == rate) for rate in rate_net}
    taxes: list[TaxAmount] = []
    for t in bill.taxes:
        if not net_now.get(t.rate_ppm):
            continue
        was = net_before.get(t.rate_ppm, 0)
        is_ = was + net_now[t.rate_ppm]
        tax = _share(t.tax, is_, rate_net[t.rate_ppm]) - _share(t.tax, was, rate_net[t.rate_ppm])
        base = net_now[t.rate_ppm] - tax if bill.tax_inclusive else net_now[t.rate_ppm]
        taxes.append(TaxAmount(t.rate_ppm, base, tax))
    backs = _line_taxes(backs, taxes)
    lines_total = sum(line.net for line in bill.lines)
    was_all = sum(net_before.values())
    now_all = sum(b.net for b in backs)
    service = _share(bill.service_charge, was_all + now_all, lines_total) - _share(
        bill.service_charge, was_all, lines_total
    )
    tax_added = 0 if bill.tax_inclusive else sum(t.tax for t in taxes)
    return Plan(
        lines=backs, taxes=taxes, service_charge=service, amount=now_all + service + tax_added
    )


def _line_taxes(backs: Sequence[LineBack], taxes: Sequence[TaxAmount]) -> list[LineBack]:
    """Each rate's returned tax cut over its returned lines by net (largest remainder)."""
    out = list(backs)
    for t in taxes:
        idx = [i for i, b in enumerate(out) if b.tax_rate_ppm == t.rate_ppm]
        weights = [out[i].net for i in idx]
        cut = allocate(t.tax, weights) if sum(weights) > 0 else [0] * len(idx)
        for i, tax in zip(idx, cut, strict=True):
            out[i] = msgspec.structs.replace(out[i], tax=tax)
    return out
