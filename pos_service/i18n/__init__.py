"""Translations: gettext catalogs (Babel) for Dutch, English and German (docs/i18n.md).

English is the source language: every text is written in English in the code and looked
up in the reader's catalog, falling back to the English text when a translation is
missing. Two domains: ``messages`` holds the server's texts (templates, tickets,
receipts, e-mails, error details), ``pages`` the texts of the pages' scripts, which the
pages receive as a JSON object embedded in their HTML.

The catalogs are the ``.po`` files under ``pos_service/locale``, read at start-up (no
compiled ``.mo`` files are kept); ``pos-service i18n`` extracts the texts and updates
them.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
SOURCE = "en"
LANGUAGES = ("en", "nl", "de")
"""The languages the catalogs are complete in; the first is the source language."""
DOMAINS = ("messages", "pages")
Language = Literal["en", "nl", "de"]
"""A language a member, a printer or a page may speak: one of :data:`LANGUAGES`."""


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a text for the catalogs where it is defined; translate it where it is shown."""
    return message


def language_of(tag: str | None) -> str:
    """The catalog language for a locale tag (``nl_NL``, ``de-AT``, ``en``): its
    language if there is a catalog for it, else English."""
    if not tag:
        return SOURCE
    try:
        language = Locale.parse(tag.replace("-", "_")).language
    except (ValueError, UnknownLocaleError):
        return SOURCE
    return language if language in LANGUAGES else SOURCE


def negotiate(accept_language: str | None) -> str | None:
    """The best of :data:`LANGUAGES` for an ``Accept-Language`` header, by its q-values;
    ``None`` when the header names none of them."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().split("-")[0].lower()
        if language in LANGUAGES and quality > 0:
            ranked.append((-quality, index, language))
    return min(ranked)[2] if ranked else None


COOKIE = "pos_lang"
"""The cookie the pages set for the language their reader chose (the pages' switch, or
the language of the member who signed in); it wins over ``Accept-Language``."""


def reader_language(chosen: str | None, accept_language: str | None) -> str | None:
    """The language a reader chose (the ``pos_lang`` cookie of the pages' switch), else
    the best of their browser's ``Accept-Language``; ``None`` when neither names one of
    :data:`LANGUAGES` (the page then speaks English, an e-mail the venue's language)."""
    if chosen in LANGUAGES:
        return chosen
    return negotiate(accept_language)


def catalog_path(language: str, domain: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(language: str, domain: str) -> Catalog:
    """The ``.po`` catalog of a language and domain (an empty one if it has no file)."""
    path = catalog_path(language, domain)
    if not path.exists():
        return Catalog(locale=language, domain=domain)
    with path.open("rb") as fp:
        return read_po(fp, locale=language, domain=domain)


@cache
def translations(language: str) -> Translations:
    """The server's translations (domain ``messages``) for a language; English and any
    language without a catalog translate nothing, so the English text is shown."""
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(language, "messages"))
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def gettext(language: str, message: str, **values: object) -> str:
    """``message`` in ``language``, with ``{name}`` placeholders filled from ``values``."""
    text = translations(language_of(language)).gettext(message)
    return text.format(**values) if values else text


def ngettext(language: str, singular: str, plural: str, n: int, **values: object) -> str:
    """The singular or plural form of a text for ``n`` in ``language`` (``{n}`` and
    other placeholders filled)."""
    text = translations(language_of(language)).ngettext(singular, plural, n)
    return text.format(n=n, **values)


@cache
def pages_catalog(language: str) -> dict[str, str | list[str]]:
    """The pages' texts in a language as ``{english: translation}`` (a plural text as
    ``{english singular: [forms]}``), only the translated ones: a page shows the English
    text for the rest."""
    texts: dict[str, str | list[str]] = {}
    for message in read_catalog(language, "pages"):
        if not message.id or message.fuzzy or not message.string:
            continue
        if isinstance(message.id, str):
            texts[message.id] = str(message.string)
        elif all(message.string):
            texts[str(message.id[0])] = [str(form) for form in message.string]
    return texts


def missing(language: str, domain: str) -> list[str]:
    """The texts of a domain that have no (or only a fuzzy) translation in a language."""
    return sorted(
        str(message.id) if isinstance(message.id, str) else str(message.id[0])
        for message in read_catalog(language, domain)
        if message.id and (not message.string or message.fuzzy or not all(message.string))
    )
