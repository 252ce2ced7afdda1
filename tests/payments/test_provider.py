"""The contract every payment provider keeps, run against each implementation."""

from __future__ import annotations

import datetime as dt

import pytest

from pos_service.core.db import now_utc
from pos_service.payments.provider import Charge, PaymentProvider, SimulatedTerminal


@pytest.fixture(params=["simulated"])
def provider(request: pytest.FixtureRequest) -> PaymentProvider:
    return {"simulated": SimulatedTerminal(delay_seconds=1)}[str(request.param)]


async def test_a_charge_gets_a_reference_and_resolves(provider: PaymentProvider) -> None:
    first = await provider.start(1000, 100)
    second = await provider.start(1000, 100)
    assert first and second and first != second
    assert await provider.start(500, 0, reference="TRM-1") == "TRM-1"
    started = now_utc()
    charge = Charge(reference=first, amount=1000, tip=100, started_at=started)
    assert (await provider.status(charge, started)).state == "pending"
    answer = await provider.status(charge, started + dt.timedelta(seconds=5))
    assert answer.state == "approved"
    assert answer.brand and answer.last4 and len(answer.last4) == 4 and answer.last4.isdigit()
    assert (await provider.refund(first, 500)).state == "approved"


async def test_the_simulated_terminal_declines_and_stays_silent_by_the_cents() -> None:
    terminal = SimulatedTerminal(delay_seconds=0)
    at = now_utc()
    declined = Charge(reference="a", amount=1000, tip=13, started_at=at)
    silent = Charge(reference="b", amount=914, tip=0, started_at=at)
    assert (await terminal.status(declined, at)).state == "declined"
    assert (await terminal.status(silent, at + dt.timedelta(hours=1))).state == "pending"


async def test_the_same_key_starts_nothing_new(provider: PaymentProvider) -> None:
    first = await provider.start(1000, 100, key="k-1")
    assert await provider.start(1000, 100, key="k-1") == first
    assert await provider.start(1000, 100, key="k-2") != first
    again = [await provider.refund(first, 500, key="r-1") for _ in range(2)]
    assert again[0] == again[1]
