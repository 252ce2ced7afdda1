"""Sign-in with a PIN, manager approvals, staff management and clocking in and out.

A PIN identifies a staff member within a venue. To find the member without checking
every hash, each PIN also has a keyed digest (``pin_lookup``, unique per venue); the
argon2 hash is then verified. Sign-in needs an enrolled device; failed attempts are
counted per device, member and venue in PostgreSQL (see :mod:`.throttle`), so the
limits hold across processes.

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
from typing import Any, TypeVar, cast

import msgspec
from sqlalchemy import Integer, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service import i18n
from pos_service.audit import service as audit
from pos_service.core import events
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
from pos_service.core.uow import Publisher
from pos_service.devices import service as devices
from pos_service.i18n import Language
from pos_service.staff import throttle
from pos_service.staff.events import (
    BreakEnded,
    BreakStarted,
    ClockedIn,
    ClockedOut,
    SignInBurst,
    SignInLocked,
)
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
        limits: throttle.Limits | None = None,
    ) -> None:
        self.signer = signer
        self.hasher = hasher
        self.token_ttl = token_ttl
        self.approval_ttl = approval_ttl
        self.limits = limits or throttle.Limits()


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
        raise Invalid("unknown roles {unknown}", unknown=unknown, field="roles")


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
            if other.id == venue_id:
                raise Conflict("this PIN is already in use in the venue", field="pin")
            raise Conflict("this PIN is already in use in the venue group", field="pin")


async def _find_by_pin(
    session: AsyncSession, security: Security, venue_id: int, pin: str
) -> Staff | None:
    lookup = pin_lookup(security, venue_id, pin)
    legacy = security.signer.legacy_digest(f"pin:{venue_id}:{pin}")
    member = (
        await session.execute(
            select(Staff).where(
                Staff.venue_id == venue_id,
                Staff.pin_lookup.in_([lookup, legacy]),
                Staff.active.is_(True),
            )
        )
    ).scalar_one_or_none()
    if member is None or not security.hasher.verify(member.pin_hash, pin):
        return None
    if member.pin_lookup != lookup:  # made by an older version: re-key it
        member.pin_lookup = lookup
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


class Attempt:
    """What a PIN check was about, for counting it if the PIN is wrong."""

    def __init__(self) -> None:
        self.venue_id = 0
        self.subjects: list[str] = []
        self.device_id: int | None = None
        self.client = ""


class Locked(msgspec.Struct, frozen=True):
    """A sign-in refused for a lock (answered 429 after the transaction commits)."""

    seconds: int
    locks: list[throttle.Lock] = []


async def login(
    session: AsyncSession,
    security: Security,
    venue_slug: str,
    pin: str,
    credential: str | None,
    attempt: Attempt,
) -> tuple[Staff, str, str] | Locked | None:
    """The staff member, a fresh token and the language their pages speak (theirs, else
    the venue's), ``Locked``, or None for a wrong PIN (counted by the caller). Only an
    enrolled device signs anyone in."""
    venue = await venues.by_slug(session, venue_slug)
    device = await devices.authenticate(session, venue.id, credential)
    attempt.venue_id, attempt.device_id = venue.id, device.id
    attempt.subjects = [f"device:{device.id}", "venue"]
    wait = await throttle.locked(session, venue.id, attempt.subjects)
    if wait:
        return Locked(wait)
    member = await _find_by_pin(session, security, venue.id, pin)
    if member is None:
        member = await _find_member(session, security, venue.id, pin)
    if member is None:
        return None
    staff_subject = f"staff:{member.id}"
    locks = await throttle.claim(
        session, security.limits, venue.id, attempt.subjects[0], staff_subject
    )
    wait = await throttle.locked(session, venue.id, [staff_subject])
    if wait:
        return Locked(wait, locks)
    caller = Caller(
        kind="staff",
        venue_id=venue.id,
        staff_id=member.id,
        name=member.name,
        roles=frozenset(member.roles),
        device_id=device.id,
        epoch=member.epoch,
    )
    language = member.language or i18n.language_of(venue.locale)
    return member, security.signer.issue(caller, security.token_ttl), language


async def approve(
    session: AsyncSession,
    security: Security,
    caller: Caller,
    pin: str,
    action: str,
    attempt: Attempt,
) -> tuple[Staff, str] | Locked | None:
    """A one-use approval for ``action`` if ``pin`` is an active manager's; None if it is
    not (a valid PIN of someone else counts as a failure alike, telling nothing)."""
    attempt.venue_id, attempt.device_id = caller.venue_id, caller.device_id
    attempt.subjects = [f"device:{caller.device_id}", f"staff:{caller.staff_id}", "venue"]
    wait = await throttle.locked(session, caller.venue_id, attempt.subjects)
    if wait:
        return Locked(wait)
    member = await _find_by_pin(session, security, caller.venue_id, pin)
    if member is None or "manager" not in member.roles:
        return None
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
        raise Forbidden("{action} needs a manager's approval", action=action, field="approval")
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
    publisher: Publisher,
    attempt: Attempt,
    check: Callable[[AsyncSession], Awaitable[T | Locked | None]],
) -> T:
    """Run a PIN check; a wrong PIN is counted (device, member, venue) in its own
    committed transaction and answered 401, or 429 with ``Retry-After`` once that
    locks a subject. Locks and bursts are audited and raise an alert event."""
    async with sessions() as session, session.begin():
        result = await check(session)
        committed = (
            await _alert(session, security, attempt, result.locks)
            if isinstance(result, Locked)
            else []
        )
    if committed:
        await publisher.published(committed)
    if isinstance(result, Locked):
        raise _too_many(result.seconds)
    if result is not None:
        return result
    async with sessions() as session, session.begin():
        locks = await throttle.failed(session, security.limits, attempt.venue_id, attempt.subjects)
        burst = await throttle.venue_failures(session, attempt.venue_id) == security.limits.burst
        committed = await _alert(session, security, attempt, locks, burst=burst)
    if committed:
        await publisher.published(committed)
    if locks:
        raise _too_many(max(lock.seconds for lock in locks))
    raise Unauthorized("wrong PIN", field="pin")


def _too_many(seconds: int) -> TooManyAttempts:
    return TooManyAttempts(
        "too many wrong PINs; try again in {retry_after} s", field="pin", retry_after=seconds
    )


async def _alert(
    session: AsyncSession,
    security: Security,
    attempt: Attempt,
    locks: list[throttle.Lock],
    *,
    burst: bool = False,
) -> list[events.Committed]:
    """Audit new locks and tell the managers' pages (topic ``alerts``)."""
    if not locks and not burst:
        return []
    actor = Caller(
        kind="staff", venue_id=attempt.venue_id, name="sign-in", device_id=attempt.device_id
    )
    for lock in locks:
        await audit.record(
            session,
            actor,
            "auth.locked",
            lock.subject,
            {"failures": lock.failures, "seconds": lock.seconds, "client": attempt.client},
        )
        events.record(
            session,
            attempt.venue_id,
            "alerts",
            SignInLocked(subject=lock.subject, failures=lock.failures, seconds=lock.seconds),
        )
    if burst:
        events.record(
            session,
            attempt.venue_id,
            "alerts",
            SignInBurst(failures=security.limits.burst, device_id=attempt.device_id),
        )
    return await events.flush(session)


# --- managing staff


def _member(row: Staff, home: str | None = None) -> StaffMember:
    return StaffMember(
        id=row.id,
        name=row.name,
        roles=list(row.roles),
        active=row.active,
        home_venue=home,
        version=row.version,
        language=cast("Language | None", row.language),
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
    row.language = data.language
    await audit.record(
        session, caller, "staff.created", f"staff:{row.id}", {"name": row.name, "roles": row.roles}
    )
    return _member(row)


async def _staff_row(session: AsyncSession, venue_id: int, staff_id: int) -> Staff:
    row = await session.get(Staff, (venue_id, staff_id), with_for_update=True)
    if row is None:
        raise NotFound("no staff member {staff_id}", staff_id=staff_id, field="staff_id")
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
            "staff member {staff_id} changed (version {version}, not {version2})",
            staff_id=staff_id,
            version=row.version,
            version2=data.version,
            field="version",
            current=msgspec.to_builtins(_member(row, home)),
        )
    before = (sorted(row.roles), row.active)
    if data.roles is not UNSET:
        _known_roles(data.roles)
        _check_owner_grant(caller, row.roles, data.roles)
        row.roles = sorted(set(data.roles))
    if data.name is not UNSET and data.name != row.name:
        await audit.record(
            session,
            caller,
            "staff.renamed",
            f"staff:{staff_id}",
            {"from": row.name, "to": data.name},
        )
        row.name = data.name
    if data.active is not UNSET:
        row.active = data.active
    if data.language is not UNSET:
        row.language = data.language
    if staff_id == caller.staff_id and (not row.active or "manager" not in row.roles):
        raise Conflict("you cannot take your own manager access away", field="roles")
    ended = before != (sorted(row.roles), row.active)
    if before[0] != sorted(row.roles):
        await audit.record(
            session,
            caller,
            "staff.roles_changed",
            f"staff:{staff_id}",
            {"from": before[0], "to": sorted(row.roles)},
        )
    if before[1] != row.active:
        action = "staff.reactivated" if row.active else "staff.deactivated"
        await audit.record(session, caller, action, f"staff:{staff_id}", {"name": row.name})
    if data.pin is not UNSET:
        if home is not None:
            raise Invalid("this member's PIN is kept at the venue {home!r}", home=home, field="pin")
        await _check_pin_free(session, security, caller.venue_id, data.pin, keep=staff_id)
        row.pin_hash = security.hasher.hash(data.pin)
        row.pin_lookup = pin_lookup(security, caller.venue_id, data.pin)
        await audit.record(session, caller, "staff.pin_reset", f"staff:{staff_id}", {})
        ended = True
    if ended:  # the member's sessions end (see core.sessions), at every venue they joined
        row.epoch += 1
        await session.execute(
            text(
                "UPDATE staff SET epoch = staff.epoch + 1 FROM staff_memberships m "
                "WHERE m.home_venue_id = :v AND m.home_staff_id = :s "
                "AND staff.venue_id = m.venue_id AND staff.id = m.staff_id"
            ),
            {"v": caller.venue_id, "s": staff_id},
        )
    row.version += 1
    await session.flush()
    return _member(row, home)


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
            "no member {staff_id} at home in {home_venue!r}",
            staff_id=data.staff_id,
            home_venue=data.home_venue,
            field="staff_id",
        )
    taken = await session.scalar(
        select(StaffMembership.staff_id).where(
            StaffMembership.venue_id == venue.id,
            StaffMembership.home_venue_id == home_venue.id,
            StaffMembership.home_staff_id == home.id,
        )
    )
    if taken is not None:
        raise Conflict(
            "{home} already works at {venue!r}", home=home.name, venue=data.venue, field="staff_id"
        )
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
    await audit.record(
        session,
        caller,
        "staff.created",
        f"staff:{local.id}",
        {"name": local.name, "roles": local.roles, "home_venue": home_venue.slug},
        venue_id=venue.id,
    )
    return _member(local, home_venue.slug)


