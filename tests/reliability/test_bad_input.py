"""Bad input: a 4xx problem naming the field, and not a row changed.

Beyond schemathesis (tests/security), explicit cases: oversized bodies, wrong types,
odd unicode, negative and huge numbers, unknown ids. Each is sent with an
Idempotency-Key, and the whole database is compared before and after.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import Demo

pytestmark = pytest.mark.timeout(60)

PROBLEM = "application/problem+json"


_SNAPSHOT: list[str] = []


async def snapshot(demo: Demo) -> list[str]:
    """A digest of every table's rows, in one statement."""
    async with demo.sessions() as session:
        if not _SNAPSHOT:
            result = await session.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version' ORDER BY 1"
                )
            )
            names: list[str] = list(result.scalars())
            _SNAPSHOT.append(
                "SELECT "
                + ", ".join(
                    f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                    f'FROM "{name}" t)'
                    for name in names
                )
            )
        return [str(v) for v in (await session.execute(text(_SNAPSHOT[0]))).one()]


async def refused(
    demo: Demo, method: str, path: str, status: int, field: str | None, **kwargs: Any
) -> dict[str, Any]:
    """Send a bad request; assert the problem answer and that nothing changed."""
    before = await snapshot(demo)
    headers = {**demo.headers["waiter"], "Idempotency-Key": f"bad-{path}-{status}-{field}"}
    if "content" in kwargs:
        headers["content-type"] = "application/json"
    r = await demo.client.request(method, path, headers=headers, **kwargs)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
    body = dict(r.json())
    assert body["status"] == status
    if field is not None:
        assert body.get("field") == field, body
    assert await snapshot(demo) == before, "a refused request changed the database"
    return body


@pytest.fixture
async def check(demo: Demo) -> dict[str, Any]:
    check = await demo.open_check()
    assert (await demo.add(check["id"], "Burrata")).status_code == 201
    return check


async def test_an_oversized_body_is_413(demo: Demo, check: dict[str, Any]) -> None:
    item = (await demo.item("Burrata"))["id"]
    body = {"item_id": item, "note": "x" * 100, "padding": "y" * (300 * 1024)}
    await refused(demo, "POST", f"/api/checks/{check['id']}/lines", 413, None, json=body)


WRONG_TYPES: list[tuple[dict[str, Any], str]] = [
    ({"item_id": "Burrata"}, "item_id"),
    ({"item_id": None}, "item_id"),
    ({"item_id": 1.5}, "item_id"),
    ({"item_id": [1]}, "item_id"),
    ({"item_id": True}, "item_id"),
    ({"quantity": "two"}, "quantity"),
    ({"modifiers": "oat milk"}, "modifiers"),
    ({"modifiers": [{"id": 1}]}, "modifiers[0]"),
    ({"seat": {"n": 1}}, "seat"),
    ({"note": 42}, "note"),
]


async def test_wrong_types_name_the_field(demo: Demo, check: dict[str, Any]) -> None:
    item = (await demo.item("Burrata"))["id"]
    for body, field in WRONG_TYPES:
        await refused(
            demo,
            "POST",
            f"/api/checks/{check['id']}/lines",
            422,
            field,
            json={"item_id": item, **body},
        )


async def test_a_body_that_is_not_json_or_not_an_object_is_refused(
    demo: Demo, check: dict[str, Any]
) -> None:
    path = f"/api/checks/{check['id']}/lines"
    for content, status, field in (
        (b"{not json", 400, None),
        (b"\xff\xfe", 400, None),
        (b"[1, 2]", 422, "data"),
        (b'"Burrata"', 422, "data"),
    ):
        await refused(demo, "POST", path, status, field, content=content)


OUT_OF_RANGE: list[tuple[str, int]] = [
    ("quantity", 0),
    ("quantity", -1),
    ("quantity", 100),
    ("quantity", 2**63),
    ("quantity", 10**30),
    ("seat", -1),
    ("seat", 2**31),
    ("item_id", 0),
    ("item_id", -7),
    ("item_id", 2**62 + 1),
    ("version", 0),
    ("version", 2**40),
]


