"""Closing a settled check (``POST /api/checks/{id}/close``) as a lean write: the same
answer, events, journal entry, table and receipt as the session path; a check with
something due refused with the same text and nothing written; a retry's bytes."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from pos_service.payments import service
from pos_service.payments.schemas import BillRead
from pos_service.payments.service import _close
from tests.conftest import Demo
from tests.payments.helpers import check_with
from tests.payments.test_cash_write import (
    ITEMS,
    _anna,
    _facts,
    _last_job,
    _marks,
    _receipts,
    _shape,
    _table,
)


class _Spy:
    """Counts the closes that ran on a session (``_close.close_check``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        inner = _close.close_check

        async def counted(*args: Any, **kwargs: Any) -> BillRead:
            self.calls += 1
            return await inner(*args, **kwargs)

        monkeypatch.setattr(_close, "close_check", counted)


async def test_a_settled_check_closes_lean_as_on_the_session_path(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = await demo.call(
        "PUT", "/api/venue/guest-settings", "manager", json={"print_receipt_after_payment": True}
    )
    assert r.status_code == 200, r.text
    spy = _Spy(monkeypatch)
    results: dict[str, tuple[Any, ...]] = {}
    for way, name in (("lean", "12"), ("session", "5")):
        check = await demo.open_check(name, covers=2)  # nothing ordered: nothing due
        uow = _anna(demo, check["waiter_id"], lean=way == "lean")
        mark, job = await _marks(demo), await _last_job(demo)
        answer = await uow.write_tx(service.close_check, check["id"])
        after = await _table(demo, name)
        results[way] = (
            _shape(msgspec.to_builtins(answer)),
            await _facts(demo, check["id"], mark),
            await _receipts(demo, job),
            (after["status"], after["open_check"]),
        )
    assert spy.calls == 1  # the session path's only
    assert results["lean"] == results["session"]
    answer, facts, receipts, table = results["lean"]
    assert answer["status"] == "closed"
    kinds = [e[1] for e in facts["events"]]
    assert list(dict.fromkeys(kinds)) == ["table.status_changed", "check.closed", "print.queued"]
    assert [j[0] for j in facts["journal"]] == ["sale"]
    assert len(receipts) == 1 and table == ("to_clean", None)
    entries = await demo.call("GET", "/api/journal/verify", "manager")
    assert entries.status_code == 200 and entries.json()["ok"], entries.text


async def test_a_check_with_something_due_is_refused_and_nothing_written(demo: Demo) -> None:
    check = await check_with(demo, *ITEMS)
    before = await _marks(demo)
    r = await demo.call("POST", f"/api/checks/{check['id']}/close")
    assert (r.status_code, r.json()["field"]) == (409, "check_id"), r.text
    assert r.json()["detail"].endswith(f"is still due on check {check['id']}")
    assert await _marks(demo) == before
    r = await demo.call("POST", "/api/checks/999999/close")
    assert (r.status_code, r.json()["field"]) == (404, "check_id")
    r = await demo.call("GET", f"/api/checks/{check['id']}/bill")
    assert r.json()["status"] == "open"


async def test_a_retried_close_answers_the_same_bytes(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    path = f"/api/checks/{check['id']}/close"
    first = await demo.call("POST", path, key="close-once")
    again = await demo.call("POST", path, key="close-once")
    assert first.status_code == again.status_code == 200, first.text
    assert first.json()["status"] == "closed"
    assert again.content == first.content
    other = await demo.call("POST", path)  # without the key: the check is closed
    assert other.status_code == 409, other.text
