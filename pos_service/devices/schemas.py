"""What the devices API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

DeviceKind = Literal["handheld", "kitchen", "host", "printer", "manager"]
"""A handheld, a kitchen or bar screen, a host stand, a print agent, a back-office browser."""

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class PairingCreate(msgspec.Struct, kw_only=True):
    name: Name
    kind: DeviceKind = "handheld"


class PairingRead(msgspec.Struct, kw_only=True):
    """A one-time code; the device enters it (with the venue) within ``expires_in`` s."""

    code: str
    name: str
    kind: str
    expires_at: dt.datetime
    expires_in: int


class Pair(msgspec.Struct, kw_only=True):
    venue: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class LocalEnrol(msgspec.Struct, kw_only=True):
    venue: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class DeviceRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    kind: str
    created_at: dt.datetime
    last_seen_at: dt.datetime | None
    revoked_at: dt.datetime | None


class Enrolled(msgspec.Struct, kw_only=True):
    """A new device's credential: kept by the device, shown once, never stored in clear."""

    credential: str
    device: DeviceRead
    venue: str
