"""Shared documents and a running fake printer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from printers.documents import KitchenTicket, TicketItem
from printers.fake import FakePrinter

CET = timezone(timedelta(hours=1))


def make_ticket(**changes: object) -> KitchenTicket:
    fields: dict[str, object] = {
        "venue": "Chez Léa",
        "station": "Kitchen 1",
        "ticket_number": 42,
        "table": "12",
        "waiter": "Anna",
        "covers": 4,
        "created_at": datetime(2025, 3, 1, 18, 42, tzinfo=UTC).astimezone(CET),
        "items": [
            TicketItem(1, "Soup of the day", seat=1, course="Starters"),
            TicketItem(
                2,
                "Ribeye",
                seat=3,
                course="Mains",
                modifiers=["medium rare", "no onions"],
                note="sauce on the side",
                allergens=["mustard"],
            ),
            TicketItem(1, "Tartare", seat=2, course="Starters"),
        ],
        "allergies": ["peanuts"],
        "notes": ["birthday at table 12"],
    }
    fields.update(changes)
    return KitchenTicket(**fields)  # type: ignore[arg-type]


@pytest.fixture
async def fake() -> AsyncIterator[FakePrinter]:
    printer = FakePrinter()
    await printer.start()
    yield printer
    await printer.stop()
