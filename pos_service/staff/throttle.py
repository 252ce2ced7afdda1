"""The sign-in throttle: failed PIN checks counted per device, staff member and venue.

Each subject of a venue (``device:7``, ``staff:3``, ``venue``) has a failure count in
``auth_failures`` that only time clears (a window without failures), never anyone's
success. From its free count on, each further failure locks the subject for a doubling
time (``BASE`` s, then twice that ... up to ``MAX``). A locked device or venue refuses
every PIN; a locked member is refused on every device. A wrong PIN names no member, so
a device's failures since its last sign-in are charged to the member who signs in on it
next. Numbers: :class:`Limits` and docs/security.md.
"""

from __future__ import annotations

import datetime as dt

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core.db import now_utc


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    device_free: int = 5
    staff_free: int = 10
    venue_free: int = 50
    base_seconds: int = 30
    max_seconds: int = 900
    window_seconds: int = 900
    burst: int = 10
    """Failures at a venue within the window that raise an alert on the manager's page."""

    def free(self, subject: str) -> int:
        if subject.startswith("device:"):
            return self.device_free
        if subject.startswith("staff:"):
            return self.staff_free
        return self.venue_free

    def lock_seconds(self, subject: str, failures: int) -> int:
        """How long ``failures`` lock ``subject`` (0: not locked)."""
        over = failures - self.free(subject)
        if over < 0:
            return 0
        return int(min(self.base_seconds * 2 ** min(over, 20), self.max_seconds))


class Lock(msgspec.Struct, frozen=True):
    subject: str
    failures: int
    seconds: int


def retry_after(until: dt.datetime) -> int:
    return max(1, int((until - now_utc()).total_seconds()) + 1)


async def locked(session: AsyncSession, venue_id: int, subjects: list[str]) -> int:
    """Seconds until every one of ``subjects`` is unlocked (0: none is locked)."""
    until = await session.scalar(
        text(
            "SELECT max(locked_until) FROM auth_failures WHERE venue_id = :v "
            "AND subject = ANY(:s) AND locked_until > now()"
        ),
        {"v": venue_id, "s": subjects},
    )
    return 0 if until is None else retry_after(until)


_FAIL = text(
    "INSERT INTO auth_failures AS f (venue_id, subject, failures, unclaimed, last_failure_at) "
    "SELECT :v, s, :n, CASE WHEN s LIKE 'device:%' THEN :n ELSE 0 END, now() "
    "FROM unnest(CAST(:s AS text[])) AS s "
    "ON CONFLICT (venue_id, subject) DO UPDATE SET "
    "failures = CASE WHEN f.last_failure_at < now() - make_interval(secs => :w) "
    "  AND (f.locked_until IS NULL OR f.locked_until < now()) "
    "  THEN excluded.failures ELSE f.failures + excluded.failures END, "
    "unclaimed = f.unclaimed + excluded.unclaimed, last_failure_at = now() "
    "RETURNING subject, failures"
)


async def failed(
    session: AsyncSession, limits: Limits, venue_id: int, subjects: list[str], count: int = 1
) -> list[Lock]:
    """Count ``count`` failures for each subject; the locks this starts or lengthens."""
    rows = (
        await session.execute(
            _FAIL, {"v": venue_id, "s": subjects, "n": count, "w": limits.window_seconds}
        )
    ).all()
    locks = []
    for row in rows:
        subject, failures = str(row[0]), int(row[1])
        seconds = limits.lock_seconds(subject, failures)
        if seconds:
            await session.execute(
                text(
                    "UPDATE auth_failures SET locked_until = now() + make_interval(secs => :t) "
                    "WHERE venue_id = :v AND subject = :s"
                ),
                {"v": venue_id, "s": subject, "t": seconds},
            )
            locks.append(Lock(subject, failures, seconds))
    return locks


async def venue_failures(session: AsyncSession, venue_id: int) -> int:
    return int(
        await session.scalar(
            text("SELECT failures FROM auth_failures WHERE venue_id = :v AND subject = 'venue'"),
            {"v": venue_id},
        )
        or 0
    )


async def claim(
    session: AsyncSession, limits: Limits, venue_id: int, device: str, staff: str
) -> list[Lock]:
    """Charge the device's failures since its last sign-in to the member signing in."""
    unclaimed = await session.scalar(
        text(
            "UPDATE auth_failures SET unclaimed = 0 WHERE venue_id = :v AND subject = :d "
            "AND unclaimed > 0 RETURNING (SELECT unclaimed FROM auth_failures "
            "WHERE venue_id = :v AND subject = :d)"
        ),
        {"v": venue_id, "d": device},
    )
    if not unclaimed:
        return []
    return await failed(session, limits, venue_id, [staff], int(unclaimed))
