"""Events of the menu."""

from __future__ import annotations

from typing import Any, ClassVar

from pos_service.core.events import DomainEvent


class ItemAvailabilityChanged(DomainEvent, frozen=True, kw_only=True):
    """An item was 86'd, brought back, or its remaining count changed (by a manager, or
    by a send counting it down). Carries the item and its new availability."""

    type: ClassVar[str] = "menu.item_changed"
    item_id: int
    name: str
    available: bool
    remaining: int | None


class MenuCopied(DomainEvent, frozen=True, kw_only=True):
    """A group owner copied another venue's menu into this (empty) venue; screens reload
    the menu. Carries the source venue and how many items arrived."""

    type: ClassVar[str] = "menu.copied"
    from_venue: str
    items: int


class ItemSaved(DomainEvent, frozen=True, kw_only=True):
    """A manager created or changed an item (or its modifier groups or schedules).
    Carries the whole item as ``GET /api/menu`` shows it, with its new version; a
    handheld puts it in place (``category_id``) without fetching the menu."""

    type: ClassVar[str] = "menu.item_saved"
    item: dict[str, Any]


class ItemRemoved(DomainEvent, frozen=True, kw_only=True):
    """An item left the menu: ``archived`` (checks or sales name it) or deleted."""

    type: ClassVar[str] = "menu.item_removed"
    item_id: int
    category_id: int
    archived: bool


class CategorySaved(DomainEvent, frozen=True, kw_only=True):
    """A category was created or changed; carries it without its items."""

    type: ClassVar[str] = "menu.category_saved"
    category: dict[str, Any]


class CategoryRemoved(DomainEvent, frozen=True, kw_only=True):
    """An empty category was archived or deleted."""

    type: ClassVar[str] = "menu.category_removed"
    category_id: int


class GroupSaved(DomainEvent, frozen=True, kw_only=True):
    """A modifier group or one of its options was created, changed or deleted; carries
    the whole group with its options, for every item that offers it."""

    type: ClassVar[str] = "menu.group_saved"
    group: dict[str, Any]


class GroupRemoved(DomainEvent, frozen=True, kw_only=True):
    """A modifier group was deleted; no item offers it any more."""

    type: ClassVar[str] = "menu.group_removed"
    group_id: int


class ScheduleSaved(DomainEvent, frozen=True, kw_only=True):
    """An availability schedule was created or changed."""

    type: ClassVar[str] = "menu.schedule_saved"
    schedule: dict[str, Any]


class ScheduleRemoved(DomainEvent, frozen=True, kw_only=True):
    """An availability schedule was deleted; what it limited is orderable at all times."""

    type: ClassVar[str] = "menu.schedule_removed"
    schedule_id: int


class StationSaved(DomainEvent, frozen=True, kw_only=True):
    """A station was created or changed."""

    type: ClassVar[str] = "menu.station_saved"
    station: dict[str, Any]


class StationRemoved(DomainEvent, frozen=True, kw_only=True):
    """A station nothing routes to was deleted."""

    type: ClassVar[str] = "menu.station_removed"
    station_id: int


class CoursesChanged(DomainEvent, frozen=True, kw_only=True):
    """The venue's courses (in firing order) were replaced."""

    type: ClassVar[str] = "menu.courses_changed"
    courses: list[str]
    version: int


class MenuImported(DomainEvent, frozen=True, kw_only=True):
    """A menu file was imported; screens fetch the menu once. Carries the counts."""

    type: ClassVar[str] = "menu.imported"
    created: int
    changed: int
