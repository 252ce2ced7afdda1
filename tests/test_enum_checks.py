"""The enum columns accept only the values of their Python enum, the CHECK in the
database lists exactly the enum's values (an enum grown without its migration fails
here), and no database function spells one of those values: the states, kinds and
methods reach the SQL as parameters, from the enums (decision 1561)."""

from __future__ import annotations

import enum
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import CheckConstraint, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

import pos_service.models  # noqa: F401  (every model in the metadata)
from pos_service.core.db import Base, one_of
from pos_service.orders.models import CheckStatus, LineState
from pos_service.payments.models import PaymentMethod, PaymentStatus
from pos_service.printing.models import DocumentType, JobKind, JobState
from pos_service.reservations.models import ReservationStatus
from pos_service.takeaway.models import PickupState
from tests.conftest import Demo

VERSIONS = Path(__file__).parents[1] / "pos_service" / "migrations" / "versions"


def _checked() -> list[tuple[str, str, type[enum.StrEnum]]]:
    """Every ``enum_check`` of the models: table, column and enum."""
    found = []
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint) and "enum" in constraint.info:
                found.append((table.name, constraint.info["column"], constraint.info["enum"]))
    return sorted(found, key=lambda row: (row[0], row[1]))


CHECKED = _checked()
STATES = {value.value: enum_ for _, _, enum_ in CHECKED for value in enum_}


def test_the_enum_columns_are_checked() -> None:
    """The states the functions rely on and the other kinds, methods and states."""
    checked = {(table, column) for table, column, _ in CHECKED}
    assert {
        ("checks", "status"),
        ("check_lines", "state"),
        ("kitchen_tickets", "state"),
        ("dining_tables", "status"),
        ("print_jobs", "state"),
        ("print_jobs", "kind"),
        ("print_jobs", "document_type"),
        ("payments", "method"),
        ("payments", "status"),
        ("reservations", "status"),
        ("waitlist_entries", "status"),
        ("takeaway_orders", "state"),
        ("mail_outbox", "status"),
    } <= checked


def test_every_enum_column_is_checked() -> None:
    """A column typed with a Python enum (``Mapped[SomeEnum]``) has its ``enum_check``."""
    checked = {(table, column): enum_ for table, column, enum_ in CHECKED}
    unchecked = []
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        table = str(cls.__tablename__)
        names = vars(sys.modules[cls.__module__])
        for attribute, annotation in vars(cls).get("__annotations__", {}).items():
            match = re.fullmatch(r"Mapped\[(\w+)\]", str(annotation))
            typed = names.get(match.group(1)) if match else None
            if not (isinstance(typed, type) and issubclass(typed, enum.StrEnum)):
                continue
            column = mapper.columns[attribute].name
            if checked.get((table, column)) is not typed:
                unchecked.append(f"{table}.{column} ({typed.__name__})")
    assert unchecked == []


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
        found = (await conn.execute(DEFINITION, {"n": name, "t": table})).scalar_one_or_none()
        condition = one_of(column, [v.value for v in values])
        await conn.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT probe CHECK ({condition})"))
        probe: str = (await conn.execute(DEFINITION, {"n": "probe", "t": table})).scalar_one()
        await conn.rollback()
    assert found is not None, f"no {name} in the database: a migration must add it"
    assert probe == found


async def test_a_state_outside_the_enum_is_refused(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    with pytest.raises(IntegrityError, match="ck_checks_status_values"):
        await demo.sql(
            "UPDATE checks SET status = 'opened' WHERE venue_id = :v AND id = :c",
            v=demo.venue_id,
            c=check["id"],
        )


async def test_a_payment_method_outside_the_enum_is_refused(demo: Demo) -> None:
    check = await demo.open_check("12", covers=2)
    with pytest.raises(IntegrityError, match="ck_payments_method_values"):
        await demo.sql(
            "INSERT INTO payments (venue_id, check_id, method, status, amount, tip, change)"
            " VALUES (:v, :c, 'cheque', 'approved', 100, 0, 0)",
            v=demo.venue_id,
            c=check["id"],
        )


# --- no function spells a state -------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<comment>--[^\n]*|/\*.*?\*/)"
    r"|(?P<string>[eE]?'(?:[^']|'')*')"
    r"|(?P<ident>\"(?:[^\"]|\"\")*\")"
    r"|(?P<arrow>#>>|#>|->>|->)"
    r"|(?P<word>[A-Za-z_][A-Za-z_0-9$]*)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.S,
)
_BUILDERS = {"json_build_object", "jsonb_build_object"}


