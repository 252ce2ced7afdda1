"""Percentiles of one run and the median, min and max of a figure over the repeats."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by the nearest-rank method; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Target:
    """A figure's goal: ``value <= limit`` (or ``>=`` when ``at_least``)."""

    limit: float
    at_least: bool = False

    def met(self, value: float) -> bool:
        if math.isnan(value):
            return False
        return value >= self.limit if self.at_least else value <= self.limit

    def describe(self, unit: str) -> str:
        return f"{'>=' if self.at_least else '<='} {fmt(self.limit, unit)}"


@dataclass(frozen=True)
class Figure:
    """One measured quantity of a scenario, over the repeats."""

    name: str
    unit: str  # "ms", "us", "s", "KiB", "/s", "%", "" (a count)
    values: list[float]
    target: Target | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else math.nan

    def as_row(self) -> list[str]:
        lo = min(self.values) if self.values else math.nan
        hi = max(self.values) if self.values else math.nan
        target = self.target.describe(self.unit) if self.target else ""
        verdict = ""
        if self.target and not self.values:
            verdict = "not measured"
        elif self.target:
            verdict = "met" if self.target.met(self.median) else "**missed**"
        return [
            self.name,
            fmt(self.median, self.unit),
            fmt(lo, self.unit),
            fmt(hi, self.unit),
            target,
            verdict,
            self.note,
        ]


def fmt(value: float, unit: str) -> str:
    if math.isnan(value):
        return "n/a"
    if unit in ("", "/s") and value == int(value):
        return f"{int(value):,}{unit}"
    digits = 2 if abs(value) < 10 else 1 if abs(value) < 100 else 0
    return f"{value:,.{digits}f} {unit}".strip()
