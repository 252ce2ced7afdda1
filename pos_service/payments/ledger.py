"""Where a check's money stands: the bill, its current split and the payments on it.

Pure functions (no database) that the payments service runs on what it loaded:

- A split is stored as parts, each with the ``basis`` (a digest of the bill it was cut
  from). A part is *held* once it has a pending or approved payment. The current parts
  are the held ones and those cut from the bill as it is now. If the bill changes after a
  split (a line added or voided, a discount), the parts nobody has paid on are dropped
  and the held ones stay exactly as they were.
- The *rest* is what of the bill lies in no current part (:func:`billing.remainder`):
  the whole bill when it is not split, nothing right after a split, the difference after
  the bill changed under held parts. A payment without a part pays the rest.
- A new split divides the *pool*: the bill minus the held parts. It replaces every part
  nobody has paid on, so paid parts are never changed; it is refused while the rest
  itself carries payments, which belong to no part.
- What is due is never stored: ``due = amount - approved payments`` per part and for
  the check; pending card payments are reserved (``open = due - pending``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal

import msgspec

from pos_service.core.errors import Conflict, Invalid
from pos_service.payments import billing
from pos_service.payments.billing import Bill, Part, remainder
from pos_service.payments.schemas import SplitRequest

PaymentStatus = Literal["pending", "approved", "declined"]


class StoredPart(msgspec.Struct, frozen=True):
    """A part as stored: its id, the digest of the bill it was cut from, its amounts."""

    id: int
    basis: str
    part: Part


class Money(msgspec.Struct, frozen=True):
    """A payment as the ledger sees it; a refund has a negative amount."""

    part_id: int | None
    amount: int
    status: PaymentStatus


class PartState(msgspec.Struct, frozen=True):
    """A part (``id`` None for the rest) with what is paid and pending on it."""

    id: int | None
    part: Part
    paid: int
    pending: int

    @property
    def due(self) -> int:
        return self.part.amount - self.paid

    @property
    def open(self) -> int:
        """What a new payment may still take: due minus pending card payments."""
        return self.due - self.pending

    @property
    def held(self) -> bool:
        return self.paid != 0 or self.pending != 0


class Ledger(msgspec.Struct, frozen=True):
    bill: Bill
    basis: str
    parts: list[PartState]
    rest: PartState

    @property
    def paid(self) -> int:
        return self.rest.paid + sum(p.paid for p in self.parts)

    @property
    def pending(self) -> int:
        return self.rest.pending + sum(p.pending for p in self.parts)

    @property
    def due(self) -> int:
        return self.bill.total - self.paid

    @property
    def settled(self) -> bool:
        """Nothing due and nothing pending: the check can close."""
        return self.due == 0 and self.pending == 0

    def part(self, part_id: int | None) -> PartState:
        """The part to pay (the rest for None); 409 if it is no longer current."""
        if part_id is None:
            return self.rest
        for state in self.parts:
            if state.id == part_id:
                return state
        raise Conflict(
            "part {part_id} is not a part of the current bill (split again or pick another)",
            part_id=part_id,
            field="part_id",
        )

    def pool(self) -> Part:
        """What a new split divides: the bill minus the held parts (409 if the rest is held)."""
        if self.rest.held:
            raise Conflict(
                "payments were taken on the unsplit check; settle it without splitting",
                field="mode",
            )
        return remainder(self.bill, [p.part for p in self.parts if p.held])


def basis_of(bill: Bill) -> str:
    """A digest of the bill: a split cut from another bill is out of date."""
    return hashlib.sha256(msgspec.json.encode(bill, order="sorted")).hexdigest()


def ledger(bill: Bill, stored: Sequence[StoredPart], payments: Sequence[Money]) -> Ledger:
    """The current parts, the rest, and what is paid and pending on each."""
    basis = basis_of(bill)
    paid: dict[int | None, int] = {}
    pending: dict[int | None, int] = {}
    for money in payments:
        if money.status == "approved":
            paid[money.part_id] = paid.get(money.part_id, 0) + money.amount
        elif money.status == "pending":
            pending[money.part_id] = pending.get(money.part_id, 0) + money.amount
    current = [s for s in stored if s.basis == basis or s.id in paid or s.id in pending]
    states = [PartState(s.id, s.part, paid.get(s.id, 0), pending.get(s.id, 0)) for s in current]
    rest = remainder(bill, [s.part for s in current], "Check" if not current else "Rest")
    return Ledger(
        bill=bill,
        basis=basis,
        parts=states,
        rest=PartState(None, rest, paid.get(None, 0), pending.get(None, 0)),
    )


def admit(
    state: PartState, amount: int | None, *, cash: bool, tendered: int | None = None
) -> tuple[int, int]:
    """The amount a new payment on ``state`` applies and the change to give back.

    ``amount`` None takes everything open. 409 when the part is paid or being paid,
    422 naming ``amount`` for more than is open (cash: the excess is change).
    """
    if state.open <= 0:
        if state.pending:
            raise Conflict("this part is being paid (a card payment is pending)", field="part_id")
        raise Conflict("nothing is due on this part", field="part_id", due=state.due)
    wanted = state.open if amount is None else amount
    if wanted <= 0:
        raise Invalid("a payment must be positive", field="amount")
    applied = min(wanted, state.open)
    if wanted > applied and not cash:
        raise Invalid(
            "{wanted} is more than the {due} due", wanted=wanted, field="amount", due=state.open
        )
    given = wanted if tendered is None else tendered
    if given < wanted:
        raise Invalid("tendered is less than the amount", field="tendered")
    return applied, given - applied


def _required(value: int | None, field: str) -> int:
    if value is None:
        raise Invalid("{field} is required for this mode", field=field)
    return value


def _cut(bill: Bill, pool: Part, data: SplitRequest) -> list[Part]:
    """Divide ``pool`` as ``data`` asks (ValueError for a split that cannot be made)."""
    if data.mode == "even":
        return billing.split_evenly(bill, _required(data.n, "n"), pool)
    if data.mode == "seat":
        return billing.split_by_seat(bill, pool)
    if data.mode == "items":
        return billing.split_by_items(bill, data.assignment, _required(data.parts, "parts"), pool)
    return billing.split_custom(bill, data.amounts, pool)


_SPLIT_FIELDS = {"even": "n", "seat": "mode", "items": "assignment", "custom": "amounts"}


def plan_split(
    book: Ledger, stored_ids: Sequence[int], data: SplitRequest
) -> tuple[list[int], list[Part]]:
    """The stored parts a split replaces (by id) and the parts replacing them.

    With ``part_id`` only that part is divided (409 if it has payments); otherwise the
    pool is: every stored part nobody has paid on is replaced. 422 naming the field for
    a split that cannot be made.
    """
    try:
        if data.part_id is not None:
            if data.mode == "shares":
                raise Invalid("a shares split applies to the whole bill", field="part_id")
            target = book.part(data.part_id)
            if target.held:
                raise Conflict("part {part_id} has payments", part_id=data.part_id, field="part_id")
            return [data.part_id], _cut(book.bill, target.part, data)
        pool = book.pool()
        held = {state.id for state in book.parts if state.held}
        replaced = [part_id for part_id in stored_ids if part_id not in held]
        if data.mode != "shares":
            return replaced, _cut(book.bill, pool, data)
        sources = [s.part for s in book.parts if not s.held]
        if book.rest.part.line_shares:
            sources.append(book.rest.part)
        line_id = _required(data.line_id, "line_id")
        return replaced, billing.split_shares(book.bill, sources, line_id, _required(data.n, "n"))
    except ValueError as exc:
        field = "line_id" if data.mode == "shares" else _SPLIT_FIELDS[data.mode]
        raise Invalid.because(exc, field=field) from exc
