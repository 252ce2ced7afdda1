"""API keys: made by a manager, shown once, fenced by scope, refused at once when revoked."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Demo
from tests.payments.helpers import check_with


async def make_key(demo: Demo, *scopes: str, rate: int = 600) -> dict[str, Any]:
    r = await demo.call(
        "POST",
        "/api/api-keys",
        "manager",
        json={"name": "Accounting", "scopes": list(scopes), "rate_per_minute": rate},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def with_key(demo: Demo, key: str, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}", **kw.pop("headers", {})}
    return await demo.client.request(method, path, headers=headers, **kw)


async def test_a_key_reads_what_its_scope_allows_and_nothing_more(demo: Demo) -> None:
    made = await make_key(demo, "menu:read")
    key = made["key"]
    assert key.startswith("posk_") and made["prefix"] == key[:12]

    r = await with_key(demo, key, "GET", "/api/menu")
    assert r.status_code == 200, r.text
    assert r.json()["categories"]

    # a menu reader cannot touch checks, even the waiter's own routes, nor the keys
    check = await check_with(demo, ("Burrata", 1, None))
    check_id = check["id"]
    r = await demo.call("GET", f"/api/checks/{check_id}")
    line = r.json()["lines"][0]["id"]
    r = await with_key(
        demo, key, "POST", f"/api/checks/{check_id}/lines/{line}/void", json={"reason": "x"}
    )
    assert r.status_code == 403, r.text
    assert r.json()["field"] == "Authorization"
    assert (await with_key(demo, key, "GET", f"/api/checks/{check_id}")).status_code == 403
    assert (await with_key(demo, key, "GET", "/api/api-keys")).status_code == 403
    assert (await with_key(demo, key, "PATCH", "/api/menu/items/1", json={})).status_code == 403

    # the list shows the key without its secret, with its last use
    [listed] = (await demo.call("GET", "/api/api-keys", "manager")).json()
    assert "key" not in listed
    assert listed["last_used_at"] is not None


async def test_a_revoked_or_rotated_key_is_refused_at_once(demo: Demo) -> None:
    made = await make_key(demo, "menu:read")
    assert (await with_key(demo, made["key"], "GET", "/api/menu")).status_code == 200

    r = await demo.call("POST", f"/api/api-keys/{made['id']}/rotate", "manager")
    assert r.status_code == 200, r.text
    rotated = r.json()["key"]
    assert (await with_key(demo, made["key"], "GET", "/api/menu")).status_code == 401
    assert (await with_key(demo, rotated, "GET", "/api/menu")).status_code == 200

    r = await demo.call("POST", f"/api/api-keys/{made['id']}/revoke", "manager")
    assert r.status_code == 200, r.text
    assert r.json()["revoked_at"] is not None
    refused = await with_key(demo, rotated, "GET", "/api/menu")
    assert refused.status_code == 401
    assert refused.json()["field"] == "Authorization"
    r = await demo.call("POST", f"/api/api-keys/{made['id']}/rotate", "manager")
    assert r.status_code == 409


async def test_only_managers_make_keys_and_every_call_is_in_the_audit_trail(demo: Demo) -> None:
    r = await demo.call(
        "POST", "/api/api-keys", "waiter", json={"name": "x", "scopes": ["menu:read"]}
    )
    assert r.status_code == 403
    r = await demo.call("POST", "/api/api-keys", "manager", json={"name": "x", "scopes": ["all"]})
    assert r.status_code == 422
    assert "scopes" in r.json()["field"]

    made = await make_key(demo, "menu:read")
    assert (await with_key(demo, made["key"], "GET", "/api/menu")).status_code == 200
    assert (await with_key(demo, made["key"], "GET", "/api/floor")).status_code == 403
    r = await demo.call("GET", "/api/audit?action=api_key.", "manager")
    entries = [(e["action"], e["detail"].get("path"), e["detail"].get("status")) for e in r.json()]
    assert entries[:3] == [
        ("api_key.call", "/api/floor", 403),
        ("api_key.call", "/api/menu", 200),
        ("api_key.created", None, None),
    ]
    assert r.json()[0]["actor_name"] == "API key Accounting"


async def test_a_key_past_its_rate_is_told_when_to_come_back(demo: Demo) -> None:
    made = await make_key(demo, "menu:read", rate=3)
    codes = [(await with_key(demo, made["key"], "GET", "/api/menu")).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200]
    if codes[3] == 200:  # the minute turned between the calls: one more
        codes.append((await with_key(demo, made["key"], "GET", "/api/menu")).status_code)
    r = await with_key(demo, made["key"], "GET", "/api/menu")
    assert r.status_code == 429
    assert 0 < int(r.headers["Retry-After"]) <= 60


async def test_a_key_writes_checks_with_its_own_idempotency_keys(demo: Demo) -> None:
    made = await make_key(demo, "orders:write", "menu:read")
    item = await demo.item("Espresso")
    table_id = await demo.table_id("14")
    r = await with_key(
        demo, made["key"], "POST", "/api/checks", json={"table_id": table_id, "covers": 2}
    )
    assert r.status_code == 201, r.text
    check_id = r.json()["id"]
    body = {"item_id": item["id"], "quantity": 1}
    first = await with_key(
        demo,
        made["key"],
        "POST",
        f"/api/checks/{check_id}/lines",
        json=body,
        headers={"Idempotency-Key": "line-1"},
    )
    again = await with_key(
        demo,
        made["key"],
        "POST",
        f"/api/checks/{check_id}/lines",
        json=body,
        headers={"Idempotency-Key": "line-1"},
    )
    assert first.status_code == again.status_code == 201, first.text
    assert len(again.json()["lines"]) == 1


async def test_one_scopes_role_never_opens_another_scopes_routes(demo: Demo) -> None:
    """``sales:read`` carries the manager's role for the reports; with ``orders:write``
    the key still calls the checks as a waiter: no refund, no approval-free void."""
    made = await make_key(demo, "orders:write", "sales:read")
    check = await check_with(demo, ("Espresso", 1, None))
    r = await with_key(
        demo,
        made["key"],
        "POST",
        f"/api/checks/{check['id']}/refunds",
        json={"payment_id": 1, "amount": 100, "reason": "x"},
    )
    assert r.status_code == 403, r.text
    assert (await with_key(demo, made["key"], "GET", "/api/reports/sales")).status_code == 200