# --- clocking in and out


def shift_read(row: Shift) -> ShiftRead:
    """A clocked shift as the API answers it."""
    return ShiftRead(
        id=row.id,
        staff_id=row.staff_id,
        clock_in=row.clock_in,
        clock_out=row.clock_out,
        planned_shift_id=row.planned_shift_id,
        approved_by=row.approved_by,
        on_break_since=row.break_started_at,
        break_seconds=row.break_seconds,
        closed_by_day_close=row.closed_by_day_close,
    )


_shift = shift_read


def _signed_in(caller: Caller) -> int:
    if caller.staff_id is None:
        raise Forbidden("only a staff member clocks in", field="Authorization")
    return caller.staff_id


async def clock_in(
    session: AsyncSession,
    caller: Caller,
    *,
    planned: tuple[int, dt.datetime] | None = None,
    approved_by: int | None = None,
) -> ShiftRead:
    """Open a shift for the signed-in member; 409 if they have one open. ``planned``:
    the roster shift (id, planned end) it is clocked against; ``approved_by``: the manager
    who let it through (see ``pos_service.rosters.clocking``)."""
    staff_id = _signed_in(caller)
    opened = await session.scalar(
        insert(Shift)
        .values(
            venue_id=caller.venue_id,
            staff_id=staff_id,
            clock_in=now_utc(),
            planned_shift_id=planned[0] if planned else None,
            planned_end=planned[1] if planned else None,
            approved_by=approved_by,
        )
        .on_conflict_do_nothing(
            index_elements=["venue_id", "staff_id"], index_where=Shift.clock_out.is_(None)
        )
        .returning(Shift.id)
    )
    if opened is None:
        raise Conflict("you are already clocked in", field="Authorization")
    row = await session.get(Shift, (caller.venue_id, opened))
    assert row is not None
    at = row.clock_in.isoformat()
    events.record(
        session, caller.venue_id, "staff", ClockedIn(shift_id=row.id, staff_id=staff_id, at=at)
    )
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
        .values(
            clock_out=func.greatest(func.now(), Shift.clock_in),
            break_seconds=Shift.break_seconds + _break_so_far(),
            break_started_at=None,
        )
        .returning(Shift.id)
    )
    if closed is None:
        raise Conflict("you are not clocked in", field="Authorization")
    row = await session.get(Shift, (caller.venue_id, closed), populate_existing=True)
    assert row is not None
    assert row.clock_out is not None
    at = row.clock_out.isoformat()
    events.record(
        session, caller.venue_id, "staff", ClockedOut(shift_id=row.id, staff_id=staff_id, at=at)
    )
    return _shift(row)


