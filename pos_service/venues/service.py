"""Venue lookups, the business day, and the venue's settings."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import msgspec
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core import money
from pos_service.core.auth import Caller
from pos_service.core.errors import Conflict, Invalid, NotFound
from pos_service.venues.models import DEFAULT_COURSES, Venue
from pos_service.venues.schemas import (
    ServiceCharge,
    TaxRate,
    VenueCreate,
    VenuePatch,
    VenueRead,
)


async def get(session: AsyncSession, venue_id: int) -> Venue:
    venue = await session.get(Venue, venue_id)
    if venue is None:
        raise NotFound("no such venue", field="venue")
    return venue


async def by_slug(session: AsyncSession, slug: str) -> Venue:
    venue = (await session.execute(select(Venue).where(Venue.slug == slug))).scalar_one_or_none()
    if venue is None:
        raise NotFound("no venue {slug!r}", slug=slug, field="venue")
    return venue


def business_day(venue: Venue, at: dt.datetime) -> dt.date:
    """The venue's business day of the moment ``at`` (it ends at the local cutoff)."""
    local = at.astimezone(ZoneInfo(venue.timezone))
    cutoff = dt.datetime.combine(local.date(), venue.day_cutoff, local.tzinfo)
    return local.date() - dt.timedelta(days=1) if local < cutoff else local.date()


