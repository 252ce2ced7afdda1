"""The audit file: a venue's journal for a range of closed business days as a SAF-T Cash
Register file (Norway's standard, after the Dutch "Auditfile Afrekensystemen").

The file covers the closed business days from ``start`` to ``end``: the journal entries of
their Z reports (``day_closes.from_seq`` to ``to_seq``), so its totals are the Z reports'
totals. Each closed check (journal ``sale``) is a ``cashtransaction`` with its lines, its
tax per rate and its payments, and a "sales receipt" event; each close is a "Z report"
event carrying the report. The head lists the venue, its staff, the articles and article
groups sold, its tax rates as VAT codes and the code-list entries (``basics``) used.

Each return (journal ``return``) is a ``RETURNSAL`` transaction with negative ``RET``
lines and its refunds, and a "return receipt" event; drawer sessions give their
events (opened with a float, opened for a cash payment or with no sale, paid in and out,
counted and closed), and the staff's shifts their log-in and log-out events.
Application starts are not recorded, so they are left out. See docs/audit-file.md.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import pos_service
from pos_service.core import journal
from pos_service.core.auth import Caller
from pos_service.core.errors import Invalid, NotFound
from pos_service.core.money import to_major
from pos_service.reports.models import DayClose
from pos_service.reports.sales import in_ppm, line_totals
from pos_service.reports.service import stored_report
from pos_service.staff.models import Shift, Staff
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

NAMESPACE = "urn:StandardAuditFile-Taxation-CashRegister:NO"
SCHEMA_FILE = "Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd"
MAX_DAYS = 366
REGISTER_ID = "1"

# The code lists' entries the file uses: (basicType, basicID, predefinedBasicID, text).
PAYMENT_CODES = {
    "cash": ("CASH", "12001", "Cash"),
    "card": ("CARD", "12002", "Card"),
    "gift_card": ("GIFTCARD", "12005", "Gift card"),
}
OTHER_PAYMENT = ("OTHER", "12999", "Other payment")
CASH_SALE = ("CASHSAL", "11001", "Cash sale")
RETURN_SALE = ("RETURNSAL", "11006", "Return sale")
SALE_LINE = "SAL"
RETURN_LINE = "RET"
EVENT_RECEIPT = ("SALREC", "13012", "Sales receipt printed")
EVENT_RETURN = ("RETREC", "13013", "Return receipt")
EVENT_Z = ("ZREP", "13009", "Z report")
EVENT_LOG_IN = ("EMPIN", "13003", "Employee log in")
EVENT_LOG_OUT = ("EMPOUT", "13004", "Employee log out")
EVENT_DRAWER_OPEN = ("DRAWOPEN", "13005", "Open cash drawer")
EVENT_NO_SALE = ("DRAWOPENMAN", "13005", "Open cash drawer manually (no sale)")
EVENT_DRAWER_CLOSE = ("DRAWCLOSE", "13006", "Close cash drawer (counted)")
EVENT_PAID_OUT = ("PAYOUT", "13019", "Cash withdrawal (paid out)")
EVENT_PAID_IN = ("PAYIN", "13999", "Cash paid in")
DRAWER_EVENTS = {
    "open": EVENT_DRAWER_OPEN,
    "no_sale": EVENT_NO_SALE,
    "paid_in": EVENT_PAID_IN,
    "paid_out": EVENT_PAID_OUT,
    "close": EVENT_DRAWER_CLOSE,
}
ARTICLE_GROUP_OTHER = "04999"
# Norway's standard VAT codes for output tax by rate (SAF-T Financial code list).
STANDARD_VAT_CODES = {250_000: "3", 150_000: "31", 120_000: "33", 0: "6"}


def _amount(minor: int, currency: str) -> str:
    """Minor units as the decimal the schema expects (two places for most currencies)."""
    return str(to_major(minor, currency))


def _percent(rate_ppm: int) -> str:
    """A rate in ppm as a percentage with two or more decimals: 250000 -> "25.00"."""
    whole, rest = divmod(rate_ppm, 10_000)
    digits = f"{rest:04d}".rstrip("0").ljust(2, "0")
    return f"{whole}.{digits}"


def _sub(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def _fields(parent: ET.Element, *pairs: tuple[str, object]) -> None:
    for tag, text in pairs:
        _sub(parent, tag, text)


@dataclass
class _Book:
    """What the file's head lists, collected while the transactions are written."""

    rates: dict[int, str] = field(default_factory=dict)
    articles: dict[str, tuple[str, str]] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    payments: set[str] = field(default_factory=set)
    events: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    returns: bool = False

    def event(self, code: tuple[str, str, str]) -> str:
        self.events.setdefault(code[0], code)
        return code[0]

    def vat_code(self, rate_ppm: int) -> str:
        return self.rates.setdefault(rate_ppm, str(len(self.rates) + 1))

    def group(self, category: str) -> str:
        return self.groups.setdefault(category or "", str(100 + len(self.groups)))

    def article(self, name: str, category: str) -> str:
        group = self.group(category)
        art_id, _ = self.articles.setdefault(name, (str(1000 + len(self.articles)), group))
        return art_id


