"""Outbound reach by policy: webhooks to public addresses, printers on the LAN, files in
a device path or the spool directory. The server under test allows nothing extra."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from pos_service.core.db import now_utc
from pos_service.core.outbound import OutboundPolicy, Refused
from pos_service.integrations import webhooks
from tests.conftest import Demo
from tests.integrations.test_webhooks import Receiver
from tests.payments.helpers import check_with

INWARD_URLS = [
    "http://127.0.0.1:8000/hook",
    "http://localhost:8000/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:8000/hook",
    "http://2130706433/hook",
    "http://0x7f.1/hook",
    "http://017700000001/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "https://192.168.1.20/hook",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://0.0.0.0:8000/hook",
    "http://[fd00::1]/hook",
    "http://[fe80::1]/hook",
]


async def audit(demo: Demo, action: str) -> list[dict[str, Any]]:
    r = await demo.call("GET", "/api/audit", "manager", params={"action": action})
    assert r.status_code == 200, r.text
    return list(r.json())


async def test_a_webhook_to_an_inward_address_is_refused_naming_the_url(demo: Demo) -> None:
    for url in INWARD_URLS:
        r = await demo.call(
            "POST", "/api/webhooks", "manager", json={"url": url, "events": ["order.sent"]}
        )
        assert (r.status_code, r.json()["field"]) == (422, "url"), (url, r.text)
    assert await demo.sql("SELECT id FROM webhook_subscriptions") == []


async def test_a_public_webhook_is_accepted_moved_inward_is_refused_and_all_is_audited(
    demo: Demo,
) -> None:
    r = await demo.call(
        "POST",
        "/api/webhooks",
        "manager",
        json={"url": "https://hooks.example.com/pos", "events": ["order.sent"]},
    )
    assert r.status_code == 201, r.text
    hook = r.json()
    r = await demo.call(
        "PATCH", f"/api/webhooks/{hook['id']}", "manager", json={"url": "http://[::1]/x"}
    )
    assert (r.status_code, r.json()["field"]) == (422, "url")
    r = await demo.call(
        "PATCH", f"/api/webhooks/{hook['id']}", "manager", json={"url": "https://93.184.215.14/p"}
    )
    assert r.status_code == 200, r.text
    assert (await demo.call("DELETE", f"/api/webhooks/{hook['id']}", "manager")).status_code in (
        200,
        204,
    )
    entries = await audit(demo, "webhook.")
    assert [(e["action"], e["subject"]) for e in entries] == [
        ("webhook.deleted", f"webhook:{hook['id']}"),
        ("webhook.changed", f"webhook:{hook['id']}"),
        ("webhook.created", f"webhook:{hook['id']}"),
    ]
    assert entries[1]["detail"]["url"] == {
        "from": "https://hooks.example.com/pos",
        "to": "https://93.184.215.14/p",
    }


async def test_a_name_that_resolves_inward_is_refused_when_sending(demo: Demo) -> None:
    """A stored name checked at send time: ``localhost`` stands for a public name whose
    DNS answer was changed to 127.0.0.1 after the subscription was saved."""
    receiver = Receiver()
    r = await demo.call(
        "POST",
        "/api/webhooks",
        "manager",
        json={"url": "https://hooks.example.com/pos", "events": ["order.sent"]},
    )
    hook = r.json()
    await demo.sql(
        "UPDATE webhook_subscriptions SET url = :u WHERE id = :i RETURNING id",
        u=f"http://localhost:{receiver.port}/hook",
        i=hook["id"],
    )
    check = await check_with(demo, ("Burrata", 1, None))
    assert (await demo.call("POST", f"/api/checks/{check['id']}/send", json={})).status_code == 200
    async with receiver.running():
        assert await demo.app.state.scheduler.run_task("webhooks", now_utc()) == 0
    assert receiver.received == []
    r = await demo.call("GET", f"/api/webhooks/{hook['id']}/deliveries", "manager")
    [delivery] = r.json()
    assert delivery["last_status_code"] is None
    assert delivery["last_error"].startswith("refused by the outbound policy")


async def test_the_allow_list_lets_a_lan_integration_through(demo: Demo) -> None:
    receiver = Receiver()
    demo.app.state.outbound = OutboundPolicy(webhook_allow=["127.0.0.1"])
    try:
        r = await demo.call(
            "POST", "/api/webhooks", "manager", json={"url": receiver.url, "events": ["order.sent"]}
        )
        assert r.status_code == 201, r.text
        check = await check_with(demo, ("Burrata", 1, None))
        await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
        async with receiver.running():
            assert await demo.app.state.scheduler.run_task("webhooks", now_utc()) == 1
        [(headers, _)] = receiver.received
        assert headers["host"] == f"127.0.0.1:{receiver.port}"
    finally:
        demo.app.state.outbound = OutboundPolicy()


async def test_a_redirect_is_not_followed(demo: Demo) -> None:
    """The receiver answers 307 to an address the policy refuses: it is a failure."""
    demo.app.state.outbound = OutboundPolicy(webhook_allow=["127.0.0.1"])
    receiver = Receiver()
    try:
        hook = (
            await demo.call(
                "POST",
                "/api/webhooks",
                "manager",
                json={"url": receiver.url, "events": ["order.sent"]},
            )
        ).json()
        check = await check_with(demo, ("Burrata", 1, None))
        await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
        receiver.status = 307
        async with receiver.running():
            assert await demo.app.state.scheduler.run_task("webhooks", now_utc()) == 0
        assert len(receiver.received) == 1
        r = await demo.call("GET", f"/api/webhooks/{hook['id']}/deliveries", "manager")
        assert (r.json()[0]["last_status_code"], r.json()[0]["last_error"]) == (307, "HTTP 307")
    finally:
        demo.app.state.outbound = OutboundPolicy()


ROGUE_PRINTERS = [
    ("network", "127.0.0.1:9100"),
    ("network", "localhost:9100"),
    ("network", "169.254.169.254:80"),
    ("network", "[::1]:9100"),
    ("network", "2130706433:9100"),
    ("network", "8.8.8.8:9100"),
    ("network", "printer.example.com:9100"),
    ("file", "/root/.bashrc"),
    ("file", "/etc/profile.d/pos.sh"),
    ("file", "/dev/usb/lp0/../../sda"),
    ("file", "/dev/sda"),
    ("file", "spool/../../x"),
]


async def test_a_printer_off_the_lan_or_outside_the_spool_is_refused(demo: Demo) -> None:
    printers = (await demo.call("GET", "/api/printers", "manager")).json()
    [receipt] = [p for p in printers if p["role"] == "receipt"]
    for connection, address in ROGUE_PRINTERS:
        body = {"name": "Rogue", "connection": connection, "address": address, "role": "kitchen"}
        r = await demo.call("POST", "/api/printers", "manager", json=body)
        assert (r.status_code, r.json()["field"]) == (422, "address"), (address, r.text)
        r = await demo.call(
            "PATCH",
            f"/api/printers/{receipt['id']}",
            "manager",
            json={"connection": connection, "address": address},
        )
        assert (r.status_code, r.json()["field"]) == (422, "address"), (address, r.text)
    after = (await demo.call("GET", "/api/printers", "manager")).json()
    assert after == printers


async def test_lan_and_device_printers_are_accepted_and_audited(demo: Demo) -> None:
    body = {"name": "Pass", "connection": "network", "address": "192.168.1.50:9100"}
    r = await demo.call("POST", "/api/printers", "manager", json={**body, "role": "kitchen"})
    assert r.status_code == 201, r.text
    printer = r.json()
    r = await demo.call(
        "PATCH",
        f"/api/printers/{printer['id']}",
        "manager",
        json={"connection": "file", "address": "/dev/usb/lp1"},
    )
    assert r.status_code == 200, r.text
    r = await demo.call(
        "PATCH", f"/api/printers/{printer['id']}", "manager", json={"address": "[fd12::7]:9100"}
    )
    assert r.status_code == 422  # a file printer's address is a path
    entries = await audit(demo, "printer.")
    assert [(e["action"], e["subject"]) for e in entries] == [
        ("printer.changed", f"printer:{printer['id']}"),
        ("printer.created", f"printer:{printer['id']}"),
    ]
    assert entries[0]["detail"]["address"] == {"from": "192.168.1.50:9100", "to": "/dev/usb/lp1"}


def test_file_printers_stay_inside_the_spool_directory(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    (spool / "escape").symlink_to(tmp_path)
    policy = OutboundPolicy(spool_dir=spool)
    policy.check_printer("file", str(spool / "kitchen.prn"))
    policy.check_printer("file", "bar.prn")
    for bad in (str(spool), str(spool / ".." / "x"), str(spool / "escape" / "x"), "/tmp/x"):
        with pytest.raises(Refused):
            policy.check_printer("file", bad)


async def test_a_name_is_checked_on_every_address_it_resolves_to() -> None:
    policy = OutboundPolicy()
    with pytest.raises(Refused):
        await policy.resolve_webhook("localhost", 80)
    assert await policy.resolve_webhook("93.184.215.14", 443) == "93.184.215.14"
    allowed = OutboundPolicy(webhook_allow=["127.0.0.0/8"])
    assert await allowed.resolve_webhook("2130706433", 80) == "127.0.0.1"
    with pytest.raises(Refused):
        await allowed.resolve_webhook("[::1]", 80)


def test_the_demo_allows_its_fake_printers_and_nothing_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pos_service.config import Settings

    monkeypatch.setenv("POS_DEMO", "1")
    monkeypatch.setenv("POS_SECRET_KEY", "k")
    monkeypatch.delenv("POS_PRINTER_ALLOW", raising=False)
    monkeypatch.delenv("POS_WEBHOOK_ALLOW", raising=False)
    settings = Settings.from_env()
    assert (settings.printer_allow, settings.webhook_allow) == (("127.0.0.1",), ())
    monkeypatch.setenv("POS_WEBHOOK_ALLOW", "10.1.2.0/24, erp.lan")
    assert Settings.from_env().webhook_allow == ("10.1.2.0/24", "erp.lan")


class ResolvedTo(OutboundPolicy):
    """A policy whose resolver answers ``address`` for every name (a stand-in for DNS)."""

    def __init__(self, address: str) -> None:
        super().__init__(webhook_allow=[address])
        self.address = address
        self.asked: list[str] = []

    async def resolve_webhook(self, host: str, port: int) -> str:
        self.asked.append(host)
        return self.address


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed key and certificate for the name ``hooks.test``."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=hooks.test"),
            *("-addext", "subjectAltName=DNS:hooks.test"),
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


async def test_https_connects_to_the_checked_address_and_verifies_the_name(
    certificate: tuple[Path, Path],
) -> None:
    key, cert = certificate
    receiver = Receiver()
    config = uvicorn.Config(
        receiver,
        host="127.0.0.1",
        port=receiver.port,
        log_level="warning",
        ssl_keyfile=str(key),
        ssl_certfile=str(cert),
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        trust = ssl.create_default_context(cafile=str(cert))
        policy = ResolvedTo("127.0.0.1")
        url = f"https://hooks.test:{receiver.port}/hook"
        answer = await webhooks.post(policy, url, b"{}", {}, verify=trust)
        assert answer.status_code == 204
        [(headers, _)] = receiver.received
        assert headers["host"] == f"hooks.test:{receiver.port}"
        assert policy.asked == ["hooks.test"]
        other = f"https://other.test:{receiver.port}/hook"
        with pytest.raises(httpx.ConnectError):  # the certificate is not for this name
            await webhooks.post(policy, other, b"{}", {}, verify=trust)
        assert len(receiver.received) == 1
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
