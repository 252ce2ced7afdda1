"""What guests with a reservation are told by e-mail: the booking confirmation and the
reminder, both put in the venue's mail outbox (``pos_service.mail``).

The reminder task calls a :class:`Notifier` inside the transaction that marks the
reminder done; :class:`OutboxNotifier` (the default) enqueues an e-mail in that same
transaction. Another channel (SMS) implements :class:`Notifier` and is passed to
``reservations.service.tasks(notifier)``.
"""

from __future__ import annotations

import abc
import datetime as dt

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service import i18n
from pos_service.mail import service as mail
from pos_service.mail.words import Words, words
from pos_service.venues import service as venues

log = structlog.get_logger(__name__)


class Reminder(msgspec.Struct, frozen=True, kw_only=True):
    """What a guest is reminded of."""

    venue_id: int
    reservation_id: int
    name: str
    phone: str | None
    email: str | None
    party_size: int
    starts_at: dt.datetime
    manage_url: str | None = None
    """The guest's signed link to change or cancel (a booking made on the public page)."""
    language: str | None = None
    """The language the guest booked in; None: the venue's. The e-mail is written in it."""


class Notifier(abc.ABC):
    """Sends a reminder to a guest. Called inside the transaction that marks the reminder
    done, so a failure (an exception) leaves it due and it is retried on the next run."""

    @abc.abstractmethod
    async def remind(self, session: AsyncSession, reminder: Reminder) -> None: ...


async def _when(session: AsyncSession, reminder: Reminder) -> tuple[Words, str, str]:
    """The wording of the guest's e-mail, the venue's name and the time of the booking
    written in the venue's timezone and the guest's language."""
    venue = await venues.get(session, reminder.venue_id)
    said = words(reminder.language, venue.locale)
    return said, venue.name, said.when(reminder.starts_at, venue.timezone)


async def send_confirmation(session: AsyncSession, reminder: Reminder) -> None:
    """Queue the booking confirmation, if the guest gave an e-mail address."""
    if not reminder.email:
        return
    said, venue, when = await _when(session, reminder)
    n = reminder.party_size
    text = i18n.gettext(said.language, "Dear {name},", name=reminder.name) + "\n\n"
    text += i18n.ngettext(
        said.language,
        "your table for {n} at {venue} is booked for {when}.",
        "your table for {n} at {venue} is booked for {when}.",
        n,
        venue=venue,
        when=when,
    )
    text += "\n\n" + i18n.gettext(said.language, "See you soon,") + f"\n{venue}\n"
    if reminder.manage_url:
        text += "\n" + i18n.gettext(
            said.language, "To change or cancel your booking: {link}", link=reminder.manage_url
        )
        text += "\n"
    subject = i18n.gettext(said.language, "Your booking at {venue}", venue=venue)
    await mail.enqueue(
        session, reminder.venue_id, mail.Message(to=reminder.email, subject=subject, text=text)
    )


class OutboxNotifier(Notifier):
    """The default: e-mails the reminder through the venue's outbox (no address: logs)."""

    async def remind(self, session: AsyncSession, reminder: Reminder) -> None:
        if not reminder.email:
            log.info("reminder not sent: no e-mail", reservation_id=reminder.reservation_id)
            return
        said, venue, when = await _when(session, reminder)
        text = i18n.gettext(said.language, "Dear {name},", name=reminder.name) + "\n\n"
        text += i18n.ngettext(
            said.language,
            "a reminder of your table for {n} at {venue} on {when}.",
            "a reminder of your table for {n} at {venue} on {when}.",
            reminder.party_size,
            venue=venue,
            when=when,
        )
        text += "\n\n" + i18n.gettext(said.language, "See you soon,") + f"\n{venue}\n"
        subject = i18n.gettext(said.language, "Reminder: {venue}, {when}", venue=venue, when=when)
        message = mail.Message(to=reminder.email, subject=subject, text=text)
        await mail.enqueue(session, reminder.venue_id, message)
