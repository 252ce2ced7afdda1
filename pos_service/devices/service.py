"""Pairing, enrolment, authentication and revocation of devices.

A manager makes a one-time pairing code (10 characters, 10 minutes); the device sends
it with the venue's slug and receives its credential ``<venue>.<device>.<secret>``,
which it keeps and sends with every PIN sign-in. :func:`enrol` makes a device directly
(the setup flow, the command line, tests). Revoking a device ends the sessions signed in
on it (through the session guard). See docs/security.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import secrets

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, NotFound, Unauthorized
from pos_service.devices.models import Device, DevicePairing
from pos_service.devices.schemas import DeviceRead, Enrolled, PairingCreate, PairingRead
from pos_service.venues import service as venues

PAIRING_TTL_SECONDS = 600
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 10  # 50 bits


def _hash(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def _read(row: Device) -> DeviceRead:
    return DeviceRead(
        id=row.id,
        name=row.name,
        kind=row.kind,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        revoked_at=row.revoked_at,
    )


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


async def enrol(
    session: AsyncSession,
    venue_id: int,
    name: str,
    kind: str,
    *,
    paired_by: int | None = None,
) -> tuple[Device, str]:
    """Make an enrolled device of the venue; returns it and its credential (shown once).
    For the setup flow, ``pos-service pair --enrol`` and tests; the caller audits."""
    secret = secrets.token_urlsafe(32)
    row = Device(
        venue_id=venue_id, name=name, kind=kind, secret_hash=_hash(secret), paired_by=paired_by
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return row, f"{venue_id}.{row.id}.{secret}"


async def create_pairing(session: AsyncSession, caller: Caller, data: PairingCreate) -> PairingRead:
    """A one-time code for pairing a device named ``data.name`` (managers)."""
    made = await make_pairing(session, caller.venue_id, data.name, data.kind, caller.staff_id)
    await audit.record(
        session, caller, "device.pairing_created", f"pairing:{data.name}", {"kind": data.kind}
    )
    return made


async def make_pairing(
    session: AsyncSession, venue_id: int, name: str, kind: str, created_by: int | None = None
) -> PairingRead:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires_at = now_utc() + dt.timedelta(seconds=PAIRING_TTL_SECONDS)
    session.add(
        DevicePairing(
            venue_id=venue_id,
            code_hash=_hash(code),
            name=name,
            kind=kind,
            created_by=created_by,
            expires_at=expires_at,
        )
    )
    await session.flush()
    shown = f"{code[:5]}-{code[5:]}"
    return PairingRead(
        code=shown, name=name, kind=kind, expires_at=expires_at, expires_in=PAIRING_TTL_SECONDS
    )


async def pair(session: AsyncSession, venue_slug: str, code: str) -> Enrolled:
    """Trade a valid, unused, unexpired pairing code for a device credential."""
    venue = await venues.by_slug(session, venue_slug)
    pairing = await session.scalar(
        update(DevicePairing)
        .where(
            DevicePairing.venue_id == venue.id,
            DevicePairing.code_hash == _hash(normalise_code(code)),
            DevicePairing.used_at.is_(None),
            DevicePairing.expires_at > now_utc(),
        )
        .values(used_at=now_utc())
        .returning(DevicePairing)
    )
    if pairing is None:
        raise Unauthorized("the pairing code is unknown, used or expired", field="code")
    row, credential = await enrol(
        session, venue.id, pairing.name, pairing.kind, paired_by=pairing.created_by
    )
    pairing.device_id = row.id
    actor = Caller(
        kind="staff",
        venue_id=venue.id,
        staff_id=pairing.created_by,
        name="pairing code",
        device_id=row.id,
    )
    await audit.record(
        session, actor, "device.paired", f"device:{row.id}", {"name": row.name, "kind": row.kind}
    )
    return Enrolled(credential=credential, device=_read(row), venue=venue.slug)


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


async def enrol_local(session: AsyncSession, venue_slug: str) -> Enrolled:
    """Enrol the browser of a demo server's own machine (the caller checked both)."""
    venue = await venues.by_slug(session, venue_slug)
    row, credential = await enrol(session, venue.id, "This computer (demo)", "manager")
    actor = Caller(kind="staff", venue_id=venue.id, name="demo server", device_id=row.id)
    await audit.record(
        session, actor, "device.paired", f"device:{row.id}", {"name": row.name, "local": True}
    )
    return Enrolled(credential=credential, device=_read(row), venue=venue.slug)


async def authenticate(session: AsyncSession, venue_id: int, credential: str | None) -> Device:
    """The venue's live device holding ``credential``; 401 (field ``device``) otherwise."""
    parts = (credential or "").split(".", 2)
    if len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit()):
        raise Unauthorized("this device is not enrolled: pair it first", field="device")
    device_venue, device_id, secret = int(parts[0]), int(parts[1]), parts[2]
    row = None
    if device_venue == venue_id:
        row = await session.get(Device, (venue_id, device_id))
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(secret)):
        raise Unauthorized("this device is not enrolled: pair it first", field="device")
    if row.revoked_at is not None:
        raise Unauthorized("this device was revoked: pair it again", field="device")
    row.last_seen_at = now_utc()
    return row


async def list_devices(session: AsyncSession, caller: Caller) -> list[DeviceRead]:
    """The venue's devices, live ones first, newest first."""
    rows = await session.execute(
        select(Device)
        .where(Device.venue_id == caller.venue_id)
        .order_by(Device.revoked_at.is_not(None), Device.id.desc())
    )
    return [_read(row) for row in rows.scalars()]


async def revoke(session: AsyncSession, caller: Caller, device_id: int) -> DeviceRead:
    """Revoke a device: its credential stops working and its sessions end (managers).
    A manager cannot revoke the device they are using (they would lock themselves out)."""
    row = await session.get(Device, (caller.venue_id, device_id), with_for_update=True)
    if row is None:
        raise NotFound("no device {device_id}", device_id=device_id, field="device_id")
    if device_id == caller.device_id:
        raise Conflict("you cannot revoke the device you are using", field="device_id")
    if row.revoked_at is None:
        row.revoked_at = now_utc()
        await audit.record(
            session, caller, "device.revoked", f"device:{row.id}", {"name": row.name}
        )
    await session.flush()
    return _read(row)
