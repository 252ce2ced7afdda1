"""Back-office reports of a venue and of a venue group, over business days.

Every report takes ``start`` and ``end`` business dates (both default to today's) and
reads the moments of those days by the venue's timezone and cutoff
(:func:`pos_service.venues.service.business_days`). Sales and exceptions are summed from
the financial journal, so they agree with the X and Z reports; table turns come from the
checks, hours from the shifts. Each query filters by one venue; a group report runs the
venue's report once per venue of the group and adds the results up in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import journal
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Invalid
from pos_service.core.money import round_div
from pos_service.reports import sales as selling
from pos_service.reports.schemas import (
    CurrencyTotal,
    ExceptionRow,
    ExceptionsReport,
    ExceptionTotal,
    GroupSalesReport,
    GroupSalesRow,
    GroupVenue,
    HoursReport,
    HoursRow,
    SalesGroup,
    SalesReport,
    TurnRow,
    TurnsReport,
    VenueGroupRead,
    VenueSales,
)
from pos_service.staff import service as staff
from pos_service.staff.models import Staff
from pos_service.tables.models import DiningTable
from pos_service.venues import service as venues
from pos_service.venues.models import Venue, VenueGroup

MAX_DAYS = 366
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(9998, 12, 31)
EXCEPTIONS = ("void", "discount", "comp", "refund")


def days(venue: Venue, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period asked for: today's business day by default, at most a year."""
    start = start or end or venues.business_day(venue, now_utc())
    end = end or start
    for field, day in (("from", start), ("to", end)):
        if not EARLIEST <= day <= LATEST:
            raise Invalid(
                "a business day between {EARLIEST} and {LATEST}",
                EARLIEST=EARLIEST,
                LATEST=LATEST,
                field=field,
            )
    if end < start:
        raise Invalid("to is before from", field="to")
    if (end - start).days >= MAX_DAYS:
        raise Invalid("a report covers at most {days} days", days=MAX_DAYS, field="to")
    return start, end


async def _entries(
    session: AsyncSession, venue: Venue, start: dt.date, end: dt.date, kinds: tuple[str, ...]
) -> list[journal.Entry]:
    lo, hi = venues.business_days(venue, start, end)
    rows = await session.execute(
        select(*journal.JournalEntry.__table__.columns)
        .where(
            journal.JournalEntry.venue_id == venue.id,
            journal.JournalEntry.at >= lo,
            journal.JournalEntry.at < hi,
            journal.JournalEntry.kind.in_(kinds),
        )
        .order_by(journal.JournalEntry.seq)
    )
    return [journal.Entry(**row) for row in rows.mappings()]


async def staff_names(session: AsyncSession, venue_id: int) -> dict[int, str]:
    rows = await session.execute(select(Staff.id, Staff.name).where(Staff.venue_id == venue_id))
    return dict(rows.all())


async def _table_names(session: AsyncSession, venue_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(DiningTable.id, DiningTable.name).where(DiningTable.venue_id == venue_id)
    )
    return dict(rows.all())


async def _payments(
    session: AsyncSession, venue_id: int, check_ids: list[int]
) -> dict[int, dict[str, tuple[int, int]]]:
    """Check -> method -> (amount, tip) of its approved payments, refunds left out."""
    rows = await session.execute(
        text(
            "SELECT check_id, method, sum(amount) AS amount, sum(tip) AS tip FROM payments "
            "WHERE venue_id = :v AND check_id = ANY(:ids) AND status = 'approved' "
            "AND refund_of IS NULL AND amount > 0 GROUP BY check_id, method"
        ),
        {"v": venue_id, "ids": check_ids},
    )
    found: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in rows:
        found[row.check_id][row.method] = (int(row.amount), int(row.tip))
    return found


async def _refunds(
    session: AsyncSession, venue_id: int, returns: list[journal.Entry]
) -> dict[int, dict[str, tuple[int, int]]]:
    """Return -> method -> (amount, 0) of the refunds that paid it out (negative)."""
    of_return = {i: e.data["return_id"] for e in returns for i in e.data["payment_ids"]}
    if not of_return:
        return {}
    rows = await session.execute(
        text(
            "SELECT id, method, amount FROM payments WHERE venue_id = :v AND id = ANY(:ids)"
            " AND status = 'approved'"
        ),
        {"v": venue_id, "ids": list(of_return)},
    )
    found: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in rows:
        methods = found[of_return[row.id]]
        was = methods.get(row.method, (0, 0))[0]
        methods[row.method] = (was + int(row.amount), 0)
    return found


