"""The OpenAPI document is one a client generator can use whole (docs/integrations.md)."""

from __future__ import annotations

import collections
import re
from typing import Any

import pytest
from litestar import Litestar

from pos_service.app import PUBLIC_PATHS

MUTATING = ("post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document(app: Litestar) -> dict[str, Any]:
    return dict(app.openapi_schema.to_schema())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in ("get", *MUTATING)
    ]


def test_schema_names_and_titles_are_unique(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    titles = collections.Counter(s.get("title") for s in schemas.values())
    assert [t for t, n in titles.items() if n > 1] == []
    assert {"MenuStationRead", "KitchenStationRead"} <= set(schemas)
    assert all("_" not in name for name in schemas)


def test_operation_ids_are_unique_and_named_as_a_person_would(document: dict[str, Any]) -> None:
    ids = {(method, path): op["operationId"] for path, method, op in operations(document)}
    assert [i for i, n in collections.Counter(ids.values()).items() if n > 1] == []
    assert ids[("post", "/api/checks/{check_id}/lines")] == "addLine"
    assert ids[("post", "/api/checks/{check_id}/send")] == "sendCheck"
    assert ids[("post", "/api/checks/{check_id}/split")] == "splitBill"
    assert ids[("get", "/api/menu")] == "getMenu"
    assert all(i[:1].islower() and i.isalnum() for i in ids.values())


def test_every_mutating_operation_declares_the_idempotency_key(document: dict[str, Any]) -> None:
    missing = [
        f"{method} {path}"
        for path, method, op in operations(document)
        if method in MUTATING
        and not any(
            p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op.get("parameters", [])
        )
    ]
    assert missing == []


def test_every_problem_answer_is_described(document: dict[str, Any]) -> None:
    missing = []
    for path, method, op in operations(document):
        public = any(re.match(pattern, path) for pattern in PUBLIC_PATHS)
        expected = {"422", "429", "503"} | (set() if public else {"401", "403"})
        if "{" in path:
            expected.add("404")
        if method in MUTATING:
            expected.add("409")
        for code in sorted(expected - set(op["responses"])):
            missing.append(f"{method} {path} {code}")
        problem = op["responses"]["422"]["content"]["application/problem+json"]["schema"]
        assert problem == {"$ref": "#/components/schemas/Problem"}
    assert missing == []


def test_every_operation_has_a_tag_and_the_main_requests_an_example(
    document: dict[str, Any],
) -> None:
    assert [f"{m} {p}" for p, m, op in operations(document) if not op.get("tags")] == []
    by_id = {op["operationId"]: op for _, _, op in operations(document)}
    for name in ("openCheck", "addLine", "sendCheck", "splitBill", "payBill", "createWebhook"):
        media = by_id[name]["requestBody"]["content"]["application/json"]
        assert media.get("example"), name
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
