"""The hot writes (add a line, send, fire, start, bump, split, pay) are called leanly
(``core.lean``: their arguments made without Litestar's dependency injection and
signature model) and still do everything the route did: the session guard, the role
guard, the idempotency key and its stored bytes, and for input they do not take as it
is, Litestar's own answer, byte for byte."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.utils.sync import AsyncCallable

from pos_service.core import lean
from pos_service.core.uow import unit_of_work
from tests.conftest import Demo


async def _sent_check(demo: Demo) -> int:
    """A check with two lines sent (a bill to split)."""
    check = await demo.open_check("12", covers=2)
    for item in ("Espresso", "Tiramisu"):
        assert (await demo.add(check["id"], item)).status_code == 201
    r = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert r.status_code == 200, r.text
    return int(check["id"])


async def _pending_check(demo: Demo) -> int:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Espresso")).status_code == 201
    return int(check["id"])


@pytest.fixture
def lean_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths whose unit of work the lean call built (its arguments made by it)."""
    made: list[str] = []
    original = unit_of_work

    async def counted(request: Any, caller: Any) -> Any:
        made.append(request.scope["path"])
        return await original(request, caller)

    monkeypatch.setattr(lean, "unit_of_work", counted)
    return made


async def test_the_hot_writes_are_called_leanly(demo: Demo, lean_calls: list[str]) -> None:
    c = await _pending_check(demo)
    assert (await demo.call("POST", f"/api/checks/{c}/send", json={})).status_code == 200
    tickets = (await demo.call("GET", "/api/kitchen/tickets", "kitchen")).json()["tickets"]
    [ticket] = [t["id"] for t in tickets if t["check_id"] == c]
    bumped = await demo.call("POST", f"/api/kitchen/tickets/{ticket}/bump", "kitchen")
    assert bumped.status_code == 200, bumped.text
    r = await demo.call("POST", f"/api/checks/{c}/split", json={"mode": "even", "n": 2})
    assert r.status_code == 200, r.text
    parts = [part["id"] for part in r.json()["parts"] if part["id"] is not None]
    assert len(parts) == 2
    paid = await demo.call(
        "POST",
        f"/api/checks/{c}/payments",
        json={"method": "cash", "part_id": parts[0], "tendered": 5000},
    )
    assert paid.status_code == 201, paid.text

    assert lean_calls == [
        f"/api/checks/{c}/lines",
        f"/api/checks/{c}/send",
        f"/api/kitchen/tickets/{ticket}/bump",
        f"/api/checks/{c}/split",
        f"/api/checks/{c}/payments",
    ]
    # the answer of a lean route carries the security headers as every answer does
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


async def test_a_retried_split_gets_the_first_answer_byte_for_byte(demo: Demo) -> None:
    c = await _sent_check(demo)
    body = {"mode": "even", "n": 3}
    first = await demo.call("POST", f"/api/checks/{c}/split", key="split-twice", json=body)
    assert first.status_code == 200, first.text
    again = await demo.call("POST", f"/api/checks/{c}/split", key="split-twice", json=body)

    assert (again.status_code, again.content) == (200, first.content)
    assert again.headers["content-type"] == "application/json"
    stored = await demo.sql(
        "SELECT status, response FROM idempotency_keys WHERE venue_id = :v AND key LIKE :k",
        v=demo.venue_id,
        k="%:split-twice",
    )
    assert [(row.status, bytes(row.response)) for row in stored] == [(200, first.content)]
    # the same key with another body is refused, naming the key
    other = await demo.call(
        "POST", f"/api/checks/{c}/split", key="split-twice", json={"mode": "even", "n": 2}
    )
    assert (other.status_code, other.json()["field"]) == (422, "Idempotency-Key")


async def test_a_revoked_device_or_a_stale_session_cannot_send_or_split(demo: Demo) -> None:
    c = await _pending_check(demo)
    tablet = await demo.device(name="Bar tablet")
    revoked = await demo.sign_in("1111", device=tablet)
    r = await demo.call(
        "POST", "/api/staff", "manager", json={"name": "Mia", "roles": ["waiter"], "pin": "5151"}
    )
    assert r.status_code == 201, r.text
    mia = r.json()["id"]
    stale = await demo.sign_in("5151")
    for headers in (revoked, stale):  # both work until their session ends
        assert (await demo.client.get(f"/api/checks/{c}", headers=headers)).status_code == 200
    r = await demo.call("POST", f"/api/devices/{int(tablet.split('.')[1])}/revoke", "manager")
    assert r.status_code == 200, r.text
    r = await demo.call("PATCH", f"/api/staff/{mia}", "manager", json={"roles": ["host"]})
    assert r.status_code == 200, r.text

    for headers in (revoked, stale):
        for path, body in (("send", {}), ("split", {"mode": "even", "n": 2})):
            r = await demo.client.post(f"/api/checks/{c}/{path}", headers=headers, json=body)
            assert r.status_code == 401, (path, r.text)
            assert r.json()["field"] == "Authorization"
    lines = await demo.sql("SELECT state FROM check_lines WHERE check_id = :c", c=c)
    assert [line.state for line in lines] == ["pending"]


