"""Ledger accounts (venue settings ``accounting``) and the daily journal entry.

The journal entry of a closed business day is computed from the financial journal
entries of its Z report (``day_closes.from_seq`` to ``to_seq``), so it agrees with the
Z report to the cent. Every fact becomes signed amounts on accounts (positive = debit,
negative = credit), summed per account and description:

- a closed check credits its lines' net without tax to the sales account of their rate,
  the tax to the tax account of the rate, the service charge to its account; a line
  that sold gift cards credits the gift card liability instead of sales. A return
  debits the same accounts with what it gave back.
- a payment debits its method's account (gift cards: the liability) with its amount and
  tip, and credits the tip to the tips account; a refund does the opposite.
- a counted drawer's over/short moves cash against ``cash_over_short``; cash paid in or
  out moves cash against ``cash_movements``.
- what is left (paid on checks the day did not close, or checks closed that were paid
  another day) goes to ``open_checks``, so debits always equal credits exactly.
See docs/accounting.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.accounting.schemas import LedgerAccounts
from pos_service.audit import service as audit
from pos_service.core import journal
from pos_service.core.auth import Caller
from pos_service.core.errors import NotFound
from pos_service.core.money import to_major
from pos_service.payments.models import GiftCard
from pos_service.reports.models import DayClose
from pos_service.reports.sales import in_ppm, line_totals, rate_label
from pos_service.venues import service as venues
from pos_service.venues.models import Venue

SETTING = "accounting"
COLUMNS = ("date", "journal", "account", "description", "debit", "credit", "currency")


def accounts_of(venue: Venue) -> LedgerAccounts:
    """The venue's ledger accounts, defaults where none is set."""
    return msgspec.convert(venue.settings.get(SETTING) or {}, LedgerAccounts)


async def get_accounts(session: AsyncSession, caller: Caller) -> LedgerAccounts:
    return accounts_of(await venues.get(session, caller.venue_id))


async def set_accounts(
    session: AsyncSession, caller: Caller, data: LedgerAccounts
) -> LedgerAccounts:
    """Replace the venue's ledger accounts; audited."""
    venue = await venues.get(session, caller.venue_id)
    plain = msgspec.to_builtins(data)
    venue.settings = {**venue.settings, SETTING: plain}
    await session.flush()
    await audit.record(session, caller, "accounting.accounts_changed", f"venue:{venue.id}", plain)
    return accounts_of(venue)


class _Entry:
    """Signed amounts per (account, description); positive is a debit."""

    def __init__(self, accounts: LedgerAccounts) -> None:
        self.accounts = accounts
        self.sums: dict[tuple[str, str], int] = defaultdict(int)
        self.sales = {r.rate_ppm: r.account for r in accounts.sales}
        self.tax = {r.rate_ppm: r.account for r in accounts.tax}

    def post(self, account: str, text: str, amount: int) -> None:
        self.sums[(account, text)] += amount

    def bill(self, data: dict[str, Any], sign: int, gift_lines: set[tuple[int, int]]) -> None:
        """A sale (``sign`` -1: credits) or a return (``sign`` 1: debits)."""
        a = self.accounts
        for line, (service, tax, total) in zip(data["lines"], line_totals(data), strict=True):
            rate = line["tax_rate_ppm"]
            label = rate_label(rate)
            base = total - service - tax
            if (data["check_id"], line["line_id"]) in gift_lines:
                self.post(a.gift_cards, "Gift cards sold", sign * base)
            else:
                self.post(self.sales.get(rate, a.sales_default), f"Sales {label}", sign * base)
            if tax:
                self.post(self.tax.get(rate, a.tax_default), f"Tax {label}", sign * tax)
            if service:
                self.post(a.service_charge, "Service charge", sign * service)

    def payment(self, data: dict[str, Any]) -> None:
        a = self.accounts
        method = data["method"]
        if method == "gift_card":
            self.post(a.gift_cards, "Gift cards redeemed", data["amount"])
        else:
            account = a.cash if method == "cash" else a.card
            self.post(account, method.replace("_", " ").capitalize(), data["amount"] + data["tip"])
        if data["tip"]:
            self.post(a.tips, "Tips", -data["tip"])

    def drawer(self, data: dict[str, Any]) -> None:
        a = self.accounts
        if data["event"] == "close" and data["over_short"]:
            self.post(a.cash, "Cash over/short", data["over_short"])
            self.post(a.cash_over_short, "Cash over/short", -data["over_short"])
        elif data["event"] in ("paid_in", "paid_out"):
            amount = data["amount"] if data["event"] == "paid_in" else -data["amount"]
            text = "Cash paid in" if amount > 0 else "Cash paid out"
            self.post(a.cash, text, amount)
            self.post(a.cash_movements, text, -amount)

    def rows(self) -> list[tuple[str, str, int, int]]:
        """(account, description, debit, credit) rows, with the open-checks balance."""
        rest = sum(self.sums.values())
        if rest:
            self.post(self.accounts.open_checks, "Open checks", -rest)
        out = [
            (account, text, max(amount, 0), max(-amount, 0))
            for (account, text), amount in sorted(self.sums.items())
            if amount
        ]
        assert sum(d for _, _, d, _ in out) == sum(c for _, _, _, c in out)
        return out


async def _gift_lines(
    session: AsyncSession, venue_id: int, check_ids: set[int]
) -> set[tuple[int, int]]:
    if not check_ids:
        return set()
    rows = await session.execute(
        select(GiftCard.check_id, GiftCard.line_id).where(
            GiftCard.venue_id == venue_id, GiftCard.check_id.in_(check_ids)
        )
    )
    return {(c, line) for c, line in rows.all() if c is not None and line is not None}


async def journal_entry(
    session: AsyncSession, venue: Venue, day: dt.date
) -> list[tuple[str, str, int, int]]:
    """The closed business day's journal entry rows; 404 naming ``day`` if not closed."""
    close = (
        await session.execute(
            select(DayClose).where(DayClose.venue_id == venue.id, DayClose.business_date == day)
        )
    ).scalar_one_or_none()
    if close is None:
        raise NotFound("business day {day} is not closed", day=day, field="day")
    found = [
        e async for e in journal.entries(session, venue.id, close.from_seq - 1, close.to_seq + 1)
    ]
    checks = {e.data["check_id"] for e in found if e.kind in ("sale", "return")}
    gift_lines = await _gift_lines(session, venue.id, checks)
    entry = _Entry(accounts_of(venue))
    for e in found:
        if e.kind == "sale":
            entry.bill(in_ppm(e.data), -1, gift_lines)
        elif e.kind == "return":
            entry.bill(in_ppm(e.data), 1, gift_lines)
        elif e.kind in ("payment", "refund"):
            entry.payment(e.data)
        elif e.kind == "drawer":
            entry.drawer(e.data)
    return entry.rows()


async def journal_entry_csv(session: AsyncSession, caller: Caller, day: dt.date) -> bytes:
    """The day's journal entry as CSV (amounts in major units, a dot for decimals)."""
    venue = await venues.get(session, caller.venue_id)
    rows = await journal_entry(session, venue, day)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    name = f"Z {day.isoformat()}"

    def major(amount: int) -> str:
        return str(to_major(amount, venue.currency)) if amount else ""

    for account, text, debit, credit in rows:
        writer.writerow(
            (day.isoformat(), name, account, text, major(debit), major(credit), venue.currency)
        )
    return out.getvalue().encode()
