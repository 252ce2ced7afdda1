"""The floor plan editor: tables placed without overlapping, neighbours kept symmetric,
versions refusing stale edits, archived tables off the floor, changes live on ``floor``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pos_service.tables.plan import overlaps
from tests.conftest import Demo


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((100, 100, 80, 80), (180, 100, 80, 80), False),  # edges touch
        ((100, 100, 80, 80), (179, 100, 80, 80), True),
        ((100, 100, 80, 80), (100, 190, 120, 100), False),
        ((100, 100, 200, 40), (150, 110, 40, 40), True),
    ],
)
def test_tables_overlap_when_their_rectangles_do(
    a: tuple[int, int, int, int], b: tuple[int, int, int, int], expected: bool
) -> None:
    assert overlaps(a, b) is expected
    assert overlaps(b, a) is expected


async def area(demo: Demo, name: str = "Garden") -> dict[str, Any]:
    r = await demo.call("POST", "/api/floor/areas", "manager", json={"name": name})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def table(demo: Demo, area_id: int, name: str, x: int, y: int, **more: Any) -> Any:
    body = {"area_id": area_id, "name": name, "capacity": 4, "x": x, "y": y, **more}
    return await demo.call("POST", "/api/floor/tables", "manager", json=body)


async def floor_tables(demo: Demo) -> dict[str, dict[str, Any]]:
    r = await demo.call("GET", "/api/floor", "host")
    return {t["name"]: t for a in r.json()["areas"] for t in a["tables"]}


async def test_a_manager_lays_out_an_area_that_hosts_see(demo: Demo) -> None:
    garden = await area(demo)
    g1 = await table(demo, garden["id"], "G1", 100, 100, shape="round", capacity=2)
    assert g1.status_code == 201, g1.text
    g2 = await table(
        demo,
        garden["id"],
        "G2",
        200,
        100,
        width=120,
        height=80,
        shape="rect",
        combinable_with=[g1.json()["id"]],
    )
    assert g2.status_code == 201, g2.text
    seen = await floor_tables(demo)
    assert seen["G2"]["width"] == 120 and seen["G2"]["shape"] == "rect"
    assert seen["G1"]["combinable_with"] == [g2.json()["id"]]  # both ways
    assert seen["G1"]["version"] == 2
    events = await demo.sql(
        "SELECT type, data->'table'->>'name' FROM events WHERE venue_id = :v AND topic = 'floor'"
        " ORDER BY seq",
        v=demo.venue_id,
    )
    assert [tuple(e) for e in events] == [
        ("area.changed", None),
        ("table.changed", "G1"),
        ("table.changed", "G1"),
        ("table.changed", "G2"),
    ]
    audit = await demo.sql(
        "SELECT action FROM audit_entries WHERE venue_id = :v ORDER BY id", v=demo.venue_id
    )
    assert [a[0] for a in audit] == ["area.created", "table.created", "table.created"]


async def test_a_table_on_top_of_another_is_refused_naming_the_field(demo: Demo) -> None:
    garden = await area(demo)
    assert (await table(demo, garden["id"], "G1", 100, 100)).status_code == 201
    r = await table(demo, garden["id"], "G2", 150, 120)
    assert r.status_code == 422
    assert r.json()["field"] == "x"
    assert "G1" in r.json()["detail"]
    assert "G2" not in await floor_tables(demo)
    # in another area the same spot is free
    terrace = await area(demo, "Roof")
    assert (await table(demo, terrace["id"], "R1", 150, 120)).status_code == 201


async def test_bad_references_are_422_naming_the_field(demo: Demo) -> None:
    garden = await area(demo)
    r = await table(demo, 999999, "X1", 100, 100)
    assert (r.status_code, r.json()["field"]) == (422, "area_id")
    other = (await floor_tables(demo))["1"]  # a dining-room table: not a neighbour here
    r = await table(demo, garden["id"], "X1", 100, 100, combinable_with=[other["id"]])
    assert (r.status_code, r.json()["field"]) == (422, "combinable_with")
    r = await table(demo, garden["id"], "X1", 100, 100, shape="hexagon")
    assert (r.status_code, r.json()["field"]) == (422, "shape")
    r = await table(demo, garden["id"], "1", 100, 100)
    assert (r.status_code, r.json()["field"]) == (409, "name")
    assert "X1" not in await floor_tables(demo)


async def test_a_stale_version_is_409_with_the_current_table(demo: Demo) -> None:
    garden = await area(demo)
    made = (await table(demo, garden["id"], "G1", 100, 100)).json()
    path = f"/api/floor/tables/{made['id']}"
    moved = await demo.call("PATCH", path, "manager", json={"version": 1, "x": 300})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["x"], moved.json()["version"]) == (300, 2)
    stale = await demo.call("PATCH", path, "manager", json={"version": 1, "capacity": 8})
    assert stale.status_code == 409
    assert stale.json()["field"] == "version"
    assert stale.json()["current"]["x"] == 300
    assert (await floor_tables(demo))["G1"]["capacity"] == 4


async def test_a_move_onto_another_table_changes_nothing(demo: Demo) -> None:
    garden = await area(demo)
    await table(demo, garden["id"], "G1", 100, 100)
    g2 = (await table(demo, garden["id"], "G2", 300, 100)).json()
    r = await demo.call(
        "PATCH", f"/api/floor/tables/{g2['id']}", "manager", json={"version": 1, "x": 140}
    )
    assert (r.status_code, r.json()["field"]) == (422, "x")
    assert (await floor_tables(demo))["G2"]["x"] == 300


async def test_a_table_with_an_open_check_is_not_archived(demo: Demo) -> None:
    check = await demo.open_check("12")
    table_id = await demo.table_id("12")
    r = await demo.call("DELETE", f"/api/floor/tables/{table_id}", "manager")
    assert r.status_code == 409
    assert r.json()["check_id"] == check["id"]

    free = await demo.table_id("1")  # combinable with 2
    r = await demo.call("DELETE", f"/api/floor/tables/{free}", "manager")
    assert r.status_code == 200, r.text
    seen = await floor_tables(demo)
    assert "1" not in seen
    assert free not in seen["2"]["combinable_with"]
    # its name may be taken again; seating it is refused
    dining = (await demo.call("GET", "/api/floor", "host")).json()["areas"][0]
    assert (await table(demo, dining["id"], "1", 80, 600)).status_code == 201
    r = await demo.call("POST", "/api/checks", json={"table_id": free, "covers": 2})
    assert r.status_code == 404


async def test_an_area_is_removed_only_when_empty(demo: Demo) -> None:
    garden = await area(demo)
    made = (await table(demo, garden["id"], "G1", 100, 100)).json()
    r = await demo.call("DELETE", f"/api/floor/areas/{garden['id']}", "manager")
    assert r.status_code == 409
    await demo.call("DELETE", f"/api/floor/tables/{made['id']}", "manager")
    r = await demo.call("DELETE", f"/api/floor/areas/{garden['id']}", "manager")
    assert r.status_code == 200, r.text
    names = [a["name"] for a in (await demo.call("GET", "/api/floor", "host")).json()["areas"]]
    assert "Garden" not in names
    assert (await area(demo, "Garden"))["name"] == "Garden"


async def test_only_managers_edit_the_floor(demo: Demo) -> None:
    r = await demo.call("POST", "/api/floor/areas", "waiter", json={"name": "Bar"})
    assert r.status_code == 403


async def test_a_retried_create_makes_one_table(demo: Demo) -> None:
    garden = await area(demo)
    body = {"area_id": garden["id"], "name": "G1", "capacity": 2, "x": 100, "y": 100}
    first = await demo.call("POST", "/api/floor/tables", "manager", key="t-1", json=body)
    again = await demo.call("POST", "/api/floor/tables", "manager", key="t-1", json=body)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]


async def test_an_area_is_renamed_on_its_version(demo: Demo) -> None:
    garden = await area(demo)
    path = f"/api/floor/areas/{garden['id']}"
    r = await demo.call("PATCH", path, "manager", json={"version": 1, "name": "Courtyard"})
    assert (r.status_code, r.json()["version"]) == (200, 2)
    stale = await demo.call("PATCH", path, "manager", json={"version": 1, "name": "Yard"})
    assert (stale.status_code, stale.json()["current"]["name"]) == (409, "Courtyard")
    taken = await demo.call("PATCH", path, "manager", json={"version": 2, "name": "Terrace"})
    assert (taken.status_code, taken.json()["field"]) == (409, "name")


async def test_a_table_moved_to_another_area_leaves_its_neighbours(demo: Demo) -> None:
    garden = await area(demo)
    one = await demo.table_id("1")  # combinable with 2 in the dining room
    r = await demo.call(
        "PATCH",
        f"/api/floor/tables/{one}",
        "manager",
        json={"version": 1, "area_id": garden["id"], "x": 100, "y": 100},
    )
    assert r.status_code == 200, r.text
    assert r.json()["area_id"] == garden["id"] and r.json()["combinable_with"] == []
    seen = await floor_tables(demo)
    assert one not in seen["2"]["combinable_with"]


async def test_two_managers_placing_tables_on_one_spot_at_once_get_one_table(
    demo: Demo,
) -> None:
    garden = await area(demo)
    first, second = await asyncio.gather(
        table(demo, garden["id"], "G1", 100, 100), table(demo, garden["id"], "G2", 120, 110)
    )
    assert sorted([first.status_code, second.status_code]) == [201, 422]
    placed = (first if first.status_code == 201 else second).json()
    other = (await table(demo, garden["id"], "G3", 400, 100)).json()
    moves = await asyncio.gather(
        *(
            demo.call(
                "PATCH",
                f"/api/floor/tables/{moved['id']}",
                "manager",
                json={"version": moved["version"], "x": 250 + n * 10, "y": 300},
            )
            for n, moved in enumerate([placed, other])
        )
    )
    assert sorted(m.status_code for m in moves) == [200, 422]
