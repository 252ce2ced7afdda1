"""X and Z reports, summed from the financial journal.

A Z report closes the business day: it covers the journal entries after the previous
close up to its own ``day_close`` entry, is stored in ``day_closes`` and never changes
(the table refuses UPDATE and DELETE). Because it is bounded by journal ``seq`` (taken
under the journal's lock), every fact is in exactly one Z report, whenever its
transaction committed. An X report is the same sum up to now, without closing.

The business date of a close is the business day of its first entry (or of now, if
there is none), and never earlier than the day after the previous close. A day that no
manager closed is closed by the ``close_days`` task once the venue's cutoff has passed.
Either close also settles the day's card and cash tips by the venue's pool rule (``reports.tips``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events, journal
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, NotFound
from pos_service.orders.models import Check, CheckStatus, LineState
from pos_service.payments._load import load
from pos_service.reports import labour, tips
from pos_service.reports.events import DayClosed
from pos_service.reports.models import DayClose
from pos_service.reports.sales import in_ppm
from pos_service.reports.schemas import (
    CategoryTotal,
    DayCloseRequest,
    DrawerTotal,
    ForgottenClockOut,
    HourSales,
    Incident,
    LiveCheck,
    LiveSales,
    MethodTotal,
    OpenCheckTotal,
    RateTotal,
    Report,
    StaffTotal,
)
from pos_service.staff import service as staff
from pos_service.staff.models import Staff
from pos_service.tables.models import DiningTable
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

REPORTS_TOPIC = "reports"


class _Sums:
    """Running totals over journal entries."""

    def __init__(self, names: dict[int, str] | None = None) -> None:
        self.names = names or {}
        self.n = defaultdict[str, int](int)
        self.rates = defaultdict[int, list[int]](lambda: [0, 0])
        self.methods = defaultdict[str, list[int]](lambda: [0, 0, 0])
        self.categories = defaultdict[str, list[int]](lambda: [0, 0])
        self.staff = defaultdict[int | None, list[int]](lambda: [0, 0, 0, 0])
        self.incidents = defaultdict[str, list[Incident]](list)
        self.waiter_of: dict[int, int] = {}
        self.drawers: list[DrawerTotal] = []

    def drawer(self, entry: journal.Entry) -> None:
        data = entry.data
        if data["event"] in ("paid_in", "paid_out"):
            self.n[data["event"]] += data["amount"]
            self.n["cash"] += data["amount"] if data["event"] == "paid_in" else -data["amount"]
        elif data["event"] == "close":
            self.drawers.append(
                DrawerTotal(
                    session_id=data["session_id"],
                    staff_id=data["staff_id"],
                    name=self.names.get(data["staff_id"], str(data["staff_id"])),
                    opening_float=data["opening_float"],
                    cash_sales=data["cash_sales"],
                    cash_tips=data["cash_tips"],
                    paid_in=data["paid_in"],
                    paid_out=data["paid_out"],
                    expected=data["expected"],
                    counted=data["counted"],
                    over_short=data["over_short"],
                    closed_at=entry.at,
                )
            )

    def sale(self, data: dict[str, Any]) -> None:
        for key in ("subtotal", "discount_total", "service_charge", "covers"):
            self.n[key] += data[key]
        self.n["checks"] += 1
        self.n["sales_total"] += data["total"]
        for rate, base, tax in data["taxes"]:
            self.rates[rate][0] += base
            self.rates[rate][1] += tax
        for line in data["lines"]:
            self.categories[line["category"]][0] += line["quantity"]
            self.categories[line["category"]][1] += line["net"]
        waiter = self.staff[data["waiter_id"]]
        waiter[0] += 1
        waiter[1] += data["total"]

    def returned(self, entry: journal.Entry) -> None:
        """A return takes its amounts off the sales, rate by rate (docs/returns.md)."""
        data = in_ppm(entry.data)
        for key in ("subtotal", "discount_total", "service_charge"):
            self.n[key] -= data[key]
        self.n["sales_total"] -= data["total"]
        self.n["returns_total"] += data["total"]
        for rate, base, tax in data["taxes"]:
            self.rates[rate][0] -= base
            self.rates[rate][1] -= tax
        for line in data["lines"]:
            self.categories[line["category"]][0] -= line["quantity"]
            self.categories[line["category"]][1] -= line["net"]
        self.staff[data["waiter_id"]][1] -= data["total"]
        self.incident("returns", entry, data["total"], data["returned_by"], data["approved_by"])

    def payment(self, entry: journal.Entry) -> None:
        data = entry.data
        method = self.methods[data["method"]]
        method[0] += 1
        method[1] += data["amount"]
        method[2] += data["tip"]
        # a guest's own payment counts for the check's waiter (no "guest" row)
        staff_id = data["staff_id"] or data.get("waiter_id") or self.waiter_of.get(data["check_id"])
        taker = self.staff[staff_id]
        taker[2] += data["amount"]
        taker[3] += data["tip"]
        self.n["tips"] += data["tip"]
        if data["method"] == "cash":  # a cash tip is in the drawer until it is shared out
            self.n["cash"] += data["amount"] + data["tip"]
        if entry.kind == "refund":
            self.incident("refunds", entry, data["amount"], data["staff_id"], None)

    def incident(
        self, kind: str, entry: journal.Entry, amount: int, by: int | None, approved: int | None
    ) -> None:
        data = entry.data
        self.incidents[kind].append(
            Incident(
                kind=entry.kind,
                check_id=data["check_id"],
                line_id=data.get("line_id"),
                name=data.get("name"),
                amount=amount,
                reason=data.get("reason"),
                by=by,
                approved_by=approved,
                by_name=self.names.get(by) if by else None,
                approved_by_name=self.names.get(approved) if approved else None,
                at=entry.at,
            )
        )

    def add(self, entry: journal.Entry) -> None:
        data = entry.data
        if entry.kind == "sale":
            self.sale(in_ppm(data))
        elif entry.kind in ("payment", "refund"):
            self.payment(entry)
        elif entry.kind == "drawer":
            self.drawer(entry)
        elif entry.kind == "return":
            self.returned(entry)
        elif entry.kind == "void":
            self.incident("voids", entry, data["amount"], data["voided_by"], data["approved_by"])
        elif entry.kind in ("discount", "comp"):
            self.incident(
                f"{entry.kind}s", entry, data["amount"], data["added_by"], data["approved_by"]
            )


def summarise(
    entries: Iterable[journal.Entry],
    names: dict[int, str],
    *,
    kind: str,
    business_date: dt.date,
    from_seq: int,
    to_seq: int,
    currency: str,
) -> Report:
    """The report of ``entries`` (a pure function of them)."""
    sums = _Sums(names)
    found = list(entries)
    sums.waiter_of = {
        e.data["check_id"]: e.data["waiter_id"]
        for e in found
        if e.kind == "sale" and e.data.get("waiter_id")
    }
    for entry in found:
        sums.add(entry)
    n = sums.n
    return Report(
        kind="Z" if kind == "Z" else "X",
        business_date=business_date,
        from_seq=from_seq,
        to_seq=to_seq,
        generated_at=now_utc(),
        currency=currency,
        checks=n["checks"],
        covers=n["covers"],
        subtotal=n["subtotal"],
        discount_total=n["discount_total"],
        service_charge=n["service_charge"],
        sales_total=n["sales_total"],
        taxes=[RateTotal(rate_ppm=r, base=b, tax=t) for r, (b, t) in sorted(sums.rates.items())],
        by_method=[
            MethodTotal(method=m, count=c, amount=a, tips=t)
            for m, (c, a, t) in sorted(sums.methods.items())
        ],
        by_category=[
            CategoryTotal(category=c, quantity=q, net=v)
            for c, (q, v) in sorted(sums.categories.items())
        ],
        by_staff=[
            StaffTotal(
                staff_id=s,
                name=names.get(s or 0, "unassigned" if not s else str(s)),
                checks=c,
                sales=v,
                payments=p,
                tips=t,
            )
            for s, (c, v, p, t) in sorted(sums.staff.items(), key=lambda kv: kv[0] or 0)
        ],
        tips=n["tips"],
        voids=sums.incidents["voids"],
        discounts=sums.incidents["discounts"],
        comps=sums.incidents["comps"],
        refunds=sums.incidents["refunds"],
        cash_expected=n["cash"],
        paid_in=n["paid_in"],
        paid_out=n["paid_out"],
        drawers=sums.drawers,
        drawer_over_short=sum(d.over_short for d in sums.drawers),
        returns=sums.incidents["returns"],
        returns_total=n["returns_total"],
    )


async def _last_close(session: AsyncSession, venue_id: int) -> DayClose | None:
    return (
        await session.execute(
            select(DayClose)
            .where(DayClose.venue_id == venue_id)
            .order_by(DayClose.to_seq.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def _period(
    session: AsyncSession, venue: Venue, now: dt.datetime, before: int | None = None
) -> tuple[dt.date, int, list[journal.Entry]]:
    """The open period: its business date, first seq and entries (up to ``before``)."""
    last = await _last_close(session, venue.id)
    after = last.to_seq if last else 0
    found = [e async for e in journal.entries(session, venue.id, after, before)]
    date = venues.business_day(venue, found[0].at if found else now)
    if last is not None:
        date = max(date, last.business_date + dt.timedelta(days=1))
    return date, after + 1, found


async def _names(session: AsyncSession, venue_id: int) -> dict[int, str]:
    rows = await session.execute(select(Staff.id, Staff.name).where(Staff.venue_id == venue_id))
    return {staff_id: name for staff_id, name in rows.all()}


async def open_checks(session: AsyncSession, venue: Venue) -> list[OpenCheckTotal]:
    """The venue's open checks with their bill so far and what is paid on them."""
    checks = (
        await session.execute(
            select(Check)
            .where(Check.venue_id == venue.id, Check.status == CheckStatus.OPEN)
            .order_by(Check.id)
        )
    ).scalars()
    names = await _names(session, venue.id)
    rows = await session.execute(
        select(DiningTable.id, DiningTable.name).where(DiningTable.venue_id == venue.id)
    )
    tables: dict[int, str] = {table_id: name for table_id, name in rows.all()}
    out = []
    for check in list(checks):
        loaded = await load(session, check)
        out.append(
            OpenCheckTotal(
                check_id=check.id,
                table=tables.get(check.table_id) if check.table_id is not None else None,
                waiter=names.get(check.waiter_id, "") if check.waiter_id is not None else "",
                opened_at=check.created_at,
                total=loaded.bill.total,
                paid=loaded.ledger.paid,
            )
        )
    return out


