"""Where reservation reminders go: an interface, and a notifier that only logs.

A real notifier (SMS, email) implements :class:`Notifier` and is passed to
``reservations.service.tasks(notifier)`` where the app lists its scheduled tasks.
"""

from __future__ import annotations

import abc
import datetime as dt

import msgspec
import structlog

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


class Notifier(abc.ABC):
    """Sends a reminder to a guest. Called inside the transaction that marks the reminder
    done, so a failure (an exception) leaves it due and it is retried on the next run."""

    @abc.abstractmethod
    async def remind(self, reminder: Reminder) -> None: ...


class LoggingNotifier(Notifier):
    """The default: writes the reminder to the log."""

    async def remind(self, reminder: Reminder) -> None:
        log.info(
            "reservation reminder",
            reservation_id=reminder.reservation_id,
            venue_id=reminder.venue_id,
            name=reminder.name,
            starts_at=reminder.starts_at.isoformat(),
        )
