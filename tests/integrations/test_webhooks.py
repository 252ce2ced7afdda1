"""Webhooks: signed deliveries from the event log, retried while the receiver is down."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import hashlib
import hmac
import io
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import uvicorn

from pos_service.core.db import now_utc
from pos_service.core.outbound import OutboundPolicy
from tests.conftest import Demo
from tests.payments.helpers import check_with, pay
from tests.support.servers import free_port


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that records what it is sent; stop and start it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        """What it answers; a 3xx redirects to the cloud metadata address."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.received.append((headers, body))
        location = [(b"location", b"http://169.254.169.254/")] if self.status < 400 else []
        await send({"type": "http.response.start", "status": self.status, "headers": location})
        await send({"type": "http.response.body", "body": b""})

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        config = uvicorn.Config(self, host="127.0.0.1", port=self.port, log_level="warning")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        try:
            yield
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, 10)


@pytest.fixture
def allow_loopback(demo: Demo) -> Iterator[None]:
    """Let webhooks reach the receivers on 127.0.0.1 (``POS_WEBHOOK_ALLOW=127.0.0.1``)."""
    before = demo.app.state.outbound
    demo.app.state.outbound = OutboundPolicy(webhook_allow=["127.0.0.1"])
    yield
    demo.app.state.outbound = before


async def run(demo: Demo, at: dt.datetime) -> int:
    return int(await demo.app.state.scheduler.run_task("webhooks", at))


async def deliveries(demo: Demo, webhook_id: int) -> list[dict[str, Any]]:
    r = await demo.call("GET", f"/api/webhooks/{webhook_id}/deliveries", "manager")
    assert r.status_code == 200, r.text
    return list(r.json())


async def subscribe(demo: Demo, url: str, *events: str) -> dict[str, Any]:
    r = await demo.call("POST", "/api/webhooks", "manager", json={"url": url, "events": events})
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.mark.usefixtures("allow_loopback")
async def test_a_receiver_that_is_down_gets_the_event_once_it_is_back(demo: Demo) -> None:
    receiver = Receiver()
    hook = await subscribe(demo, receiver.url, "order.sent")
    check = await check_with(demo, ("Burrata", 1, None))
    assert (await demo.call("POST", f"/api/checks/{check['id']}/send", json={})).status_code == 200
    t0 = now_utc()

    assert await run(demo, t0) == 0
    [failed] = await deliveries(demo, hook["id"])
    assert (failed["status"], failed["attempts"], failed["event_type"]) == (
        "pending",
        1,
        "order.sent",
    )
    # the log says no more than that: not whether the port was closed, reset or silent
    assert (failed["last_error"], failed["last_status_code"]) == ("no HTTP answer", None)
    assert await run(demo, t0 + dt.timedelta(seconds=20)) == 0  # backing off: not tried
    assert (await deliveries(demo, hook["id"]))[0]["attempts"] == 1

    async with receiver.running():
        assert await run(demo, t0 + dt.timedelta(seconds=31)) == 1
        assert await run(demo, t0 + dt.timedelta(hours=2)) == 0

    [done] = await deliveries(demo, hook["id"])
    assert (done["status"], done["attempts"], done["last_status_code"]) == ("delivered", 2, 204)
    [(headers, body)] = receiver.received
    expected = hmac.new(hook["secret"].encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-pos-signature"] == f"sha256={expected}"
    assert headers["x-pos-delivery"] == str(done["id"])
    sent = json.loads(body)
    assert (sent["event"], sent["data"]["check_id"]) == ("order.sent", check["id"])


@pytest.mark.usefixtures("allow_loopback")
async def test_payments_and_the_day_close_reach_their_subscribers_in_order(demo: Demo) -> None:
    receiver = Receiver()
    before = await subscribe(demo, "http://127.0.0.1:9/never", "order.sent")
    check = await check_with(demo, ("Burrata", 1, None))
    await pay(demo, check["id"], method="cash")
    hook = await subscribe(demo, receiver.url, "payment.changed", "day.closed")
    second = await check_with(demo, ("Espresso", 1, None), table="11")
    await pay(demo, second["id"], method="cash")
    r = await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 1640})
    assert r.status_code == 201, r.text
    async with receiver.running():
        assert await run(demo, now_utc()) == 2
    events = [json.loads(body) for _, body in receiver.received]
    assert [(e["event"], e["data"].get("amount")) for e in events] == [
        ("payment.changed", 290),
        ("day.closed", None),
    ]
    assert events[1]["data"]["sales_total"] == 1640
    assert await deliveries(demo, before["id"]) == []
    paused = await demo.call(
        "PATCH", f"/api/webhooks/{hook['id']}", "manager", json={"active": False}
    )
    assert paused.json()["active"] is False and "secret" not in paused.json()
    assert (await demo.call("GET", "/api/webhooks", "waiter")).status_code == 403


