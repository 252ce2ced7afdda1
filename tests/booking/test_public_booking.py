"""The public booking API: the planner's open times, a booking with contact and
allergies, the party cap, the guest's signed link to change or cancel, bad input named
by field with nothing written, a flood throttled, and no staff data in any answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from pos_service.core import ratelimit
from tests.conftest import Demo


@pytest.fixture(autouse=True)
def fresh_windows() -> Iterator[None]:
    """The request windows are per process: each test starts (and leaves) them empty."""
    ratelimit._windows.counts.clear()
    yield
    ratelimit._windows.counts.clear()


def tomorrow(days: int = 1) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).date().isoformat()


async def public(demo: Demo, method: str, path: str, **kw: Any) -> Any:
    return await demo.client.request(method, path, **kw)


async def first_slot(demo: Demo, party: int = 2, days: int = 1) -> str:
    """The first free slot ``days`` ahead (a reminder needs two: one booked less than its
    lead time ahead gets none, and tomorrow's first slot is that close by late morning)."""
    r = await public(
        demo, "GET", f"/api/book/demo/availability?date={tomorrow(days)}&party_size={party}"
    )
    assert r.status_code == 200, r.text
    assert set(r.json()["slots"][0]) == {"starts_at"}  # no tables, no other bookings
    return str(r.json()["slots"][0]["starts_at"])


BOOKING = {
    "name": "Ines Weber",
    "party_size": 3,
    "email": "ines@example.com",
    "phone": "+49 30 555 1234",
    "allergens": ["nuts", "milk"],
    "allergy_note": "no coriander",
    "notes": "window seat please",
}


async def test_a_guest_books_and_the_host_stand_has_it_with_allergies(demo: Demo) -> None:
    venue = await public(demo, "GET", "/api/book/demo")
    assert venue.status_code == 200
    assert venue.json() == {
        "name": "Trattoria Demo",
        "slug": "demo",
        "timezone": venue.json()["timezone"],
        "locale": "en",
        "max_party": 8,
    }
    starts_at = await first_slot(demo, 3)
    r = await public(
        demo, "POST", "/api/book/demo/reservations", json={**BOOKING, "starts_at": starts_at}
    )
    assert r.status_code == 201, r.text
    booked = r.json()
    assert "/book/manage/" in booked["manage_url"]
    assert "table_ids" not in booked and "guest_id" not in booked

    day = dt.datetime.fromisoformat(starts_at).date().isoformat()
    stand = (await demo.call("GET", f"/api/reservations?date={day}", "host")).json()
    [mine] = [x for x in stand if x["name"] == "Ines Weber"]
    assert mine["allergens"] == ["milk", "nuts"] and mine["allergy_note"] == "no coriander"
    assert mine["notes"] == "window seat please" and mine["party_size"] == 3
    mail = await demo.sql("SELECT to_address, subject, text_body FROM mail_outbox")
    assert mail[0][0] == "ines@example.com"
    assert booked["manage_url"] in mail[0][2]


async def test_the_signed_link_changes_and_cancels_only_its_booking(demo: Demo) -> None:
    starts_at = await first_slot(demo)
    r = await public(
        demo, "POST", "/api/book/demo/reservations", json={**BOOKING, "starts_at": starts_at}
    )
    token = r.json()["manage_url"].rsplit("/", 1)[1]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (await public(demo, "GET", f"/api/booking/{forged}/")).status_code == 401
    other = token.split("-", 2)
    assert (
        await public(demo, "GET", f"/api/booking/{other[0]}-999-{other[2]}/")
    ).status_code == 401

    later = (dt.datetime.fromisoformat(starts_at) + dt.timedelta(minutes=30)).isoformat()
    moved = await public(
        demo, "POST", f"/api/booking/{token}/change", json={"party_size": 4, "starts_at": later}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["party_size"] == 4 and moved.json()["manage_url"] != r.json()["manage_url"]
    old = await public(demo, "GET", f"/api/booking/{token}/")
    assert old.json()["status"] == "cancelled"
    new_token = moved.json()["manage_url"].rsplit("/", 1)[1]
    gone = await public(demo, "POST", f"/api/booking/{new_token}/cancel")
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    again = await public(demo, "POST", f"/api/booking/{new_token}/cancel")
    assert again.status_code == 409 and again.json()["field"] == "token"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"party_size": 12}, "party_size"),  # over the venue's online cap of 8
        ({"party_size": 0}, "party_size"),
        ({"email": "not-an-address"}, "email"),
        ({"name": ""}, "name"),
        ({"allergens": ["garlic"]}, "allergens"),
        ({"starts_at": "2020-01-01T19:00:00+00:00"}, "starts_at"),
        ({"notes": "x" * 501}, "notes"),
        ({"table_ids": [1]}, "table_ids"),  # the guest does not choose tables
    ],
)
async def test_bad_input_is_named_and_nothing_is_written(
    demo: Demo, change: dict[str, Any], field: str
) -> None:
    body = {**BOOKING, "starts_at": await first_slot(demo), **change}
    r = await public(demo, "POST", "/api/book/demo/reservations", json=body)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["field"].startswith(field) or field in problem["detail"], problem
    assert await demo.sql("SELECT id FROM reservations") == []
    assert await demo.sql("SELECT id FROM guests") == []
    assert await demo.sql("SELECT id FROM mail_outbox") == []


async def test_availability_names_a_bad_party_size(demo: Demo) -> None:
    r = await public(demo, "GET", f"/api/book/demo/availability?date={tomorrow()}&party_size=9")
    assert r.status_code == 422 and r.json()["field"] == "party_size"
    r = await public(demo, "GET", "/api/book/nowhere/availability?date=2030-01-01&party_size=2")
    assert r.status_code == 404


async def test_a_flood_from_one_address_is_throttled_with_retry_after(demo: Demo) -> None:
    limit = demo.app.state.settings.public_per_address_per_minute
    codes = [(await public(demo, "GET", "/api/book/demo")).status_code for _ in range(limit + 3)]
    assert codes[:limit] == [200] * limit
    r = await public(demo, "GET", "/api/book/demo")
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    # a forged table link or an unknown venue from the same address is throttled too
    assert (await public(demo, "GET", "/api/table-order/1-1-forged/")).status_code == 429
    assert (await public(demo, "GET", "/api/book/nowhere")).status_code == 429


async def test_a_forged_host_cannot_send_the_guests_link_elsewhere(demo: Demo) -> None:
    settings = demo.app.state.settings
    demo.app.state.settings = msgspec.structs.replace(settings, public_url="https://pos.test")
    try:
        starts_at = await first_slot(demo, 2)
        r = await public(
            demo,
            "POST",
            "/api/book/demo/reservations",
            json={**BOOKING, "party_size": 2, "starts_at": starts_at},
            headers={"Host": "evil.example"},
        )
    finally:
        demo.app.state.settings = settings
    assert r.status_code == 201, r.text
    assert r.json()["manage_url"].startswith("https://pos.test/book/manage/")
    [(body,)] = await demo.sql("SELECT text_body FROM mail_outbox")
    assert "https://pos.test/book/manage/" in body and "evil.example" not in body