def state_literals(source: str, states: set[str] | dict[str, type[enum.StrEnum]]) -> list[str]:
    """The quoted literals of a SQL or PL/pgSQL source that equal a state, leaving out
    comments and JSON keys (the keys of ``json_build_object`` and the fields after
    ``->``/``->>``): a state compared with, set or inserted."""
    tokens = [
        (kind, match.group())
        for match in _TOKEN.finditer(source)
        if (kind := match.lastgroup or "other") not in ("comment", "space")
    ]
    found: list[str] = []
    calls: list[list[int | bool]] = []  # per open parenthesis: builder?, argument index
    for i, (kind, value) in enumerate(tokens):
        before = tokens[i - 1] if i else ("other", "")
        after = tokens[i + 1] if i + 1 < len(tokens) else ("other", "")
        if value == "(":
            calls.append([before[0] == "word" and before[1].lower() in _BUILDERS, 0])
        elif value == ")" and calls:
            calls.pop()
        elif value == "," and calls:
            calls[-1][1] = int(calls[-1][1]) + 1
        elif kind == "string":
            literal = value.lstrip("eE")[1:-1].replace("''", "'")
            key = before[0] == "arrow" or (
                bool(calls)
                and bool(calls[-1][0])
                and int(calls[-1][1]) % 2 == 0
                and before[1] in ("(", ",")
                and after[1] in (",", ")")
            )
            if not key and literal in states:
                found.append(literal)
    return found


FUNCTIONS = text(
    "SELECT p.proname, p.prosrc FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace "
    "JOIN pg_language l ON l.oid = p.prolang "
    "WHERE n.nspname = 'public' AND l.lanname IN ('sql', 'plpgsql') "
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
    "AND d.objid = p.oid AND d.deptype = 'e') ORDER BY p.proname"
)


async def test_no_database_function_spells_a_state(engine: AsyncEngine) -> None:
    """Every function of the migrated schema takes the states it compares or writes as
    parameters: a literal 'open' or 'sent' in one would not follow its enum."""
    async with engine.connect() as conn:
        functions = (await conn.execute(FUNCTIONS)).all()
    names = {name for name, _ in functions}
    assert {"kitchen_send_open", "kitchen_send_write", "bill_open", "line_open"} <= names
    spelled = [
        f"{name}: '{literal}' ({STATES[literal].__name__})"
        for name, source in functions
        for literal in state_literals(str(source), STATES)
    ]
    assert spelled == [], "functions spelling a state: " + "; ".join(spelled)


def _migration(file: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"m_{file[:4]}", VERSIONS / file)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_send_before_0041_is_caught() -> None:
    """The check finds the literals of the send's functions as migrations 0016 and 0039
    wrote them, and passes their keys, comments and JSON fields."""
    assert state_literals(_migration("0016_allergens_and_settle.py").SEND_OPEN, STATES) == [
        CheckStatus.OPEN,
        LineState.PENDING,
        LineState.PENDING,
    ]
    assert state_literals(_migration("0039_job_number.py").SEND_WRITE, STATES) == [
        LineState.SENT,
        JobKind.TICKET,
        DocumentType.KITCHEN_TICKET,
    ]


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("IF c.status <> 'open' THEN", ["open"]),
        ("WHERE state IN ('held', 'ready') AND method = E'cash'", ["held", "ready", "cash"]),
        ("json_build_object('receipt', x, 'status', 'approved')", ["approved"]),
        ("json_build_object('refused', 'missing', 'sent', f('sent'))", ["sent"]),
        ("SELECT p->>'pending', p->'booked' -- 'sent' is a comment", []),
        ("/* 'queued' */ SELECT 'it''s', \"open\"", []),
    ],
)
def test_the_literals_found(source: str, found: list[str]) -> None:
    assert state_literals(source, STATES) == found


def test_the_values_guarded() -> None:
    assert {PaymentMethod.CASH, PaymentStatus.PENDING, ReservationStatus.BOOKED} <= STATES.keys()
    assert {PickupState.READY, JobState.QUEUED} <= STATES.keys()
