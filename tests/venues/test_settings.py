"""The venue settings a manager edits: versioned, validated field by field, audited."""

from __future__ import annotations

from typing import Any

from tests.conftest import Demo


async def test_a_manager_changes_the_venue_settings(demo: Demo) -> None:
    venue = (await demo.call("GET", "/api/venue", "manager")).json()
    assert (venue["currency"], venue["tax_mode"], venue["version"]) == ("EUR", "inclusive", 1)
    r = await demo.call(
        "PATCH",
        "/api/venue",
        "manager",
        json={
            "version": 1,
            "name": "Trattoria Uno",
            "locale": "de",
            "tax_rates": [
                {"name": "food", "rate_ppm": 70000},
                {"name": "drinks", "rate_ppm": 190000},
            ],
            "service_charge": {"rate_bp": 1250, "min_covers": 8},
            "day_cutoff": "05:00:00",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    assert r.json()["service_charge"] == {"rate_bp": 1250, "min_covers": 8}
    locale, settings = (
        await demo.sql("SELECT locale, settings FROM venues WHERE id = :v", v=demo.venue_id)
    )[0]
    assert locale == "de"
    assert settings["service_charge_bp"] == 1250
    assert settings["fire_next_on_bump"] is False  # other settings are kept
    audit = await demo.sql(
        "SELECT action, detail FROM audit_entries WHERE venue_id = :v", v=demo.venue_id
    )
    assert audit[0][0] == "venue.changed"
    assert audit[0][1]["name"] == "Trattoria Uno"

    stale = await demo.call("PATCH", "/api/venue", "manager", json={"version": 1, "name": "X"})
    assert (stale.status_code, stale.json()["field"]) == (409, "version")
    assert stale.json()["current"]["name"] == "Trattoria Uno"


async def test_bad_settings_are_422_naming_the_field_and_change_nothing(demo: Demo) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"currency": "euro"}, "currency"),
        ({"tax_rates": []}, "tax_rates"),
        ({"tax_rates": [{"name": "a", "rate_ppm": 1}, {"name": "a", "rate_ppm": 2}]}, "tax_rates"),
        ({"tax_mode": "both"}, "tax_mode"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"day_cutoff": "25:00"}, "day_cutoff"),
    ]
    for body, field in cases:
        r = await demo.call("PATCH", "/api/venue", "manager", json={"version": 1, **body})
        assert (r.status_code, r.json()["field"]) == (422, field), (body, r.text)
    assert (await demo.call("GET", "/api/venue", "manager")).json()["version"] == 1


async def test_the_currency_is_fixed_once_the_venue_has_a_check(demo: Demo) -> None:
    await demo.open_check("12")
    r = await demo.call("PATCH", "/api/venue", "manager", json={"version": 1, "currency": "USD"})
    assert (r.status_code, r.json()["field"]) == (422, "currency")


async def test_waiters_do_not_edit_the_venue(demo: Demo) -> None:
    r = await demo.call("PATCH", "/api/venue", "waiter", json={"version": 1, "name": "X"})
    assert r.status_code == 403
