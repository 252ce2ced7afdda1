"""The booking rules and the pure planning behind them: slots, turn times, fitting a party
to tables, the walk-in share, and when occupied tables are expected to free up.

Nothing here touches the database; the service loads the state and asks these functions.
An interval is a half-open ``(start, end)`` pair of aware datetimes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, NamedTuple
from zoneinfo import ZoneInfo

import msgspec

from pos_service.core.schemas import LocalTime

Interval = tuple[dt.datetime, dt.datetime]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=24 * 60)]
MAX_COMBINED = 4


class ServicePeriod(msgspec.Struct, frozen=True, kw_only=True):
    """A service (lunch, dinner) in venue-local time. Slots start from ``start`` and before
    ``end``; an ``end`` earlier than ``start`` runs past midnight. Turns may run past ``end``."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    start: LocalTime
    end: LocalTime


class TurnTime(msgspec.Struct, frozen=True, kw_only=True):
    """How long a party of up to ``party_size`` keeps its table."""

    party_size: Annotated[int, msgspec.Meta(ge=1, le=99)]
    minutes: Annotated[int, msgspec.Meta(ge=15, le=600)]


def _default_turns() -> list[TurnTime]:
    return [
        TurnTime(party_size=2, minutes=90),
        TurnTime(party_size=4, minutes=120),
        TurnTime(party_size=6, minutes=150),
    ]


class Rules(msgspec.Struct, frozen=True, kw_only=True):
    """A venue's booking rules (stored under ``Venue.settings["reservations"]``).

    ``max_covers_per_slot`` paces the kitchen: covers of reservations starting in one slot.
    ``walk_in_percent`` of the tables (rounded up) are never held by reservations at once.
    The ``*_minutes`` of live states say how soon an occupied table is expected to free.
    """

    periods: Annotated[list[ServicePeriod], msgspec.Meta(max_length=8)] = []
    slot_minutes: Annotated[int, msgspec.Meta(ge=5, le=120)] = 15
    max_covers_per_slot: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 20
    turn_times: Annotated[list[TurnTime], msgspec.Meta(min_length=1, max_length=20)] = (
        msgspec.field(default_factory=_default_turns)
    )
    walk_in_percent: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    max_party_size: Annotated[int, msgspec.Meta(ge=1, le=99)] = 20
    reminder_hours: Annotated[int, msgspec.Meta(ge=0, le=168)] = 24
    no_show_minutes: Annotated[int, msgspec.Meta(ge=1, le=240)] = 15
    bill_requested_minutes: Minutes = 10
    paid_minutes: Minutes = 0
    to_clean_minutes: Minutes = 5

    def turn(self, party_size: int) -> dt.timedelta:
        """The turn time of the smallest listed size that holds the party (else the largest)."""
        turns = sorted(self.turn_times, key=lambda t: t.party_size)
        chosen = next((t for t in turns if t.party_size >= party_size), turns[-1])
        return dt.timedelta(minutes=chosen.minutes)

    @property
    def max_turn(self) -> dt.timedelta:
        return dt.timedelta(minutes=max(t.minutes for t in self.turn_times))

    @property
    def slot(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.slot_minutes)


class TableSpec(NamedTuple):
    """What planning needs of a table."""

    id: int
    capacity: int
    combinable_with: tuple[int, ...]


class Hold(NamedTuple):
    """Tables held by a reservation over an interval."""

    start: dt.datetime
    end: dt.datetime
    table_ids: tuple[int, ...]


def slots(rules: Rules, day: dt.date, timezone: str) -> list[dt.datetime]:
    """The slot start times of ``day`` (venue-local wall clock), in order."""
    tz = ZoneInfo(timezone)
    out: set[dt.datetime] = set()
    for period in rules.periods:
        start = dt.datetime.combine(day, period.start, tz)
        end_day = day if period.end > period.start else day + dt.timedelta(days=1)
        end = dt.datetime.combine(end_day, period.end, tz)
        at = start
        while at < end:
            out.add(at)
            at += rules.slot
    return sorted(out)


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _adjacency(tables: Iterable[TableSpec]) -> dict[int, set[int]]:
    """Combinable neighbours, symmetric (either side listing the other is enough)."""
    specs = list(tables)
    ids = {t.id for t in specs}
    adj: dict[int, set[int]] = {t.id: set() for t in specs}
    for t in specs:
        for other in t.combinable_with:
            if other in ids and other != t.id:
                adj[t.id].add(other)
                adj[other].add(t.id)
    return adj


def connected_sets(tables: Sequence[TableSpec], size: int) -> list[frozenset[int]]:
    """Every set of ``size`` tables joined by ``combinable_with`` links."""
    adj = _adjacency(tables)
    level: set[frozenset[int]] = {frozenset([t.id]) for t in tables}
    for _ in range(size - 1):
        level = {group | {n} for group in level for m in group for n in adj[m] if n not in group}
    return sorted(level, key=sorted)


