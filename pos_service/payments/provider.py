"""The payment-provider interface and the simulated card terminal.

Card data never reaches the server. The server asks a provider to start a charge and
gets the provider's transaction reference (never inside a database transaction: the
pending payment is committed first, see docs/decisions/1261); the charge then resolves
asynchronously (the guest taps, inserts, enters a PIN ...), and the server asks for its
status until it is approved or declined. A real provider is an adapter implementing
:class:`PaymentProvider`; :class:`SimulatedTerminal` is the one for tests and demos.
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
import uuid
from typing import Literal

import msgspec


class Charge(msgspec.Struct, frozen=True, kw_only=True):
    """A card charge as the server recorded it."""

    reference: str
    amount: int
    tip: int
    started_at: dt.datetime


class ChargeStatus(msgspec.Struct, frozen=True, kw_only=True):
    """What the provider says about a charge; ``brand`` and ``last4`` once approved."""

    state: Literal["pending", "approved", "declined"]
    brand: str | None = None
    last4: str | None = None
    reason: str = ""


class PaymentProvider(abc.ABC):
    """A card acquirer or terminal. ``name`` is stored with every payment it handled."""

    name: str

    @abc.abstractmethod
    async def start(
        self, amount: int, tip: int, reference: str | None = None, *, key: str | None = None
    ) -> str:
        """Ask for ``amount + tip``; the provider's transaction reference.

        ``reference`` is the terminal's reference when the charge was already started on
        the terminal itself (the handheld reports it); the provider adopts it. ``key`` is
        the server's idempotency key: the same key again starts nothing new and answers
        the same reference (a real adapter passes it as the acquirer's idempotency key).
        """

    @abc.abstractmethod
    async def status(self, charge: Charge, now: dt.datetime) -> ChargeStatus:
        """Where the charge stands now."""

    @abc.abstractmethod
    async def refund(self, reference: str, amount: int, *, key: str | None = None) -> ChargeStatus:
        """Give ``amount`` back on the charge ``reference``; approved or declined.

        The same ``key`` again gives nothing back a second time and answers as the first
        call did: the server retries a refund whose outcome it could not record.
        """


class SimulatedTerminal(PaymentProvider):
    """A terminal that answers after ``delay_seconds``, the outcome chosen by the cents.

    ``amount + tip`` ending in ``.13`` is declined, in ``.14`` never answers (the server
    times it out), anything else is approved with a brand and last four digits derived
    from the reference. Stateless, so every server process answers the same.
    """

    name = "simulated"
    DECLINE_CENTS = 13
    NO_ANSWER_CENTS = 14

    def __init__(self, delay_seconds: float = 2.0) -> None:
        self.delay_seconds = delay_seconds

    async def start(
        self, amount: int, tip: int, reference: str | None = None, *, key: str | None = None
    ) -> str:
        return reference or f"sim-{key or uuid.uuid4().hex}"

    async def status(self, charge: Charge, now: dt.datetime) -> ChargeStatus:
        cents = (charge.amount + charge.tip) % 100
        ready = now >= charge.started_at + dt.timedelta(seconds=self.delay_seconds)
        if not ready or cents == self.NO_ANSWER_CENTS:
            return ChargeStatus(state="pending")
        if cents == self.DECLINE_CENTS:
            return ChargeStatus(state="declined", reason="declined by the issuer")
        digest = int(hashlib.sha256(charge.reference.encode()).hexdigest(), 16)
        brand = ("VISA", "MASTERCARD", "AMEX")[digest % 3]
        return ChargeStatus(state="approved", brand=brand, last4=f"{digest % 10_000:04d}")

    async def refund(self, reference: str, amount: int, *, key: str | None = None) -> ChargeStatus:
        return ChargeStatus(state="approved")
