"""Tip pooling: the day's card tips shared among who worked, to the cent.

A pure function of the venue's rule and who worked how long; the day close stores its
result (see ``pos_service.reports``). Every share comes from
:func:`pos_service.core.money.allocate`, so the shares sum to the pooled tips exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from pos_service.core.money import allocate
from pos_service.staff.schemas import TipPool


class Worked(msgspec.Struct, frozen=True, kw_only=True):
    """A member's roles and the seconds they worked on the day."""

    staff_id: int
    roles: list[str]
    seconds: int


class Share(msgspec.Struct, frozen=True, kw_only=True):
    staff_id: int
    weight: int
    amount: int


def weight(rule: TipPool, member: Worked) -> int:
    """What ``member`` weighs in the pool (0: not in it)."""
    pooled = [role for role in member.roles if role in rule.roles]
    if rule.mode == "none" or not pooled:
        return 0
    if rule.mode == "hours":
        return max(member.seconds, 0)
    return max(rule.points.get(role, 0) for role in pooled)


def shares(total: int, rule: TipPool, worked: Sequence[Worked]) -> list[Share]:
    """Each pooled member's share of ``total``; empty if nobody is in the pool."""
    weighed = [(member, weight(rule, member)) for member in worked]
    weighed = [(member, w) for member, w in weighed if w > 0]
    if not weighed:
        return []
    amounts = allocate(total, [w for _, w in weighed])
    return [
        Share(staff_id=member.staff_id, weight=w, amount=amount)
        for (member, w), amount in zip(weighed, amounts, strict=True)
    ]
