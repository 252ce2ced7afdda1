"""A guest's booking e-mails (the confirmation, the reminder, the confirmation of a
change) arrive in the language the guest booked in, read off a real SMTP server
(aiosmtpd), with the date written in that language; a booking made at the host stand
gets the venue's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core import ratelimit
from tests.booking.test_public_booking import BOOKING, first_slot, public
from tests.conftest import Demo
from tests.mail.test_outbox import Inbox, mailer, outbox
from tests.mail.test_outbox import inbox as inbox  # the fixture

# written out here, not taken from the code under test
WEEKDAYS = {
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
}
MONTHS = {
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
}
WORDS = {
    "nl": {
        "subject": "Uw reservering bij Trattoria Demo",
        "reminder": "Herinnering: Trattoria Demo, ",
        "dear": "Beste Ines Weber,",
        "party": "Uw tafel voor {n} personen bij Trattoria Demo is gereserveerd voor",
        "link": "Uw reservering wijzigen of annuleren: ",
    },
    "de": {
        "subject": "Ihre Reservierung bei Trattoria Demo",
        "reminder": "Erinnerung: Trattoria Demo, ",
        "dear": "Guten Tag Ines Weber,",
        "party": "Ihr Tisch für {n} Personen bei Trattoria Demo ist für",
        "link": "Reservierung ändern oder stornieren: ",
    },
}
ENGLISH = ("Dear", "table for", "See you soon", "Your booking", "change or cancel", "Reminder")


@pytest.fixture(autouse=True)
def fresh_windows() -> Iterator[None]:
    ratelimit._windows.counts.clear()
    yield
    ratelimit._windows.counts.clear()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


async def timezone(demo: Demo) -> ZoneInfo:
    return ZoneInfo((await public(demo, "GET", "/api/book/demo")).json()["timezone"])


def written_date(at: dt.datetime, language: str) -> str:
    """The day, month and time of ``at`` as the language writes them."""
    day = WEEKDAYS[language][at.weekday()]
    month = MONTHS[language].split()[at.month - 1]
    if language == "de":
        return f"{day}, {at.day}. {month} {at.year}, {at:%H:%M}"
    return f"{day} {at.day} {month} {at.year}, {at:%H:%M}"


@pytest.mark.parametrize("language", ["nl", "de"])
async def test_the_confirmation_and_the_reminder_are_in_the_language_the_guest_booked_in(
    demo: Demo, sessions: async_sessionmaker[AsyncSession], inbox: tuple[Inbox, int], language: str
) -> None:
    box, port = inbox
    starts_at = await first_slot(demo, 3, days=2)
    r = await public(
        demo,
        "POST",
        "/api/book/demo/reservations",
        json={**BOOKING, "starts_at": starts_at},
        headers={"Accept-Language": f"{language}-CH, en;q=0.5"},
    )
    assert r.status_code == 201, r.text
    at = dt.datetime.fromisoformat(starts_at)
    assert await demo.app.state.scheduler.run_task("reservations.reminders", at) == 1
    assert await mailer(sessions, port).run_once() == 2

    words = WORDS[language]
    [confirmation] = [m for m in box.messages if m["Subject"] == words["subject"]]
    [reminder] = [m for m in box.messages if m is not confirmation]
    when = written_date(at.astimezone(await timezone(demo)), language)
    text = text_of(confirmation)
    assert text.startswith(words["dear"] + "\n")
    assert f"{words['party'].format(n=3)}" in text and when in text
    assert words["link"] + r.json()["manage_url"] in text
    assert reminder["Subject"] == words["reminder"] + when
    assert when in text_of(reminder) and words["dear"] in text_of(reminder)
    for english in ENGLISH:
        assert english not in text + text_of(reminder) + str(reminder["Subject"])


@pytest.mark.parametrize("language", ["nl", "de"])
async def test_a_change_is_confirmed_in_the_language_of_the_booking(
    demo: Demo, sessions: async_sessionmaker[AsyncSession], inbox: tuple[Inbox, int], language: str
) -> None:
    box, port = inbox
    starts_at = await first_slot(demo, 3)
    r = await public(
        demo,
        "POST",
        "/api/book/demo/reservations",
        json={**BOOKING, "starts_at": starts_at},
        headers={"Accept-Language": language},
    )
    assert r.status_code == 201, r.text
    token = r.json()["manage_url"].rsplit("/", 1)[1]
    later = dt.datetime.fromisoformat(await first_slot(demo, 2)) + dt.timedelta(hours=1)
    # the change comes without a language (another device): the booking's is kept
    moved = await public(
        demo,
        "POST",
        f"/api/booking/{token}/change",
        json={"party_size": 2, "starts_at": later.isoformat()},
    )
    assert moved.status_code == 200, moved.text
    assert await mailer(sessions, port).run_once() == 2
    words = WORDS[language]
    assert [m["Subject"] for m in box.messages] == [words["subject"]] * 2
    [text] = [t for t in map(text_of, box.messages) if moved.json()["manage_url"] in t]
    when = written_date(later.astimezone(await timezone(demo)), language)
    assert words["party"].format(n=2) in text and when in text
    assert [row.status for row in await outbox(sessions)] == ["sent", "sent"]


async def test_a_booking_at_the_host_stand_is_confirmed_in_the_venues_language(
    demo: Demo, sessions: async_sessionmaker[AsyncSession], inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    venue = (await demo.call("GET", "/api/venue", "manager")).json()
    r = await demo.call(
        "PATCH", "/api/venue", "manager", json={"version": venue["version"], "locale": "de-DE"}
    )
    assert r.status_code == 200, r.text
    starts_at = await first_slot(demo, 2)
    body = {"name": "Weber", "party_size": 2, "starts_at": starts_at, "email": "w@example.com"}
    booked = await demo.call("POST", "/api/reservations", "host", json=body)
    assert booked.status_code == 201, booked.text
    assert await mailer(sessions, port).run_once() == 1
    [message] = box.messages
    assert message["Subject"] == "Ihre Reservierung bei Trattoria Demo"
    when = written_date(dt.datetime.fromisoformat(starts_at).astimezone(await timezone(demo)), "de")
    assert "Guten Tag Weber," in text_of(message) and when in text_of(message)
