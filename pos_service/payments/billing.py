"""The bill: pure functions from a check's lines to amounts, taxes and split parts.

Amounts are integers in minor units; every rounding is ``round_div`` and every division
of an amount into parts is ``allocate`` (see ``pos_service.core.money``).

Computing a bill (:func:`compute_bill`):

1. A line's gross is quantity x unit price (modifier deltas included). Voided lines are
   left out. Comped lines are left out of every amount and listed in ``Bill.comps``
   with their value, for reports.
2. Line discounts apply first, then check discounts, each group in the order given,
   each discount on what the ones before it left. A percent discount is rounded once,
   on the amount it applies to; an amount discount larger than that amount is clamped
   to it, so no line goes negative. A check discount is allocated over the lines in
   proportion to what is left of them, so each tax rate carries its share of it.
3. The service charge is a percentage of the post-discount subtotal (the line amounts
   as priced) and is untaxed: it belongs to no tax base and carries no tax.
4. Tax is computed per rate by the venue's rounding rule: ``"total"`` (the default)
   rounds once per rate on the whole bill, from the sum of that rate's post-discount
   lines; ``"line"`` rounds each post-discount line's tax and sums them per rate (where
   the law or the venue's till counts tax per line). With tax-inclusive prices the tax
   is contained in the amount (amount x rate / (1 + rate)); with tax-exclusive prices it
   is added on top (amount x rate). ``TaxAmount.base`` is always the amount without the tax,
   so base + tax is what the guest pays for that rate.
5. ``total`` = post-discount lines + service charge, plus the taxes if prices exclude tax.

Splitting (``split_*``, :func:`resplit`): the parts' amounts always sum exactly to the
amount split, and their taxes to its taxes, rate by rate. By seat and by items, each
line of the part being split gets a weight per new part and its amount is allocated by
those weights; then each rate's tax is allocated in proportion to the new parts' amounts
of that rate, and the service charge in proportion to their line amounts. An even split
(``split_evenly``, :func:`resplit`, the shares of :func:`split_shares`) and a custom
split fix the parts' amounts first (even: the amount allocated over ``n`` equal weights,
so the parts differ by at most one minor unit); then each line, the service charge and
(prices excluding tax) each rate's tax are divided in proportion to those amounts,
rounded so that every part gets exactly its amount (prices including tax: each rate's
tax follows the parts' amounts of that rate). A part can be split again without
changing any other part, so a part that is being paid keeps its amount. Each split
divides a pool, the whole bill by default; :func:`remainder` is what of the bill lies
outside some given parts (those being paid), so a new split can leave them intact.

What is due is never stored: :func:`balance` computes it from the payment amounts.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import msgspec

from pos_service.core.errors import Reason
from pos_service.core.money import BP_SCALE, allocate, apply_bp, tax_added, tax_included


class BillLine(msgspec.Struct, frozen=True):
    """A line of the check as ordered; ``unit_price`` includes the modifiers' deltas."""

    line_id: int
    name: str
    quantity: int
    unit_price: int
    tax_rate_ppm: int
    seat: int | None = None
    voided: bool = False
    comp: bool = False


class Discount(msgspec.Struct, frozen=True):
    """``value`` is basis points (percent) or minor units (amount); ``line_id`` None = check."""

    kind: Literal["percent", "amount"]
    value: int
    line_id: int | None = None
    reason: str = ""


class ServiceCharge(msgspec.Struct, frozen=True):
    """A percentage of the lines in basis points (1000 = 10 %)."""

    rate_bp: int


class TaxAmount(msgspec.Struct, frozen=True):
    """The tax of one rate: ``base`` excludes the tax, ``base + tax`` is what is paid."""

    rate_ppm: int
    base: int
    tax: int


class BilledLine(msgspec.Struct, frozen=True):
    line_id: int
    name: str
    seat: int | None
    tax_rate_ppm: int
    gross: int
    discount: int
    net: int


class Comp(msgspec.Struct, frozen=True):
    line_id: int
    name: str
    value: int


class Bill(msgspec.Struct, frozen=True):
    tax_inclusive: bool
    lines: list[BilledLine]
    comps: list[Comp]
    subtotal: int
    discount_total: int
    service_charge: int
    taxes: list[TaxAmount]
    total: int


class Part(msgspec.Struct, frozen=True):
    """One part of a split bill; ``line_shares`` are (line_id, share of the line's net)."""

    index: int
    label: str
    amount: int
    taxes: list[TaxAmount]
    line_shares: list[tuple[int, int]]
    service_charge: int

    def due(self, paid: Sequence[int]) -> int:
        return balance(self.amount, paid)


