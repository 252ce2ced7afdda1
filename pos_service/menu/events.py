"""Events of the menu."""

from __future__ import annotations

from typing import ClassVar

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
