"""Races shown both ways (pretix-style): UNSAFE with the lock taken out, SAFE with it.

The UNSAFE runs replace the locking read with a plain read and make both transactions
read before either writes (a barrier): the double write then happens. The SAFE runs
hold the contested row from a third session until both writers wait on its lock, then
let go: exactly one wins. Two hosts booking one slot are in tests/reservations
(test_booking.py), the SAFE run of the last portions in tests/kitchen/test_countdown.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from sqlalchemy import text

from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict
from pos_service.core.uow import UnitOfWork
from pos_service.kitchen import service as kitchen
from pos_service.orders import service as orders
from pos_service.orders.models import Check
from pos_service.orders.schemas import CheckWrite, LineAdd, LinePatch
from pos_service.payments import service as payments
from pos_service.payments.schemas import PaymentCreate
from pos_service.payments.service import _common as payments_common
from tests.conftest import Demo
from tests.kitchen.test_countdown import Discard, waiting_on_locks

pytestmark = pytest.mark.timeout(60)


async def waiters(demo: Demo) -> list[UnitOfWork]:
    """Units of work of the two waiters, Anna and Ben."""
    rows = await demo.sql(
        "SELECT id, name FROM staff WHERE venue_id = :v AND name IN ('Anna', 'Ben') ORDER BY name",
        v=demo.venue_id,
    )
    return [
        UnitOfWork(
            demo.sessions,
            Caller(
                kind="staff",
                venue_id=demo.venue_id,
                staff_id=row.id,
                name=row.name,
                roles=frozenset({"waiter"}),
            ),
            Discard(),
        )
        for row in rows
    ]


async def held(
    demo: Demo, lock: str, writes: list[Callable[[], Coroutine[Any, Any, Any]]]
) -> list[Any]:
    """Run ``writes`` while ``lock`` (a SELECT ... FOR UPDATE) is held, until all wait on it."""
    async with demo.sessions() as blocker, blocker.begin():
        await blocker.execute(text(lock), {"v": demo.venue_id})
        tasks = [asyncio.create_task(write()) for write in writes]
        for _ in range(500):
            if await waiting_on_locks(demo.sessions) == len(writes):
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the writers never met at the lock")
    return list(await asyncio.gather(*tasks, return_exceptions=True))


def read_then_meet(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """Make each writer's first ``module.name`` call wait, after reading, for the other's."""
    read = getattr(module, name)
    met = asyncio.Barrier(2)
    passed: set[asyncio.Task[Any] | None] = set()

    async def reading(*args: Any, **kwargs: Any) -> Any:
        found = await read(*args, **kwargs)
        if asyncio.current_task() not in passed:
            passed.add(asyncio.current_task())
            await asyncio.wait_for(met.wait(), 5)
        return found

    monkeypatch.setattr(module, name, reading)


def without_check_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """``orders.load_for_write`` in its unlocked shape: a plain read, then the version check."""

    async def unlocked(
        session: Any, venue_id: int, check_id: int, version: int | None, **_: Any
    ) -> Check:
        check = await session.get(Check, (venue_id, check_id))
        assert check is not None
        if version is not None and version != check.version:
            raise Conflict("stale", field="version")
        return check  # type: ignore[no-any-return]

    monkeypatch.setattr(orders, "load_for_write", unlocked)


# -- two waiters on one check (its version) ---------------------------------------------


async def _two_edits(
    demo: Demo,
) -> tuple[dict[str, Any], list[Callable[[], Coroutine[Any, Any, Any]]]]:
    check = await demo.open_check()
    added = await demo.add(check["id"], "Burrata")
    assert added.status_code == 201, added.text
    check = added.json()
    line_id = check["lines"][0]["id"]
    anna, ben = await waiters(demo)
    return check, [
        lambda: anna.write(
            orders.patch_line, check["id"], line_id, LinePatch(quantity=2, version=check["version"])
        ),
        lambda: ben.write(
            orders.patch_line, check["id"], line_id, LinePatch(quantity=3, version=check["version"])
        ),
    ]


async def test_unsafe_two_waiters_on_one_version_without_the_check_lock(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    check, edits = await _two_edits(demo)
    without_check_lock(monkeypatch)
    read_then_meet(monkeypatch, orders, "load_for_write")
    results = await asyncio.gather(*(edit() for edit in edits), return_exceptions=True)
    assert [type(r).__name__ for r in results] == ["CheckRead", "CheckRead"]
    final = (await demo.call("GET", f"/api/checks/{check['id']}")).json()
    # both writes were accepted against one version, and one version step is lost
    assert final["version"] == check["version"] + 1


async def test_safe_two_waiters_on_one_version_with_the_check_lock(demo: Demo) -> None:
    check, edits = await _two_edits(demo)
    results = await held(
        demo, f"SELECT 1 FROM checks WHERE venue_id = :v AND id = {check['id']} FOR UPDATE", edits
    )
    assert sorted(type(r).__name__ for r in results) == ["CheckRead", "Conflict"]
    (stale,) = [r for r in results if isinstance(r, Conflict)]
    assert stale.field == "version"
    final = (await demo.call("GET", f"/api/checks/{check['id']}")).json()
    assert final["version"] == check["version"] + 1
    (won,) = [r for r in results if not isinstance(r, Conflict)]
    assert final["lines"][0]["quantity"] == won.lines[0].quantity


async def test_safe_two_adds_on_one_version_with_the_lean_check_lock(demo: Demo) -> None:
    """Adding a line locks the check in ``line_open``: of two adds against one version,
    on the lean path or with a session, one lands and the other is told it is stale."""
    check = await demo.open_check()
    anna, ben = await waiters(demo)
    ben.pool = demo.app.state.pool  # Ben's add runs lean, Anna's with a session
    add = LineAdd(item_id=(await demo.item("Burrata"))["id"], version=check["version"])
    adds: list[Callable[[], Coroutine[Any, Any, Any]]] = [
        lambda: anna.write_tx(orders.add_line, check["id"], add),
        lambda: ben.write_tx(orders.add_line, check["id"], add),
    ]
    results = await held(
        demo, f"SELECT 1 FROM checks WHERE venue_id = :v AND id = {check['id']} FOR UPDATE", adds
    )
    assert sorted(type(r).__name__ for r in results) == ["CheckRead", "Conflict"]
    (stale,) = [r for r in results if isinstance(r, Conflict)]
    assert stale.field == "version"
    final = (await demo.call("GET", f"/api/checks/{check['id']}")).json()
    assert len(final["lines"]) == 1 and final["version"] == check["version"] + 1


# -- two guests paying the same part ----------------------------------------------------


async def _two_payments(demo: Demo) -> tuple[int, list[Callable[[], Coroutine[Any, Any, Any]]]]:
    check = await demo.open_check()
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    assert (await demo.call("POST", f"/api/checks/{check['id']}/send", json={})).status_code == 200
    anna, ben = await waiters(demo)
    provider = demo.app.state.payment_provider
    cash = PaymentCreate(method="cash")
    return check["id"], [
        lambda: anna.write(payments.pay, provider, check["id"], cash),
        lambda: ben.write(payments.pay, provider, check["id"], cash),
    ]


async def test_unsafe_two_payments_of_one_part_without_the_check_lock(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_id, pays = await _two_payments(demo)
    without_check_lock(monkeypatch)
    read_then_meet(monkeypatch, payments_common, "load")  # the locked load of every payment
    results = await asyncio.gather(*(pay() for pay in pays), return_exceptions=True)
    assert [type(r).__name__ for r in results] == ["PaymentResult", "PaymentResult"]
    paid = await demo.sql("SELECT amount FROM payments WHERE check_id = :c", c=check_id)
    assert [p.amount for p in paid] == [1350, 1350], "the part was paid twice"


async def test_safe_two_payments_of_one_part_with_the_check_lock(demo: Demo) -> None:
    check_id, pays = await _two_payments(demo)
    results = await held(
        demo, f"SELECT 1 FROM checks WHERE venue_id = :v AND id = {check_id} FOR UPDATE", pays
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "PaymentResult"]
    paid = await demo.sql("SELECT amount FROM payments WHERE check_id = :c", c=check_id)
    assert [p.amount for p in paid] == [1350]


# -- two waiters sending the last portion of an 86'd item -------------------------------


def read_then_write_count_down(met: asyncio.Barrier) -> Any:
    """``orders.count_down`` in the unlocked shape: read what is left, then (once the other
    sender has read too) write what the reader computed."""

    async def count_down(session: Any, venue_id: int, lines: Any) -> None:
        for line in lines:
            params = {"v": venue_id, "i": line.item_id}
            left = await session.scalar(
                text("SELECT remaining FROM items WHERE venue_id = :v AND id = :i"), params
            )
            await asyncio.wait_for(met.wait(), 5)
            if left is None:
                continue
            if left < line.quantity:
                raise Conflict("ran short", field="item_id")
            await session.execute(
                text("UPDATE items SET remaining = :r WHERE venue_id = :v AND id = :i"),
                {**params, "r": left - line.quantity},
            )

    return count_down


async def test_unsafe_last_portion_sold_twice_with_a_read_then_write_count(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiramisu = (await demo.item("Tiramisu"))["id"]
    r = await demo.call("PATCH", f"/api/menu/items/{tiramisu}", "kitchen", json={"remaining": 1})
    assert r.status_code == 200
    checks = []
    for table, role in (("3", "waiter"), ("4", "waiter2")):
        check = await demo.open_check(table, role=role)
        assert (await demo.add(check["id"], "Tiramisu", role=role)).status_code == 201
        checks.append(check["id"])
    anna, ben = await waiters(demo)
    monkeypatch.setattr(orders, "count_down", read_then_write_count_down(asyncio.Barrier(2)))
    results = await asyncio.gather(
        anna.write_tx(kitchen.send, checks[0], CheckWrite()),
        ben.write_tx(kitchen.send, checks[1], CheckWrite()),
        return_exceptions=True,
    )
    assert [type(r).__name__ for r in results] == ["CheckRead", "CheckRead"]
    sent = await demo.sql(
        "SELECT count(*) AS n FROM kitchen_ticket_items WHERE venue_id = :v AND item_id = :i",
        v=demo.venue_id,
        i=tiramisu,
    )
    assert sent[0].n == 2, "one last portion went to two tables"
