"""How an e-mail to a guest is worded: in the guest's language (the one they booked or
ordered in; else the venue's), with dates, times and money written by that language's
locale (Babel). The texts themselves are looked up with
``i18n.gettext(words.language, ...)`` where each e-mail is written, so that the
extractor finds them (docs/i18n.md)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import msgspec
from babel.dates import format_date, format_time

from pos_service import i18n
from pos_service.core import money


class Words(msgspec.Struct, frozen=True):
    """The language an e-mail is written in and the Babel locale of its dates and money:
    the venue's own locale when it speaks that language (``nl_BE`` stays Belgian), else
    the language itself."""

    language: str
    locale: str

    def when(self, at: dt.datetime, timezone: str) -> str:
        """A day and a time in the venue's timezone, as the locale writes them in full:
        "Saturday, December 5, 2026, 7:30 PM", "zaterdag 5 december 2026, 19:30",
        "Samstag, 5. Dezember 2026, 19:30"."""
        local = at.astimezone(ZoneInfo(timezone))
        locale = money.locale_of(self.locale)
        day = format_date(local, "full", locale=locale)
        return f"{day}, {format_time(local, 'short', locale=locale)}"

    def money(self, minor: int, currency: str) -> str:
        return money.format_minor(minor, currency, self.locale)


def words(language: str | None, venue_locale: str) -> Words:
    """The wording of an e-mail for a guest who chose ``language`` (None: the venue's)."""
    venue_language = i18n.language_of(venue_locale)
    chosen = i18n.language_of(language) if language else venue_language
    return Words(chosen, venue_locale if chosen == venue_language else chosen)