async def sales_of(
    session: AsyncSession, venue: Venue, start: dt.date, end: dt.date, group: SalesGroup
) -> SalesReport:
    """The venue's sales report (see :mod:`pos_service.reports.sales`)."""
    entries = await _entries(session, venue, start, end, ("sale", "return"))
    paid = await _payments(session, venue.id, [e.data["check_id"] for e in entries])
    refunds = await _refunds(session, venue.id, [e for e in entries if e.kind == "return"])
    zone = ZoneInfo(venue.timezone)
    found = [
        selling.Sale(
            day=venues.business_day(venue, e.at),
            hour=e.at.astimezone(zone).hour,
            data=selling.in_ppm(e.data) if e.kind == "sale" else selling.returned(e.data),
            payments=paid.get(e.data["check_id"], {})
            if e.kind == "sale"
            else refunds.get(e.data["return_id"], {}),
        )
        for e in entries
    ]
    checks = sum(not s.data.get("returned") for s in found)
    covers = sum(s.data["covers"] for s in found)
    total = sum(s.data["total"] for s in found)
    subtotal = sum(s.data["subtotal"] for s in found)
    discounts = sum(s.data["discount_total"] for s in found)
    return SalesReport(
        start=start,
        end=end,
        group=group,
        currency=venue.currency,
        timezone=venue.timezone,
        checks=checks,
        covers=covers,
        gross=subtotal,
        discounts=discounts,
        net=subtotal - discounts,
        service_charge=sum(s.data["service_charge"] for s in found),
        tax=sum(s.tax for s in found),
        total=total,
        tips=sum(s.tips for s in found),
        average_check=round_div(total, checks) if checks else 0,
        average_cover=round_div(total, covers) if covers else 0,
        rows=selling.rows(
            found,
            group,
            await staff_names(session, venue.id),
            await _table_names(session, venue.id),
        ),
        promotions=selling.promotion_rows(found),
    )


async def sales(
    session: AsyncSession,
    caller: Caller,
    start: dt.date | None,
    end: dt.date | None,
    group: SalesGroup,
) -> SalesReport:
    """Sales of the venue's business days ``start`` to ``end`` in rows of ``group``."""
    venue = await venues.get(session, caller.venue_id)
    return await sales_of(session, venue, *days(venue, start, end), group)


async def group_sales(
    session: AsyncSession,
    caller: Caller,
    start: dt.date | None,
    end: dt.date | None,
    group: SalesGroup,
) -> GroupSalesReport:
    """Every venue's sales report of the caller's group, and the sums per currency.
    ``start`` and ``end`` default to each venue's own business day."""
    found: list[VenueSales] = []
    for venue in await venues.group_venues(session, caller.venue_id):
        report = await sales_of(session, venue, *days(venue, start, end), group)
        found.append(VenueSales(venue_id=venue.id, slug=venue.slug, name=venue.name, report=report))
    totals: list[CurrencyTotal] = []
    for currency in sorted({v.report.currency for v in found}):
        reports = [v.report for v in found if v.report.currency == currency]
        checks = sum(r.checks for r in reports)
        total = sum(r.total for r in reports)
        totals.append(
            CurrencyTotal(
                currency=currency,
                venues=len(reports),
                checks=checks,
                covers=sum(r.covers for r in reports),
                net=sum(r.net for r in reports),
                tax=sum(r.tax for r in reports),
                total=total,
                tips=sum(r.tips for r in reports),
                average_check=round_div(total, checks) if checks else 0,
            )
        )
    return GroupSalesReport(
        start=found[0].report.start,
        end=found[0].report.end,
        group=group,
        venues=found,
        totals=totals,
    )


def _exception(entry: journal.Entry, names: dict[int, str]) -> ExceptionRow:
    data = entry.data
    by = data.get("voided_by", data.get("added_by", data.get("staff_id")))
    approved = data.get("approved_by")
    return ExceptionRow(
        kind=entry.kind,
        at=entry.at,
        check_id=data["check_id"],
        line_id=data.get("line_id"),
        name=data.get("name"),
        amount=abs(data["amount"]),
        reason=data.get("reason"),
        by_id=by,
        by=names.get(by) if by else None,
        approved_by_id=approved,
        approved_by=names.get(approved) if approved else None,
    )


