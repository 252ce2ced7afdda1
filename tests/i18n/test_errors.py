"""A refusal reads in its reader's language: the member signed in, else the browser's
``Accept-Language``, else English (docs/i18n.md, decision 1540)."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from pos_service import i18n
from pos_service.core import ratelimit
from pos_service.i18n import terms
from tests.conftest import Demo
from tests.pages.conftest import PHONE, NewDevice


@pytest.fixture(autouse=True)
def fresh_windows() -> Iterator[None]:
    """The public routes' request windows are per process: start and leave them empty."""
    ratelimit._windows.counts.clear()
    yield
    ratelimit._windows.counts.clear()


# what each language answers, for the same four refusals
EXPECTED = {
    "nl": {
        "conflict": ("Conflict", "niets te versturen"),
        "not_found": ("Niet gevonden", "geen rekening 999999"),
        "invalid": (
            "Ongeldige invoer",
            "onbekende gang 'later'; kies uit ['drinks', 'starter', 'main', 'dessert']",
        ),
        "decode": ("Ongeldige invoer", "covers heeft een ongeldige waarde"),
    },
    "de": {
        "conflict": ("Konflikt", "nichts zu senden"),
        "not_found": ("Nicht gefunden", "keine Rechnung 999999"),
        "invalid": (
            "Ungültige Eingabe",
            "unbekannter Gang 'later'; einer von ['drinks', 'starter', 'main', 'dessert']",
        ),
        "decode": ("Ungültige Eingabe", "covers hat einen ungültigen Wert"),
    },
}


async def _refusals(demo: Demo, headers: dict[str, str]) -> dict[str, httpx.Response]:
    """The same four refusals, asked with ``headers`` besides the waiter's."""
    [(check_id,)] = await demo.sql("SELECT max(id) FROM checks")
    check = (await demo.call("GET", f"/api/checks/{check_id}")).json()
    item = await demo.item("Tiramisu")

    async def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await demo.client.request(
            method, path, headers={**demo.headers["waiter"], **headers}, **kwargs
        )

    return {
        "conflict": await call(
            "POST", f"/api/checks/{check['id']}/send", json={"version": check["version"]}
        ),
        "not_found": await call("GET", "/api/checks/999999"),
        "invalid": await call(
            "POST",
            f"/api/checks/{check['id']}/lines",
            json={"item_id": item["id"], "quantity": 1, "course": "later"},
        ),
        "decode": await call(
            "POST", "/api/checks", json={"table_id": await demo.table_id("14"), "covers": "four"}
        ),
    }


async def _speaks(demo: Demo, name: str, language: str | None) -> None:
    """Give the member ``name`` their own language (None: the venue's)."""
    [(member,)] = await demo.sql("SELECT id FROM staff WHERE name = :n", n=name)
    r = await demo.call("PATCH", f"/api/staff/{member}", "manager", json={"language": language})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("language", ["nl", "de"])
async def test_a_member_reads_a_refusal_in_their_language(demo: Demo, language: str) -> None:
    await demo.open_check("12")
    english = await _refusals(demo, {})  # no language asked: the venue's, English
    await _speaks(demo, "Anna", language)
    answers = await _refusals(demo, {"Accept-Language": "en"})  # her own wins
    for case, (title, detail) in EXPECTED[language].items():
        body = answers[case].json()
        assert answers[case].status_code == english[case].status_code, case
        assert (body["title"], body["detail"]) == (title, detail), case
        assert english[case].json()["detail"] != detail, case
        # the field (a code) and the other members are the same as in English
        assert {k: v for k, v in body.items() if k not in ("title", "detail")} == {
            k: v for k, v in english[case].json().items() if k not in ("title", "detail")
        }, case
        assert answers[case].headers["content-type"] == "application/problem+json"
    assert answers["decode"].json()["field"] == "covers"
    assert answers["invalid"].json()["field"] == "course"


GUEST = {
    "nl": {
        "not_found": ("Niet gevonden", "deze vestiging bestaat niet"),
        "invalid": ("Ongeldige invoer", "starts_at ligt in het verleden"),
        "decode": ("Ongeldige invoer", "party_size heeft een ongeldige waarde"),
        "link": ("Niet aangemeld", "geen reserveringslink"),
    },
    "de": {
        "not_found": ("Nicht gefunden", "diesen Betrieb gibt es nicht"),
        "invalid": ("Ungültige Eingabe", "starts_at liegt in der Vergangenheit"),
        "decode": ("Ungültige Eingabe", "party_size hat einen ungültigen Wert"),
        "link": ("Nicht angemeldet", "kein Reservierungslink"),
    },
}
BOOKING = {"name": "Eva", "party_size": 2, "email": "eva@example.com"}


