"""Sign-in with a PIN, manager approvals, staff management and clocking in and out.

A PIN identifies a staff member within a venue. To find the member without checking
every hash, each PIN also has a keyed digest (``pin_lookup``, unique per venue); the
argon2 hash is then verified. Failed attempts are counted per venue and client in
PostgreSQL, so the lockout holds across processes.

In a venue group a PIN is unique across the group's venues, and a person works at other
venues of the group through memberships: a staff row of that venue (its roles there)
tied to the home row that keeps the PIN. Sign-in at a venue first looks for its own
members, then for the members who joined from another venue, one home venue at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

import msgspec
from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.audit import service as audit
from pos_service.core.auth import ROLES, Caller, PinHasher, TokenSigner
from pos_service.core.db import now_utc
from pos_service.core.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    TooManyAttempts,
    Unauthorized,
)
from pos_service.core.models import Approval
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.staff.models import Shift, Staff, StaffMembership
from pos_service.staff.schemas import (
    MembershipCreate,
    ShiftRead,
    StaffCreate,
    StaffMember,
    StaffPatch,
    TipPool,
)
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

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
    """Add a staff member; the PIN must be unique within the venue (and its group)."""
    _known_roles(roles)
    await _check_pin_free(session, security, venue_id, pin)
    member = Staff(
        venue_id=venue_id,
        name=name,
        roles=sorted(set(roles)),
        pin_hash=security.hasher.hash(pin),
        pin_lookup=pin_lookup(security, venue_id, pin),
    )
    session.add(member)
    await session.flush()
    return member


def _known_roles(roles: list[str]) -> None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise Invalid(f"unknown roles {unknown}", field="roles")


async def _check_pin_free(
    session: AsyncSession, security: Security, venue_id: int, pin: str, keep: int | None = None
) -> None:
    """409 if ``pin`` signs someone in at the venue or at another venue of its group
    (``keep``: the member of ``venue_id`` whose PIN it already is)."""
    venue = await venues.get(session, venue_id)
    scope = [venue] if venue.group_id is None else await venues.group_venues(session, venue_id)
    for other in scope:
        taken = await session.scalar(
            select(Staff.id).where(
                Staff.venue_id == other.id, Staff.pin_lookup == pin_lookup(security, other.id, pin)
            )
        )
        if taken is not None and (other.id, taken) != (venue_id, keep):
            where = "venue" if other.id == venue_id else "venue group"
            raise Conflict(f"this PIN is already in use in the {where}", field="pin")


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


async def _find_member(
    session: AsyncSession, security: Security, venue_id: int, pin: str
) -> Staff | None:
    """The venue's staff row of a member who joined from another venue, by their PIN."""
    joined = (
        (await session.execute(select(StaffMembership).where(StaffMembership.venue_id == venue_id)))
        .scalars()
        .all()
    )
    for home_venue in sorted({m.home_venue_id for m in joined}):
        home = await _find_by_pin(session, security, home_venue, pin)
        if home is None:
            continue
        for m in joined:
            if (m.home_venue_id, m.home_staff_id) == (home_venue, home.id):
                local = await session.get(Staff, (venue_id, m.staff_id))
                return local if local is not None and local.active else None
    return None


async def login(
    session: AsyncSession, security: Security, venue_slug: str, pin: str, client: str
) -> tuple[Staff, str] | None:
    """The staff member and a fresh token, or None for a wrong PIN (counted by the caller)."""
    venue = await venues.by_slug(session, venue_slug)
    await _check_lockout(session, venue.id, client)
    member = await _find_by_pin(session, security, venue.id, pin)
    if member is None:
        member = await _find_member(session, security, venue.id, pin)
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


# --- managing staff


def _member(row: Staff, home: str | None = None) -> StaffMember:
    return StaffMember(
        id=row.id,
        name=row.name,
        roles=list(row.roles),
        active=row.active,
        home_venue=home,
        version=row.version,
    )


async def _homes(session: AsyncSession, venue_id: int) -> dict[int, str]:
    """Staff id -> slug of the home venue, for members who joined from another venue."""
    rows = await session.execute(
        select(StaffMembership.staff_id, Venue.slug)
        .join(Venue, Venue.id == StaffMembership.home_venue_id)
        .where(StaffMembership.venue_id == venue_id)
    )
    return dict(rows.all())