async def test_negative_and_huge_numbers(demo: Demo, check: dict[str, Any]) -> None:
    item = (await demo.item("Burrata"))["id"]
    for field, value in OUT_OF_RANGE:
        body = {"item_id": item, field: value}
        await refused(demo, "POST", f"/api/checks/{check['id']}/lines", 422, field, json=body)


async def test_money_out_of_range_is_refused(demo: Demo, check: dict[str, Any]) -> None:
    assert (await demo.call("POST", f"/api/checks/{check['id']}/send", json={})).status_code == 200
    path = f"/api/checks/{check['id']}/payments"
    for body, field in (
        ({"method": "card", "amount": -500}, "amount"),
        ({"method": "card", "amount": 0}, "amount"),
        ({"method": "card", "amount": 2**63}, "amount"),
        ({"method": "card", "amount": 99_999_999}, "amount"),
        ({"method": "cash", "tip": -1}, "tip"),
        ({"method": "cash", "tendered": 10**20}, "tendered"),
        ({"method": "bitcoin"}, "method"),
    ):
        await refused(demo, "POST", path, 422, field, json=body)


async def test_unknown_ids_are_404_naming_them(demo: Demo, check: dict[str, Any]) -> None:
    item = (await demo.item("Burrata"))["id"]
    lines = f"/api/checks/{check['id']}/lines"
    await refused(demo, "POST", lines, 404, "item_id", json={"item_id": 999_999})
    await refused(
        demo, "POST", lines, 422, "modifiers", json={"item_id": item, "modifiers": [999_999]}
    )
    await refused(demo, "POST", "/api/checks/999999/lines", 404, "check_id", json={"item_id": item})
    await refused(
        demo, "POST", "/api/checks", 404, "table_id", json={"table_id": 999_999, "covers": 2}
    )
    await refused(
        demo,
        "POST",
        f"/api/checks/{check['id']}/transfer",
        404,
        "table_id",
        json={"table_id": 999_999},
    )
    await refused(
        demo,
        "POST",
        f"/api/checks/{check['id']}/merge",
        404,
        "check_id",
        json={"check_id": 999_999},
    )
    await refused(demo, "PATCH", f"{lines}/999999", 404, "line_id", json={"quantity": 2})
    await refused(demo, "GET", f"/api/checks/{2**63}", 422, "check_id")


ODD = {
    "rtl": "\u05e9\u05dc\u05d5\u05dd \u202eevil\u202c \u0645\u0631\u062d\u0628\u0627",
    "combining": "Cre\u0300me bru\u0302le\u0301e" + "\u0301" * 20,
    "emoji": "\U0001f525\U0001f336\ufe0f no \U0001f95c \U0001f468\u200d\U0001f373",
    "zero_width": "a\u200bb\u200cc\u200dd\ufeff",
}


async def test_odd_unicode_in_a_note_is_kept_exactly(demo: Demo, check: dict[str, Any]) -> None:
    for note in ODD.values():
        r = await demo.add(check["id"], "Burrata", note=note)
        assert r.status_code == 201, r.text
        assert r.json()["lines"][-1]["note"] == note
    again = (await demo.call("GET", f"/api/checks/{check['id']}")).json()
    assert [line["note"] for line in again["lines"][1:]] == list(ODD.values())


async def test_text_postgresql_cannot_store_is_refused(demo: Demo, check: dict[str, Any]) -> None:
    item = (await demo.item("Burrata"))["id"]
    lines = f"/api/checks/{check['id']}/lines"
    await refused(demo, "POST", lines, 422, "note", json={"item_id": item, "note": "a\x00b"})
    # a lone surrogate is not text at all: refused as malformed JSON
    for raw in (b'"a\\ud800b"', b'"\\udfff"'):
        content = b'{"item_id": %d, "note": %s}' % (item, raw)
        await refused(demo, "POST", lines, 400, None, content=content)
    await refused(demo, "POST", lines, 422, "note", json={"item_id": item, "note": "e\u0301" * 101})