def _with_open(report: Report, found: list[OpenCheckTotal]) -> Report:
    report.open_checks = found
    report.open_total = sum(c.total for c in found)
    return report


async def _with_labour(
    session: AsyncSession, venue: Venue, report: Report, now: dt.datetime
) -> Report:
    """The business day's labour cost and clocked time (see ``reports.labour``)."""
    day = report.business_date
    found = await labour.clocked(session, venue, day, day, now)
    report.labour_cost = found.day_cost(day)
    report.labour_seconds = found.day_seconds(day)
    return report


async def x_report(session: AsyncSession, caller: Caller) -> Report:
    """The running totals since the last close (nothing is closed), with the open checks
    apart: their bills are not sales until they close, and labour so far."""
    venue = await venues.get(session, caller.venue_id)
    now = now_utc()
    date, first, found = await _period(session, venue, now)
    report = _with_open(
        summarise(
            found,
            await _names(session, venue.id),
            kind="X",
            business_date=date,
            from_seq=first,
            to_seq=found[-1].seq if found else first - 1,
            currency=venue.currency,
        ),
        await open_checks(session, venue),
    )
    return await _with_labour(session, venue, report, now)


async def _close(
    session: AsyncSession,
    venue: Venue,
    now: dt.datetime,
    closed_by: int | None,
    counted_cash: int | None,
    carried: list[OpenCheckTotal],
) -> Report:
    # shifts nobody clocked out of end first: row locks before the journal's counter
    forgotten = [
        ForgottenClockOut(
            shift_id=shift.id,
            staff_id=member.id,
            name=member.name,
            clock_in=shift.clock_in,
            clock_out=shift.clock_out or now,
        )
        for shift, member in await staff.close_forgotten(session, venue.id, now)
    ]
    seq, prev = await journal.reserve(session, venue.id)
    date, first, found = await _period(session, venue, now, before=seq)
    report = summarise(
        found,
        await _names(session, venue.id),
        kind="Z",
        business_date=date,
        from_seq=first,
        to_seq=seq,
        currency=venue.currency,
    )
    if counted_cash is not None:
        report.counted_cash = counted_cash
        report.cash_difference = counted_cash - report.cash_expected
    report.closed_by = closed_by
    _with_open(report, carried)
    report.carried = [c.check_id for c in carried]
    report.forgotten_clock_outs = forgotten
    await _with_labour(session, venue, report, now)
    stored = msgspec.to_builtins(report)
    await journal.write(
        session,
        venue.id,
        seq,
        prev,
        "day_close",
        {
            "business_date": date.isoformat(),
            "from_seq": first,
            "to_seq": seq,
            "sales_total": report.sales_total,
            "cash_expected": report.cash_expected,
            "counted_cash": counted_cash,
            "closed_by": closed_by,
            "carried_checks": report.carried,
        },
    )
    session.add(
        DayClose(
            venue_id=venue.id,
            business_date=date,
            from_seq=first,
            to_seq=seq,
            closed_at=now,
            closed_by=closed_by,
            counted_cash=counted_cash,
            report=stored,
        )
    )
    await session.flush()
    await tips.settle(session, venue, report, now)
    events.record(
        session,
        venue.id,
        REPORTS_TOPIC,
        DayClosed(
            business_date=date.isoformat(),
            from_seq=first,
            to_seq=seq,
            sales_total=report.sales_total,
            cash_expected=report.cash_expected,
            counted_cash=counted_cash,
            closed_by=closed_by,
        ),
    )
    return report


