"""First run: the setup code opens the creation of the first venue and its owner.

The setup API is public only while the database has no venue, and only with the code
that ``serve`` printed (see :mod:`pos_service.setup.code`). A wrong code is counted in
its own committed transaction; :data:`~pos_service.setup.code.MAX_FAILURES` in a row
lock the code for a few minutes. ``pos-service init`` calls :func:`create_first_venue`
directly: whoever runs commands on the server needs no code.

Second and later venues are created by the owner in the group (:func:`add_venue`).
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.audit import service as audit
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import DomainError, Gone, Invalid, TooManyAttempts, Unauthorized
from pos_service.devices import service as devices
from pos_service.setup import code as codes
from pos_service.setup.models import SetupCode
from pos_service.setup.schemas import OwnerCreate, SetupRequest, SetupResult, SetupStatus
from pos_service.staff import service as staff
from pos_service.staff.models import Staff, StaffMembership
from pos_service.staff.schemas import StaffRead
from pos_service.venues import service as venues
from pos_service.venues.models import Venue, VenueGroup
from pos_service.venues.schemas import VenueCreate, VenueRead

OWNER_ROLES = ["manager", "owner"]


async def status(session: AsyncSession) -> SetupStatus:
    return SetupStatus(needed=not await _has_venue(session))


async def _has_venue(session: AsyncSession) -> bool:
    return bool(await session.scalar(text("SELECT EXISTS (SELECT 1 FROM venues)")))


async def enrol_owner_device(
    session: AsyncSession, venue_id: int, owner_id: int
) -> tuple[int, str]:
    """The device the owner set the venue up on becomes an enrolled device of the venue
    (the setup code proved the owner is at the server), so the owner's PIN works on it:
    its id and credential (shown once, kept by the page)."""
    device, credential = await devices.enrol(
        session, venue_id, "Set-up device", "manager", paired_by=owner_id
    )
    return device.id, credential


async def create_first_venue(
    session: AsyncSession,
    security: staff.Security,
    venue: VenueCreate,
    owner: OwnerCreate,
    *,
    enrol_device: bool = True,
) -> tuple[Venue, Staff, Caller, str | None]:
    """The venue in a venue group of its own, and its owner; the owner as a caller."""
    group = VenueGroup(name=venue.name)
    session.add(group)
    await session.flush()
    try:
        row = await venues.new_venue(session, venue, group.id)
    except DomainError as exc:
        exc.field = f"venue.{exc.field}"
        raise
    member = await staff.create_staff(session, security, row.id, owner.name, OWNER_ROLES, owner.pin)
    device_id: int | None = None
    credential: str | None = None
    if enrol_device:
        device_id, credential = await enrol_owner_device(session, row.id, member.id)
    caller = Caller(
        kind="staff",
        venue_id=row.id,
        staff_id=member.id,
        name=member.name,
        roles=frozenset(member.roles),
        device_id=device_id,
        epoch=member.epoch,
    )
    if device_id is not None:
        await audit.record(
            session, caller, "device.paired", f"device:{device_id}", {"name": "Set-up device"}
        )
    await audit.record(
        session, caller, "venue.created", f"venue:{row.id}", {"slug": row.slug, "setup": True}
    )
    await audit.record(
        session, caller, "staff.created", f"staff:{member.id}", {"roles": list(member.roles)}
    )
    return row, member, caller, credential


async def _current_code(session: AsyncSession) -> SetupCode | None:
    found = await session.execute(
        select(SetupCode)
        .where(SetupCode.used_at.is_(None), SetupCode.expires_at > now_utc())
        .order_by(SetupCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    return found.scalar_one_or_none()


async def run_setup(
    sessions: async_sessionmaker[AsyncSession], security: staff.Security, data: SetupRequest
) -> SetupResult:
    """Create the first venue and its owner if ``data.code`` is the current setup code;
    answer the owner signed in. 410 once a venue exists, 401 for a wrong or expired
    code, 429 while wrong codes are locked out."""
    async with sessions() as session, session.begin():
        await session.execute(text("LOCK TABLE setup_codes IN EXCLUSIVE MODE"))
        if await _has_venue(session):
            raise Gone("this server is set up; sign in with your PIN", field="code")
        current = await _current_code(session)
        if current is None:
            raise Unauthorized(
                "no setup code is valid; restart the server for a new one", field="code"
            )
        now = now_utc()
        if current.locked_until is not None and current.locked_until > now:
            seconds = int((current.locked_until - now).total_seconds()) + 1
            raise TooManyAttempts(
                "too many wrong codes; try again in {retry_after} s",
                field="code",
                retry_after=seconds,
            )
        right = current.code_hash == codes.digest(data.code)
        if right:
            venue, member, caller, credential = await create_first_venue(
                session, security, data.venue, data.owner
            )
            current.used_at = now
            await session.flush()
            return SetupResult(
                token=security.signer.issue(caller, security.token_ttl),
                expires_in=security.token_ttl,
                staff=StaffRead(id=member.id, name=member.name, roles=list(member.roles)),
                venue_id=venue.id,
                venue=venue.slug,
                credential=credential or "",
            )
    async with sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE setup_codes SET failures = failures + 1, locked_until = CASE "
                "WHEN (failures + 1) % :n = 0 THEN now() + make_interval(mins => :m) END "
                "WHERE id = :id"
            ),
            {"n": codes.MAX_FAILURES, "m": codes.LOCK_MINUTES, "id": current.id},
        )
    raise Unauthorized("wrong setup code", field="code")


async def add_venue(
    session: AsyncSession, caller: Caller, security: staff.Security, data: VenueCreate
) -> VenueRead:
    """A new venue in the owner's venue group (a group of its own is made for a venue in
    none). The owner works there at once with their PIN, as manager and owner."""
    home = await venues.get(session, caller.venue_id)
    if home.group_id is None:
        group = VenueGroup(name=home.name)
        session.add(group)
        await session.flush()
        home.group_id = group.id
    if caller.staff_id is None:
        raise Invalid("only a staff member adds venues", field="Authorization")
    venue = await venues.new_venue(session, data, home.group_id)
    # the owner's PIN stays at their home venue (they may have joined this one)
    joined = await session.get(StaffMembership, (caller.venue_id, caller.staff_id))
    home_venue, home_staff = (
        (joined.home_venue_id, joined.home_staff_id)
        if joined is not None
        else (caller.venue_id, caller.staff_id)
    )
    local = Staff(
        venue_id=venue.id,
        name=caller.name,
        roles=list(OWNER_ROLES),
        pin_hash="",
        pin_lookup=f"member:{home_venue}:{home_staff}",
    )
    session.add(local)
    await session.flush()
    session.add(
        StaffMembership(
            venue_id=venue.id,
            staff_id=local.id,
            home_venue_id=home_venue,
            home_staff_id=home_staff,
        )
    )
    await session.flush()
    await audit.record(session, caller, "venue.created", f"venue:{venue.id}", {"slug": venue.slug})
    await audit.record(
        session,
        caller,
        "venue.created",
        f"venue:{venue.id}",
        {"slug": venue.slug},
        venue_id=venue.id,
    )
    return venues.venue_read(venue)