def _check_owner_grant(caller: Caller, before: list[str], after: list[str]) -> None:
    """Only an owner gives or takes the ``owner`` role (it opens the whole group)."""
    if ("owner" in before) != ("owner" in after) and "owner" not in caller.roles:
        raise Forbidden("only an owner gives or takes the owner role", field="roles")


async def list_staff(session: AsyncSession, caller: Caller) -> list[StaffMember]:
    """The venue's staff, active or not, by id."""
    homes = await _homes(session, caller.venue_id)
    rows = await session.execute(
        select(Staff).where(Staff.venue_id == caller.venue_id).order_by(Staff.id)
    )
    return [_member(row, homes.get(row.id)) for row in rows.scalars()]


async def add_staff(
    session: AsyncSession, caller: Caller, security: Security, data: StaffCreate
) -> StaffMember:
    """Add a member to the venue (see :func:`create_staff` for the PIN rules)."""
    _check_owner_grant(caller, [], data.roles)
    row = await create_staff(session, security, caller.venue_id, data.name, data.roles, data.pin)
    await audit.record(
        session, caller, "staff.created", f"staff:{row.id}", {"name": row.name, "roles": row.roles}
    )
    return _member(row)


async def _staff_row(session: AsyncSession, venue_id: int, staff_id: int) -> Staff:
    row = await session.get(Staff, (venue_id, staff_id), with_for_update=True)
    if row is None:
        raise NotFound(f"no staff member {staff_id}", field="staff_id")
    return row


async def patch_staff(
    session: AsyncSession, caller: Caller, security: Security, staff_id: int, data: StaffPatch
) -> StaffMember:
    """Rename, change roles or PIN, deactivate or reactivate a member. A manager cannot
    take their own manager role or sign-in away; a joined member's PIN is changed at
    their home venue."""
    row = await _staff_row(session, caller.venue_id, staff_id)
    home = (await _homes(session, caller.venue_id)).get(staff_id)
    if data.version is not UNSET and data.version != row.version:
        raise Conflict(
            f"staff member {staff_id} changed (version {row.version}, not {data.version})",
            field="version",
            current=msgspec.to_builtins(_member(row, home)),
        )
    before = _member(row, home)
    if data.roles is not UNSET:
        _known_roles(data.roles)
        _check_owner_grant(caller, row.roles, data.roles)
        row.roles = sorted(set(data.roles))
    if data.name is not UNSET:
        row.name = data.name
    if data.active is not UNSET:
        row.active = data.active
    if staff_id == caller.staff_id and (not row.active or "manager" not in row.roles):
        raise Conflict("you cannot take your own manager access away", field="roles")
    if data.pin is not UNSET:
        if home is not None:
            raise Invalid(f"this member's PIN is kept at the venue {home!r}", field="pin")
        await _check_pin_free(session, security, caller.venue_id, data.pin, keep=staff_id)
        row.pin_hash = security.hasher.hash(data.pin)
        row.pin_lookup = pin_lookup(security, caller.venue_id, data.pin)
    row.version += 1
    await session.flush()
    after = _member(row, home)
    changed: dict[str, object] = {
        name: getattr(after, name)
        for name in ("name", "roles", "active")
        if getattr(after, name) != getattr(before, name)
    }
    if data.pin is not UNSET:
        changed["pin"] = "reset"  # never the PIN itself
    await audit.record(session, caller, "staff.changed", f"staff:{row.id}", changed)
    return after