def balance(total: int, payments: Sequence[int]) -> int:
    """What is still due; refunds are negative payments."""
    return total - sum(payments)


def validate_payment(due: int, amount: int) -> None:
    """Reject a payment that is not positive or exceeds what is due (tips are separate)."""
    if amount <= 0:
        raise Reason("a payment must be positive, got {amount}", amount=amount)
    if amount > due:
        raise Reason("a payment of {amount} exceeds the {due} due", amount=amount, due=due)


def compute_bill(
    lines: Sequence[BillLine],
    discounts: Sequence[Discount] = (),
    service_charge: ServiceCharge | None = None,
    *,
    tax_inclusive: bool,
    tax_rounding: Literal["total", "line"] = "total",
) -> Bill:
    _validate(lines, discounts, service_charge)
    chargeable = [line for line in lines if not (line.voided or line.comp)]
    gross = {line.line_id: line.quantity * line.unit_price for line in chargeable}
    net = dict(gross)
    known = {line.line_id for line in lines}
    for discount in sorted(discounts, key=lambda d: d.line_id is None):
        if discount.line_id is not None and discount.line_id not in known:
            raise Reason(
                "discount {reason!r} names unknown line {line_id}",
                reason=discount.reason,
                line_id=discount.line_id,
            )
        _apply_discount(discount, net)
    subtotal = sum(gross.values())
    lines_total = sum(net.values())
    service = apply_bp(lines_total, service_charge.rate_bp) if service_charge else 0
    by_rate: dict[int, list[int]] = {}
    for line in chargeable:
        by_rate.setdefault(line.tax_rate_ppm, []).append(net[line.line_id])
    taxes = [
        _tax(rate, amounts, tax_inclusive, per_line=tax_rounding == "line")
        for rate, amounts in sorted(by_rate.items())
    ]
    return Bill(
        tax_inclusive=tax_inclusive,
        lines=[
            BilledLine(
                line_id=line.line_id,
                name=line.name,
                seat=line.seat,
                tax_rate_ppm=line.tax_rate_ppm,
                gross=gross[line.line_id],
                discount=gross[line.line_id] - net[line.line_id],
                net=net[line.line_id],
            )
            for line in chargeable
        ],
        comps=[
            Comp(line_id=line.line_id, name=line.name, value=line.quantity * line.unit_price)
            for line in lines
            if line.comp and not line.voided
        ],
        subtotal=subtotal,
        discount_total=subtotal - lines_total,
        service_charge=service,
        taxes=taxes,
        total=lines_total + service + (0 if tax_inclusive else sum(t.tax for t in taxes)),
    )


def whole(bill: Bill) -> Part:
    """The whole bill as one part: where a sequence of splits starts."""
    return Part(
        index=0,
        label="Check",
        amount=bill.total,
        taxes=list(bill.taxes),
        line_shares=[(line.line_id, line.net) for line in bill.lines],
        service_charge=bill.service_charge,
    )


def remainder(bill: Bill, parts: Sequence[Part], label: str = "Check") -> Part:
    """What of ``bill`` lies in none of ``parts``: the pool a new split divides.

    Line shares, taxes rate by rate, service charge and amount are each the bill's minus
    the parts', so ``parts`` plus the remainder always add up to the bill exactly (a
    share can be negative if the bill shrank under a part that is kept).
    """
    pool = whole(bill)
    if not parts:
        return msgspec.structs.replace(pool, label=label)
    taken = _merge(parts)
    lines = dict(pool.line_shares)
    for line_id, amount in taken.line_shares:
        lines[line_id] = lines.get(line_id, 0) - amount
    bases = {tax.rate_ppm: [tax.base, tax.tax] for tax in pool.taxes}
    for tax in taken.taxes:
        base_tax = bases.setdefault(tax.rate_ppm, [0, 0])
        base_tax[0] -= tax.base
        base_tax[1] -= tax.tax
    rate_of = {line.line_id: line.tax_rate_ppm for line in bill.lines}
    left = {line_id: amount for line_id, amount in lines.items() if amount}
    return Part(
        index=0,
        label=label,
        amount=pool.amount - taken.amount,
        taxes=[
            TaxAmount(rate, base, tax)
            for rate, (base, tax) in sorted(bases.items())
            if base or tax or any(rate_of.get(line_id) == rate for line_id in left)
        ],
        line_shares=list(left.items()),
        service_charge=pool.service_charge - taken.service_charge,
    )


