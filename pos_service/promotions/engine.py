"""Which promotions a check's lines get, and how much each takes off each line.

Pure functions, no database: :func:`apply` takes the chargeable lines (with the time each
was ordered, in the venue's timezone) and the venue's promotions, and answers one
:class:`Applied` per (promotion, line) with the amount in minor units. The bill turns
each into an amount discount on its line (``pos_service.payments._load``), applied before
any manual discount, so every line's net carries its share of a promotion.

Rules (docs/promotions.md, docs/decisions/1420 and 1421):

- A promotion holds for a line if the line was ordered within one of its windows (none =
  all day), on a business day from ``starts_on`` to ``ends_on``, and before it ended.
- ``percent_off``: each matching line loses ``percent_bp`` of its amount, rounded once
  per line. ``amount_off``: each matching unit loses ``amount`` (at most its price).
- ``buy_n_get_m``: matching units, dearest first, form groups of ``buy + get``; in each
  full group the ``get`` cheapest are free. ``combo_price``: one unit per component
  (the dearest matching one left), as long as the units cost more than ``price``
  together; each combo costs ``price``. A group's or a combo's discount is shared over
  its units in proportion to their prices (``allocate``), so a returned line gives back
  its own share.
- Overlaps: a line gets at most one promotion. The promotion taking the most off the
  lines still free is applied first (ties: the lower id), then the next on what is left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec

from pos_service.core.money import allocate, apply_bp
from pos_service.menu.schedules import any_open


class WindowSpec(msgspec.Struct, frozen=True):
    """A venue-local weekly window: ISO weekdays, start and end (an end at or before the
    start runs past midnight, as the menu's schedules do)."""

    weekdays: list[int]
    starts: dt.time
    ends: dt.time


class Component(msgspec.Struct, frozen=True):
    """One part of a combo: any of these items, or any item of these categories."""

    item_ids: list[int] = []
    category_ids: list[int] = []

    def matches(self, line: PromoLine) -> bool:
        return line.item_id in self.item_ids or line.category_id in self.category_ids


class Terms(msgspec.Struct, frozen=True, kw_only=True):
    """A promotion as the engine sees it."""

    id: int
    name: str
    kind: str
    item_ids: list[int] = []
    category_ids: list[int] = []
    percent_bp: int = 0
    amount: int = 0
    buy: int = 0
    get: int = 0
    price: int = 0
    components: list[Component] = []
    windows: list[WindowSpec] = []
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    ended_at: dt.datetime | None = None

    def targets(self, line: PromoLine) -> bool:
        return line.item_id in self.item_ids or line.category_id in self.category_ids

    def holds_for(self, line: PromoLine) -> bool:
        """Whether the promotion was in force when ``line`` was ordered."""
        if self.ended_at is not None and line.ordered_at >= self.ended_at:
            return False
        if self.starts_on is not None and line.business_day < self.starts_on:
            return False
        if self.ends_on is not None and line.business_day > self.ends_on:
            return False
        return any_open(self.windows, line.local)


class PromoLine(msgspec.Struct, frozen=True, kw_only=True):
    """A chargeable line: ``ordered_at`` (UTC), ``local`` (the same in the venue's
    timezone) and the business day it belongs to."""

    line_id: int
    item_id: int
    category_id: int
    quantity: int
    unit_price: int
    ordered_at: dt.datetime
    local: dt.datetime
    business_day: dt.date


class Applied(msgspec.Struct, frozen=True):
    """What ``promotion_id`` takes off ``line_id``."""

    promotion_id: int
    name: str
    line_id: int
    amount: int


def business_day(local: dt.datetime, cutoff: dt.time) -> dt.date:
    """The business day of a venue-local time (before the cutoff: the day before)."""
    day = local.date()
    return day - dt.timedelta(days=1) if local.time().replace(tzinfo=None) < cutoff else day


def apply(lines: Sequence[PromoLine], promotions: Sequence[Terms]) -> list[Applied]:
    """The promotions of ``lines``, in the order they were chosen (see the module doc)."""
    taken: set[int] = set()
    left = sorted(promotions, key=lambda p: p.id)
    found: list[Applied] = []
    while left:
        best: tuple[int, Terms, dict[int, int], set[int]] | None = None
        for terms in left:
            free = [line for line in lines if line.line_id not in taken and terms.holds_for(line)]
            off, used = evaluate(terms, free)
            total = sum(off.values())
            if total > 0 and (best is None or total > best[0]):
                best = (total, terms, off, used)
        if best is None:
            break
        _, terms, off, used = best
        found += [
            Applied(terms.id, terms.name, line_id, amount)
            for line_id, amount in sorted(off.items())
            if amount
        ]
        taken |= used
        left.remove(terms)
    return found


def evaluate(terms: Terms, lines: Sequence[PromoLine]) -> tuple[dict[int, int], set[int]]:
    """What ``terms`` takes off each of ``lines`` (line id -> amount), and the lines it uses."""
    if terms.kind == "percent_off":
        off = {
            line.line_id: apply_bp(line.quantity * line.unit_price, terms.percent_bp)
            for line in lines
            if terms.targets(line)
        }
        return off, set(off)
    if terms.kind == "amount_off":
        off = {
            line.line_id: min(terms.amount, line.unit_price) * line.quantity
            for line in lines
            if terms.targets(line)
        }
        return off, set(off)
    if terms.kind == "buy_n_get_m":
        return _buy_get(terms, lines)
    if terms.kind == "combo_price":
        return _combos(terms, lines)
    raise ValueError(f"unknown promotion kind {terms.kind!r}")


Unit = tuple[int, int]
"""One unit of a line: (unit price, line id)."""


def _units(lines: Sequence[PromoLine]) -> list[Unit]:
    """Every unit of ``lines``, dearest first (ties: the earlier line)."""
    units = [(line.unit_price, line.line_id) for line in lines for _ in range(line.quantity)]
    return sorted(units, key=lambda u: (-u[0], u[1]))


def _share(off: dict[int, int], units: Sequence[Unit], amount: int) -> None:
    """Add ``amount`` to ``off``, shared over ``units`` in proportion to their prices."""
    weights: dict[int, int] = {}
    for price, line_id in units:
        weights[line_id] = weights.get(line_id, 0) + price
    ids = list(weights)
    for line_id, share in zip(ids, allocate(amount, [weights[i] for i in ids]), strict=True):
        off[line_id] = off.get(line_id, 0) + share


def _buy_get(terms: Terms, lines: Sequence[PromoLine]) -> tuple[dict[int, int], set[int]]:
    units = _units([line for line in lines if terms.targets(line)])
    size = terms.buy + terms.get
    off: dict[int, int] = {}
    used: set[int] = set()
    for start in range(0, len(units) - size + 1, size):
        group = units[start : start + size]
        free = sum(price for price, _ in group[terms.buy :])
        if free:
            _share(off, group, free)
        used |= {line_id for _, line_id in group}
    return off, used


def _combos(terms: Terms, lines: Sequence[PromoLine]) -> tuple[dict[int, int], set[int]]:
    by_id = {line.line_id: line for line in lines}
    pool = _units(lines)
    off: dict[int, int] = {}
    used: set[int] = set()
    while terms.components:
        combo: list[Unit] = []
        for component in terms.components:
            unit = next((u for u in pool if component.matches(by_id[u[1]])), None)
            if unit is None:
                return off, used
            pool.remove(unit)
            combo.append(unit)
        saving = sum(price for price, _ in combo) - terms.price
        if saving <= 0:
            break
        _share(off, combo, saving)
        used |= {line_id for _, line_id in combo}
    return off, used
