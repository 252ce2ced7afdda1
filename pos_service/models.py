"""Every table of the application, imported in dependency order so that the metadata
Alembic compares against is complete."""

from pos_service.audit.models import AuditEntry
from pos_service.core.db import Base
from pos_service.core.journal import JournalEntry
from pos_service.core.models import Approval, AuthFailure, Counter, EventRow, IdempotencyKey
from pos_service.devices.models import Device, DevicePairing
from pos_service.drawers.models import DrawerMovement, DrawerSession
from pos_service.guests.models import Guest, GuestCheck, LoyaltyMovement
from pos_service.integrations.models import ApiKey, WebhookDelivery, WebhookSubscription
from pos_service.kitchen.models import CheckCourse, KitchenTicket, TicketItem
from pos_service.mail.models import MailMessage
from pos_service.menu.models import (
    Category,
    CategorySchedule,
    Item,
    ItemModifierGroup,
    ItemSchedule,
    ModifierGroup,
    ModifierOption,
    Schedule,
    Station,
)
from pos_service.orders.models import Check, CheckLine
from pos_service.payments.models import Adjustment, BillPart, GiftCard, Payment
from pos_service.printing.models import Printer, PrinterStation, PrintJob
from pos_service.promotions.models import DayPartPrice, Promotion
from pos_service.reports.models import DayClose, TipSettlement, TipShare
from pos_service.reservations.models import Reservation, ReservationJob, WaitlistEntry
from pos_service.returns.models import CheckReturn
from pos_service.rosters.models import PlannedShift, Section, StaffWage
from pos_service.setup.models import SetupCode
from pos_service.staff.models import Shift, Staff, StaffMembership
from pos_service.stock.models import RecipeLine, StockItem, StockMovement
from pos_service.tables.models import Area, DiningTable
from pos_service.takeaway.models import TakeawayOrder
from pos_service.venues.models import Venue, VenueGroup

metadata = Base.metadata

__all__ = [
    "Adjustment",
    "ApiKey",
    "Approval",
    "Area",
    "AuditEntry",
    "AuthFailure",
    "Base",
    "BillPart",
    "Category",
    "CategorySchedule",
    "Check",
    "CheckCourse",
    "CheckLine",
    "CheckReturn",
    "Counter",
    "DayClose",
    "DayPartPrice",
    "Device",
    "DevicePairing",
    "DiningTable",
    "DrawerMovement",
    "DrawerSession",
    "EventRow",
    "GiftCard",
    "Guest",
    "GuestCheck",
    "IdempotencyKey",
    "Item",
    "ItemModifierGroup",
    "ItemSchedule",
    "JournalEntry",
    "KitchenTicket",
    "LoyaltyMovement",
    "MailMessage",
    "ModifierGroup",
    "ModifierOption",
    "Payment",
    "PlannedShift",
    "PrintJob",
    "Printer",
    "PrinterStation",
    "Promotion",
    "RecipeLine",
    "Reservation",
    "ReservationJob",
    "Schedule",
    "Section",
    "SetupCode",
    "Shift",
    "Staff",
    "StaffMembership",
    "StaffWage",
    "Station",
    "StockItem",
    "StockMovement",
    "TakeawayOrder",
    "TicketItem",
    "TipSettlement",
    "TipShare",
    "Venue",
    "VenueGroup",
    "WaitlistEntry",
    "WebhookDelivery",
    "WebhookSubscription",
    "metadata",
]