async def _lock_closing(session: AsyncSession, venue_id: int) -> None:
    """Serialise the closes of one venue (manager and scheduler)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('day_close'), CAST(:v AS integer))"),
        {"v": venue_id},
    )


async def close_day(session: AsyncSession, caller: Caller, data: DayCloseRequest) -> Report:
    """Close the business day (Z report) with the cash counted. Open checks refuse it
    (409 listing them) unless the manager carries them to the next business day."""
    await _lock_closing(session, caller.venue_id)
    venue = await venues.get(session, caller.venue_id)
    still_open = await open_checks(session, venue)
    if still_open and data.open_checks != "carry":
        raise Conflict(
            "{checks} checks are still open: close them or carry them to the next business day",
            checks=len(still_open),
            field="open_checks",
            open_checks=msgspec.to_builtins(still_open),
        )
    return await _close(session, venue, now_utc(), caller.staff_id, data.counted_cash, still_open)


async def get_day(session: AsyncSession, caller: Caller, business_date: dt.date) -> Report:
    """The stored Z report of a closed business day."""
    row = (
        await session.execute(
            select(DayClose).where(
                DayClose.venue_id == caller.venue_id, DayClose.business_date == business_date
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(
            "business day {business_date} is not closed", business_date=business_date, field="date"
        )
    return stored_report(row.report)


def stored_report(report: dict[str, Any]) -> Report:
    """A Z report as ``day_closes`` keeps it; reports closed before tax rates became
    parts per million name them ``rate_bp`` (converted here: the table is append-only)."""
    taxes = [
        {"rate_ppm": t["rate_bp"] * 100, "base": t["base"], "tax": t["tax"]}
        if "rate_bp" in t
        else t
        for t in report.get("taxes", [])
    ]
    return msgspec.convert({**report, "taxes": taxes}, Report)


async def close_due_days(session: AsyncSession, now: dt.datetime) -> int:
    """Scheduled: close every venue's day that has entries and whose cutoff has passed."""
    closed = 0
    for venue in (await session.execute(select(Venue).order_by(Venue.id))).scalars().all():
        last = await _last_close(session, venue.id)
        first = await session.scalar(
            select(journal.JournalEntry.at)
            .where(
                journal.JournalEntry.venue_id == venue.id,
                journal.JournalEntry.seq > (last.to_seq if last else 0),
            )
            .order_by(journal.JournalEntry.seq)
            .limit(1)
        )
        if first is None or venues.business_day(venue, now) <= venues.business_day(venue, first):
            continue
        locked = await session.scalar(
            text("SELECT pg_try_advisory_xact_lock(hashtext('day_close'), CAST(:v AS integer))"),
            {"v": venue.id},
        )
        if locked and await _last_close(session, venue.id) == last:
            # nobody is there to decide: open checks are carried, and the report says so
            await _close(session, venue, now, None, None, await open_checks(session, venue))
            closed += 1
    return closed