def split_evenly(bill: Bill, n: int, pool: Part | None = None) -> list[Part]:
    """``pool`` (the whole bill if None) in ``n`` even parts."""
    return resplit(bill, [pool or whole(bill)], 0, n)


def split_by_seat(bill: Bill, pool: Part | None = None) -> list[Part]:
    """One part per seat; lines without a seat are shared evenly over the seats."""
    pool = pool or whole(bill)
    seat_of = {line.line_id: line.seat for line in bill.lines}
    seats = sorted(
        {s for line_id, _ in pool.line_shares if (s := seat_of.get(line_id)) is not None}
    )
    if not seats:
        raise Reason("no line of the bill has a seat")
    return _divide(
        bill,
        pool,
        lambda line_id: [int(seat_of[line_id] in (None, seat)) for seat in seats],
        [f"Seat {seat}" for seat in seats],
    )


def split_by_items(
    bill: Bill, assignment: Mapping[int, int], parts: int, pool: Part | None = None
) -> list[Part]:
    """Each assigned line goes to its part (0-based); unassigned lines are shared evenly."""
    _check_count(parts, "parts")
    pool = pool or whole(bill)
    billed = {line_id for line_id, _ in pool.line_shares}
    for line_id, index in assignment.items():
        if line_id not in billed:
            raise Reason("line {line_id} is not a chargeable line of the bill", line_id=line_id)
        if not 0 <= index < parts:
            raise Reason(
                "line {line_id} is assigned to part {index}, not in 0..{last}",
                line_id=line_id,
                index=index,
                last=parts - 1,
            )

    def weights(line_id: int) -> list[int]:
        if line_id not in assignment:
            return [1] * parts
        return [int(index == assignment[line_id]) for index in range(parts)]

    return _divide(bill, pool, weights, [f"Part {i}" for i in range(1, parts + 1)])


def resplit(bill: Bill, parts: Sequence[Part], index: int, n: int) -> list[Part]:
    """Split ``parts[index]`` evenly into ``n`` parts in its place; the others are kept."""
    _check_count(n, "n")
    if not 0 <= index < len(parts):
        raise Reason("no part {index} among {count}", index=index, count=len(parts))
    part = parts[index]
    labels = [f"{part.label} {i}/{n}" for i in range(1, n + 1)] if n > 1 else [part.label]
    pieces = _even(bill, part, labels)
    return _renumber([*parts[:index], *pieces, *parts[index + 1 :]])


def split_shares(bill: Bill, parts: Sequence[Part], line_id: int, shares: int) -> list[Part]:
    """Take ``line_id`` out of the parts holding it and make it ``shares`` new parts.

    The new parts come last; a part the line leaves empty is dropped.
    """
    _check_count(shares, "shares")
    names = {line.line_id: line.name for line in bill.lines}
    if not any(line_id == held for part in parts for held, _ in part.line_shares):
        raise Reason("line {line_id} is in no part", line_id=line_id)
    kept: list[Part] = []
    carved: list[Part] = []
    for part in parts:
        if line_id not in dict(part.line_shares):
            kept.append(part)
            continue
        rest, piece = _divide(
            bill, part, lambda held: [0, 1] if held == line_id else [1, 0], [part.label, ""]
        )
        carved.append(piece)
        if rest.line_shares or rest.amount or rest.service_charge or rest.taxes:
            kept.append(rest)
    name = names[line_id]
    labels = [f"{name} {i}/{shares}" for i in range(1, shares + 1)]
    return _renumber(kept + _even(bill, _merge(carved), labels))


def split_custom(bill: Bill, amounts: Sequence[int], pool: Part | None = None) -> list[Part]:
    """Parts of the given amounts, which must sum to the total of ``pool`` (the bill)."""
    pool = pool or whole(bill)
    if not amounts or any(amount < 0 for amount in amounts):
        raise Reason("custom amounts must be one or more non-negative amounts")
    difference = sum(amounts) - pool.amount
    if difference > 0:
        raise Reason(
            "custom amounts sum to {sum}: {difference} more than the total {total}",
            sum=sum(amounts),
            difference=difference,
            total=pool.amount,
        )
    if difference < 0:
        raise Reason(
            "custom amounts sum to {sum}: {difference} less than the total {total}",
            sum=sum(amounts),
            difference=-difference,
            total=pool.amount,
        )
    labels = [f"Part {i}" for i in range(1, len(amounts) + 1)]
    return _fit(bill, pool, list(amounts), labels)


