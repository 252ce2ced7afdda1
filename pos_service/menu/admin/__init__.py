"""Managing the menu: categories, items, modifier groups and options, availability
schedules, stations and courses.

Each use case locks the row it changes, compares the caller's ``version`` (409 with the
current row if stale), validates every reference (422 naming the field, nothing
written), bumps ``version``, writes an audit entry and records an event carrying the
new state on the topic handhelds follow, so their menus change without a reload.
Items and categories that checks or sales name are archived, never deleted: a line
keeps the name, price, tax rate and modifiers it was ordered with (docs/decisions/1220).
"""

from __future__ import annotations

from pos_service.menu.admin._categories import (
    category_read,
    create_category,
    patch_category,
    remove_category,
)
from pos_service.menu.admin._common import lock_menu, serialised
from pos_service.menu.admin._groups import (
    create_group,
    create_option,
    group_read,
    patch_group,
    patch_option,
    remove_group,
    remove_option,
)
from pos_service.menu.admin._items import create_item, patch_item, remove_item
from pos_service.menu.admin._schedules import create_schedule, patch_schedule, remove_schedule
from pos_service.menu.admin._stations import (
    create_station,
    get_courses,
    patch_station,
    put_courses,
    remove_station,
)

__all__ = [
    "category_read",
    "create_category",
    "create_group",
    "create_item",
    "create_option",
    "create_schedule",
    "create_station",
    "get_courses",
    "group_read",
    "lock_menu",
    "patch_category",
    "patch_group",
    "patch_item",
    "patch_option",
    "patch_schedule",
    "patch_station",
    "put_courses",
    "remove_category",
    "remove_group",
    "remove_item",
    "remove_option",
    "remove_schedule",
    "remove_station",
    "serialised",
]
