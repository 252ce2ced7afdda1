"""What the printing API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from pos_service.core.schemas import UNSET_FIELD, Id, Unset
from pos_service.i18n import Language

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Address = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
ConnectionName = Literal["network", "file", "usb", "serial"]
RoleName = Literal["kitchen", "bar", "receipt"]
Width = Literal[32, 42, 48]
CodePage = Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
StateName = Literal["queued", "sending", "printed", "failed"]
StatusName = Literal["online", "offline", "paper_out", "cover_open", "unknown"]
Stations = Annotated[list[Id], msgspec.Meta(max_length=50)]
ErrorText = Annotated[str, msgspec.Meta(max_length=500)]


class PrinterCreate(msgspec.Struct, kw_only=True):
    """A new printer. ``address``: ``host:port`` for network, a path for file."""

    name: Name
    connection: ConnectionName
    address: Address
    role: RoleName
    width: Width = 42
    code_page: CodePage = "CP858"
    two_colour: bool = False
    buzzer: bool = False
    drawer: bool = False
    """The cash drawer hangs on this printer (its pulses go here; one per venue)."""
    backup_id: Id | None = None
    station_ids: Stations = []
    language: Language | None = None
    """The language its kitchen tickets print in; unset: the venue's."""


class PrinterPatch(msgspec.Struct, kw_only=True):
    """Change a printer; ``station_ids`` replaces the stations it serves."""

    name: Name | Unset = UNSET_FIELD
    connection: ConnectionName | Unset = UNSET_FIELD
    address: Address | Unset = UNSET_FIELD
    role: RoleName | Unset = UNSET_FIELD
    width: Width | Unset = UNSET_FIELD
    code_page: CodePage | Unset = UNSET_FIELD
    two_colour: bool | Unset = UNSET_FIELD
    buzzer: bool | Unset = UNSET_FIELD
    drawer: bool | Unset = UNSET_FIELD
    backup_id: Id | Unset | None = UNSET_FIELD
    station_ids: Stations | Unset = UNSET_FIELD
    language: Language | Unset = UNSET_FIELD
    version: Id | Unset = UNSET_FIELD
    """The version the change was made on (409 with the current printer when stale)."""


class PrinterRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    connection: str
    address: str
    role: str
    width: int
    code_page: str
    two_colour: bool
    buzzer: bool
    backup_id: int | None
    station_ids: list[int]
    status: str
    status_detail: str | None
    last_seen: dt.datetime | None
    queued: int
    version: int = 1
    language: str = "en"
    drawer: bool = False


class PrintJobRead(msgspec.Struct, kw_only=True):
    id: int
    printer_id: int
    station_id: int | None
    kind: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    banner: str | None
    reprint: int | None
    reprint_of: int | None
    may_have_printed: bool
    rerouted_from: int | None
    created_at: dt.datetime
    printed_at: dt.datetime | None
    document: dict[str, object]
    number: int | None = None
    """A kitchen ticket's number (its document shows it too)."""


class ReprintRequest(msgspec.Struct, kw_only=True):
    """Print a job again, on its printer or on ``printer_id``."""

    printer_id: Id | None = None


class ClaimRequest(msgspec.Struct, kw_only=True):
    limit: Annotated[int, msgspec.Meta(ge=1, le=100)] = 20


class ClaimedJob(msgspec.Struct, kw_only=True):
    """A job handed to a print agent: where to print and the ESC/POS bytes (base64)."""

    id: int
    printer_id: int
    printer: str
    connection: str
    address: str
    kind: str
    attempts: int
    lease_until: dt.datetime
    data: str


class AckRequest(msgspec.Struct, kw_only=True):
    """An agent's answer for a claimed job; ``printer_status`` as it saw the printer."""

    ok: bool
    error: ErrorText | None = None
    printer_status: StatusName | None = None
    may_have_printed: bool = False