async def test_a_closed_day_exports_its_journal_as_csv(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 2, None))
    await pay(demo, check["id"], method="cash", amount=1000)
    await pay(demo, check["id"], method="cash")
    day = dt.date.fromisoformat(
        (await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 2700})).json()[
            "business_date"
        ]
    )
    after = await check_with(demo, ("Espresso", 1, None), table="11")
    await pay(demo, after["id"], method="cash")  # the next day's, not in the export

    r = await demo.call("GET", f"/api/days/{day.isoformat()}/export.csv", "manager")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(row["kind"], row["amount"]) for row in rows] == [
        ("payment", "1000"),
        ("payment", "1700"),
        ("sale", "2700"),
        ("day_close", "2700"),
    ]
    assert [int(row["seq"]) for row in rows] == [1, 2, 3, 4]
    assert json.loads(rows[2]["data"])["check_id"] == check["id"]
    missing = await demo.call("GET", "/api/days/2001-01-01/export.csv", "manager")
    assert missing.status_code == 404
    assert (await demo.call("GET", f"/api/days/{day}/export.csv", "waiter")).status_code == 403


@pytest.mark.usefixtures("allow_loopback")
async def test_each_subscription_gets_the_types_it_chose_once_each_and_replays(
    demo: Demo,
) -> None:
    receiver = Receiver()
    hook = await subscribe(demo, receiver.url, "check.opened", "line.added", "staff.clocked_in")
    check = await check_with(demo, ("Burrata", 1, None))
    assert (await demo.call("POST", "/api/staff/clock-in", "waiter")).status_code == 201
    async with receiver.running():
        await run(demo, now_utc())
    events = [json.loads(body) for _, body in receiver.received]
    # recorded on several topics (floor, orders, the check's own), each comes once
    assert [e["event"] for e in events] == ["check.opened", "line.added", "staff.clocked_in"]
    assert events[0]["data"]["check_id"] == check["id"]
    seqs = [e["seq"] for e in events]

    # replay from the line on: delivered again, with the same delivery ids
    r = await demo.call(
        "POST", f"/api/webhooks/{hook['id']}/replay", "manager", json={"from_seq": seqs[1]}
    )
    assert r.status_code == 200, r.text
    async with receiver.running():
        await run(demo, now_utc())
    again = [json.loads(body) for _, body in receiver.received[3:]]
    assert [(e["event"], e["id"]) for e in again] == [(e["event"], e["id"]) for e in events[1:]]

    r = await demo.call("POST", f"/api/webhooks/{hook['id']}/replay", "manager", json={})
    assert r.status_code == 422
    r = await demo.call("GET", "/api/audit?action=webhook.replayed", "manager")
    assert [e["detail"] for e in r.json()] == [{"from_seq": seqs[1]}]


async def test_an_unknown_event_type_is_refused_naming_it(demo: Demo) -> None:
    r = await demo.call(
        "POST",
        "/api/webhooks",
        "manager",
        json={"url": "https://example.com/hook", "events": ["auth.locked"]},
    )
    assert r.status_code == 422
    assert "events" in r.json()["field"]


async def test_an_integration_reads_its_delivery_log_and_the_sales_export_with_a_key(
    demo: Demo,
) -> None:
    hook = await subscribe(demo, "https://example.com/hook", "order.sent")
    r = await demo.call(
        "POST",
        "/api/api-keys",
        "manager",
        json={"name": "Books", "scopes": ["webhooks", "sales:read"]},
    )
    key = {"Authorization": f"Bearer {r.json()['key']}"}
    r = await demo.client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=key)
    assert r.status_code == 200, r.text
    check = await check_with(demo, ("Espresso", 1, None))
    await pay(demo, check["id"], method="cash")
    r = await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": 290})
    assert r.status_code == 201, r.text
    day = r.json()["business_date"]
    r = await demo.client.get(f"/api/days/{day}/export.csv", headers=key)
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert "sale" in {row["kind"] for row in rows}
