from __future__ import annotations

from tests.conftest import Demo


async def test_nul_characters_are_422_naming_the_field(demo: Demo) -> None:
    check = await demo.open_check()
    r = await demo.add(check["id"], "Burrata", note="no\x00nuts")
    assert r.status_code == 422
    assert r.json()["field"] == "note"
    r = await demo.call("GET", "/api/kitchen/tickets?station=ho%00t")
    assert r.status_code == 422
    assert r.json()["field"] == "station"
    assert (await demo.call("GET", f"/api/checks/{check['id']}")).json()["lines"] == []