def is_connected(tables: Sequence[TableSpec], ids: Iterable[int]) -> bool:
    """Whether ``ids`` form one group of combinable tables."""
    wanted = set(ids)
    adj = _adjacency(tables)
    seen = {min(wanted)}
    todo = list(seen)
    while todo:
        for n in adj.get(todo.pop(), set()) & wanted:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen == wanted


def best_fit(tables: Sequence[TableSpec], party_size: int) -> tuple[int, ...] | None:
    """The smallest single table seating the party; else the smallest combination (fewest
    tables, then fewest seats) of combinable tables among ``tables``; else ``None``."""
    by_id = {t.id: t for t in tables}
    singles = [t for t in tables if t.capacity >= party_size]
    if singles:
        return (min(singles, key=lambda t: (t.capacity, t.id)).id,)
    for size in range(2, min(MAX_COMBINED, len(tables)) + 1):
        fitting = [
            group
            for group in connected_sets(tables, size)
            if sum(by_id[i].capacity for i in group) >= party_size
        ]
        if fitting:
            best = min(fitting, key=lambda g: (sum(by_id[i].capacity for i in g), sorted(g)))
            return tuple(sorted(best))
    return None


def free_tables(
    tables: Sequence[TableSpec], busy: Mapping[int, Sequence[Interval]], want: Interval
) -> list[TableSpec]:
    """The tables with nothing overlapping ``want``."""
    return [t for t in tables if not any(overlaps(want, b) for b in busy.get(t.id, ()))]


def walk_in_kept(table_count: int, walk_in_percent: int) -> int:
    """How many tables are kept out of reservations at any moment."""
    return math.ceil(table_count * walk_in_percent / 100)


def peak_held(holds: Sequence[Hold], want: Interval) -> int:
    """The most tables held by reservations at any one moment of ``want``."""
    points = [want[0], *(h.start for h in holds if want[0] < h.start < want[1])]
    return max(sum(len(h.table_ids) for h in holds if h.start <= p < h.end) for p in points)


def expected_free(
    rules: Rules,
    status: str,
    covers: int,
    seated_at: dt.datetime | None,
    now: dt.datetime,
) -> dt.datetime:
    """When an occupied table should free up: paid, bill requested and to-clean tables by
    their fixed minutes; a table still eating at its seating plus turn time, but never
    sooner than one that asked for the bill."""
    fixed = {
        "free": 0,
        "paid": rules.paid_minutes,
        "bill_requested": rules.bill_requested_minutes,
        "to_clean": rules.to_clean_minutes,
    }
    if status in fixed:
        return now + dt.timedelta(minutes=fixed[status])
    soonest = now + dt.timedelta(minutes=rules.bill_requested_minutes)
    if seated_at is None:
        return max(soonest, now + rules.turn(covers))
    return max(soonest, seated_at + rules.turn(covers))


def earliest_start(
    start: dt.datetime, length: dt.timedelta, busy: Iterable[Interval]
) -> dt.datetime:
    """The first moment from ``start`` at which ``length`` fits between the ``busy`` intervals."""
    at = start
    for b in sorted(busy):
        if overlaps((at, at + length), b):
            at = max(at, b[1])
    return at


class Quote(NamedTuple):
    """When a waiting party is expected to sit, and where."""

    at: dt.datetime
    table_ids: tuple[int, ...]


def quote_queue(
    rules: Rules,
    tables: Sequence[TableSpec],
    ready_at: Mapping[int, dt.datetime],
    busy: Mapping[int, Sequence[Interval]],
    parties: Sequence[int],
) -> list[Quote | None]:
    """Quote each waiting party in queue order. A party takes the table (or combination)
    where it can sit earliest, preferring fewer tables and seats; it then keeps those
    tables for its turn time, which later parties wait for. ``busy`` holds reservations
    the walk-in must not run into; ``None`` means no table ever seats that party."""
    ready = dict(ready_at)
    by_id = {t.id: t for t in tables}
    candidates = [
        tuple(sorted(g))
        for size in range(1, min(MAX_COMBINED, len(tables)) + 1)
        for g in connected_sets(tables, size)
    ]
    quotes: list[Quote | None] = []
    for party in parties:
        turn = rules.turn(party)
        options = []
        for group in candidates:
            if sum(by_id[i].capacity for i in group) < party:
                continue
            start = max(ready[i] for i in group)
            at = earliest_start(start, turn, [b for i in group for b in busy.get(i, ())])
            options.append((at, len(group), sum(by_id[i].capacity for i in group), group))
        if not options:
            quotes.append(None)
            continue
        at, _, _, group = min(options)
        for i in group:
            ready[i] = at + turn
        quotes.append(Quote(at, group))
    return quotes
