from __future__ import annotations

import httpx


async def test_health_reports_database(client: httpx.AsyncClient, database_url: str) -> None:
    r = await client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok"}


async def test_openapi_document_lists_the_contract(
    client: httpx.AsyncClient, database_url: str
) -> None:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in [
        "/api/auth/login",
        "/api/auth/approve",
        "/api/menu",
        "/api/floor",
        "/api/checks",
        "/api/checks/{check_id}/lines",
        "/api/checks/{check_id}/send",
        "/api/checks/{check_id}/lines/{line_id}/void",
        "/api/checks/{check_id}/transfer",
        "/api/checks/{check_id}/merge",
        "/api/menu/items/{item_id}",
    ]:
        assert path in paths, path
