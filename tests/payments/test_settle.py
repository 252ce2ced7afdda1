"""Card starts and refunds are claimed, then settled: the provider is called outside the
check's transaction, and a retry after a failed commit never charges or refunds twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from pos_service.payments.provider import ChargeStatus, SimulatedTerminal
from tests.conftest import Demo
from tests.payments.helpers import bill, check_with, pay


@dataclass
class Call:
    kind: str
    key: str | None
    amount: int
    check_locked: bool


@dataclass
class RecordingTerminal(SimulatedTerminal):
    """A terminal that keeps its own books like an acquirer: a charge or refund per
    idempotency key (a call without one always moves money), and whether the check's
    row was locked by the server while it was being called."""

    engine: AsyncEngine = field(repr=False, default=None)  # type: ignore[assignment]
    check_id: int = 0
    calls: list[Call] = field(default_factory=list)
    charges: dict[str, int] = field(default_factory=dict)
    refunds: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(delay_seconds=0)

    async def _locked(self) -> bool:
        async with self.engine.connect() as conn:
            try:
                await conn.execute(
                    text("SELECT id FROM checks WHERE id = :c FOR UPDATE NOWAIT"),
                    {"c": self.check_id},
                )
            except DBAPIError:
                return True
            finally:
                await conn.rollback()
        return False

    async def start(
        self, amount: int, tip: int, reference: str | None = None, *, key: str | None = None
    ) -> str:
        self.calls.append(Call("start", key, amount + tip, await self._locked()))
        self.charges.setdefault(key or uuid.uuid4().hex, amount + tip)
        return reference or f"sim-{key or uuid.uuid4().hex}"

    async def refund(self, reference: str, amount: int, *, key: str | None = None) -> ChargeStatus:
        self.calls.append(Call("refund", key, amount, await self._locked()))
        self.refunds.setdefault(key or uuid.uuid4().hex, amount)
        return ChargeStatus(state="approved")


@asynccontextmanager
async def commit_fails_once(engine: AsyncEngine, condition: str) -> AsyncIterator[None]:
    """The first COMMIT that wrote a payments row matching ``condition`` fails (a deferred
    constraint trigger; the sequence counts outside the failing transaction)."""
    async with engine.begin() as conn:
        await conn.execute(text("CREATE SEQUENCE fault_commit"))
        await conn.execute(
            text(
                "CREATE FUNCTION fault_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF {condition} AND nextval('fault_commit') = 1 THEN "
                "RAISE EXCEPTION 'injected fault: the commit failed'; END IF; "
                "RETURN NULL; END $$"
            )
        )
        await conn.execute(
            text(
                "CREATE CONSTRAINT TRIGGER fault_commit AFTER INSERT OR UPDATE ON payments "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_commit()"
            )
        )
    try:
        yield
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DROP TRIGGER fault_commit ON payments"))
            await conn.execute(text("DROP FUNCTION fault_commit()"))
            await conn.execute(text("DROP SEQUENCE fault_commit"))


@pytest.fixture
def terminal(app: Litestar, db: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> RecordingTerminal:
    recording = RecordingTerminal(engine=db)
    monkeypatch.setattr(app.state, "payment_provider", recording)
    return recording


async def _journal(demo: Demo, kind: str) -> list[int]:
    async with demo.sessions() as session:
        rows = await session.execute(
            text("SELECT (data->>'amount')::bigint FROM journal WHERE venue_id = :v AND kind = :k"),
            {"v": demo.venue_id, "k": kind},
        )
        return [int(r[0]) for r in rows]


async def test_a_refund_whose_commit_failed_is_not_refunded_twice_on_retry(
    demo: Demo, db: AsyncEngine, terminal: RecordingTerminal
) -> None:
    check = await check_with(demo, ("Burrata", 1, 1))
    terminal.check_id = check["id"]
    card = await pay(demo, check["id"], method="card")
    r = await demo.call("POST", f"/api/payments/{card['payment']['id']}/poll")
    assert r.json()["bill"]["status"] == "closed", r.text

    url = f"/api/checks/{check['id']}/refunds"
    body = {"payment_id": card["payment"]["id"], "reason": "cold food"}
    approved_refund = "NEW.amount < 0 AND NEW.status = 'approved'"
    async with commit_fails_once(db, approved_refund):
        failed = await demo.call("POST", url, "manager", key="refund-1", json=body)
        assert failed.status_code == 500
        retried = await demo.call("POST", url, "manager", key="refund-1", json=body)
    assert retried.status_code == 201, retried.text
    assert (retried.json()["payment"]["amount"], retried.json()["payment"]["status"]) == (
        -1350,
        "approved",
    )

    # the guest got 13.50 back once, though the terminal was asked twice
    assert [c.kind for c in terminal.calls] == ["start", "refund", "refund"]
    assert sum(terminal.refunds.values()) == 1350
    assert not any(c.check_locked for c in terminal.calls)
    refunds = [p for p in (await bill(demo, check["id"]))["payments"] if p["amount"] < 0]
    assert [(p["amount"], p["status"]) for p in refunds] == [(-1350, "approved")]
    assert await _journal(demo, "refund") == [-1350]
    verify = await demo.call("GET", "/api/journal/verify", "manager")
    assert verify.json()["ok"] is True, verify.text
    again = await demo.call("POST", url, "manager", key="refund-2", json=body)
    assert again.status_code == 422 and again.json()["field"] == "amount"


async def test_a_card_start_whose_commit_failed_charges_once_on_retry(
    demo: Demo, db: AsyncEngine, terminal: RecordingTerminal
) -> None:
    check = await check_with(demo, ("Burrata", 1, 1))
    terminal.check_id = check["id"]
    url = f"/api/checks/{check['id']}/payments"
    body = {"method": "card", "tip": 150}
    started = "NEW.amount > 0 AND NEW.status = 'pending' AND NEW.reference IS NOT NULL"
    async with commit_fails_once(db, started):
        failed = await demo.call("POST", url, key="card-1", json=body)
        assert failed.status_code == 500
        retried = await demo.call("POST", url, key="card-1", json=body)
    assert retried.status_code == 201, retried.text
    payment = retried.json()["payment"]
    assert (payment["status"], payment["amount"], payment["tip"]) == ("pending", 1350, 150)
    assert terminal.charges == {payment["reference"].removeprefix("sim-"): 1500}
    assert not any(c.check_locked for c in terminal.calls)
    polled = await demo.call("POST", f"/api/payments/{payment['id']}/poll")
    assert polled.json()["payment"]["status"] == "approved", polled.text
    assert polled.json()["bill"]["status"] == "closed"
    assert len(terminal.charges) == 1


async def test_a_claimed_refund_is_finished_by_polling_it(
    demo: Demo, app: Litestar, terminal: RecordingTerminal, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = await check_with(demo, ("Burrata", 1, 1))
    terminal.check_id = check["id"]
    card = await pay(demo, check["id"], method="card")
    await demo.call("POST", f"/api/payments/{card['payment']['id']}/poll")

    async def unreachable(reference: str, amount: int, *, key: str | None = None) -> ChargeStatus:
        raise ConnectionError("the acquirer is unreachable")

    monkeypatch.setattr(terminal, "refund", unreachable)
    body = {"payment_id": card["payment"]["id"], "amount": 350, "reason": "wine was corked"}
    r = await demo.call("POST", f"/api/checks/{check['id']}/refunds", "manager", json=body)
    assert r.status_code == 503  # a provider out of reach, as the database would be
    pending = [p for p in (await bill(demo, check["id"]))["payments"] if p["amount"] < 0]
    assert [(p["amount"], p["status"]) for p in pending] == [(-350, "pending")]
    assert (await bill(demo, check["id"]))["paid"] == 1350  # counted once approved
    # a pending refund is reserved: no more than what is left may be claimed meanwhile
    more = await demo.call(
        "POST", f"/api/checks/{check['id']}/refunds", "manager", json={**body, "amount": 1001}
    )
    assert more.status_code == 422 and more.json()["field"] == "amount"

    monkeypatch.undo()
    monkeypatch.setattr(app.state, "payment_provider", terminal)
    r = await demo.call("POST", f"/api/payments/{pending[0]['id']}/poll")
    assert r.status_code == 200, r.text
    assert r.json()["payment"]["status"] == "approved" and r.json()["bill"]["paid"] == 1000
    assert await _journal(demo, "refund") == [-350]


async def test_cash_takes_what_is_tendered_answers_the_change_and_keeps_the_tip(
    demo: Demo,
) -> None:
    check = await check_with(demo, ("Burrata", 1, 1))
    result = await pay(demo, check["id"], method="cash", tendered=2000, tip=150)
    payment = result["payment"]
    assert (payment["amount"], payment["tip"], payment["tendered"], payment["change"]) == (
        1350,
        150,
        2000,
        500,
    )
    assert (result["bill"]["due"], result["bill"]["tips"]) == (0, 150)
    assert result["bill"]["status"] == "closed"
    short = await check_with(demo, ("Espresso", 1, None), table="3")
    r = await demo.call(
        "POST",
        f"/api/checks/{short['id']}/payments",
        json={"method": "cash", "tendered": 300, "tip": 50},
    )
    assert r.status_code == 422 and r.json()["field"] == "tendered"
    async with demo.sessions() as session:
        fact: dict[str, Any] = (
            await session.execute(
                text("SELECT data FROM journal WHERE venue_id = :v AND kind = 'payment'"),
                {"v": demo.venue_id},
            )
        ).scalar_one()
    assert (fact["method"], fact["amount"], fact["tip"]) == ("cash", 1350, 150)

    rule = {"mode": "hours", "roles": ["waiter"]}
    assert (await demo.call("PUT", "/api/tip-pool", "manager", json=rule)).status_code == 200
    clock = await demo.call("POST", "/api/staff/clock-in", "waiter")
    assert clock.status_code == 201, clock.text
    async with demo.sessions() as session, session.begin():
        await session.execute(
            # a minute, not hours: the business day may have begun an hour ago (04:00 cut-off)
            text("UPDATE shifts SET clock_in = clock_in - interval '1 minute' WHERE id = :i"),
            {"i": clock.json()["id"]},
        )
    report = (await demo.call("GET", "/api/reports/x", "manager")).json()
    cash = next(m for m in report["by_method"] if m["method"] == "cash")
    assert (cash["amount"], cash["tips"], report["cash_expected"]) == (1350, 150, 1500)
    r = await demo.call(
        "POST",
        "/api/days/close",
        "manager",
        json={"counted_cash": 1500, "open_checks": "carry"},  # the short espresso is open
    )
    assert r.status_code == 201, r.text
    assert r.json()["cash_difference"] == 0
    day = r.json()["business_date"]
    tips = (await demo.call("GET", f"/api/days/{day}/tips", "manager")).json()
    assert (tips["card_tips"], tips["cash_tips"], tips["unallocated"]) == (0, 150, 0)
    assert [(s["name"], s["amount"]) for s in tips["shares"]] == [("Anna", 150)]
