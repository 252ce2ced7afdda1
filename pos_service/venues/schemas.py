"""What the venue settings API and the first-run setup read and write."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from pos_service.core.schemas import LocalTime

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Slug = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z0-9][a-z0-9-]{1,63}$",
        description="what staff type to sign in: 2 to 64 lower-case letters, digits, '-'",
    ),
]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
Timezone = Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="IANA name")]
Locale = Annotated[
    str, msgspec.Meta(pattern=r"^(en|nl|de)(-[A-Z]{2})?$", description="en, nl or de[-REGION]")
]
TaxMode = Literal["inclusive", "exclusive"]
TaxRounding = Literal["total", "line"]
"""Tax rounded once per rate on the bill's total, or on each line (core.money)."""
Version = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class TaxRate(msgspec.Struct, kw_only=True):
    """A named tax rate of the venue, in parts per million (8.875 % = 88750)."""

    name: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_-]{1,32}$")]
    rate_ppm: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class ServiceCharge(msgspec.Struct, kw_only=True):
    """A service charge of ``rate_bp`` basis points on checks of ``min_covers`` or more
    covers (0: none)."""

    rate_bp: Annotated[int, msgspec.Meta(ge=0, le=5000)] = 0
    min_covers: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 0


TaxRates = Annotated[list[TaxRate], msgspec.Meta(min_length=1, max_length=10)]


class VenueCreate(msgspec.Struct, kw_only=True):
    """A new venue: who it is, its money, time and tax rules."""

    name: Name
    slug: Slug
    currency: Currency
    timezone: Timezone
    day_cutoff: LocalTime
    """When the business day ends, e.g. ``04:00:00``."""
    locale: Locale = "en"
    tax_mode: TaxMode
    tax_rates: TaxRates
    tax_rounding: TaxRounding = "total"
    service_charge: ServiceCharge = msgspec.field(default_factory=ServiceCharge)


class VenuePatch(msgspec.Struct, kw_only=True):
    """Change a venue's settings; ``version`` is the one the change was made on."""

    version: Version
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    timezone: Timezone | UnsetType = UNSET
    locale: Locale | UnsetType = UNSET
    tax_mode: TaxMode | UnsetType = UNSET
    tax_rates: TaxRates | UnsetType = UNSET
    tax_rounding: TaxRounding | UnsetType = UNSET
    day_cutoff: LocalTime | UnsetType = UNSET
    service_charge: ServiceCharge | UnsetType = UNSET


class VenueRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    slug: str
    currency: str
    timezone: str
    locale: str
    tax_mode: TaxMode
    tax_rates: list[TaxRate]
    tax_rounding: TaxRounding
    day_cutoff: LocalTime
    service_charge: ServiceCharge
    group_id: int | None
    version: int