async def exceptions(
    session: AsyncSession, caller: Caller, start: dt.date | None, end: dt.date | None
) -> ExceptionsReport:
    """Voids after send, discounts, comps and refunds, with reasons and approvers."""
    venue = await venues.get(session, caller.venue_id)
    start, end = days(venue, start, end)
    names = await staff_names(session, venue.id)
    rows = [_exception(e, names) for e in await _entries(session, venue, start, end, EXCEPTIONS)]
    return ExceptionsReport(
        start=start,
        end=end,
        currency=venue.currency,
        totals=[
            ExceptionTotal(
                kind=kind,
                count=sum(1 for r in rows if r.kind == kind),
                amount=sum(r.amount for r in rows if r.kind == kind),
            )
            for kind in EXCEPTIONS
        ],
        rows=rows,
    )


_TURNS = text(
    """
    SELECT c.table_id, t.name, count(*) AS turns, sum(c.covers) AS covers,
           sum(extract(epoch FROM c.closed_at - c.created_at))::bigint AS seconds,
           max(extract(epoch FROM c.closed_at - c.created_at))::bigint AS longest
    FROM checks AS c
    JOIN dining_tables AS t ON t.venue_id = c.venue_id AND t.id = c.table_id
    WHERE c.venue_id = :v AND c.status = 'closed' AND c.closed_at >= :lo AND c.closed_at < :hi
    GROUP BY c.table_id, t.name ORDER BY t.name
    """
)


async def turns(
    session: AsyncSession, caller: Caller, start: dt.date | None, end: dt.date | None
) -> TurnsReport:
    """Table turn times: from seating (the check opened) to the check closed, per table."""
    venue = await venues.get(session, caller.venue_id)
    start, end = days(venue, start, end)
    lo, hi = venues.business_days(venue, start, end)
    found = (await session.execute(_TURNS, {"v": venue.id, "lo": lo, "hi": hi})).all()
    count = sum(r.turns for r in found)
    return TurnsReport(
        start=start,
        end=end,
        turns=count,
        average_seconds=round_div(sum(r.seconds for r in found), count) if count else 0,
        rows=[
            TurnRow(
                table_id=r.table_id,
                table=r.name,
                turns=r.turns,
                covers=r.covers,
                average_seconds=round_div(r.seconds, r.turns),
                longest_seconds=r.longest,
            )
            for r in found
        ],
    )


async def hours(
    session: AsyncSession, caller: Caller, start: dt.date | None, end: dt.date | None
) -> HoursReport:
    """Hours worked per member and business day (by clock-in); open shifts count to now."""
    venue = await venues.get(session, caller.venue_id)
    start, end = days(venue, start, end)
    lo, hi = venues.business_days(venue, start, end)
    now = now_utc()
    rows: dict[tuple[dt.date, int], HoursRow] = {}
    for shift, member in await staff.shifts_between(session, venue.id, lo, hi):
        day = venues.business_day(venue, shift.clock_in)
        row = rows.setdefault(
            (day, member.id),
            HoursRow(
                business_date=day,
                staff_id=member.id,
                name=member.name,
                shifts=0,
                seconds=0,
                open=False,
            ),
        )
        row.shifts += 1
        row.seconds += int(
            ((shift.clock_out or max(now, shift.clock_in)) - shift.clock_in).total_seconds()
        )
        row.open = row.open or shift.clock_out is None
    ordered = [rows[k] for k in sorted(rows)]
    return HoursReport(start=start, end=end, seconds=sum(r.seconds for r in ordered), rows=ordered)


def group_rows(report: GroupSalesReport) -> list[GroupSalesRow]:
    """Every venue's rows, flat, for the CSV."""
    return [
        GroupSalesRow(venue=v.slug, currency=v.report.currency, **msgspec.structs.asdict(row))
        for v in report.venues
        for row in v.report.rows
    ]


async def group(session: AsyncSession, caller: Caller) -> VenueGroupRead:
    """The caller's venue group and its venues."""
    found = await venues.group_venues(session, caller.venue_id)
    row = await session.get(VenueGroup, found[0].group_id)
    assert row is not None
    return VenueGroupRead(
        id=row.id,
        name=row.name,
        venues=[
            GroupVenue(id=v.id, slug=v.slug, name=v.name, currency=v.currency, timezone=v.timezone)
            for v in found
        ],
    )
