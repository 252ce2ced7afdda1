"""Reading a menu file (JSON or CSV) and checking each row."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec

from pos_service.core.allergens import ALLERGENS
from pos_service.core.errors import Invalid
from pos_service.core.export import FORMULA_STARTS
from pos_service.menu.admin_schemas import (
    ImportCategory,
    ImportGroup,
    ImportSchedule,
    ImportStation,
    MenuRow,
)

FileFormat = Literal["json", "csv"]
CSV_FIELDS = [f.encode_name for f in msgspec.structs.fields(MenuRow)]
LISTS = ("allergens", "modifier_groups", "schedules")
REQUIRED = ("category", "name", "price", "tax_rate_ppm")
MAX_ROWS = 5000
MAX_PRICE = 100_000_000


class _LooseFile(msgspec.Struct, kw_only=True):
    stations: list[ImportStation] = msgspec.field(default_factory=list)
    modifier_groups: list[ImportGroup] = msgspec.field(default_factory=list)
    schedules: list[ImportSchedule] = msgspec.field(default_factory=list)
    categories: list[ImportCategory] = msgspec.field(default_factory=list)
    items: list[dict[str, Any]] = msgspec.field(default_factory=list)


# --- reading a file


def _parse(fmt: FileFormat, body: bytes) -> _LooseFile:
    if fmt == "json":
        try:
            return msgspec.json.decode(body, type=_LooseFile)
        except msgspec.ValidationError as exc:
            path = str(exc).split("`$.", 1)[1].split("`", 1)[0] if "`$." in str(exc) else "file"
            raise Invalid("the file is not a menu: {exc}", exc=exc, field=path) from exc
        except msgspec.DecodeError as exc:
            raise Invalid("the file is not JSON: {exc}", exc=exc, field="file") from exc
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("the file is not UTF-8 text", field="file") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    unknown = [h for h in header if h not in CSV_FIELDS]
    missing = [h for h in REQUIRED if h not in header]
    if unknown or missing:
        raise Invalid(
            "the header must name {required} and may name {columns}"
            " (unknown: {unknown}, missing: {missing})",
            required=", ".join(REQUIRED),
            columns=", ".join(CSV_FIELDS),
            unknown=unknown,
            missing=missing,
            field="header",
        )
    items: list[dict[str, Any]] = []
    for raw in reader:
        row: dict[str, Any] = {}
        for key, value in raw.items():
            if key is None:
                row["_extra"] = value
                continue
            cell = (value or "").strip()
            if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
                cell = cell[1:]
            row[key] = [x.strip() for x in cell.split("|") if x.strip()] if key in LISTS else cell
        items.append(row)
    return _LooseFile(items=items)


class _Bad(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _int(raw: Mapping[str, Any], name: str, low: int, high: int, default: int | None = None) -> int:
    value = raw.get(name, "")
    if value in ("", None):
        if default is None:
            raise _Bad(name, f"{name} is required")
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad(name, f"{name} must be a whole number")
    try:
        number = int(value)
    except ValueError:
        hint = " in minor units (e.g. 1250 for 12.50)" if name == "price" else ""
        raise _Bad(name, f"{name} must be a whole number{hint}, not {value!r}") from None
    if not low <= number <= high:
        raise _Bad(name, f"{name} must be between {low} and {high}, not {number}")
    return number


def _text(raw: Mapping[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = raw.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _Bad(name, f"{name} must be text")
    value = value.strip()
    if required and not value:
        raise _Bad(name, f"{name} is required")
    if len(value) > limit:
        raise _Bad(name, f"{name} is longer than {limit} characters")
    return value


def _names(raw: Mapping[str, Any], name: str) -> list[str]:
    value = raw.get(name, [])
    if value in ("", None):
        return []
    if isinstance(value, str):
        value = [x.strip() for x in value.split("|") if x.strip()]
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise _Bad(name, f"{name} must be a list of names")
    return list(dict.fromkeys(value))


def _known_names(raw: Mapping[str, Any], name: str, known: set[str], what: str) -> list[str]:
    values = _names(raw, name)
    for value in values:
        if value not in known:
            raise _Bad(name, f"unknown {what} {value!r}")
    return values


@dataclass
class _Known:
    """What rows may name: the venue's and the file's stations, groups, schedules."""

    courses: list[str]
    stations: set[str]
    groups: set[str]
    schedules: set[str]
    seen: dict[str, int] = field(default_factory=dict)


def _row(raw: Mapping[str, Any], known: _Known, line: int) -> MenuRow:
    if raw.get("_extra"):
        raise _Bad("row", "the line has more cells than the header")
    unknown = [k for k in raw if k not in CSV_FIELDS]
    if unknown:
        raise _Bad(unknown[0], f"unknown field {unknown[0]!r}")
    name = _text(raw, "name", 100, required=True)
    if name in known.seen:
        raise _Bad("name", f"{name!r} appears twice (also row {known.seen[name]})")
    known.seen[name] = line
    category = _text(raw, "category", 100, required=True)
    price = _int(raw, "price", 0, MAX_PRICE)
    ppm = _int(raw, "tax_rate_ppm", 0, 1_000_000)
    station = _text(raw, "station", 64)
    if station and station not in known.stations:
        raise _Bad("station", f"unknown station {station!r}")
    course = _text(raw, "course", 32)
    if course and course not in known.courses:
        raise _Bad("course", f"unknown course {course!r}; one of {known.courses}")
    allergens = _known_names(raw, "allergens", set(ALLERGENS), "allergen")
    groups = _known_names(raw, "modifier_groups", known.groups, "modifier group")
    schedules = _known_names(raw, "schedules", known.schedules, "schedule")
    return MenuRow(
        category=category,
        name=name,
        price=price,
        tax_rate_ppm=ppm,
        description=_text(raw, "description", 500),
        station=station,
        course=course,
        prep_minutes=_int(raw, "prep_minutes", 0, 600, 0),
        allergens=allergens,
        modifier_groups=groups,
        schedules=schedules,
        position=_int(raw, "position", 0, 100_000, 0),
    )