async def _guest_refusals(demo: Demo, headers: dict[str, str]) -> dict[str, httpx.Response]:
    """Refusals of the public booking API, asked without a sign-in."""
    ratelimit._windows.counts.clear()
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    client = demo.client
    return {
        "not_found": await client.get("/api/book/nowhere", headers=headers),
        "invalid": await client.post(
            "/api/book/demo/reservations",
            json={**BOOKING, "starts_at": yesterday},
            headers=headers,
        ),
        "decode": await client.post(
            "/api/book/demo/reservations",
            json={**BOOKING, "party_size": "two", "starts_at": yesterday},
            headers=headers,
        ),
        "link": await client.get("/api/booking/forged/", headers=headers),
    }


@pytest.mark.parametrize("language", ["nl", "de"])
async def test_a_guest_reads_a_refusal_in_the_language_of_their_browser(
    demo: Demo, language: str
) -> None:
    english = await _guest_refusals(demo, {})
    answers = await _guest_refusals(demo, {"Accept-Language": f"{language}-BE,en;q=0.5"})
    for case, (title, detail) in GUEST[language].items():
        body = answers[case].json()
        assert answers[case].status_code == english[case].status_code, case
        assert (body["title"], body["detail"]) == (title, detail), case
        assert body.get("field") == english[case].json().get("field"), case
    assert answers["decode"].json()["field"] == "party_size"
    assert answers["invalid"].json()["field"] == "starts_at"


async def test_an_english_refusal_reads_as_before(demo: Demo) -> None:
    await demo.open_check("12")
    answers = await _refusals(demo, {"Accept-Language": "en-GB,en;q=0.8"})
    check_id = answers["not_found"].json()
    assert check_id == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "no check 999999",
        "field": "check_id",
        "check_id": 999999,
    }
    assert answers["conflict"].json()["detail"] == "nothing to send"
    assert answers["conflict"].json()["title"] == "Conflict"
    assert answers["invalid"].json()["detail"] == (
        "unknown course 'later'; one of ['drinks', 'starter', 'main', 'dessert']"
    )
    # msgspec's own wording, as it always was
    decode = answers["decode"].json()
    assert (decode["title"], decode["field"]) == ("Invalid input", "covers")
    assert "Expected `int`" in decode["detail"]
    # a language without a catalog is answered in English
    other = await _refusals(demo, {"Accept-Language": "fr-FR"})
    assert other["not_found"].json()["detail"] == "no check 999999"


async def test_a_signed_in_member_reads_their_own_language_whatever_the_browser_says(
    demo: Demo,
) -> None:
    await _speaks(demo, "Anna", "nl")

    await demo.open_check("12")
    answers = await _refusals(demo, {"Accept-Language": "de"})
    assert answers["not_found"].json()["detail"] == "geen rekening 999999"
    assert answers["conflict"].json()["detail"] == "niets te versturen"
    assert answers["decode"].json()["title"] == "Ongeldige invoer"

    # without a language of her own, the page's (the browser's) counts, else the venue's
    await _speaks(demo, "Anna", None)
    answers = await _refusals(demo, {"Accept-Language": "de"})
    assert answers["not_found"].json()["detail"] == "keine Rechnung 999999"
    answers = await _refusals(demo, {})
    assert answers["not_found"].json()["detail"] == "no check 999999"


async def test_a_member_without_a_language_reads_the_venues_unless_the_page_asks(
    demo: Demo,
) -> None:
    venue = (await demo.call("GET", "/api/venue", "manager")).json()
    r = await demo.call(
        "PATCH", "/api/venue", "manager", json={"locale": "nl-NL", "version": venue["version"]}
    )
    assert r.status_code == 200, r.text
    await demo.open_check("12")
    answers = await _refusals(demo, {})
    assert answers["not_found"].json()["detail"] == "geen rekening 999999"
    # a page still in English (its venue turned Dutch after it loaded) reads English
    answers = await _refusals(demo, {"Accept-Language": "en"})
    assert answers["not_found"].json()["detail"] == "no check 999999"


async def test_a_refusal_before_sign_in_follows_the_browser(demo: Demo) -> None:
    r = await demo.client.get("/api/checks/1", headers={"Accept-Language": "de-DE"})
    assert r.status_code == 401
    assert (r.json()["title"], r.json()["detail"]) == ("Nicht angemeldet", "Token fehlt")
    assert r.json()["field"] == "Authorization"


