"""Values the database cannot take are the caller's fault (422), never a 500."""

from __future__ import annotations

from tests.conftest import Demo


async def test_huge_ids_in_paths_and_queries_are_4xx(demo: Demo) -> None:
    for url in (
        "/api/checks/179718536004526309376",
        "/api/print-jobs?printer_id=179718536004526309376",
        "/api/reservations/availability?date=2026-12-01&party_size=100000000000000000000",
    ):
        r = await demo.call("GET", url, "manager")
        assert 400 <= r.status_code < 500, (url, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_a_value_out_of_range_reaching_the_database_is_422(demo: Demo) -> None:
    from sqlalchemy import text

    from pos_service.core.errors import database_input_handler

    try:
        async with demo.sessions() as session:
            await session.execute(text("SELECT CAST(:v AS bigint)"), {"v": 2**70})
    except Exception as exc:
        response = database_input_handler(None, exc)  # type: ignore[arg-type]
    assert response.status_code == 422
