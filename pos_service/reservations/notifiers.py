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
from zoneinfo import ZoneInfo

import msgspec
import structlog
from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.mail import service as mail
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


class Notifier(abc.ABC):
    """Sends a reminder to a guest. Called inside the transaction that marks the reminder
    done, so a failure (an exception) leaves it due and it is retried on the next run."""

    @abc.abstractmethod
    async def remind(self, session: AsyncSession, reminder: Reminder) -> None: ...


async def _when(session: AsyncSession, venue_id: int, at: dt.datetime) -> tuple[str, str]:
    """The venue's name and ``at`` written in its timezone and locale."""
    venue = await venues.get(session, venue_id)
    local = at.astimezone(ZoneInfo(venue.timezone))
    return venue.name, format_datetime(local, "EEEE d MMMM, HH:mm", locale=venue.locale)


async def send_confirmation(session: AsyncSession, reminder: Reminder) -> None:
    """Queue the booking confirmation, if the guest gave an e-mail address."""
    if not reminder.email:
        return
    venue, when = await _when(session, reminder.venue_id, reminder.starts_at)
    text = (
        f"Dear {reminder.name},\n\nyour table for {reminder.party_size} at {venue} is booked "
        f"for {when}.\n\nSee you soon,\n{venue}\n"
    )
    if reminder.manage_url:
        text += f"\nTo change or cancel your booking: {reminder.manage_url}\n"
    message = mail.Message(to=reminder.email, subject=f"Your booking at {venue}", text=text)
    await mail.enqueue(session, reminder.venue_id, message)


class OutboxNotifier(Notifier):
    """The default: e-mails the reminder through the venue's outbox (no address: logs)."""

    async def remind(self, session: AsyncSession, reminder: Reminder) -> None:
        if not reminder.email:
            log.info("reminder not sent: no e-mail", reservation_id=reminder.reservation_id)
            return
        venue, when = await _when(session, reminder.venue_id, reminder.starts_at)
        text = (
            f"Dear {reminder.name},\n\na reminder of your table for {reminder.party_size} "
            f"at {venue} on {when}.\n\nSee you soon,\n{venue}\n"
        )
        message = mail.Message(to=reminder.email, subject=f"Reminder: {venue}, {when}", text=text)
        await mail.enqueue(session, reminder.venue_id, message)
