"""Menu import and export (issue #16, point 3): a 300-item CSV with a few bad rows, the
dry run listing exactly those, an all-or-nothing import, and export giving back what
import takes."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from tests.conftest import Demo

HEADER = "category,name,price,tax_rate_ppm,station,course,allergens,modifier_groups,prep_minutes"


def _menu_csv(bad: dict[int, str]) -> str:
    """300 items in 10 categories; ``bad`` replaces the line of some items (1-based)."""
    lines = [HEADER]
    for n in range(1, 301):
        line = (
            f"Section {n % 10},Dish {n:03},{500 + n},70000,hot,main,"
            f"{'gluten|milk' if n % 3 == 0 else ''},{'Cooking' if n % 50 == 0 else ''},{n % 20}"
        )
        lines.append(bad.get(n, line))
    return "\r\n".join(lines) + "\r\n"


BAD = {
    7: "Section 7,Dish 007,-5,70000,hot,main,,,0",
    42: "Section 2,Dish 042,12.50,70000,hot,main,,,0",
    99: "Section 9,Dish 099,900,70000,wok,main,,,0",
    150: "Section 0,Dish 150,900,70000,hot,main,gluten|garlic,,0",
    201: "Section 1,Dish 001,900,70000,hot,main,,,0",
    250: "Section 0,Dish 250,900,1000001,hot,main,,,0",
    280: "Section 0,Dish 280,900,70000,hot,supper,,,0",
}


async def _import(demo: Demo, body: str, dry_run: bool, fmt: str = "csv") -> Any:
    kind = "text/csv" if fmt == "csv" else "application/json"
    return await demo.client.post(
        "/api/menu/import",
        params={"format": fmt, "dry_run": str(dry_run).lower()},
        content=body.encode(),
        headers={**demo.headers["manager"], "Content-Type": kind},
    )


async def _count(demo: Demo) -> int:
    rows = await demo.sql("SELECT count(*) FROM items WHERE venue_id = :v", v=demo.venue_id)
    return int(rows[0][0])


async def test_dry_run_lists_exactly_the_bad_rows_and_the_import_is_all_or_nothing(
    demo: Demo,
) -> None:
    before = await _count(demo)
    text = _menu_csv(BAD)
    dry = await _import(demo, text, dry_run=True)
    assert dry.status_code == 200, dry.text
    result = dry.json()
    # CSV line numbers: the header is line 1, item n is line n + 1
    assert sorted(r["row"] for r in result["rejected"]) == sorted(n + 1 for n in BAD)
    fields = {r["row"] - 1: r["field"] for r in result["rejected"]}
    assert fields == {
        7: "price",
        42: "price",
        99: "station",
        150: "allergens",
        201: "name",
        250: "tax_rate_ppm",
        280: "course",
    }
    assert all(r["reason"] for r in result["rejected"])
    assert len(result["created"]) == 300 - len(BAD)
    assert result["applied"] is False and await _count(demo) == before

    refused = await _import(demo, text, dry_run=False)
    assert refused.status_code == 422
    assert len(refused.json()["rejected"]) == len(BAD)
    assert await _count(demo) == before

    fixed = await _import(demo, _menu_csv({}), dry_run=False)
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["applied"] is True and len(fixed.json()["created"]) == 300
    assert await _count(demo) == before + 300
    menu = (await demo.call("GET", "/api/menu")).json()
    dish = next(i for c in menu["categories"] for i in c["items"] if i["name"] == "Dish 150")
    assert dish["allergens"] == ["gluten", "milk"] and dish["price"] == 650
    assert [g["name"] for g in dish["modifier_groups"]] == ["Cooking"]
    events = await demo.sql("SELECT data FROM events WHERE type = 'menu.imported'")
    assert events[-1][0] == {"created": 300, "changed": 0}


async def test_export_gives_back_what_import_takes(demo: Demo) -> None:
    exported = await demo.call("GET", "/api/menu/export", "manager", params={"format": "csv"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == await _count(demo)
    ribeye = next(r for r in rows if r["name"] == "Ribeye")
    assert "Cooking" in ribeye["modifier_groups"].split("|")
    again = await _import(demo, exported.text, dry_run=True)
    assert again.json()["rejected"] == [] and again.json()["created"] == []
    assert again.json()["changed"] == [] and again.json()["unchanged"] == len(rows)

    as_json = await demo.call("GET", "/api/menu/export", "manager")
    assert as_json.status_code == 200
    file = as_json.json()
    assert {g["name"] for g in file["modifier_groups"]} >= {"Cooking", "Side"}
    same = await _import(demo, as_json.text, dry_run=True, fmt="json")
    assert same.json()["changed"] == [] and same.json()["created"] == []
    for item in file["items"]:
        if item["name"] == "Ribeye":
            item["price"] += 100
    moved = await _import(demo, json.dumps(file), dry_run=False, fmt="json")
    assert moved.status_code == 200, moved.text
    assert moved.json()["changed"] == [{"name": "Ribeye", "fields": ["price"]}]
    assert (await demo.item("Ribeye"))["price"] > 0
    price = await demo.sql("SELECT price FROM items WHERE name = 'Ribeye'")
    assert price[0][0] == next(i["price"] for i in file["items"] if i["name"] == "Ribeye")


async def test_a_file_that_is_not_a_menu_is_422(demo: Demo) -> None:
    r = await _import(demo, "what,ever\n1,2\n", dry_run=True)
    assert r.status_code == 422 and r.json()["field"] == "header"
    r = await _import(demo, "{not json", dry_run=True, fmt="json")
    assert r.status_code == 422 and r.json()["field"] == "file"
    r = await demo.call("POST", "/api/menu/import", "waiter", content=b"{}")
    assert r.status_code == 403