def _even(bill: Bill, pool: Part, labels: Sequence[str]) -> list[Part]:
    """``pool`` in ``len(labels)`` even parts: the amount is allocated first, so the parts
    differ by at most one minor unit, then :func:`_fit` fills them.

    A pool holding negative amounts (what is left when a bill shrank under parts being
    paid) is divided line by line instead; its parts still sum exactly.
    """
    amounts = allocate(pool.amount, [1] * len(labels))
    negative = (
        any(amount < 0 for _, amount in pool.line_shares)
        or pool.service_charge < 0
        or any(tax.tax < 0 or tax.base < 0 for tax in pool.taxes)
    )
    if pool.amount <= 0 or negative:
        return _divide(bill, pool, lambda _: [1] * len(labels), labels)
    return _fit(bill, pool, amounts, labels)


def _fit(bill: Bill, pool: Part, amounts: list[int], labels: Sequence[str]) -> list[Part]:
    """Parts of exactly ``amounts`` (summing to ``pool.amount``).

    Each line, the service charge and (prices excluding tax) each rate's tax are divided
    over the parts in proportion to ``amounts`` by :func:`_proportional_table`: every
    share is its exact value rounded down or up, and every part gets exactly its amount.
    With prices including tax, each rate's tax then follows the parts' amounts of that
    rate (:func:`_assemble`). Either way the parts' taxes sum to the pool's rate by rate.
    """
    line_ids = [line_id for line_id, _ in pool.line_shares]
    columns = [amount for _, amount in pool.line_shares] + [pool.service_charge]
    if not bill.tax_inclusive:
        columns += [tax.tax for tax in pool.taxes]
    table = _proportional_table(amounts, columns)
    count = len(line_ids)
    cells = [
        dict(zip(line_ids, row[:count], strict=True)) if amount else {}
        for row, amount in zip(table, amounts, strict=True)
    ]
    taxes = None
    if not bill.tax_inclusive:
        taxes = {
            t.rate_ppm: [row[count + 1 + j] for row in table] for j, t in enumerate(pool.taxes)
        }
    return _assemble(bill, pool, cells, labels, [row[count] for row in table], taxes)


def _divide(
    bill: Bill, pool: Part, weights: Callable[[int], Sequence[int]], labels: Sequence[str]
) -> list[Part]:
    """Allocate each line of ``pool`` over the new parts by its weights (seat, items)."""
    cells: list[dict[int, int]] = [{} for _ in labels]
    for line_id, amount in pool.line_shares:
        line_weights = weights(line_id)
        shares = allocate(amount, line_weights)
        for cell, weight, share in zip(cells, line_weights, shares, strict=True):
            if weight:
                cell[line_id] = share
    return _assemble(bill, pool, cells, labels)


def _assemble(
    bill: Bill,
    pool: Part,
    cells: list[dict[int, int]],
    labels: Sequence[str],
    services: list[int] | None = None,
    taxes: Mapping[int, list[int]] | None = None,
) -> list[Part]:
    """Parts from their line shares; service and taxes follow them unless given."""
    rate_of = {line.line_id: line.tax_rate_ppm for line in bill.lines}
    if services is None:
        services = _spread(pool.service_charge, [sum(cell.values()) for cell in cells])
    part_taxes: list[list[TaxAmount]] = [[] for _ in cells]
    for pool_tax in pool.taxes:
        rate = pool_tax.rate_ppm
        bases = [sum(a for i, a in cell.items() if rate_of[i] == rate) for cell in cells]
        shares = taxes[rate] if taxes is not None else _spread(pool_tax.tax, bases)
        for cell, found, base, tax in zip(cells, part_taxes, bases, shares, strict=True):
            if tax or any(rate_of[i] == rate for i in cell):
                found.append(TaxAmount(rate, base - tax if bill.tax_inclusive else base, tax))
    return _renumber(
        [
            Part(
                index=0,
                label=label,
                amount=sum(cell.values())
                + service
                + (0 if bill.tax_inclusive else sum(t.tax for t in found)),
                taxes=found,
                line_shares=list(cell.items()),
                service_charge=service,
            )
            for label, cell, service, found in zip(labels, cells, services, part_taxes, strict=True)
        ]
    )