async def test_an_unknown_route_has_a_translated_title(demo: Demo) -> None:
    r = await demo.client.get("/api/no-such-thing", headers={"Accept-Language": "nl"})
    assert r.status_code == 404
    assert r.json()["title"] == "Niet gevonden"
    english = await demo.client.get("/api/no-such-thing")
    assert english.json()["title"] == "NotFoundException"


@pytest.mark.browser
@pytest.mark.timeout(120)
async def test_the_table_ordering_page_shows_a_refusal_in_dutch(
    demo: Demo, new_device: NewDevice
) -> None:
    """The guest's page is Dutch by its cookie alone (the browser asks for nothing): the
    refusal reads in Dutch because the page asks the API in its own language."""
    r = await demo.call(
        "PUT", "/api/venue/guest-settings", "manager", json={"guest_ordering": "direct"}
    )
    assert r.status_code == 200, r.text
    tent = await demo.call("GET", f"/api/tables/{await demo.table_id('6')}/order-link")
    device = await new_device(PHONE)
    guest = device.page
    await device.context.add_cookies([{"name": "pos_lang", "value": "nl", "url": device.base}])
    url = str(tent.json()["url"])
    await guest.goto(url if url.startswith("http") else device.base + url)
    await expect(guest.locator("html")).to_have_attribute("lang", "nl")
    burrata = guest.locator(".order-item[data-item='Burrata']")
    await burrata.locator(".item-head").click()
    await burrata.locator("button.add").click()

    # the kitchen runs out while the guest chooses
    item = await demo.item("Burrata")
    r = await demo.call(
        "PATCH", f"/api/menu/items/{item['id']}", "kitchen", json={"available": False}
    )
    assert r.status_code == 200, r.text
    await guest.click(".basket button.send")
    await expect(guest.locator("#toasts")).to_contain_text("Burrata is niet beschikbaar")
    assert await demo.sql("SELECT id FROM check_lines WHERE name = 'Burrata'") == []


def test_every_state_a_refusal_names_is_a_word_of_the_catalogs() -> None:
    from pos_service.kitchen.models import TicketState
    from pos_service.kitchen.screen import ItemStatus
    from pos_service.orders.models import CheckStatus, LineState
    from pos_service.payments.models import PaymentStatus
    from pos_service.printing.models import JobState
    from pos_service.reservations.models import ReservationStatus, WaitlistStatus
    from pos_service.tables.models import TableStatus

    states = [
        str(s) for e in (TicketState, CheckStatus, LineState, PaymentStatus, JobState) for s in e
    ]
    states += [str(s) for e in (ReservationStatus, WaitlistStatus) for s in e]
    states += [str(s).replace("_", " ") for s in TableStatus]
    states += list(typing.get_args(ItemStatus))
    assert sorted(set(states) - set(terms.STATES)) == []
    for word in (*terms.STATES, *terms.THINGS):
        assert word not in i18n.missing("nl", "messages"), word
        assert word not in i18n.missing("de", "messages"), word


async def test_a_state_or_a_kind_of_thing_is_translated_with_the_detail(demo: Demo) -> None:
    await _speaks(demo, "Marco", "de")
    r = await demo.call(
        "PATCH", "/api/menu/categories/999999", "manager", json={"name": "X", "version": 1}
    )
    assert r.status_code == 404
    body = r.json()
    assert body["detail"] == "Kategorie 999999 nicht gefunden"
    assert body["what"] == "category"  # the body's members stay codes

    check = await demo.open_check("12")
    r = await demo.call(
        "POST", "/api/checks", "manager", json={"table_id": check["table_id"], "covers": 2}
    )
    assert r.status_code == 409
    assert r.json()["detail"] == f"Tisch 12 hat bereits die offene Rechnung {check['id']}"


def test_a_detail_made_elsewhere_is_shown_as_it_is() -> None:
    from pos_service.core.errors import Conflict, Invalid, Reason

    # an English text computed from another library's message, braces and all
    odd = Invalid("not a host:port address: '{x}'", field="address", port=1)
    assert odd.text("nl") == odd.detail == "not a host:port address: '{x}'"
    # a broken rule of plain logic keeps its words translatable, a plain ValueError its text
    reason = Conflict.because(Reason("line {line_id} is in no part", line_id=4), field="lines")
    assert (reason.detail, reason.text("de")) == (
        "line 4 is in no part",
        "Position 4 ist in keinem Teil",
    )
    assert reason.extra == {"line_id": 4}
    plain = Conflict.because(ValueError("weights must be non-negative"), field="lines")
    assert plain.text("nl") == "weights must be non-negative"
