"""The e-mails of an order placed on the public page (its confirmation, then "ready")
arrive in the language the guest ordered in, read off a real SMTP server (aiosmtpd),
with the pickup date and the money written in that language."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core import ratelimit
from tests.conftest import Demo
from tests.kitchen.support import at, run_task, screen
from tests.mail.test_outbox import Inbox, mailer
from tests.mail.test_outbox import inbox as inbox  # the fixture
from tests.takeaway.support import BERLIN, line, next_local, online

# written out here, not taken from the code under test
WORDS = {
    "nl": {
        "placed": "Uw bestelling 1 bij Trattoria Demo",
        "ready": "Uw bestelling 1 is klaar",
        "hello": "Beste Carla,",
        "number": "Uw bestelnummer is 1; afhalen: ",
        "total": "Totaal: € 20,50",  # Babel writes a no-break space, see below
        "at_pickup": "U betaalt bij het afhalen.",
        "is_ready": "Uw bestelling 1 bij Trattoria Demo is klaar om af te halen.",
        "day": "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
    },
    "de": {
        "placed": "Ihre Bestellung 1 bei Trattoria Demo",
        "ready": "Ihre Bestellung 1 ist fertig",
        "hello": "Guten Tag Carla,",
        "number": "Ihre Bestellnummer ist 1; Abholung: ",
        "total": "Gesamt: 20,50 €",
        "at_pickup": "Sie bezahlen bei Abholung.",
        "is_ready": "Ihre Bestellung 1 bei Trattoria Demo ist abholbereit.",
        "day": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    },
}
ENGLISH = ("Hello", "Your order", "Total", "pickup", "ready", "Follow")


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n").replace("\xa0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("language", ["nl", "de"])
async def test_the_order_e_mails_are_in_the_language_the_guest_ordered_in(
    demo: Demo, sessions: async_sessionmaker[AsyncSession], inbox: tuple[Inbox, int], language: str
) -> None:
    ratelimit._windows.counts.clear()
    box, port = inbox
    await online(demo)
    pickup = next_local(19, 30)
    body = {
        "name": "Carla",
        "email": "carla@example.org",
        "pickup_at": pickup.isoformat(),
        "lines": [await line(demo, "Burger", "medium", "fries", "bacon")],  # 18.50 + 2.00
    }
    r = await demo.client.post(
        "/api/public/venues/demo/orders",
        json=body,
        headers={"Accept-Language": f"{language},en;q=0.8"},
    )
    assert r.status_code == 201, r.text
    order = r.json()
    assert await mailer(sessions, port).run_once() == 1
    [placed] = box.messages
    words = WORDS[language]
    assert placed["Subject"] == words["placed"]
    text = text_of(placed)
    day = words["day"].split()[pickup.astimezone(BERLIN).weekday()]
    assert text.startswith(words["hello"] + "\n")
    assert words["number"] + day in text and "19:30" in text
    assert words["total"] in text and words["at_pickup"] in text
    assert order["status_url"] in text
    assert not any(english in text for english in ENGLISH)

    [takeaway] = (
        await demo.call("GET", "/api/takeaway", params={"day": pickup.date().isoformat()})
    ).json()["orders"]
    assert await run_task(demo, "takeaway.fire", at(takeaway["fire_at"])) == 1
    for ticket in await screen(demo, state="all"):
        bumped = await demo.call("POST", f"/api/kitchen/tickets/{ticket['id']}/bump", "kitchen")
        assert bumped.status_code in (200, 201), bumped.text
    assert await mailer(sessions, port).run_once() == 1
    ready = box.messages[1]
    assert ready["Subject"] == words["ready"]
    assert words["hello"] in text_of(ready) and words["is_ready"] in text_of(ready)
    assert not any(english in text_of(ready) for english in ENGLISH)


async def test_an_order_in_english_reads_english_money_and_dates(
    demo: Demo, sessions: async_sessionmaker[AsyncSession], inbox: tuple[Inbox, int]
) -> None:
    ratelimit._windows.counts.clear()
    box, port = inbox
    await online(demo)
    pickup = next_local(19, 30)
    body = {
        "name": "Carla",
        "email": "carla@example.org",
        "pickup_at": pickup.isoformat(),
        "lines": [await line(demo, "Burger", "medium", "fries", "bacon")],
    }
    r = await demo.client.post("/api/public/venues/demo/orders", json=body)  # no language
    assert r.status_code == 201, r.text
    assert await mailer(sessions, port).run_once() == 1
    [placed] = box.messages
    assert placed["Subject"] == "Your order 1 at Trattoria Demo"
    text = text_of(placed)
    local = pickup.astimezone(BERLIN)
    assert f"{local:%A, %B} {local.day}, {local.year}, 7:30 PM" in text
    assert "Total: €20.50" in text and "You pay at pickup." in text
    assert dt.datetime.fromisoformat(r.json()["pickup_at"]) == pickup
