"""Loose edges: nested JSON, OPTIONS and odd methods, security headers, idempotency keys
scoped to the caller."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from pos_service.app import create_app
from pos_service.config import Settings
from pos_service.core.hardening import MAX_JSON_DEPTH, json_depth
from tests.conftest import Demo


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000, 100_000])
async def test_deeply_nested_json_is_422_before_any_handler(demo: Demo, depth: int) -> None:
    body = '{"venue": "demo", "pin": ' + nested(depth) + "}"
    json_headers = {"content-type": "application/json"}
    for method, path, role in [
        ("POST", "/api/auth/login", ""),  # public, no token
        ("POST", "/api/guest/not-a-token/payments", ""),  # public guest route
        ("POST", "/api/checks", "waiter"),
        ("PATCH", "/api/printers/1", "manager"),
    ]:
        headers = {**(demo.headers[role] if role else {}), **json_headers}
        r = await demo.client.request(method, path, content=body, headers=headers)
        assert (r.status_code, r.json()["field"]) == (422, "body"), (path, r.text)


async def test_brackets_inside_text_do_not_count_and_normal_nesting_passes(demo: Demo) -> None:
    assert json_depth(json.dumps({"note": "[" * 500}).encode()) == 1
    assert json_depth(json.dumps([[[{"a": [1]}]]]).encode()) == 5
    check = await demo.open_check("12", covers=2)
    r = await demo.add(check["id"], "Burrata", 1, (), note="[[[[" * 40 + "{{{")
    assert r.status_code == 201, r.text


async def test_options_on_every_route_is_answered_without_a_token(
    demo: Demo, settings: Settings
) -> None:
    paths = create_app(settings).openapi_schema.to_schema()["paths"]
    assert len(paths) > 40
    for template, operations in paths.items():
        path = re.sub(r"\{[^}]+\}", "1", template.replace("{business_date}", "2026-01-01"))
        r = await demo.client.options(path)
        assert r.status_code == 204, (path, r.status_code, r.text)
        allowed = {m.strip() for m in r.headers["allow"].split(",")}
        assert {m.upper() for m in operations} <= allowed, path
        assert "OPTIONS" in allowed


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "PURGE"])
async def test_a_method_no_route_has_is_405_not_an_auth_error(demo: Demo, method: str) -> None:
    for path in ("/api/checks", "/api/menu", "/health"):
        r = await demo.client.request(method, path)
        assert r.status_code in (400, 405), (method, path, r.status_code, r.text)


def assert_secure(r: Any, *, no_store: bool) -> None:
    csp = r.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"
    if no_store:
        assert r.headers["cache-control"] == "no-store"


async def test_security_headers_on_pages_api_guest_pages_and_errors(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    await demo.add(check["id"], "Burrata", 1)
    r = await demo.call("POST", f"/api/checks/{check['id']}/guest-link", json={})
    assert r.status_code in (200, 201), r.text
    guest_url = r.json()["url"]
    token = guest_url.rstrip("/").rsplit("/", 1)[1]
    for path, role, status, no_store in [
        ("/app/handheld", "", 200, False),
        ("/app/manager", "", 200, False),
        ("/static/pos.js", "", 200, False),
        (f"/guest/{token}", "", 200, True),
        (f"/api/guest/{token}/bill", "", 200, True),
        ("/api/menu", "waiter", 200, True),
        ("/api/menu", "", 401, True),
        ("/api/nothing-here", "waiter", 404, True),
        (f"/api/checks/{check['id']}/receipt", "waiter", 200, True),
        ("/health", "", 200, False),
    ]:
        r = await demo.call("GET", path, role)
        assert r.status_code == status, (path, r.text)
        assert_secure(r, no_store=no_store)


async def test_the_receipt_keeps_its_inline_style_by_hash(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    r = await demo.call("GET", f"/api/checks/{check['id']}/receipt")
    assert "<style>" in r.text
    style_src = r.headers["content-security-policy"].split("style-src ", 1)[1].split(";")[0]
    assert style_src.startswith("'self' 'sha256-")


async def test_an_idempotency_key_belongs_to_its_caller(demo: Demo) -> None:
    ben = await demo.sign_in("1112")
    anna = demo.headers["waiter"]
    key = {"Idempotency-Key": "order-1"}
    tables = [await demo.table_id("3"), await demo.table_id("4")]
    r1 = await demo.client.post(
        "/api/checks", json={"table_id": tables[0], "covers": 2}, headers={**anna, **key}
    )
    r2 = await demo.client.post(
        "/api/checks", json={"table_id": tables[1], "covers": 2}, headers={**ben, **key}
    )
    assert (r1.status_code, r2.status_code) == (201, 201), r2.text
    assert r1.json()["id"] != r2.json()["id"]
    assert r2.json()["table_id"] == tables[1]
    again = await demo.client.post(
        "/api/checks", json={"table_id": tables[0], "covers": 2}, headers={**anna, **key}
    )
    assert again.json() == r1.json()  # the caller's own retry is still a replay