def _merge(parts: Sequence[Part]) -> Part:
    lines: dict[int, int] = {}
    bases: dict[int, int] = {}
    taxes: dict[int, int] = {}
    for part in parts:
        for line_id, amount in part.line_shares:
            lines[line_id] = lines.get(line_id, 0) + amount
        for tax in part.taxes:
            bases[tax.rate_ppm] = bases.get(tax.rate_ppm, 0) + tax.base
            taxes[tax.rate_ppm] = taxes.get(tax.rate_ppm, 0) + tax.tax
    return Part(
        index=0,
        label="",
        amount=sum(part.amount for part in parts),
        taxes=[TaxAmount(rate, bases[rate], taxes[rate]) for rate in sorted(taxes)],
        line_shares=list(lines.items()),
        service_charge=sum(part.service_charge for part in parts),
    )


def _proportional_table(rows: list[int], columns: list[int]) -> list[list[int]]:
    """Round the table rows[i] x columns[j] / total so rows and columns keep their sums.

    Each cell starts at its exact value rounded down; each column then gives its
    leftover units, one per row, to the rows with the most left to fill (ties to the
    cell with the larger fraction, then to the lowest index). The fractional remainders
    of the exact table show that such a 0/1 completion exists, and this greedy (Ryser's,
    from the Gale-Ryser theorem) finds one. Every cell ends as its exact value rounded
    down, or that plus one (a negative total is rounded as its mirror image).
    """
    total = sum(rows)
    if total == 0:
        return [[0] * len(columns) for _ in rows]
    if total < 0:
        return [
            [-cell for cell in row]
            for row in _proportional_table([-r for r in rows], [-c for c in columns])
        ]
    table = [[row * column // total for column in columns] for row in rows]
    left = [row - sum(cells) for row, cells in zip(rows, table, strict=True)]
    for j, column in enumerate(columns):
        missing = column - sum(cells[j] for cells in table)
        order = sorted(range(len(rows)), key=lambda i: (-left[i], -(rows[i] * column % total)))
        for i in order[:missing]:
            table[i][j] += 1
            left[i] -= 1
    return table


def _spread(total: int, weights: Sequence[int]) -> list[int]:
    return allocate(total, weights if any(weights) else [1] * len(weights))


def _renumber(parts: Sequence[Part]) -> list[Part]:
    return [msgspec.structs.replace(part, index=index) for index, part in enumerate(parts)]


def _tax(rate_ppm: int, amounts: list[int], tax_inclusive: bool, *, per_line: bool) -> TaxAmount:
    """The tax of one rate over its lines' ``amounts``, rounded per line or on their sum."""
    of = tax_included if tax_inclusive else tax_added
    amount = sum(amounts)
    tax = sum(of(a, rate_ppm) for a in amounts) if per_line else of(amount, rate_ppm)
    return TaxAmount(rate_ppm=rate_ppm, base=amount - tax if tax_inclusive else amount, tax=tax)


def _apply_discount(discount: Discount, net: dict[int, int]) -> None:
    """Take ``discount`` off ``net`` (line_id -> amount); voided or comped lines are skipped."""
    if discount.line_id is not None:
        if discount.line_id in net:
            net[discount.line_id] -= _discount_amount(discount, net[discount.line_id])
        return
    amount = _discount_amount(discount, sum(net.values()))
    if amount:
        for line_id, share in zip(list(net), allocate(amount, list(net.values())), strict=True):
            net[line_id] -= share


def _discount_amount(discount: Discount, applies_to: int) -> int:
    if discount.kind == "percent":
        return apply_bp(applies_to, discount.value)
    return min(discount.value, applies_to)


def _validate(
    lines: Sequence[BillLine], discounts: Sequence[Discount], service: ServiceCharge | None
) -> None:
    if len({line.line_id for line in lines}) != len(lines):
        raise Reason("line ids must be unique")
    for line in lines:
        if line.quantity < 0 or line.unit_price < 0 or line.tax_rate_ppm < 0:
            raise Reason(
                "line {line_id}: quantity, price and tax rate must be >= 0", line_id=line.line_id
            )
    for discount in discounts:
        limit = BP_SCALE if discount.kind == "percent" else None
        if discount.value < 0 or (limit is not None and discount.value > limit):
            raise Reason(
                "discount {reason!r}: value {value} out of range",
                reason=discount.reason,
                value=discount.value,
            )
    if service is not None and service.rate_bp < 0:
        raise Reason("the service charge rate cannot be negative")


def _check_count(count: int, name: str) -> None:
    if count < 1:
        raise Reason("{name} must be at least 1, got {count}", name=name, count=count)
