"""Every table of the application, imported in dependency order so that the metadata
Alembic compares against is complete."""

from pos_service.core.db import Base
from pos_service.core.journal import JournalEntry
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
from pos_service.payments.models import Adjustment, BillPart, GiftCard, Payment
from pos_service.printing.models import Printer, PrinterStation, PrintJob
from pos_service.reports.models import DayClose
from pos_service.reservations.models import Guest, Reservation, ReservationJob, WaitlistEntry
from pos_service.staff.models import Staff
from pos_service.tables.models import Area, DiningTable
from pos_service.venues.models import Venue

metadata = Base.metadata

__all__ = [
    "Adjustment",
    "Approval",
    "Area",
    "Base",
    "BillPart",
    "Category",
    "Check",
    "CheckCourse",
    "CheckLine",
    "Counter",
    "DayClose",
    "DiningTable",
    "EventRow",
    "GiftCard",
    "Guest",
    "IdempotencyKey",
    "Item",
    "ItemModifierGroup",
    "JournalEntry",
    "KitchenTicket",
    "ModifierGroup",
    "ModifierOption",
    "Payment",
    "PinAttempts",
    "PrintJob",
    "Printer",
    "PrinterStation",
    "Reservation",
    "ReservationJob",
    "Staff",
    "Station",
    "TicketItem",
    "Venue",
    "WaitlistEntry",
    "metadata",
]
