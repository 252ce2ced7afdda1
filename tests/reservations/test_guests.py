"""Guest profiles: found by normalised phone or email, with their history."""

from __future__ import annotations

from tests.reservations.conftest import MakeVenue


async def test_bookings_of_one_guest_build_one_profile(make_venue: MakeVenue) -> None:
    v = await make_venue([("A", 2), ("B", 2)])
    first, second = v.at(v.future_day(1), "19:00"), v.at(v.future_day(8), "19:00")
    a = await v.booked(2, first, name="Ada Lovelace", phone="+44 20 7946 0958", tags=["vip"])
    b = await v.booked(
        2,
        second,
        name="Ada L.",
        phone="0044-20-7946-0958",
        email=" Ada@Example.ORG ",
        tags=["allergy:nuts"],
        notes="quiet table",
    )
    other = await v.booked(2, second, name="Someone else", phone="+44 20 7946 0000")
    assert a["guest_id"] == b["guest_id"] != other["guest_id"]
    assert b["phone"] == "+442079460958" and b["email"] == "ada@example.org"
    await v.call("POST", f"/api/reservations/{a['id']}/cancel")

    by_phone = await v.call("GET", "/api/guests", params={"phone": "+44 (20) 7946-0958"})
    assert by_phone.status_code == 200 and len(by_phone.json()) == 1
    guest = by_phone.json()[0]
    assert (guest["name"], guest["email"]) == ("Ada L.", "ada@example.org")
    assert guest["tags"] == ["allergy:nuts", "vip"] and guest["notes"] == ["quiet table"]
    assert [(h["reservation_id"], h["status"]) for h in guest["history"]] == [
        (b["id"], "booked"),
        (a["id"], "cancelled"),
    ]
    assert (guest["visits"], guest["cancellations"], guest["no_shows"]) == (0, 1, 0)
    by_email = await v.call("GET", "/api/guests", params={"email": "ADA@example.org"})
    assert [g["id"] for g in by_email.json()] == [guest["id"]]
    one = await v.call("GET", f"/api/guests/{guest['id']}")
    assert one.json() == guest
    assert (await v.call("GET", "/api/guests", params={"phone": "+1 555 0100"})).json() == []
    assert (await v.call("GET", "/api/guests")).status_code == 422
    assert (await v.call("GET", "/api/guests", params={"phone": "12"})).status_code == 422
    assert (await v.call("GET", f"/api/guests/{guest['id']}", "waiter")).status_code == 403
    assert (await v.call("GET", "/api/guests/999999")).status_code == 404


async def test_guest_profiles_need_a_host_token(make_venue: MakeVenue) -> None:
    """``/api/guests`` is staff-only, unlike the guest-link paths under ``/api/guest/``."""
    v = await make_venue([("A", 2)])
    r = await v.client.get("/api/guests", params={"phone": "+44 20 7946 0958"})
    assert r.status_code == 401
