"""The accounting export of a closed business day: its journal entries as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import journal
from pos_service.core.auth import Caller
from pos_service.core.errors import NotFound
from pos_service.reports.models import DayClose

COLUMNS = (
    "seq",
    "at",
    "kind",
    "check_id",
    "payment_id",
    "method",
    "amount",
    "tip",
    "staff_id",
    "data",
    "hash",
)
_AMOUNT_KEYS = ("amount", "total", "sales_total")


def _row(entry: journal.Entry) -> list[object]:
    data = entry.data
    amount = next((data[k] for k in _AMOUNT_KEYS if data.get(k) is not None), "")
    staff = data.get("staff_id", data.get("added_by", data.get("voided_by", data.get("closed_by"))))
    return [
        entry.seq,
        entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        entry.kind,
        data.get("check_id", ""),
        data.get("payment_id", ""),
        data.get("method", ""),
        amount,
        data.get("tip", ""),
        "" if staff is None else staff,
        msgspec.json.encode(data, order="sorted").decode(),
        entry.hash,
    ]


async def day_csv(session: AsyncSession, caller: Caller, business_date: dt.date) -> str:
    """The journal entries of a closed day (its Z report's range, its close included)
    as CSV: one row per entry, amounts in minor units, the full entry in ``data``."""
    day = (
        await session.execute(
            select(DayClose).where(
                DayClose.venue_id == caller.venue_id, DayClose.business_date == business_date
            )
        )
    ).scalar_one_or_none()
    if day is None:
        raise NotFound(
            "business day {business_date} is not closed",
            business_date=business_date,
            field="business_date",
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    async for entry in journal.entries(session, caller.venue_id, day.from_seq - 1, day.to_seq + 1):
        writer.writerow(_row(entry))
    return out.getvalue()
