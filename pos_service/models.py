"""Every table of the application, imported in dependency order so that the metadata
Alembic compares against is complete."""

from pos_service.core.db import Base
from pos_service.core.models import Approval, Counter, EventRow, IdempotencyKey, PinAttempts
from pos_service.kitchen.models import CheckCourse, KitchenTicket, TicketItem
from pos_service.menu.models import (
    Category,
    Item,
    ItemModifierGroup,
    ModifierGroup,
    ModifierOption,
    Station,
)
from pos_service.orders.models import Check, CheckLine
from pos_service.staff.models import Staff
from pos_service.tables.models import Area, DiningTable
from pos_service.venues.models import Venue

metadata = Base.metadata

__all__ = [
    "Approval",
    "Area",
    "Base",
    "Category",
    "Check",
    "CheckCourse",
    "CheckLine",
    "Counter",
    "DiningTable",
    "EventRow",
    "IdempotencyKey",
    "Item",
    "ItemModifierGroup",
    "KitchenTicket",
    "ModifierGroup",
    "ModifierOption",
    "PinAttempts",
    "Staff",
    "Station",
    "TicketItem",
    "Venue",
    "metadata",
]
