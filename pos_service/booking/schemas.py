"""What the public booking API reads and writes: nothing of the staff, the tables or
other guests."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from pos_service.core.allergens import Allergen, AllergenNote

PartySize = Annotated[int, msgspec.Meta(ge=1, le=99)]


class BookingVenueRead(msgspec.Struct, kw_only=True):
    """What the page needs to start: the venue's name, timezone and party cap."""

    name: str
    slug: str
    timezone: str
    locale: str
    max_party: int


class OpenSlot(msgspec.Struct, kw_only=True):
    starts_at: dt.datetime


class OpenSlots(msgspec.Struct, kw_only=True):
    date: dt.date
    party_size: int
    timezone: str
    slots: list[OpenSlot]


class BookingCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A guest books: who, how many, when, how to reach them (an e-mail address is
    needed: the confirmation carries the link to change or cancel), their allergies."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    party_size: PartySize
    starts_at: dt.datetime
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    allergens: Annotated[list[Allergen], msgspec.Meta(max_length=14)] = []
    allergy_note: AllergenNote = ""
    notes: Annotated[str, msgspec.Meta(max_length=500)] = ""


class BookingChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Move the booking to another time or party size."""

    party_size: PartySize
    starts_at: dt.datetime


class BookingRead(msgspec.Struct, kw_only=True):
    """The guest's own booking, as its signed link shows it."""

    venue: str
    slug: str
    timezone: str
    max_party: int
    name: str
    party_size: int
    starts_at: dt.datetime
    status: str
    allergens: list[str]
    allergy_note: str
    notes: str
    manage_url: str
