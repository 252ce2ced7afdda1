"""The columns of the states that the database functions test ('open', 'pending', 'sent'
...) accept only the values of their Python enum, and the CHECK in the database lists
exactly the enum's values (an enum grown without its migration fails here)."""

from __future__ import annotations

import enum

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from pos_service.core.db import one_of
from pos_service.kitchen.models import TicketState
from pos_service.orders.models import CheckStatus, LineState
from pos_service.printing.models import JobState
from pos_service.tables.models import TableStatus
from tests.conftest import Demo

CHECKED: list[tuple[str, str, type[enum.StrEnum]]] = [
    ("checks", "status", CheckStatus),
    ("check_lines", "state", LineState),
    ("kitchen_tickets", "state", TicketState),
    ("dining_tables", "status", TableStatus),
    ("print_jobs", "state", JobState),
]


DEFINITION = text(
    "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE conname = :n AND conrelid = CAST(:t AS regclass)"
)


@pytest.mark.parametrize(("table", "column", "values"), CHECKED)
async def test_the_check_lists_the_enum(
    engine: AsyncEngine, table: str, column: str, values: type[enum.StrEnum]
) -> None:
    """The CHECK the migrations made reads as PostgreSQL reads one rendered from the enum."""
    name = f"ck_{table}_{column}_values"
    async with engine.connect() as conn:
        found: str = (await conn.execute(DEFINITION, {"n": name, "t": table})).scalar_one()
        condition = one_of(column, [v.value for v in values])
        await conn.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT probe CHECK ({condition})"))
        probe: str = (await conn.execute(DEFINITION, {"n": "probe", "t": table})).scalar_one()
        await conn.rollback()
    assert probe == found


async def test_a_state_outside_the_enum_is_refused(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    with pytest.raises(IntegrityError, match="ck_checks_status_values"):
        await demo.sql(
            "UPDATE checks SET status = 'opened' WHERE venue_id = :v AND id = :c",
            v=demo.venue_id,
            c=check["id"],
        )
