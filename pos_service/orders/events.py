"""Events of checks and lines. Each is recorded on ``orders`` and on ``check:<id>``."""

from __future__ import annotations

from typing import Any, ClassVar

from pos_service.core.events import DomainEvent


class CheckOpened(DomainEvent, frozen=True, kw_only=True):
    """A check was opened on a table. Carries the table, covers, waiter and version."""

    type: ClassVar[str] = "check.opened"
    check_id: int
    table_id: int | None
    covers: int
    waiter_id: int | None
    version: int | None = None


class CheckAllergiesChanged(DomainEvent, frozen=True, kw_only=True):
    """The table's allergies on a check changed (set by the waiter, or a guest's
    profile or booking added to them). Carries the codes, the note and the version."""

    type: ClassVar[str] = "check.allergies_changed"
    check_id: int
    version: int
    allergens: list[str]
    allergy_note: str


class LineAdded(DomainEvent, frozen=True, kw_only=True):
    """A line was added to a check (still pending). Carries the whole line."""

    type: ClassVar[str] = "line.added"
    check_id: int
    version: int
    line: dict[str, Any]


class LineChanged(DomainEvent, frozen=True, kw_only=True):
    """A pending line was edited. Carries the whole line as it now is."""

    type: ClassVar[str] = "line.changed"
    check_id: int
    version: int
    line: dict[str, Any]


class OrderSent(DomainEvent, frozen=True, kw_only=True):
    """Pending lines were sent to the kitchen. Carries the check, table and line ids, and
    the sent lines as ``GET /api/checks/{id}`` shows them now (``state``, ``sent_at``)."""

    type: ClassVar[str] = "order.sent"
    check_id: int
    table_id: int | None
    version: int
    line_ids: list[int]
    lines: list[dict[str, Any]] = []


class LineVoided(DomainEvent, frozen=True, kw_only=True):
    """A line was voided; ``was_sent`` tells whether the kitchen had it already. Carries
    the voided line as ``GET /api/checks/{id}`` shows it now."""

    type: ClassVar[str] = "line.voided"
    check_id: int
    version: int
    line_id: int
    was_sent: bool
    reason: str
    voided_by: int
    approved_by: int | None
    line: dict[str, Any] | None = None


class CheckTransferred(DomainEvent, frozen=True, kw_only=True):
    """A check moved to another table."""

    type: ClassVar[str] = "check.transferred"
    check_id: int
    version: int
    from_table_id: int | None
    to_table_id: int


class ChecksMerged(DomainEvent, frozen=True, kw_only=True):
    """Another check's lines and covers were merged into this one, which stays open.
    Carries the moved lines as ``GET /api/checks/{id}`` shows them, and this check's new
    covers and allergies; recorded on both checks' ``check:<id>`` topics."""

    type: ClassVar[str] = "check.merged"
    check_id: int
    version: int
    merged_check_id: int
    moved_line_ids: list[int]
    covers: int | None = None
    allergens: list[str] | None = None
    allergy_note: str | None = None
    lines: list[dict[str, Any]] = []
