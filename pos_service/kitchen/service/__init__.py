"""The kitchen's use cases: routing a send to its stations, pacing courses, the screens'
operations, voids reaching the line, timers, the pass and the counts.

Locking (see docs/kitchen.md): every kitchen write locks the check row first (the send
in ``kitchen_send_open``, the void through ``orders.load_for_write``, fire and the
screens' operations in ``kitchen_open``), then the rows of its tickets. All writes of
one check are serialised, which is what lets "is every station's item of this course
bumped?" be answered exactly once. The scheduled tasks claim rows with
``FOR UPDATE SKIP LOCKED`` and never wait.
"""

from pos_service.kitchen.service._allergies import link_guest, set_allergies
from pos_service.kitchen.service._common import (
    EXPO_TOPIC,
    item_read,
    station_read,
    station_topics,
    ticket_read,
)
from pos_service.kitchen.service._courses import fire, fire_takeaway, get_courses
from pos_service.kitchen.service._moves import merge, transfer
from pos_service.kitchen.service._pass import call_pickup, serve
from pos_service.kitchen.service._reports import all_day, expo, prep_times
from pos_service.kitchen.service._screens import (
    bump,
    bump_item,
    list_stations,
    list_tickets,
    patch_station,
    recall,
    recall_last,
    start,
)
from pos_service.kitchen.service._send import send, void_line
from pos_service.kitchen.service._tasks import flag_late, release_due

__all__ = [
    "EXPO_TOPIC",
    "all_day",
    "bump",
    "bump_item",
    "call_pickup",
    "expo",
    "fire",
    "fire_takeaway",
    "flag_late",
    "get_courses",
    "item_read",
    "link_guest",
    "list_stations",
    "list_tickets",
    "merge",
    "patch_station",
    "prep_times",
    "recall",
    "recall_last",
    "release_due",
    "send",
    "serve",
    "set_allergies",
    "start",
    "station_read",
    "station_topics",
    "ticket_read",
    "transfer",
    "void_line",
]
