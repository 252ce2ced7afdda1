"""What the guest-profile and loyalty APIs read and write."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from pos_service.core.allergens import Allergen, AllergenNote
from pos_service.core.schemas import UNSET_FIELD, Id, Unset

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Phone = Annotated[str, msgspec.Meta(max_length=40)]
Email = Annotated[str, msgspec.Meta(max_length=254)]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=20)]
Allergens = Annotated[list[Allergen], msgspec.Meta(max_length=14)]
Points = Annotated[int, msgspec.Meta(ge=1, le=10**9)]


class GuestCreate(msgspec.Struct, kw_only=True):
    """A new profile; a phone or an email is needed to find it again."""

    name: Name
    phone: Phone | None = None
    email: Email | None = None
    marketing_consent: bool = False
    tags: Tags = []
    allergens: Allergens = []
    allergy_note: AllergenNote = ""


class GuestPatch(msgspec.Struct, kw_only=True):
    """Change a profile; ``tags`` and ``allergens`` replace the lists."""

    name: Name | Unset = UNSET_FIELD
    phone: Phone | Unset | None = UNSET_FIELD
    email: Email | Unset | None = UNSET_FIELD
    marketing_consent: bool | Unset = UNSET_FIELD
    tags: Tags | Unset = UNSET_FIELD
    allergens: Allergens | Unset = UNSET_FIELD
    allergy_note: AllergenNote | Unset = UNSET_FIELD


class GuestLink(msgspec.Struct, kw_only=True):
    """Who the check is for: a profile by ``guest_id``, or by ``phone``/``email``
    (a profile named ``name`` is created if none has it)."""

    guest_id: Id | None = None
    phone: Phone | None = None
    email: Email | None = None
    name: Name | None = None


class CheckGuestRead(msgspec.Struct, kw_only=True):
    """The guest a check is for, as the waiter sees it."""

    check_id: int
    guest_id: int
    name: str
    points: int
    tags: list[str]
    allergens: list[str]
    allergy_note: str
    created: bool


class LoyaltyRedeem(msgspec.Struct, kw_only=True):
    """Points of the check's guest to take off the bill as a reward discount."""

    points: Points


class LoyaltySettings(msgspec.Struct, kw_only=True):
    """``earn_per``: minor units spent per point earned (100: one point per 1.00);
    ``point_value``: minor units a point is worth when redeemed. Null switches off."""

    earn_per: Annotated[int, msgspec.Meta(ge=1, le=10**9)] | None = None
    point_value: Annotated[int, msgspec.Meta(ge=1, le=10**6)] | None = None


class GuestCheckRead(msgspec.Struct, kw_only=True):
    """A check linked to the guest; ``total`` and ``points`` once it closed."""

    check_id: int
    linked_at: dt.datetime
    closed_at: dt.datetime | None
    total: int | None
    points: int


class LoyaltyMovementRead(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    points: int
    balance: int
    check_id: int | None
    amount: int
    at: dt.datetime
