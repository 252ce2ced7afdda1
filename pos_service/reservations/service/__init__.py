"""The use cases of reservations, the waitlist and guest profiles (re-exported from the
private modules of this package), and their scheduled tasks."""

from pos_service.reservations.service._booking import (
    DEMO_RULES,
    arrive,
    availability,
    book,
    cancel,
    complete,
    complete_for_check,
    confirm,
    get_reservation,
    get_rules,
    list_reservations,
    no_show,
    seat,
    seed_demo_rules,
    set_rules,
)
from pos_service.reservations.service._common import lock_day, rules_of
from pos_service.reservations.service._guests import (
    create_guest,
    erase_guest,
    export_guest,
    find_guests,
    get_guest,
    normalise_email,
    normalise_phone,
    patch_guest,
)
from pos_service.reservations.service._jobs import (
    announce_ready_tables,
    refresh_floor,
    release_no_shows,
    tasks,
)
from pos_service.reservations.service._stand import today
from pos_service.reservations.service._waitlist import (
    add_to_waitlist,
    cancel_waitlist,
    list_waitlist,
    seat_from_waitlist,
)

__all__ = [
    "DEMO_RULES",
    "add_to_waitlist",
    "announce_ready_tables",
    "arrive",
    "availability",
    "book",
    "cancel",
    "cancel_waitlist",
    "complete",
    "complete_for_check",
    "confirm",
    "create_guest",
    "erase_guest",
    "export_guest",
    "find_guests",
    "get_guest",
    "get_reservation",
    "get_rules",
    "list_reservations",
    "list_waitlist",
    "lock_day",
    "no_show",
    "normalise_email",
    "normalise_phone",
    "patch_guest",
    "refresh_floor",
    "release_no_shows",
    "rules_of",
    "seat",
    "seat_from_waitlist",
    "seed_demo_rules",
    "set_rules",
    "tasks",
    "today",
]