async def verify_journal(session: AsyncSession, caller: Caller) -> journal.Verification:
    """Recompute the venue's journal chain (managers)."""
    return await journal.verify(session, caller.venue_id)


async def live_sales(session: AsyncSession, caller: Caller) -> LiveSales:
    """The open period's sales so far (closed checks) and the open checks' bills, by hour
    of the venue's clock: what the manager page shows live. Read in one snapshot of the
    database with the venue's event ``seq`` at that moment, so that the page applies
    exactly the events after it (docs/live.md, "Page reducers")."""
    await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
    seq = (
        await session.execute(
            text("SELECT value FROM counters WHERE venue_id = :v AND name = 'event_seq'"),
            {"v": caller.venue_id},
        )
    ).scalar_one_or_none()
    venue = await venues.get(session, caller.venue_id)
    now = now_utc()
    date, _, found = await _period(session, venue, now)
    zone = ZoneInfo(venue.timezone)
    hours: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    sales = [e for e in found if e.kind == "sale"]
    for e in sales:
        hours[e.at.astimezone(zone).hour][0] += in_ppm(e.data)["total"]
    checks = (
        await session.execute(
            select(Check)
            .where(Check.venue_id == venue.id, Check.status == CheckStatus.OPEN)
            .order_by(Check.id)
        )
    ).scalars()
    still_open = []
    for check in list(checks):
        loaded = await load(session, check)
        hour = check.created_at.astimezone(zone).hour
        hours[hour][1] += loaded.bill.total
        still_open.append(
            LiveCheck(
                check_id=check.id,
                covers=check.covers,
                hour=hour,
                total=loaded.bill.total,
                lines={
                    line.id: line.unit_price * line.quantity
                    for line in loaded.lines
                    if line.state != LineState.VOIDED
                },
            )
        )
    return LiveSales(
        at=now,
        business_date=date,
        currency=venue.currency,
        sales_total=sum(in_ppm(e.data)["total"] for e in sales),
        checks=len(sales),
        open_checks=len(still_open),
        open_total=sum(c.total for c in still_open),
        open_covers=sum(c.covers for c in still_open),
        by_hour=[HourSales(hour=h, closed=v[0], open=v[1]) for h, v in sorted(hours.items())],
        tips=sum(e.data["tip"] for e in found if e.kind in ("payment", "refund")),
        timezone=venue.timezone,
        open=still_open,
        seq=int(seq or 0),
    )
