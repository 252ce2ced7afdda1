"""Allergies in the browser: the host books them with the party, the waiter sets them on
the check, and the kitchen screen shows them as the band of the table's tickets."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.conftest import Demo
from tests.pages.conftest import KDS, PHONE, NewDevice

pytestmark = pytest.mark.browser


@pytest.mark.timeout(120)
async def test_the_host_books_allergies_that_reach_the_kitchen_screen(
    demo: Demo, new_device: NewDevice
) -> None:
    host = await (await new_device(KDS)).open("/app/host", pin="2222")
    await host.click("#side .tabs button:has-text('Book')")
    await host.fill("#side input[placeholder='Name']", "Weber")
    await host.check("#side input[name=allergen][value=nuts]")
    await host.check("#side input[name=allergen][value=milk]")
    await host.fill("#side input[name=allergy_note]", "no coriander")
    await host.click("#side button:has-text('Find free times')")
    await host.locator("#side .slots button").first.click()
    await expect(host.locator("#toasts")).to_contain_text("Booked Weber")

    [(booking_id, allergens, note)] = await demo.sql(
        "SELECT id, allergens, allergy_note FROM reservations WHERE name = 'Weber'"
    )
    assert (allergens, note) == (["milk", "nuts"], "no coriander")
    await host.locator(".resv", has_text="Weber").click()
    await expect(host.locator("#sheet .allergy-band")).to_contain_text(
        "Allergies: milk, nuts · no coriander"
    )

    kitchen = await (await new_device(KDS)).open("/app/kitchen?station=cold", pin="3333")
    seated = await demo.call("POST", f"/api/reservations/{booking_id}/seat", "host")
    assert seated.status_code == 200, seated.text
    check_id = seated.json()["check_id"]
    assert (await demo.add(check_id, "Burrata", seat=1)).status_code == 201
    sent = await demo.call("POST", f"/api/checks/{check_id}/send", json={})
    assert sent.status_code == 200, sent.text
    ticket = kitchen.locator(".ticket", has_text="Burrata")
    await expect(ticket.locator(".allergy")).to_have_text(
        "ALLERGY: milk, nuts, no coriander", timeout=15000
    )
    await expect(ticket.locator(".flag")).to_have_text("⚠ ALLERGY: milk")


@pytest.mark.timeout(120)
async def test_the_waiter_sets_allergies_and_the_sent_ticket_shows_them_live(
    demo: Demo, new_device: NewDevice
) -> None:
    check = await demo.open_check("12", covers=2)
    assert (await demo.add(check["id"], "Lasagne", seat=1)).status_code == 201
    sent = await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    assert sent.status_code == 200, sent.text
    kitchen = await (await new_device(KDS)).open("/app/kitchen?station=hot", pin="3333")
    ticket = kitchen.locator(".ticket", has_text="Lasagne")
    await expect(ticket).to_be_visible(timeout=15000)
    await expect(ticket.locator(".allergy")).to_have_count(0)

    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await phone.click(".table[data-table='12']")
    await expect(phone.locator(".allergy-band")).to_be_hidden()
    await phone.click("button:has-text('Allergies…')")
    await phone.check("#sheet input[name=allergen][value=sesame]")
    await phone.fill("#sheet input[name=allergy_note]", "seat 1: no garlic")
    await phone.click("#sheet button:has-text('Save')")
    await expect(phone.locator(".allergy-band")).to_have_text(
        "Allergies: sesame · seat 1: no garlic"
    )
    await expect(ticket.locator(".allergy")).to_have_text(
        "ALLERGY: sesame, seat 1: no garlic", timeout=15000
    )
    [(allergens, note)] = await demo.sql(
        "SELECT allergens, allergy_note FROM checks WHERE id = :c", c=check["id"]
    )
    assert (allergens, note) == (["sesame"], "seat 1: no garlic")


@pytest.mark.timeout(120)
async def test_a_guests_own_allergy_on_a_line_is_flagged_on_the_kitchen_screen(
    demo: Demo, new_device: NewDevice
) -> None:
    kitchen = await (await new_device(KDS)).open("/app/kitchen?station=cold", pin="3333")
    phone = await (await new_device(PHONE)).open("/app/handheld", pin="1111")
    await phone.click(".table[data-table='12']")
    await phone.click("#sheet .choices button:text-is('2')")
    await phone.click(".tabs button:has-text('Starters')")
    await phone.click("[data-item='Green salad']")
    await phone.check("#sheet input[name=allergen][value=mustard]")
    await expect(phone.locator("#sheet input[name=allergy_note]")).to_have_count(0)
    await phone.click("#sheet button:has-text('Add')")
    await phone.click("button:has-text('Done')")
    await expect(phone.locator(".lines").first).to_contain_text("⚠ mustard")
    await phone.click("button:has-text('Send')")

    ticket = kitchen.locator(".ticket", has_text="Green salad")
    await expect(ticket.locator(".flag")).to_have_text("⚠ ALLERGY: mustard", timeout=15000)
    await expect(ticket.locator(".allergy")).to_have_count(0)
