"""The audit file: a venue's journal for a range of closed business days as a SAF-T Cash
Register file (Norway's standard, after the Dutch "Auditfile Afrekensystemen").

The file covers the closed business days from ``start`` to ``end``: the journal entries of
their Z reports (``day_closes.from_seq`` to ``to_seq``), so its totals are the Z reports'
totals. Each closed check (journal ``sale``) is a ``cashtransaction`` with its lines, its
tax per rate and its payments, and a "sales receipt" event; each close is a "Z report"
event carrying the report. The head lists the venue, its staff, the articles and article
groups sold, its tax rates as VAT codes and the code-list entries (``basics``) used.

Not in the file yet: drawer sessions (opening float, drawer openings) and returns do not
exist in the journal yet, and sign-ins and application starts are not journalled, so
their events are left out. See docs/audit-file.md.
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
from pos_service.staff.models import Staff
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
SALE_LINE = "SAL"
EVENT_RECEIPT = ("SALREC", "13012", "Sales receipt printed")
EVENT_Z = ("ZREP", "13009", "Z report")
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

    def vat_code(self, rate_ppm: int) -> str:
        return self.rates.setdefault(rate_ppm, str(len(self.rates) + 1))

    def group(self, category: str) -> str:
        return self.groups.setdefault(category or "", str(100 + len(self.groups)))

    def article(self, name: str, category: str) -> str:
        group = self.group(category)
        art_id, _ = self.articles.setdefault(name, (str(1000 + len(self.articles)), group))
        return art_id


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

    def vat(self, parent: ET.Element, rate: int, base: int, tax: int) -> None:
        node = _sub(parent, "vat")
        _fields(
            node,
            ("vatCode", self.book.vat_code(rate)),
            ("vatPerc", _percent(rate)),
            ("vatAmnt", self.money(tax)),
            ("vatAmntTp", "C"),
            ("vatBasAmnt", self.money(base)),
        )

    def transaction(
        self,
        register: ET.Element,
        entry: journal.Entry,
        paid: list[dict[str, Any]],
        period: int,
        receipt: int,
    ) -> None:
        data = in_ppm(entry.data)
        trans_id = str(data["check_id"])
        emp = data.get("waiter_id")
        day, time = self.when(entry.at)
        tax = sum(t for _, _, t in data["taxes"])
        node = _sub(register, "cashtransaction")
        _fields(
            node,
            ("nr", entry.seq),
            ("transID", trans_id),
            ("transType", CASH_SALE[0]),
            ("transAmntIn", self.money(data["total"])),
            ("transAmntEx", self.money(data["total"] - tax)),
            ("amntTp", "C"),
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
                ("lineType", SALE_LINE),
                ("artGroupID", self.book.group(line["category"])),
                ("artID", self.book.article(line["name"], line["category"])),
                ("qnt", line["quantity"]),
                ("lineAmntIn", self.money(total)),
                ("lineAmntEx", self.money(total - line_tax)),
                ("amntTp", "C"),
            )
            if emp is not None:
                _sub(ct, "empID", emp)
            _fields(ct, ("lineDate", day), ("lineTime", time))
            self.vat(ct, line["tax_rate_ppm"], total - line_tax, line_tax)
        for rate, base, rate_tax in data["taxes"]:
            self.vat(node, rate, base, rate_tax)
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

    def z_report(self, event: ET.Element, day: DayClose, company_id: str, emp: int | None) -> None:
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
        refunds = -sum(r.amount for r in report.refunds)
        voids = sum(v.amount for v in report.voids)
        discounts = sum(d.amount for d in report.discounts) + sum(c.amount for c in report.comps)
        _fields(
            node,
            ("reportOpeningChangeFloat", self.money(0)),
            ("reportReceiptNum", report.checks),
            ("reportOpenCashBoxNum", 0),
            ("reportReceiptCopyNum", 0),
            ("reportReceiptCopyAmnt", self.money(0)),
            ("reportReceiptProformaNum", 0),
            ("reportReceiptProformaAmnt", self.money(0)),
            ("reportReturnNum", len(report.refunds)),
            ("reportReturnAmnt", self.money(refunds)),
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
        _fields(pay_in, ("payInType", "None"), ("payInNum", 0), ("payInAmnt", self.money(0)))
        pay_out = _sub(_sub(node, "reportPayOuts"), "reportPayOut")
        _fields(pay_out, ("payOutType", "None"), ("payOutNum", 0), ("payOutAmnt", self.money(0)))
        _fields(
            node,
            ("reportGrandTotalSales", self.money(report.sales_total)),
            ("reportGrandTotalReturn", self.money(refunds)),
            ("reportGrandTotalSalesNet", self.money(report.sales_total - refunds)),
        )


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
    _basic(basics, "11", *CASH_SALE)
    for method in sorted(out.book.payments):
        _basic(basics, "12", *PAYMENT_CODES.get(method, OTHER_PAYMENT))
    _basic(basics, "13", *EVENT_RECEIPT)
    _basic(basics, "13", *EVENT_Z)


async def render(
    session: AsyncSession, venue: Venue, start: dt.date, end: dt.date, *, now: dt.datetime
) -> bytes:
    """The audit file of the venue's closed business days ``start`` to ``end`` (UTF-8 XML)."""
    if end < start:
        raise Invalid("the period ends before it starts", field="to")
    if (end - start).days >= MAX_DAYS:
        raise Invalid(f"the period is longer than {MAX_DAYS} days", field="to")
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
    for period, day in enumerate(days, start=1):
        paid: dict[int, list[dict[str, Any]]] = defaultdict(list)
        receipt = 0
        async for entry in journal.entries(session, venue.id, day.from_seq - 1, day.to_seq + 1):
            if entry.kind in ("payment", "refund"):
                paid[entry.data["check_id"]].append(entry.data)
            elif entry.kind == "sale":
                receipt += 1
                out.transaction(
                    transactions, entry, paid.pop(entry.data["check_id"], []), period, receipt
                )
                event = ET.Element("event")
                date, time = out.when(entry.at)
                _fields(event, ("eventID", entry.seq), ("eventType", EVENT_RECEIPT[0]))
                _sub(event, "transID", entry.data["check_id"])
                if entry.data.get("waiter_id") is not None:
                    _sub(event, "empID", entry.data["waiter_id"])
                _fields(event, ("eventDate", date), ("eventTime", time))
                events.append(event)
            elif entry.kind == "day_close":
                event = ET.Element("event")
                date, time = out.when(day.closed_at)
                _fields(event, ("eventID", entry.seq), ("eventType", EVENT_Z[0]))
                if day.closed_by is not None:
                    _sub(event, "empID", day.closed_by)
                _fields(
                    event,
                    ("eventDate", date),
                    ("eventTime", time),
                    ("eventText", f"Z report {day.business_date.isoformat()}"),
                )
                out.z_report(event, day, company_id, day.closed_by)
                events.append(event)
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
        raise NotFound(f"no venue {slug!r}", field="venue") from None
    return await render(session, venue, start, end, now=now)
