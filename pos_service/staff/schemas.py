"""What the auth and staff APIs read and write."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from pos_service.i18n import Language

Pin = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4,8}$", description="4 to 8 digits")]


class Login(msgspec.Struct, kw_only=True):
    venue: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    pin: Pin
    device: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    """The enrolled device's credential (see ``/api/devices/pair``)."""


class StaffRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    roles: list[str]


class LoginResult(msgspec.Struct, kw_only=True):
    token: str
    expires_in: int
    staff: StaffRead
    venue_id: int
    language: Language = "en"
    """The language the pages speak to this member: their own choice, else the venue's."""


class ApprovalRequest(msgspec.Struct, kw_only=True):
    pin: Pin
    action: Annotated[str, msgspec.Meta(pattern=r"^[a-z_]{1,32}$")]


class ApprovalRead(msgspec.Struct, kw_only=True):
    approval: str
    action: str
    approver: StaffRead
    expires_in: int


RoleName = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{1,16}$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class StaffMember(msgspec.Struct, kw_only=True):
    """A staff member of the venue; ``home_venue`` names the venue keeping the PIN of a
    member who joined from another venue of the group (None: this venue)."""

    id: int
    name: str
    roles: list[str]
    active: bool
    home_venue: str | None = None
    version: int = 1
    language: Language | None = None
    """The member's own language; None: the venue's."""


class StaffCreate(msgspec.Struct, kw_only=True):
    """A new member; the PIN must be unused in every venue of the group."""

    name: Name
    roles: Annotated[list[RoleName], msgspec.Meta(min_length=1, max_length=7)]
    pin: Pin
    language: Language | None = None


class StaffPatch(msgspec.Struct, kw_only=True):
    """Change a member's name, roles, PIN or whether they may sign in."""

    name: Name | UnsetType = UNSET
    roles: Annotated[list[RoleName], msgspec.Meta(min_length=1, max_length=7)] | UnsetType = UNSET
    pin: Pin | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    language: Language | UnsetType | None = UNSET
    """The member's own language, or null for the venue's."""
    version: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | UnsetType = UNSET
    """The version the change was made on (409 with the current member when stale)."""


class ShiftRead(msgspec.Struct, kw_only=True):
    id: int
    staff_id: int
    clock_in: dt.datetime
    clock_out: dt.datetime | None
    planned_shift_id: int | None = None
    """The published roster shift clocked against (None: none that day)."""
    approved_by: int | None = None
    """The manager who approved an early, late or unplanned clock-in."""
    on_break_since: dt.datetime | None = None
    break_seconds: int = 0
    """Breaks taken so far (ended ones)."""
    closed_by_day_close: bool = False
    """A forgotten clock-out: the day close ended the shift."""


class TipPool(msgspec.Struct, kw_only=True):
    """How the day's card tips are shared at the day close.

    ``hours``: among members with one of ``roles`` who clocked in that business day, in
    proportion to the time they worked. ``points``: the same members, each weighing the
    highest ``points`` of their roles. ``none``: tips are not pooled.
    """

    mode: Literal["none", "hours", "points"] = "none"
    roles: Annotated[list[RoleName], msgspec.Meta(max_length=7)] = msgspec.field(
        default_factory=lambda: ["waiter", "bar"]
    )
    points: dict[RoleName, Annotated[int, msgspec.Meta(ge=0, le=1000)]] = msgspec.field(
        default_factory=dict
    )


class MembershipCreate(msgspec.Struct, kw_only=True):
    """Let member ``staff_id`` of ``home_venue`` sign in at ``venue`` with ``roles``."""

    home_venue: Slug
    staff_id: Annotated[int, msgspec.Meta(ge=1, le=2**62)]
    venue: Slug
    roles: Annotated[list[RoleName], msgspec.Meta(min_length=1, max_length=7)]
