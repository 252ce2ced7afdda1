"""The session guard: is a signed token's session still alive?

A staff token is signed and carries the member's session ``epoch`` and the enrolled
device it was issued on. A session ends when the member's epoch moves on (role change,
deactivation, PIN change), the member is deactivated, or the device is revoked. The
guard checks this on every request and every open socket against a per-venue view of
the database (the members' epochs and the live devices), read by one query and kept
for :data:`FRESH_SECONDS`. A change made in this process drops the view at once
(:meth:`SessionGuard.forget`); other processes see it within :data:`FRESH_SECONDS`.
Open sockets are swept every :data:`SWEEP_SECONDS` and closed with 4401 once their
session ended or their token expired. See docs/decisions/1202-session-epochs.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

import asyncpg
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service import i18n
from pos_service.core.auth import Caller
from pos_service.core.db import driver, plain
from pos_service.i18n import N_

log = structlog.get_logger(__name__)

FRESH_SECONDS = 0.4
RECHECK_SECONDS = 0.05
"""A refused session is judged again on a view at most this old (a new member, a
device just paired): an attacker's stale token costs at most 20 reads a second."""
SWEEP_SECONDS = 0.25

VIEW_SQL = (
    "SELECT coalesce((SELECT array_agg(id ORDER BY id) FROM staff WHERE venue_id = $1 "
    "AND active), '{}'::bigint[]), coalesce((SELECT array_agg(epoch ORDER BY id) FROM staff "
    "WHERE venue_id = $1 AND active), '{}'::int[]), coalesce((SELECT array_agg(id) FROM "
    "devices WHERE venue_id = $1 AND revoked_at IS NULL), '{}'::bigint[]), "
    "coalesce((SELECT array_agg(coalesce(language, '') ORDER BY id) FROM staff WHERE "
    "venue_id = $1 AND active), '{}'::text[]), (SELECT locale FROM venues WHERE id = $1)"
)


class _View:
    __slots__ = ("devices", "epochs", "languages", "read_at", "read_wall")

    def __init__(
        self,
        epochs: dict[int, int],
        devices: frozenset[int],
        read_at: float,
        languages: dict[int, str] | None = None,
    ) -> None:
        self.epochs = epochs
        self.devices = devices
        self.languages = languages or {}
        """Each active member's language: their own, else the venue's."""
        self.read_at = read_at
        self.read_wall = time.time() - (time.monotonic() - read_at)


Closer = Callable[[int, str], Awaitable[None]]


class SessionGuard:
    """See the module docstring. One per process (``app.state.guard``)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        token_ttl: int,
        pool: asyncpg.Pool | None = None,
    ) -> None:
        self._sessions = sessions
        self._pool = pool  # the plain pool: one statement, no ORM session (decision 1480)
        self._token_ttl = token_ttl
        self._views: dict[int, _View] = {}
        self._reading: dict[int, asyncio.Future[_View]] = {}
        self._sockets: dict[int, tuple[Caller, Closer]] = {}
        self._next = 0
        self._sweeper: asyncio.Task[None] | None = None

    async def refusal(self, caller: Caller) -> str | None:
        """Why ``caller``'s session is over, or None while it lives (guests always live
        until their link expires)."""
        if caller.kind != "staff":
            return None
        if caller.exp < time.time():
            return N_("token expired")
        if caller.device_id is None:
            return N_("sign in again on an enrolled device")
        view = await self._view(caller.venue_id, FRESH_SECONDS)
        if self._judge(view, caller) is not None:
            # a member or device newer than the view? Read again: at once if the view may
            # be older than the token (``exp`` counts whole seconds), else at most every
            # RECHECK_SECONDS.
            issued = caller.exp - self._token_ttl
            fresh = 0.0 if view.read_wall < issued + 1 else RECHECK_SECONDS
            view = await self._view(caller.venue_id, fresh)
        return self._judge(view, caller)

    @staticmethod
    def _judge(view: _View, caller: Caller) -> str | None:
        if caller.device_id not in view.devices:
            return N_("this device was revoked")
        epoch = view.epochs.get(caller.staff_id or 0)
        if epoch is None:
            return N_("this staff member was deactivated")
        if epoch != caller.epoch:
            return N_("your roles or PIN changed: sign in again")
        return None

    def language(self, caller: Caller) -> tuple[str | None, str | None]:
        """The languages of a staff caller whose session was just judged alive, from the
        same view: their own (None if they chose none) and their venue's (None if not
        known)."""
        view = self._views.get(caller.venue_id)
        if view is None:
            return None, None
        own = view.languages.get(caller.staff_id or 0)
        return own or None, view.languages.get(0)

    def forget(self, venue_id: int) -> None:
        """Drop the venue's view (after committing a change to its staff or devices)."""
        self._views.pop(venue_id, None)

    async def _view(self, venue_id: int, max_age: float) -> _View:
        view = self._views.get(venue_id)
        if view is not None and time.monotonic() - view.read_at < max_age:
            return view
        reading = self._reading.get(venue_id)
        if reading is not None:  # one read per venue at a time; the others wait for it
            return await asyncio.shield(reading)
        future: asyncio.Future[_View] = asyncio.get_running_loop().create_future()
        self._reading[venue_id] = future
        try:
            started = time.monotonic()
            if self._pool is not None:
                async with plain(self._pool) as conn:
                    ids, epochs, devices, languages, locale = await conn.fetchrow(
                        VIEW_SQL, venue_id
                    )
            else:
                async with self._sessions() as session, session.begin():
                    conn = await driver(session)
                    ids, epochs, devices, languages, locale = await conn.fetchrow(
                        VIEW_SQL, venue_id
                    )
            venue_language = i18n.language_of(locale)
            view = _View(
                dict(zip(ids, epochs, strict=True)),
                frozenset(devices),
                started,
                {  # each member's own language, and the venue's under 0
                    0: venue_language,
                    **{
                        staff_id: language
                        for staff_id, language in zip(ids, languages, strict=True)
                        if language
                    },
                },
            )
            self._views[venue_id] = view
            future.set_result(view)
            return view
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it
            raise
        finally:
            del self._reading[venue_id]

    # -- open sockets --------------------------------------------------------------
    def watch(self, caller: Caller, close: Closer) -> int:
        """Close this socket (``close(4401, reason)``) once its session ends."""
        self._next += 1
        self._sockets[self._next] = (caller, close)
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep())
        return self._next

    def unwatch(self, handle: int) -> None:
        self._sockets.pop(handle, None)

    async def _sweep(self) -> None:
        while self._sockets:
            await asyncio.sleep(SWEEP_SECONDS)
            for handle, (caller, close) in list(self._sockets.items()):
                try:
                    reason = await self.refusal(caller)
                except Exception as exc:  # the database is away: judge again next sweep
                    log.debug("session sweep failed", error=repr(exc))
                    break
                if reason is not None and self._sockets.pop(handle, None) is not None:
                    with contextlib.suppress(Exception):
                        await close(4401, reason)

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
