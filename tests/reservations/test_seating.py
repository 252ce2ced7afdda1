"""Seating reservations: the check opens with covers, allergies and notes."""

from __future__ import annotations

from tests.reservations.conftest import MakeVenue


async def test_seating_opens_the_check_with_the_guests_allergies(make_venue: MakeVenue) -> None:
    v = await make_venue([("A", 4)])
    r = await v.booked(
        3,
        v.next_slot(),
        tags=["Allergy: Peanuts", "vip", "allergy:shellfish", "birthday"],
        notes="window seat",
    )
    assert r["tags"] == ["allergy:peanuts", "vip", "allergy:shellfish", "birthday"]
    seated = (await v.call("POST", f"/api/reservations/{r['id']}/seat")).json()
    check = (await v.call("GET", f"/api/checks/{seated['check_id']}", "waiter")).json()
    assert (check["allergens"], check["allergy_note"]) == (["peanuts"], "shellfish")
    assert check["covers"] == 3 and check["table_id"] == v.tables["A"]
    assert check["notes"] == "window seat [vip, birthday]"
    floor = (await v.call("GET", "/api/floor", "waiter")).json()
    table = floor["areas"][0]["tables"][0]
    assert table["status"] == "seated" and table["open_check"]["id"] == check["id"]


async def test_combined_tables_share_the_check_opened_on_the_first(make_venue: MakeVenue) -> None:
    v = await make_venue([("A", 2), ("B", 2)], combos=[("B", "A")])
    r = await v.booked(4, v.next_slot())
    assert r["table_ids"] == [v.tables["A"], v.tables["B"]]
    seated = (await v.call("POST", f"/api/reservations/{r['id']}/seat")).json()

    async def tables() -> dict[str, dict[str, object]]:
        floor = (await v.call("GET", "/api/floor", "waiter")).json()
        return {t["name"]: t for t in floor["areas"][0]["tables"]}

    both = await tables()
    assert {n: (t["status"], t["open_check"]["id"]) for n, t in both.items()} == {  # type: ignore[index]
        "A": ("seated", seated["check_id"]),
        "B": ("seated", seated["check_id"]),
    }
    check = (await v.call("GET", f"/api/checks/{seated['check_id']}", "waiter")).json()
    assert check["table_id"] == v.tables["A"] and check["covers"] == 4
    done = await v.call("POST", f"/api/reservations/{r['id']}/complete")
    assert done.json()["status"] == "completed"
    after = await tables()
    assert (after["A"]["status"], after["B"]["status"]) == ("seated", "free")


async def test_seating_needs_free_tables(make_venue: MakeVenue) -> None:
    v = await make_venue([("A", 2), ("B", 2)])
    r = await v.booked(2, v.next_slot(), table_ids=[v.tables["A"]])
    walk_in = await v.call(
        "POST", "/api/checks", "waiter", json={"table_id": v.tables["A"], "covers": 2}
    )
    assert walk_in.status_code == 201
    taken = await v.call("POST", f"/api/reservations/{r['id']}/seat")
    assert taken.status_code == 409 and taken.json()["table_id"] == v.tables["A"]
    moved = await v.call(
        "POST", f"/api/reservations/{r['id']}/seat", json={"table_ids": [v.tables["B"]]}
    )
    assert moved.status_code == 200 and moved.json()["table_ids"] == [v.tables["B"]]