def _break_so_far() -> Any:
    """Seconds of the break running now (0 when none), in SQL."""
    return func.coalesce(
        func.floor(func.extract("epoch", func.now() - Shift.break_started_at)), 0
    ).cast(Integer)


async def take_break(session: AsyncSession, caller: Caller, start: bool) -> ShiftRead:
    """Start (``start``) or end a break in the signed-in member's open shift; 409 if they
    are not clocked in, already on a break or not on one."""
    staff_id = _signed_in(caller)
    row = (
        await session.execute(
            select(Shift)
            .where(
                Shift.venue_id == caller.venue_id,
                Shift.staff_id == staff_id,
                Shift.clock_out.is_(None),
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        raise Conflict("you are not clocked in", field="Authorization")
    now = now_utc()
    if start:
        if row.break_started_at is not None:
            raise Conflict("you are already on a break", field="Authorization")
        row.break_started_at = now
        event: BreakStarted | BreakEnded = BreakStarted(
            shift_id=row.id, staff_id=staff_id, at=now.isoformat()
        )
    else:
        if row.break_started_at is None:
            raise Conflict("you are not on a break", field="Authorization")
        row.break_seconds += max(0, int((now - row.break_started_at).total_seconds()))
        row.break_started_at = None
        event = BreakEnded(
            shift_id=row.id, staff_id=staff_id, at=now.isoformat(), break_seconds=row.break_seconds
        )
    await session.flush()
    events.record(session, caller.venue_id, "staff", event)
    return shift_read(row)


async def open_shift(session: AsyncSession, venue_id: int, staff_id: int) -> Shift | None:
    """The member's open clocked shift, if any."""
    found: Shift | None = (
        await session.execute(
            select(Shift).where(
                Shift.venue_id == venue_id, Shift.staff_id == staff_id, Shift.clock_out.is_(None)
            )
        )
    ).scalar_one_or_none()
    return found


async def close_forgotten(
    session: AsyncSession, venue_id: int, now: dt.datetime
) -> list[tuple[Shift, Staff]]:
    """The day close: end every shift still open (nobody clocked out) at its planned end,
    if that lies between its clock-in and now, else now; flag them
    ``closed_by_day_close``. Returns them with their members, by clock-in."""
    rows = await session.execute(
        select(Shift, Staff)
        .join(Staff, (Staff.venue_id == Shift.venue_id) & (Staff.id == Shift.staff_id))
        .where(Shift.venue_id == venue_id, Shift.clock_out.is_(None))
        .order_by(Shift.clock_in, Shift.id)
        .with_for_update(of=Shift)
    )
    closed = []
    for shift, member in rows.all():
        end = now
        if shift.planned_end is not None and shift.clock_in <= shift.planned_end < now:
            end = shift.planned_end
        end = max(end, shift.clock_in)
        if shift.break_started_at is not None:
            shift.break_seconds += max(0, int((end - shift.break_started_at).total_seconds()))
            shift.break_started_at = None
        shift.clock_out = end
        shift.closed_by_day_close = True
        events.record(
            session,
            venue_id,
            "staff",
            ClockedOut(shift_id=shift.id, staff_id=member.id, at=end.isoformat(), forgotten=True),
        )
        closed.append((shift, member))
    await session.flush()
    return closed


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
