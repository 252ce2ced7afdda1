"""First run: the setup code opens the creation of the first venue once; the owner is
signed in at once; wrong codes are throttled; bad input changes nothing. And an owner
opens a second venue of the group."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from pos_service.setup import code as codes
from tests.conftest import Demo

VENUE: dict[str, Any] = {
    "name": "Corner Bistro",
    "slug": "corner",
    "currency": "USD",
    "timezone": "America/New_York",
    "locale": "en-US",
    "tax_mode": "exclusive",
    "tax_rates": [{"name": "nyc", "rate_ppm": 88750}],
    "day_cutoff": "03:00:00",
    "service_charge": {"rate_bp": 1800, "min_covers": 6},
}


def setup_body(code: str, **venue: Any) -> dict[str, Any]:
    return {"code": code, "venue": {**VENUE, **venue}, "owner": {"name": "Rosa", "pin": "4321"}}


async def count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def test_the_setup_code_creates_the_first_venue_and_signs_the_owner_in(
    db: AsyncEngine, client: httpx.AsyncClient, database_url: str
) -> None:
    assert (await client.get("/api/setup")).json() == {"needed": True}
    code = await codes.issue(database_url)
    assert code is not None
    wrong = await client.post("/api/setup", json=setup_body("AAAA-BBBB-CCCC"))
    assert (wrong.status_code, wrong.json()["field"]) == (401, "code")
    assert await count(db, "venues") == 0

    r = await client.post("/api/setup", json=setup_body(code.lower().replace("-", " ")))
    assert r.status_code == 201, r.text
    assert r.json()["staff"]["roles"] == ["manager", "owner"]
    owner = {"Authorization": f"Bearer {r.json()['token']}"}
    venue = (await client.get("/api/venue", headers=owner)).json()
    assert venue["tax_mode"] == "exclusive"
    assert venue["tax_rates"] == [{"name": "nyc", "rate_ppm": 88750}]
    assert venue["locale"] == "en-US"
    assert venue["service_charge"] == {"rate_bp": 1800, "min_covers": 6}
    assert venue["group_id"] is not None

    assert (await client.get("/api/setup")).json() == {"needed": False}
    again = await client.post("/api/setup", json=setup_body(code, slug="other"))
    assert again.status_code == 410
    assert await codes.issue(database_url) is None  # no code once a venue exists
    assert await count(db, "venues") == 1


async def test_wrong_codes_are_throttled(
    db: AsyncEngine, client: httpx.AsyncClient, database_url: str
) -> None:
    code = await codes.issue(database_url)
    assert code is not None
    for _ in range(codes.MAX_FAILURES):
        assert (await client.post("/api/setup", json=setup_body("WRONG"))).status_code == 401
    locked = await client.post("/api/setup", json=setup_body(code))
    assert locked.status_code == 429
    assert locked.json()["retry_after"] > 0
    assert await count(db, "venues") == 0


async def test_a_new_code_replaces_the_old_one(
    db: AsyncEngine, client: httpx.AsyncClient, database_url: str
) -> None:
    old = await codes.issue(database_url)
    new = await codes.issue(database_url)
    assert old is not None and new is not None
    assert (await client.post("/api/setup", json=setup_body(old))).status_code == 401
    assert (await client.post("/api/setup", json=setup_body(new))).status_code == 201


@pytest.mark.parametrize(
    ("venue", "owner", "field"),
    [
        ({"timezone": "Nowhere/Town"}, {}, "venue.timezone"),
        ({"currency": "dollars"}, {}, "venue.currency"),
        ({"tax_mode": "sometimes"}, {}, "venue.tax_mode"),
        ({"tax_rates": [{"name": "a", "rate_ppm": 1}] * 2}, {}, "venue.tax_rates"),
        ({"tax_rates": [{"name": "a", "rate_ppm": 2_000_000}]}, {}, "venue.tax_rates[0].rate_ppm"),
        ({"slug": "Has Spaces"}, {}, "venue.slug"),
        ({}, {"pin": "12"}, "owner.pin"),
    ],
)
async def test_bad_setup_input_is_422_naming_the_field_and_keeps_the_code(
    db: AsyncEngine,
    client: httpx.AsyncClient,
    database_url: str,
    venue: dict[str, Any],
    owner: dict[str, Any],
    field: str,
) -> None:
    code = await codes.issue(database_url)
    assert code is not None
    body = setup_body(code, **venue)
    body["owner"].update(owner)
    r = await client.post("/api/setup", json=body)
    assert (r.status_code, r.json()["field"]) == (422, field), r.text
    assert await count(db, "venues") == 0
    assert (await client.post("/api/setup", json=setup_body(code))).status_code == 201


async def test_an_owner_opens_a_second_venue_and_signs_in_there(demo: Demo) -> None:
    r = await demo.call(
        "POST", "/api/venues", "owner", json={**VENUE, "slug": "demo-two", "name": "Two"}
    )
    assert r.status_code == 201, r.text
    group = await demo.sql("SELECT group_id FROM venues WHERE id = :v", v=demo.venue_id)
    assert r.json()["group_id"] == group[0][0]
    there = await demo.sign_in("8888", venue="demo-two")  # the owner's PIN works there
    venue = await demo.client.get("/api/venue", headers=there)
    assert venue.json()["slug"] == "demo-two"
    copied = await demo.call(
        "POST", "/api/menu/copy", "owner", json={"from_venue": "demo", "to_venue": "demo-two"}
    )
    assert copied.status_code == 201, copied.text

    taken = await demo.call("POST", "/api/venues", "owner", json={**VENUE, "slug": "demo"})
    assert (taken.status_code, taken.json()["field"]) == (409, "slug")
    manager = await demo.call("POST", "/api/venues", "manager", json=VENUE)
    assert manager.status_code == 403


async def test_the_root_leads_a_new_server_to_the_setup(
    db: AsyncEngine, client: httpx.AsyncClient
) -> None:
    r = await client.get("/", follow_redirects=False)
    assert r.headers["location"] == "/app/setup"
    page = await client.get("/app/setup")
    assert page.status_code == 200
    assert "setup code" in page.text


async def test_the_root_leads_a_set_up_server_to_the_handheld(demo: Demo) -> None:
    r = await demo.client.get("/", follow_redirects=False)
    assert r.headers["location"] == "/app/handheld"
