"""Sign-in with a PIN, manager approvals, and staff creation.

A PIN identifies a staff member within a venue. To find the member without checking
every hash, each PIN also has a keyed digest (``pin_lookup``, unique per venue); the
argon2 hash is then verified. Failed attempts are counted per venue and client in
PostgreSQL, so the lockout holds across processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core.auth import ROLES, Caller, PinHasher, TokenSigner
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Forbidden, Invalid, TooManyAttempts, Unauthorized
from pos_service.core.models import Approval
from pos_service.staff.models import Staff
from pos_service.venues import service as venues

T = TypeVar("T")


class Security:
    """The signer, hasher and limits the staff service needs (from the settings)."""

    def __init__(
        self,
        signer: TokenSigner,
        hasher: PinHasher,
        *,
        token_ttl: int,
        approval_ttl: int,
        max_failures: int,
        lockout_seconds: int,
    ) -> None:
        self.signer = signer
        self.hasher = hasher
        self.token_ttl = token_ttl
        self.approval_ttl = approval_ttl
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds


def pin_lookup(security: Security, venue_id: int, pin: str) -> str:
    return security.signer.digest(f"pin:{venue_id}:{pin}")


async def create_staff(
    session: AsyncSession, security: Security, venue_id: int, name: str, roles: list[str], pin: str
) -> Staff:
    """Add a staff member; the PIN must be unique within the venue."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise Invalid(f"unknown roles {unknown}", field="roles")
    lookup = pin_lookup(security, venue_id, pin)
    taken = await session.scalar(
        select(Staff.id).where(Staff.venue_id == venue_id, Staff.pin_lookup == lookup)
    )
    if taken is not None:
        raise Conflict("this PIN is already in use in the venue", field="pin")
    member = Staff(
        venue_id=venue_id,
        name=name,
        roles=roles,
        pin_hash=security.hasher.hash(pin),
        pin_lookup=lookup,
    )
    session.add(member)
    await session.flush()
    return member


async def _check_lockout(session: AsyncSession, venue_id: int, client: str) -> None:
    locked = await session.scalar(
        text("SELECT locked_until FROM pin_attempts WHERE venue_id = :v AND client = :c"),
        {"v": venue_id, "c": client},
    )
    if locked is not None and locked > now_utc():
        seconds = int((locked - now_utc()).total_seconds()) + 1
        raise TooManyAttempts(
            f"too many wrong PINs; try again in {seconds} s", field="pin", retry_after=seconds
        )


async def record_failure(
    session: AsyncSession, security: Security, venue_id: int, client: str
) -> None:
    """Count a failed PIN (committed even though the login fails)."""
    await session.execute(
        text(
            "INSERT INTO pin_attempts (venue_id, client, failures, last_failure_at) "
            "VALUES (:v, :c, 1, now()) ON CONFLICT (venue_id, client) DO UPDATE SET "
            "failures = CASE WHEN pin_attempts.last_failure_at < now() - make_interval(secs => :w) "
            "  THEN 1 ELSE pin_attempts.failures + 1 END, last_failure_at = now(), "
            "locked_until = CASE WHEN pin_attempts.failures + 1 >= :n "
            "  AND pin_attempts.last_failure_at >= now() - make_interval(secs => :w) "
            "  THEN now() + make_interval(secs => :w) ELSE NULL END"
        ),
        {"v": venue_id, "c": client, "n": security.max_failures, "w": security.lockout_seconds},
    )


async def _find_by_pin(
    session: AsyncSession, security: Security, venue_id: int, pin: str
) -> Staff | None:
    member = (
        await session.execute(
            select(Staff).where(
                Staff.venue_id == venue_id,
                Staff.pin_lookup == pin_lookup(security, venue_id, pin),
                Staff.active.is_(True),
            )
        )
    ).scalar_one_or_none()
    if member is None or not security.hasher.verify(member.pin_hash, pin):
        return None
    return member


async def login(
    session: AsyncSession, security: Security, venue_slug: str, pin: str, client: str
) -> tuple[Staff, str] | None:
    """The staff member and a fresh token, or None for a wrong PIN (counted by the caller)."""
    venue = await venues.by_slug(session, venue_slug)
    await _check_lockout(session, venue.id, client)
    member = await _find_by_pin(session, security, venue.id, pin)
    if member is None:
        return None
    await session.execute(
        text("DELETE FROM pin_attempts WHERE venue_id = :v AND client = :c"),
        {"v": venue.id, "c": client},
    )
    caller = Caller(
        kind="staff",
        venue_id=venue.id,
        staff_id=member.id,
        name=member.name,
        roles=frozenset(member.roles),
    )
    return member, security.signer.issue(caller, security.token_ttl)


async def approve(
    session: AsyncSession, security: Security, caller: Caller, pin: str, action: str, client: str
) -> tuple[Staff, str] | None:
    """A one-use approval for ``action`` if ``pin`` is an active manager's; None if wrong."""
    await _check_lockout(session, caller.venue_id, client)
    member = await _find_by_pin(session, security, caller.venue_id, pin)
    if member is None:
        return None
    if "manager" not in member.roles:
        raise Forbidden("approvals need a manager's PIN", field="pin")
    token = secrets.token_urlsafe(24)
    session.add(
        Approval(
            venue_id=caller.venue_id,
            token_hash=_approval_hash(token),
            approver_id=member.id,
            action=action,
            expires_at=now_utc() + dt.timedelta(seconds=security.approval_ttl),
        )
    )
    await session.flush()
    return member, token


def _approval_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def consume_approval(
    session: AsyncSession, venue_id: int, token: str | None, action: str
) -> int:
    """Use up an approval for ``action``; returns the approving manager's id."""
    if not token:
        raise Forbidden(f"{action} needs a manager's approval", field="approval")
    approver = await session.scalar(
        text(
            "UPDATE approvals SET used_at = now() WHERE venue_id = :v AND token_hash = :h "
            "AND action = :a AND used_at IS NULL AND expires_at > now() RETURNING approver_id"
        ),
        {"v": venue_id, "h": _approval_hash(token), "a": action},
    )
    if approver is None:
        raise Forbidden(
            "the approval is unknown, used, expired or for another action", field="approval"
        )
    return int(approver)


async def with_pin_attempt(
    sessions: async_sessionmaker[AsyncSession],
    security: Security,
    venue: int | str,
    client: str,
    attempt: Callable[[AsyncSession], Awaitable[T | None]],
) -> T:
    """Run a PIN check; a wrong PIN is counted in its own committed transaction and
    answered 401 (429 once locked out)."""
    async with sessions() as session, session.begin():
        result = await attempt(session)
    if result is not None:
        return result
    async with sessions() as session, session.begin():
        venue_id = venue if isinstance(venue, int) else (await venues.by_slug(session, venue)).id
        await record_failure(session, security, venue_id, client)
    raise Unauthorized("wrong PIN", field="pin")