async def test_the_role_guard_still_stands_before_a_lean_route(demo: Demo) -> None:
    c = await _pending_check(demo)
    for role in ("kitchen", "host"):
        for path, body in (("send", {}), ("split", {"mode": "even", "n": 2})):
            r = await demo.call("POST", f"/api/checks/{c}/{path}", role, json=body)
            assert r.status_code == 403, (role, path, r.text)
            assert r.json()["field"] == "Authorization"
    r = await demo.client.post(f"/api/checks/{c}/send", json={})
    assert r.status_code == 401


BAD_INPUT: list[tuple[str, str, bytes]] = [
    # (path under the check, content, what is wrong)
    ("split", '{"mode": "halves"}', b"mode"),
    ("split", '{"mode": "even", "n": "many"}', b"n"),
    ("split", '{"mode": "items", "parts": 2, "assignment": {"x": 0}}', b"assignment"),
    ("split", '{"mode": "even", "n": 2', b""),
    ("split", "", b""),
    ("send", '{"version": -1}', b"version"),
    ("send", '{"version": "three"}', b"version"),
    ("send", "[]", b""),
    ("send", "", b""),
]


@pytest.mark.parametrize("language", ["en", "de"])
async def test_bad_input_is_answered_as_litestar_answers_it(
    demo: Demo, monkeypatch: pytest.MonkeyPatch, lean_calls: list[str], language: str
) -> None:
    c = await _sent_check(demo)
    lean_calls.clear()  # the send of the setup

    async def ask(path: str, content: str) -> httpx.Response:
        headers = {**demo.headers["waiter"], "Accept-Language": language}
        headers["Content-Type"] = "application/json"
        return await demo.client.post(f"/api/checks/{c}/{path}", headers=headers, content=content)

    lean_answers = [await ask(path, content) for path, content, _ in BAD_INPUT]

    async def litestar_way(self: Any, request: Any) -> None:
        before, _makers = self._plan(request.route_handler)
        await before(request)  # the application's input guard, then Litestar's arguments

    monkeypatch.setattr(lean._Call, "__call__", litestar_way)
    litestar_answers = [await ask(path, content) for path, content, _ in BAD_INPUT]

    for (path, content, field), mine, theirs in zip(
        BAD_INPUT, lean_answers, litestar_answers, strict=True
    ):
        assert mine.status_code in (400, 422), (path, content, mine.text)
        assert (mine.status_code, mine.content) == (theirs.status_code, theirs.content), content
        assert mine.headers["content-type"] == "application/problem+json"
        if field:
            assert mine.json()["field"].encode().startswith(field), (content, mine.text)
        if language == "de":
            assert mine.json()["title"] in ("Ungültige Eingabe", "Ungültige Anfrage"), mine.text
    assert lean_calls == []  # none of them reached the lean call's unit of work


async def test_an_id_out_of_range_is_refused_naming_it(demo: Demo) -> None:
    for path in ("/api/checks/0/send", f"/api/checks/{2**62 + 1}/split"):
        r = await demo.call("POST", path, json={"mode": "even", "n": 2})
        assert r.status_code in (400, 422), r.text
        assert r.json()["field"] == "check_id"


HOT = [
    ("POST", "/api/checks/{check_id:int}/send"),
    ("POST", "/api/checks/{check_id:int}/split"),
    ("POST", "/api/checks/{check_id:int}/lines"),
    ("POST", "/api/checks/{check_id:int}/fire"),
    ("POST", "/api/kitchen/tickets/{ticket_id:int}/bump"),
    ("POST", "/api/checks/{check_id:int}/payments"),
]


def test_every_hot_route_can_be_made_lean_with_one_line(app: Litestar) -> None:
    handlers: dict[tuple[str, str], Any] = {
        (str(method), route.path): handler
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for method, (handler, _model) in route.route_handler_map.items()
    }
    call = lean._Call()
    for method, path in HOT:
        before, makers = call._plan(handlers[(method, path)])  # raises Unsupported if not
        assert before is not None  # the application's input guard still runs first
        assert len(makers) == len(handlers[(method, path)].parsed_fn_signature.parameters)


def test_a_parameter_the_lean_call_cannot_make_is_refused(app: Litestar) -> None:
    handler = next(
        handler
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path == "/api/kitchen/tickets"
        for handler, _model in route.route_handler_map.values()
    )
    with pytest.raises(lean.Unsupported, match="station"):
        lean._Call()._plan(handler)


@pytest.mark.parametrize(
    ("path", "body", "answer"),
    [("send", "CheckWrite", "CheckRead"), ("split", "SplitRequest", "BillRead")],
)
def test_the_lean_routes_keep_their_openapi_entry(
    app: Litestar, path: str, body: str, answer: str
) -> None:
    operation = app.openapi_schema.to_schema()["paths"][f"/api/checks/{{check_id}}/{path}"]["post"]

    content = operation["requestBody"]["content"]["application/json"]
    assert content["schema"] == {"$ref": f"#/components/schemas/{body}"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": f"#/components/schemas/{answer}"}
    assert {"401", "403", "404", "409", "422"} <= set(operation["responses"])
    check_id, key = operation["parameters"]
    assert (check_id["name"], check_id["schema"]["minimum"]) == ("check_id", 1)
    assert key["name"] == "Idempotency-Key"


def test_every_guard_runs_in_the_event_loop(app: Litestar) -> None:
    """Litestar runs a plain-function guard in a worker thread on every request."""
    threaded = [
        f"{method} {route.path}"
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for method, (handler, _model) in route.route_handler_map.items()
        if any(isinstance(guard, AsyncCallable) for guard in handler.resolve_guards())
    ]
    assert threaded == []