@dataclass
class _Drawer:
    """A business day's drawer counts for its Z report."""

    opening_float: int = 0
    opened: int = 0
    paid_in: int = 0
    paid_out: int = 0


class _File:
    """The document under construction for one venue and period."""

    def __init__(self, venue: Venue, created: dt.datetime) -> None:
        self.venue = venue
        self.zone = ZoneInfo(venue.timezone)
        self.created = created.astimezone(self.zone)
        self.book = _Book()
        self.standard_codes: dict[int, str] = {}
        for rate in venue.settings.get("tax_rates", []) or []:
            if isinstance(rate, dict) and isinstance(rate.get("rate_ppm"), int):
                self.book.vat_code(rate["rate_ppm"])
                if rate.get("standard_vat_code"):
                    self.standard_codes[rate["rate_ppm"]] = str(rate["standard_vat_code"])

    def money(self, minor: int) -> str:
        return _amount(minor, self.venue.currency)

    def when(self, at: dt.datetime) -> tuple[str, str]:
        local = at.astimezone(self.zone)
        return local.date().isoformat(), local.strftime("%H:%M:%S")

    def vat(self, parent: ET.Element, rate: int, base: int, tax: int, kind: str = "C") -> None:
        node = _sub(parent, "vat")
        _fields(
            node,
            ("vatCode", self.book.vat_code(rate)),
            ("vatPerc", _percent(rate)),
            ("vatAmnt", self.money(tax)),
            ("vatAmntTp", kind),
            ("vatBasAmnt", self.money(base)),
        )

    def transaction(
        self,
        register: ET.Element,
        entry: journal.Entry,
        paid: list[dict[str, Any]],
        period: int,
        receipt: int,
        *,
        returned: bool = False,
    ) -> None:
        """A closed check (``CASHSAL``), or a return (``RETURNSAL``: every amount
        negative and a debit, as in the tax administration's example)."""
        data = in_ppm(entry.data)
        sign, kind = (-1, "D") if returned else (1, "C")
        trans_id = transaction_id(entry)
        emp = data.get("waiter_id")
        day, time = self.when(entry.at)
        tax = sum(t for _, _, t in data["taxes"])
        node = _sub(register, "cashtransaction")
        _fields(
            node,
            ("nr", entry.seq),
            ("transID", trans_id),
            ("transType", (RETURN_SALE if returned else CASH_SALE)[0]),
            ("transAmntIn", self.money(sign * data["total"])),
            ("transAmntEx", self.money(sign * (data["total"] - tax))),
            ("amntTp", kind),
        )
        if emp is not None:
            _sub(node, "empID", emp)
        _fields(node, ("periodNumber", period), ("transDate", day), ("transTime", time))
        for number, (line, (_, line_tax, total)) in enumerate(
            zip(data["lines"], line_totals(data), strict=True), start=1
        ):
            ct = _sub(node, "ctLine")
            _fields(
                ct,
                ("nr", entry.seq),
                ("lineID", number),
                ("lineType", RETURN_LINE if returned else SALE_LINE),
                ("artGroupID", self.book.group(line["category"])),
                ("artID", self.book.article(line["name"], line["category"])),
                ("qnt", sign * line["quantity"]),
                ("lineAmntIn", self.money(sign * total)),
                ("lineAmntEx", self.money(sign * (total - line_tax))),
                ("amntTp", kind),
            )
            if emp is not None:
                _sub(ct, "empID", emp)
            _fields(ct, ("lineDate", day), ("lineTime", time))
            self.vat(ct, line["tax_rate_ppm"], sign * (total - line_tax), sign * line_tax, kind)
        for rate, base, rate_tax in data["taxes"]:
            self.vat(node, rate, sign * base, sign * rate_tax, kind)
        _sub(_sub(node, "rounding"), "roundingAmnt", self.money(0))
        for payment in paid:
            code = PAYMENT_CODES.get(payment["method"], OTHER_PAYMENT)[0]
            self.book.payments.add(payment["method"])
            pay = _sub(node, "payment")
            _fields(pay, ("paymentType", code), ("paidAmnt", self.money(payment["amount"])))
            if payment.get("staff_id") is not None:
                _sub(pay, "empID", payment["staff_id"])
            _fields(
                pay,
                ("curCode", self.venue.currency),
                ("exchRt", "1.000000"),
                ("paymentRefID", f"payment {payment['payment_id']}"),
            )
        _fields(
            node,
            ("signature", entry.hash),
            ("keyVersion", "journal-sha256"),
            ("receiptNum", receipt),
            ("receiptCopyNum", 0),
            ("receiptProformaNum", 0),
            ("receiptDeliveryNum", 0),
            ("voidTransaction", "false"),
            ("trainingID", "false"),
        )

    def z_report(self, event: ET.Element, day: DayClose, company_id: str, drawer: _Drawer) -> None:
        report = stored_report(day.report)
        date, time = self.when(day.closed_at)
        node = _sub(event, "eventReport")
        _fields(
            node,
            ("reportID", day.id),
            ("reportType", "Z report"),
            ("companyIdent", company_id),
            ("companyName", self.venue.name),
            ("reportDate", date),
            ("reportTime", time),
            ("registerID", REGISTER_ID),
        )
        _sub(
            _sub(node, "reportTotalCashSales"), "totalCashSaleAmnt", self.money(report.sales_total)
        )
        groups = _sub(node, "reportArtGroups")
        for category in report.by_category:
            row = _sub(groups, "reportArtGroup")
            _fields(
                row,
                ("artGroupID", self.book.group(category.category)),
                ("artGroupNum", category.quantity),
                ("artGroupAmnt", self.money(category.net)),
            )
        payments = _sub(node, "reportPayments")
        for method in report.by_method:
            self.book.payments.add(method.method)
            row = _sub(payments, "reportPayment")
            _fields(
                row,
                ("paymentType", PAYMENT_CODES.get(method.method, OTHER_PAYMENT)[0]),
                ("paymentNum", method.count),
                ("paymentAmnt", self.money(method.amount)),
            )
        by_rate = _sub(node, "reportCashSalesVat")
        for rate in report.taxes:
            row = _sub(by_rate, "reportCashSaleVat")
            _fields(
                row,
                ("vatCode", self.book.vat_code(rate.rate_ppm)),
                ("vatPerc", _percent(rate.rate_ppm)),
                ("cashSaleAmnt", self.money(rate.base)),
                ("vatAmnt", self.money(rate.tax)),
                ("vatAmntTp", "C"),
            )
        returns = report.returns_total
        voids = sum(v.amount for v in report.voids)
        discounts = sum(d.amount for d in report.discounts) + sum(c.amount for c in report.comps)
        _fields(
            node,
            ("reportOpeningChangeFloat", self.money(drawer.opening_float)),
            ("reportReceiptNum", report.checks),
            ("reportOpenCashBoxNum", drawer.opened),
            ("reportReceiptCopyNum", 0),
            ("reportReceiptCopyAmnt", self.money(0)),
            ("reportReceiptProformaNum", 0),
            ("reportReceiptProformaAmnt", self.money(0)),
            ("reportReturnNum", len(report.returns)),
            ("reportReturnAmnt", self.money(returns)),
            ("reportDiscountNum", len(report.discounts) + len(report.comps)),
            ("reportDiscountAmnt", self.money(discounts)),
            ("reportVoidTransNum", 0),
            ("reportVoidTransAmnt", self.money(0)),
        )
        lines = _sub(_sub(node, "reportCorrLines"), "reportCorrLine")
        _fields(
            lines,
            ("corrLineType", "Void line"),
            ("corrLineNum", len(report.voids)),
            ("corrLineAmnt", self.money(voids)),
        )
        inquiry = _sub(_sub(node, "reportPriceInquiries"), "reportPriceInquiry")
        _fields(
            inquiry,
            ("priceInquiryGroup", "None"),
            ("priceInquiryNum", 0),
            ("priceInquiryAmnt", self.money(0)),
        )
        other = _sub(_sub(node, "reportOtherCorrs"), "reportOtherCorr")
        _fields(
            other, ("otherCorrType", "None"), ("otherCorrNum", 0), ("otherCorrAmnt", self.money(0))
        )
        _fields(
            node,
            ("reportReceiptDeliveryNum", 0),
            ("reportReceiptDeliveryAmnt", self.money(0)),
            ("reportTrainingNum", 0),
            ("reportTrainingAmnt", self.money(0)),
        )
        credit = _sub(node, "reportCreditSales")
        _fields(credit, ("creditSalesNum", 0), ("creditSalesAmnt", self.money(0)))
        memos = _sub(node, "reportCreditMemos")
        _fields(memos, ("creditMemosNum", 0), ("creditMemosAmnt", self.money(0)))
        pay_in = _sub(_sub(node, "reportPayIns"), "reportPayIn")
        _fields(
            pay_in,
            ("payInType", EVENT_PAID_IN[0] if drawer.paid_in else "None"),
            ("payInNum", drawer.paid_in),
            ("payInAmnt", self.money(report.paid_in)),
        )
        pay_out = _sub(_sub(node, "reportPayOuts"), "reportPayOut")
        _fields(
            pay_out,
            ("payOutType", EVENT_PAID_OUT[0] if drawer.paid_out else "None"),
            ("payOutNum", drawer.paid_out),
            ("payOutAmnt", self.money(report.paid_out)),
        )
        _fields(
            node,
            ("reportGrandTotalSales", self.money(report.sales_total + returns)),
            ("reportGrandTotalReturn", self.money(returns)),
            ("reportGrandTotalSalesNet", self.money(report.sales_total)),
        )