async def add_membership(
    session: AsyncSession, caller: Caller, data: MembershipCreate
) -> StaffMember:
    """Let a member of one venue of the owner's group sign in at another with their PIN."""
    _known_roles(data.roles)
    home_venue = await venues.group_venue(session, caller.venue_id, data.home_venue, "home_venue")
    venue = await venues.group_venue(session, caller.venue_id, data.venue, "venue")
    if venue.id == home_venue.id:
        raise Invalid("the member already works at their home venue", field="venue")
    home = await session.get(Staff, (home_venue.id, data.staff_id))
    joined_there = await session.get(StaffMembership, (home_venue.id, data.staff_id))
    if home is None or not home.active or joined_there is not None:
        raise NotFound(
            f"no member {data.staff_id} at home in {data.home_venue!r}", field="staff_id"
        )
    taken = await session.scalar(
        select(StaffMembership.staff_id).where(
            StaffMembership.venue_id == venue.id,
            StaffMembership.home_venue_id == home_venue.id,
            StaffMembership.home_staff_id == home.id,
        )
    )
    if taken is not None:
        raise Conflict(f"{home.name} already works at {data.venue!r}", field="staff_id")
    local = Staff(
        venue_id=venue.id,
        name=home.name,
        roles=sorted(set(data.roles)),
        pin_hash="",
        pin_lookup=f"member:{home_venue.id}:{home.id}",
    )
    session.add(local)
    await session.flush()
    session.add(
        StaffMembership(
            venue_id=venue.id,
            staff_id=local.id,
            home_venue_id=home_venue.id,
            home_staff_id=home.id,
        )
    )
    await session.flush()
    return _member(local, home_venue.slug)


# --- clocking in and out


def _shift(row: Shift) -> ShiftRead:
    return ShiftRead(
        id=row.id, staff_id=row.staff_id, clock_in=row.clock_in, clock_out=row.clock_out
    )


def _signed_in(caller: Caller) -> int:
    if caller.staff_id is None:
        raise Forbidden("only a staff member clocks in", field="Authorization")
    return caller.staff_id


async def clock_in(session: AsyncSession, caller: Caller) -> ShiftRead:
    """Open a shift for the signed-in member; 409 if they have one open."""
    staff_id = _signed_in(caller)
    opened = await session.scalar(
        insert(Shift)
        .values(venue_id=caller.venue_id, staff_id=staff_id, clock_in=now_utc())
        .on_conflict_do_nothing(
            index_elements=["venue_id", "staff_id"], index_where=Shift.clock_out.is_(None)
        )
        .returning(Shift.id)
    )
    if opened is None:
        raise Conflict("you are already clocked in", field="Authorization")
    row = await session.get(Shift, (caller.venue_id, opened))
    assert row is not None
    return _shift(row)


async def clock_out(session: AsyncSession, caller: Caller) -> ShiftRead:
    """Close the signed-in member's open shift; 409 if none is open."""
    staff_id = _signed_in(caller)
    closed = await session.scalar(
        update(Shift)
        .where(
            Shift.venue_id == caller.venue_id,
            Shift.staff_id == staff_id,
            Shift.clock_out.is_(None),
        )
        .values(clock_out=func.greatest(func.now(), Shift.clock_in))
        .returning(Shift.id)
    )
    if closed is None:
        raise Conflict("you are not clocked in", field="Authorization")
    row = await session.get(Shift, (caller.venue_id, closed), populate_existing=True)
    assert row is not None
    return _shift(row)


# --- the tip pool rule


async def get_tip_pool(session: AsyncSession, caller: Caller) -> TipPool:
    """The venue's tip pooling rule (``none`` until a manager sets one)."""
    return tip_pool_of((await venues.get(session, caller.venue_id)).settings)


def tip_pool_of(settings: dict[str, object]) -> TipPool:
    """The tip pooling rule kept in a venue's settings."""
    return msgspec.convert(settings.get("tip_pool", {}), TipPool)


async def set_tip_pool(session: AsyncSession, caller: Caller, data: TipPool) -> TipPool:
    """Set how the venue's card tips are pooled from the next day close on."""
    _known_roles([*data.roles, *data.points])
    if data.mode == "points" and not any(data.points.get(role) for role in data.roles):
        raise Invalid("a points pool needs points for at least one pooled role", field="points")
    venue = await venues.get(session, caller.venue_id)
    venue.settings = {**venue.settings, "tip_pool": msgspec.to_builtins(data)}
    await session.flush()
    return data


async def shifts_between(
    session: AsyncSession, venue_id: int, start: dt.datetime, end: dt.datetime
) -> list[tuple[Shift, Staff]]:
    """The shifts that began in ``[start, end)`` with their members, by start."""
    rows = await session.execute(
        select(Shift, Staff)
        .join(Staff, (Staff.venue_id == Shift.venue_id) & (Staff.id == Shift.staff_id))
        .where(Shift.venue_id == venue_id, Shift.clock_in >= start, Shift.clock_in < end)
        .order_by(Shift.clock_in, Shift.id)
    )
    return [(shift, member) for shift, member in rows.all()]
