"""What the auth API reads and writes."""

from __future__ import annotations

from typing import Annotated

import msgspec

Pin = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4,8}$", description="4 to 8 digits")]


class Login(msgspec.Struct, kw_only=True):
    venue: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    pin: Pin


class StaffRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    roles: list[str]


class LoginResult(msgspec.Struct, kw_only=True):
    token: str
    expires_in: int
    staff: StaffRead
    venue_id: int


class ApprovalRequest(msgspec.Struct, kw_only=True):
    pin: Pin
    action: Annotated[str, msgspec.Meta(pattern=r"^[a-z_]{1,32}$")]


class ApprovalRead(msgspec.Struct, kw_only=True):
    approval: str
    action: str
    approver: StaffRead
    expires_in: int