def transaction_id(entry: journal.Entry) -> str:
    """A sale's transaction is its check's id; a return's is ``R`` and the return's id."""
    if entry.kind == "return":
        return f"R{entry.data['return_id']}"
    return str(entry.data["check_id"])


def _basic(parent: ET.Element, kind: str, basic_id: str, predefined: str | None, text: str) -> None:
    node = _sub(parent, "basic")
    _fields(node, ("basicType", kind), ("basicID", basic_id))
    if predefined is not None:
        _sub(node, "predefinedBasicID", predefined)
    _sub(node, "basicDesc", text)


def _person(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first or name or "-", last or "-"


def _company_head(
    company: ET.Element, out: _File, staff: Sequence[Staff], days: Sequence[DayClose]
) -> None:
    """The VAT codes, periods, employees, articles and code-list entries of the file."""
    venue = out.venue
    codes = _sub(company, "vatCodeDetails")
    for rate, code in sorted(out.book.rates.items(), key=lambda kv: int(kv[1])):
        detail = _sub(codes, "vatCodeDetail")
        _fields(
            detail,
            ("vatCode", code),
            ("dateOfEntry", venue.created_at.date().isoformat()),
            ("vatDesc", f"VAT {_percent(rate)} %"),
        )
        _sub(
            detail,
            "standardVatCode",
            out.standard_codes.get(rate, STANDARD_VAT_CODES.get(rate, code)),
        )
    periods = _sub(company, "periods")
    for number, day in enumerate(days, start=1):
        begins, ends = venues.business_days(venue, day.business_date, day.business_date)
        row = _sub(periods, "period")
        first_date, first_time = out.when(begins)
        last_date, last_time = out.when(ends - dt.timedelta(seconds=1))
        _fields(
            row,
            ("periodNumber", number),
            ("periodDesc", f"Business day {day.business_date.isoformat()}"),
            ("startDatePeriod", first_date),
            ("startTimePeriod", first_time),
            ("endDatePeriod", last_date),
            ("endTimePeriod", last_time),
        )
    employees = _sub(company, "employees")
    for member in staff:
        first, last = _person(member.name)
        emp = _sub(employees, "employee")
        entry_date, entry_time = out.when(member.created_at)
        _fields(
            emp,
            ("empID", member.id),
            ("dateOfEntry", entry_date),
            ("timeOfEntry", entry_time),
            ("firstName", first),
            ("surName", last),
        )
        role = _sub(emp, "employeeRole")
        manager = "manager" in member.roles or "owner" in member.roles
        _fields(
            role,
            ("roleType", "Manager" if manager else "Employee"),
            ("roleTypeDesc", ", ".join(member.roles)),
        )
    articles = _sub(company, "articles")
    for name, (art_id, group) in out.book.articles.items():
        _fields(
            _sub(articles, "article"),
            ("artID", art_id),
            ("dateOfEntry", venue.created_at.date().isoformat()),
            ("artGroupID", group),
            ("artDesc", name),
        )
    basics = _sub(company, "basics")
    for category, group in out.book.groups.items():
        _basic(basics, "04", group, ARTICLE_GROUP_OTHER, category or "No category")
    _basic(basics, "05", SALE_LINE, None, "Sale line")
    if out.book.returns:
        _basic(basics, "05", RETURN_LINE, None, "Return line")
    _basic(basics, "11", *CASH_SALE)
    if out.book.returns:
        _basic(basics, "11", *RETURN_SALE)
    for method in sorted(out.book.payments):
        _basic(basics, "12", *PAYMENT_CODES.get(method, OTHER_PAYMENT))
    _basic(basics, "13", *EVENT_RECEIPT)
    _basic(basics, "13", *EVENT_Z)
    for event_code in sorted(out.book.events.values()):
        if event_code not in (EVENT_RECEIPT, EVENT_Z):
            _basic(basics, "13", *event_code)


def _event(
    out: _File,
    event_id: object,
    code: tuple[str, str, str],
    at: dt.datetime,
    *,
    trans_id: str | None = None,
    emp: int | None = None,
    text: str | None = None,
) -> tuple[dt.datetime, ET.Element]:
    event = ET.Element("event")
    _fields(event, ("eventID", event_id), ("eventType", out.book.event(code)))
    if trans_id is not None:
        _sub(event, "transID", trans_id)
    if emp is not None:
        _sub(event, "empID", emp)
    date, time = out.when(at)
    _fields(event, ("eventDate", date), ("eventTime", time))
    if text:
        _sub(event, "eventText", text)
    return at, event


def _drawer_event(
    out: _File, entry: journal.Entry, tally: _Drawer
) -> tuple[dt.datetime, ET.Element]:
    data = entry.data
    kind = data["event"]
    money = out.money(data.get("amount", 0))
    if kind == "open":
        tally.opening_float += data["opening_float"]
        tally.opened += 1
        text = (
            f"Drawer session {data['session_id']} opened, float {out.money(data['opening_float'])}"
        )
    elif kind == "close":
        text = (
            f"Drawer session {data['session_id']} counted {out.money(data['counted'])}, "
            f"expected {out.money(data['expected'])}, over/short {out.money(data['over_short'])}"
        )
    elif kind == "no_sale":
        tally.opened += 1
        text = f"No sale: {data.get('reason', '')}"
    else:
        tally.opened += 1
        tally.paid_in += kind == "paid_in"
        tally.paid_out += kind == "paid_out"
        text = f"{kind.replace('_', ' ').capitalize()} {money}: {data.get('reason', '')}"
    return _event(out, entry.seq, DRAWER_EVENTS[kind], entry.at, emp=data["staff_id"], text=text)


def _day(
    out: _File,
    transactions: ET.Element,
    found: list[journal.Entry],
    day: DayClose,
    period: int,
    company_id: str,
) -> list[tuple[dt.datetime, ET.Element]]:
    """One closed business day's transactions (appended) and events (returned)."""
    refunds = {e.data["payment_id"]: e.data for e in found if e.kind == "refund"}
    for_returns = {i for e in found if e.kind == "return" for i in e.data["payment_ids"]}
    paid: dict[int, list[dict[str, Any]]] = defaultdict(list)
    tally = _Drawer()
    events: list[tuple[dt.datetime, ET.Element]] = []
    receipt = 0
    for entry in found:
        data = entry.data
        if entry.kind in ("payment", "refund") and data["payment_id"] not in for_returns:
            paid[data["check_id"]].append(data)
        elif entry.kind in ("sale", "return"):
            receipt += 1
            returned = entry.kind == "return"
            if returned:
                out.book.returns = True
                money = [refunds[i] for i in data["payment_ids"] if i in refunds]
            else:
                money = paid.pop(data["check_id"], [])
            out.transaction(transactions, entry, money, period, receipt, returned=returned)
            trans_id = transaction_id(entry)
            emp = data.get("returned_by") if returned else data.get("waiter_id")
            code = EVENT_RETURN if returned else EVENT_RECEIPT
            events.append(_event(out, entry.seq, code, entry.at, trans_id=trans_id, emp=emp))
            if any(p["method"] == "cash" for p in money):
                tally.opened += 1
                events.append(
                    _event(
                        out,
                        f"{entry.seq}-drawer",
                        EVENT_DRAWER_OPEN,
                        entry.at,
                        trans_id=trans_id,
                        emp=emp,
                    )
                )
        elif entry.kind == "drawer":
            events.append(_drawer_event(out, entry, tally))
        elif entry.kind == "day_close":
            at, event = _event(
                out,
                entry.seq,
                EVENT_Z,
                day.closed_at,
                emp=day.closed_by,
                text=f"Z report {day.business_date.isoformat()}",
            )
            out.z_report(event, day, company_id, tally)
            events.append((at, event))
    return events


async def _closed_before(session: AsyncSession, venue_id: int, day: DayClose) -> dt.datetime | None:
    """When the close before ``day`` was made (None for the venue's first)."""
    return await session.scalar(
        select(DayClose.closed_at)
        .where(DayClose.venue_id == venue_id, DayClose.to_seq < day.from_seq)
        .order_by(DayClose.to_seq.desc())
        .limit(1)
    )


async def _shift_events(
    session: AsyncSession,
    out: _File,
    venue_id: int,
    since: dt.datetime | None,
    until: dt.datetime,
) -> list[tuple[dt.datetime, ET.Element]]:
    """The staff's clock-ins and clock-outs after the previous close up to this one, as
    log-in and log-out events."""
    query = select(Shift).where(Shift.venue_id == venue_id, Shift.clock_in <= until)
    if since is not None:
        query = query.where((Shift.clock_in > since) | (Shift.clock_out > since))
    found: list[tuple[dt.datetime, ET.Element]] = []
    for shift in (await session.execute(query.order_by(Shift.id))).scalars():
        if since is None or shift.clock_in > since:
            found.append(
                _event(
                    out, f"shift-{shift.id}-in", EVENT_LOG_IN, shift.clock_in, emp=shift.staff_id
                )
            )
        if (
            shift.clock_out is not None
            and (since is None or shift.clock_out > since)
            and (shift.clock_out <= until)
        ):
            found.append(
                _event(
                    out, f"shift-{shift.id}-out", EVENT_LOG_OUT, shift.clock_out, emp=shift.staff_id
                )
            )
    return found


async def render(
    session: AsyncSession, venue: Venue, start: dt.date, end: dt.date, *, now: dt.datetime
) -> bytes:
    """The audit file of the venue's closed business days ``start`` to ``end`` (UTF-8 XML)."""
    if end < start:
        raise Invalid("the period ends before it starts", field="to")
    if (end - start).days >= MAX_DAYS:
        raise Invalid("the period is longer than {days} days", days=MAX_DAYS, field="to")
    days = (
        (
            await session.execute(
                select(DayClose)
                .where(
                    DayClose.venue_id == venue.id,
                    DayClose.business_date >= start,
                    DayClose.business_date <= end,
                )
                .order_by(DayClose.to_seq)
            )
        )
        .scalars()
        .all()
    )
    staff = (
        (await session.execute(select(Staff).where(Staff.venue_id == venue.id).order_by(Staff.id)))
        .scalars()
        .all()
    )
    out = _File(venue, now)
    company_id = str(venue.settings.get("company_id") or venue.slug)

    register = ET.Element("cashregister")
    _fields(register, ("registerID", REGISTER_ID), ("regDesc", f"{venue.name} server"))
    events: list[ET.Element] = []
    transactions = ET.Element("transactions")
    previous = await _closed_before(session, venue.id, days[0]) if days else None
    for period, day in enumerate(days, start=1):
        found = [
            e async for e in journal.entries(session, venue.id, day.from_seq - 1, day.to_seq + 1)
        ]
        day_events = [
            *await _shift_events(session, out, venue.id, previous, day.closed_at),
            *_day(out, transactions, found, day, period, company_id),
        ]
        day_events.sort(key=lambda pair: pair[0])
        events.extend(event for _, event in day_events)
        previous = day.closed_at
    register.extend(events)
    register.extend(list(transactions))

    root = ET.Element("auditfile", {"xmlns": NAMESPACE})
    header = _sub(root, "header")
    _fields(
        header,
        ("fiscalYear", start.year),
        ("startDate", start.isoformat()),
        ("endDate", end.isoformat()),
        ("curCode", venue.currency),
        ("dateCreated", out.created.date().isoformat()),
        ("timeCreated", out.created.strftime("%H:%M:%S")),
        ("softwareDesc", "pos_service"),
        ("softwareVersion", pos_service.__version__),
        ("softwareCompanyName", "pos_service contributors"),
        ("auditfileVersion", "1.0"),
        ("headerComment", f"Closed business days of {venue.name}"),
    )
    company = _sub(root, "company")
    _fields(company, ("companyIdent", company_id), ("companyName", venue.name))
    _company_head(company, out, staff, days)
    location = _sub(company, "location")
    _sub(location, "name", venue.name)
    location.append(register)
    ET.indent(root, space="  ")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


async def audit_file(
    session: AsyncSession, caller: Caller, start: dt.date, end: dt.date, now: dt.datetime
) -> bytes:
    """The caller's venue's audit file (managers)."""
    venue = await venues.get(session, caller.venue_id)
    return await render(session, venue, start, end, now=now)


async def audit_file_for(
    session: AsyncSession, slug: str, start: dt.date, end: dt.date, now: dt.datetime
) -> bytes:
    """The audit file of the venue named ``slug`` (the command line)."""
    try:
        venue = await venues.by_slug(session, slug)
    except NotFound:
        raise NotFound("no venue {slug!r}", slug=slug, field="venue") from None
    return await render(session, venue, start, end, now=now)
