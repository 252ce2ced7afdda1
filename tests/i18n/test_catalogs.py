"""The catalogs: every text of the code is in them, translated into Dutch and German,
and a text without a translation is shown in English."""

from __future__ import annotations

import pytest

from pos_service import i18n
from pos_service.i18n import extract
from tests.conftest import Demo


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_the_catalogs_hold_every_text_of_the_code(domain: str) -> None:
    wanted = {m.id for m in extract.template(domain) if m.id}
    for language in i18n.LANGUAGES[1:]:
        held = {m.id for m in i18n.read_catalog(language, domain) if m.id}
        assert held == wanted, (
            f"{language}/{domain}.po is not current: run `python3 dev.py i18n` "
            f"(new: {sorted(map(str, wanted - held))}, gone: {sorted(map(str, held - wanted))})"
        )


@pytest.mark.parametrize("language", i18n.LANGUAGES[1:])
@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_no_text_is_left_untranslated(language: str, domain: str) -> None:
    assert i18n.missing(language, domain) == [], f"untranslated in {language}/{domain}.po"


def test_a_text_without_a_translation_is_shown_in_english() -> None:
    assert i18n.gettext("nl", "Kitchen {station}", station="hot") == "Keuken hot"
    assert i18n.gettext("nl", "A text no catalog has") == "A text no catalog has"
    assert i18n.gettext("fr", "Kitchen {station}", station="hot") == "Kitchen hot"
    assert i18n.language_of("de_AT") == "de"
    assert i18n.language_of("fr_FR") == i18n.language_of(None) == "en"


def test_the_browser_chooses_among_the_languages_by_its_weights() -> None:
    assert i18n.negotiate("fr-FR, de;q=0.8, nl-BE;q=0.9") == "nl"
    assert i18n.negotiate("de-DE,de;q=0.9,en;q=0.8") == "de"
    assert i18n.negotiate("fr, es;q=0.5") is None
    assert i18n.negotiate("nl;q=0, en") == "en"
    assert i18n.negotiate("") is None


async def test_a_page_speaks_the_language_the_browser_asks_for(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    link = await demo.call("POST", f"/api/checks/{check['id']}/guest-link", "waiter")
    path = "/guest/" + link.json()["url"].rsplit("/", 1)[-1]
    dutch = await demo.client.get(path, headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.8"})
    assert '<html lang="nl">' in dutch.text and "Uw rekening" in dutch.text
    assert '<script src="/i18n/nl">' in dutch.text
    english = await demo.client.get(path, headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in english.text and "Your bill" in english.text
    chosen = await demo.client.get(path, headers={"Accept-Language": "nl", "Cookie": "pos_lang=de"})
    assert '<html lang="de">' in chosen.text and "Ihre Rechnung" in chosen.text


async def test_the_pages_texts_come_as_a_script(demo: Demo) -> None:
    answer = await demo.client.get("/i18n/de")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert '"No connection to the server":"Keine Verbindung zum Server"' in answer.text
    assert (await demo.client.get("/i18n/xx")).text == "window.POS_TEXTS = {};\n"