def business_days(venue: Venue, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments ``[from, to)`` of the business days ``start`` to ``end``: a moment is in
    them exactly when its :func:`business_day` is."""
    zone = ZoneInfo(venue.timezone)
    return (
        dt.datetime.combine(start, venue.day_cutoff, zone),
        dt.datetime.combine(end + dt.timedelta(days=1), venue.day_cutoff, zone),
    )


async def group_venues(session: AsyncSession, venue_id: int) -> list[Venue]:
    """Every venue of ``venue_id``'s group, by id; 404 if the venue is in no group."""
    venue = await get(session, venue_id)
    if venue.group_id is None:
        raise NotFound("this venue belongs to no venue group", field="venue")
    found = await session.execute(
        select(Venue).where(Venue.group_id == venue.group_id).order_by(Venue.id)
    )
    return list(found.scalars())


async def group_venue(session: AsyncSession, venue_id: int, slug: str, field: str) -> Venue:
    """The venue ``slug`` of ``venue_id``'s group; 404 (naming ``field``) if not in it."""
    for venue in await group_venues(session, venue_id):
        if venue.slug == slug:
            return venue
    raise NotFound("no venue {slug!r} in this venue group", slug=slug, field=field)


# --- the venue's settings, as the setup and the manager edit them


def check_timezone(name: str) -> None:
    """422 unless ``name`` is an IANA timezone this server knows."""
    if name not in available_timezones():
        raise Invalid("unknown timezone {name!r} (e.g. Europe/Berlin)", name=name, field="timezone")


def check_tax_rates(rates: list[TaxRate]) -> None:
    """422 if two rates share a name."""
    names = [rate.name for rate in rates]
    if len(set(names)) != len(names):
        raise Invalid("two tax rates have the same name", field="tax_rates")


async def check_slug_free(session: AsyncSession, slug: str, own_id: int = 0) -> None:
    """409 if another venue signs in by ``slug``."""
    taken = await session.scalar(select(Venue.id).where(Venue.slug == slug, Venue.id != own_id))
    if taken is not None:
        raise Conflict("a venue is already called {slug!r}", slug=slug, field="slug")


def _settings_of(data: VenueCreate | VenuePatch) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    if data.tax_rounding is not msgspec.UNSET:
        changed["tax_rounding"] = data.tax_rounding
    if data.tax_rates is not msgspec.UNSET:
        changed["tax_rates"] = msgspec.to_builtins(data.tax_rates)
    if data.service_charge is not msgspec.UNSET:
        changed["service_charge_bp"] = data.service_charge.rate_bp
        changed["service_charge_min_covers"] = data.service_charge.min_covers
    return changed


async def new_venue(session: AsyncSession, data: VenueCreate, group_id: int | None) -> Venue:
    """Create a venue from ``data`` (validated here) in the venue group ``group_id``."""
    check_timezone(data.timezone)
    check_tax_rates(data.tax_rates)
    await check_slug_free(session, data.slug)
    venue = Venue(
        slug=data.slug,
        name=data.name,
        currency=data.currency,
        timezone=data.timezone,
        locale=data.locale,
        tax_inclusive=data.tax_mode == "inclusive",
        day_cutoff=data.day_cutoff,
        courses=list(DEFAULT_COURSES),
        settings=_settings_of(data),
        group_id=group_id,
    )
    session.add(venue)
    await session.flush()
    await session.refresh(venue)
    return venue


def venue_read(venue: Venue) -> VenueRead:
    settings = venue.settings
    return VenueRead(
        id=venue.id,
        name=venue.name,
        slug=venue.slug,
        currency=venue.currency,
        timezone=venue.timezone,
        locale=venue.locale,
        tax_mode="inclusive" if venue.tax_inclusive else "exclusive",
        tax_rates=msgspec.convert(settings.get("tax_rates", []), list[TaxRate]),
        tax_rounding=money.tax_rounding(settings),
        day_cutoff=venue.day_cutoff,
        service_charge=ServiceCharge(
            rate_bp=int(settings.get("service_charge_bp") or 0),
            min_covers=int(settings.get("service_charge_min_covers") or 0),
        ),
        group_id=venue.group_id,
        version=venue.version,
    )


async def get_settings(session: AsyncSession, caller: Caller) -> VenueRead:
    """The caller's venue and its settings."""
    return venue_read(await get(session, caller.venue_id))


async def patch_settings(session: AsyncSession, caller: Caller, data: VenuePatch) -> VenueRead:
    """Change the venue's settings (managers); 409 with the current ones if ``version``
    is stale. The currency is fixed once the venue has a check."""
    venue = await session.get(Venue, caller.venue_id, with_for_update=True)
    if venue is None:
        raise NotFound("no such venue", field="venue")
    if data.version != venue.version:
        raise Conflict(
            "the venue changed (version {version}, not {version2})",
            version=venue.version,
            version2=data.version,
            field="version",
            current=msgspec.to_builtins(venue_read(venue)),
        )
    before = msgspec.to_builtins(venue_read(venue))
    if data.slug is not msgspec.UNSET:
        await check_slug_free(session, data.slug, venue.id)
        venue.slug = data.slug
    if data.name is not msgspec.UNSET:
        venue.name = data.name
    if data.timezone is not msgspec.UNSET:
        check_timezone(data.timezone)
        venue.timezone = data.timezone
    if data.tax_rates is not msgspec.UNSET:
        check_tax_rates(data.tax_rates)
    if data.currency is not msgspec.UNSET and data.currency != venue.currency:
        used = await session.scalar(
            text("SELECT 1 FROM checks WHERE venue_id = :v LIMIT 1"), {"v": venue.id}
        )
        if used is not None:
            raise Invalid("the currency is fixed once the venue has a check", field="currency")
        venue.currency = data.currency
    if data.locale is not msgspec.UNSET:
        venue.locale = data.locale
    if data.tax_mode is not msgspec.UNSET:
        venue.tax_inclusive = data.tax_mode == "inclusive"
    if data.day_cutoff is not msgspec.UNSET:
        venue.day_cutoff = data.day_cutoff
    venue.settings = {**venue.settings, **_settings_of(data)}
    venue.version += 1
    await session.flush()
    after = msgspec.to_builtins(venue_read(venue))
    changed = {k: after[k] for k in after if after[k] != before[k] and k != "version"}
    await audit.record(session, caller, "venue.changed", f"venue:{venue.id}", changed)
    return venue_read(venue)
