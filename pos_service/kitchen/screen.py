"""A station's screen as a pure function of its events.

``apply(state, event)`` folds one event of ``kitchen:<station>`` into the screen's
tickets (id -> the ticket exactly as ``GET /api/kitchen/tickets`` returns it, in JSON
form). Replaying a station's events from the start rebuilds what the server shows; a
screen that reconnects can apply the events it missed instead of reloading.

The kitchen page applies the same events with ``web/static/kds-reducer.js``, a line by
line port of this module: a change here is a change there, and the shared vectors of
``tests/kitchen/test_reducer_vectors.py`` prove the two agree (docs/live.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

Ticket = dict[str, Any]
ItemStatus = Literal["held", "waiting", "released", "started", "bumped", "voided"]
Screen = dict[int, Ticket]


def item_status(
    fired_at: object, released_at: object, started_at: object, bumped_at: object, voided_at: object
) -> ItemStatus:
    """The status a screen shows an item in, from its timestamps."""
    if voided_at is not None:
        return "voided"
    if bumped_at is not None:
        return "bumped"
    if fired_at is None:
        return "held"
    if released_at is None:
        return "waiting"
    return "started" if started_at is not None else "released"


def _with_items(ticket: Ticket, changes: Mapping[int, Mapping[str, Any]]) -> Ticket:
    """A copy of ``ticket`` with the given fields of its items replaced."""
    items = []
    for item in ticket["items"]:
        if item["id"] in changes:
            item = {**item, **changes[item["id"]]}
            item["status"] = item_status(
                item["fired_at"],
                item["released_at"],
                item["started_at"],
                item["bumped_at"],
                item["voided_at"],
            )
        items.append(item)
    return {**ticket, "items": items}


def _fired(t: Ticket, d: Mapping[str, Any]) -> Ticket:
    head = {k: d[k] for k in ("state", "fired_at", "started_at", "bumped_at", "late_at")}
    changes = {
        i["id"]: {k: i[k] for k in ("fired_at", "release_at", "released_at")} for i in d["items"]
    }
    return _with_items({**t, **head}, changes)


def _released(t: Ticket, d: Mapping[str, Any]) -> Ticket:
    return _with_items(t, {d["item_id"]: {"released_at": d["released_at"]}})


def _started(t: Ticket, d: Mapping[str, Any]) -> Ticket:
    changes = {i: {"started_at": d["started_at"]} for i in d["item_ids"]}
    return _with_items({**t, "state": "started", "started_at": d["started_at"]}, changes)


def _item_bumped(t: Ticket, d: Mapping[str, Any]) -> Ticket:
    head = {"state": d["state"], "bumped_at": d["ticket_bumped_at"]}
    return _with_items({**t, **head}, {d["item_id"]: {"bumped_at": d["bumped_at"]}})


def _bumped(t: Ticket, d: Mapping[str, Any]) -> Ticket:
    changes = {i: {"bumped_at": d["at"]} for i in d["item_ids"]}
    return _with_items({**t, "state": d["state"], "bumped_at": d["bumped_at"]}, changes)


def _recalled(t: Ticket, d: Mapping[str, Any]) -> Ticket:
    changes = {i: {"bumped_at": None} for i in d["item_ids"]}
    return _with_items({**t, "state": d["state"], "bumped_at": None}, changes)


def _voided(t: Ticket, d: Mapping[str, Any]) -> Ticket:
    change = {"voided_at": d["voided_at"], "void_reason": d["reason"]}
    return _with_items(t, {d["item_id"]: change})


def _late(t: Ticket, d: Mapping[str, Any]) -> Ticket:
    return {**t, "late_at": d["late_at"]}


def _moved(t: Ticket, d: Mapping[str, Any]) -> Ticket:
    return {**t, **{k: d[k] for k in ("check_id", "table_id", "table", "moved")}}


def _allergies(t: Ticket, d: Mapping[str, Any]) -> Ticket:
    return {**t, "allergies": list(d["allergies"])}


_CHANGES: dict[str, Callable[[Ticket, Mapping[str, Any]], Ticket]] = {
    "ticket.fired": _fired,
    "ticket.item_released": _released,
    "ticket.started": _started,
    "ticket.item_bumped": _item_bumped,
    "ticket.bumped": _bumped,
    "ticket.recalled": _recalled,
    "ticket.item_voided": _voided,
    "ticket.late": _late,
    "ticket.moved": _moved,
    "ticket.allergies_changed": _allergies,
}


def apply(state: Screen, event: Mapping[str, Any]) -> Screen:
    """The screen after ``event`` (a mapping with ``type`` and ``data``); pure.

    Events of other kinds, and of tickets the screen does not hold, leave it unchanged;
    a recall that carries its ticket puts it back whole.
    """
    kind, data = event["type"], event["data"]
    if kind == "ticket.created" or (kind == "ticket.recalled" and data.get("ticket")):
        ticket = data["ticket"]
        return {**state, ticket["id"]: ticket}
    change = _CHANGES.get(kind)
    if change is None or data.get("ticket_id") not in state:
        return state
    return {**state, data["ticket_id"]: change(state[data["ticket_id"]], data)}


def tickets(state: Screen) -> list[Ticket]:
    """The screen's tickets in the order the server lists them."""
    return [state[i] for i in sorted(state)]


def all_day(state: Screen) -> dict[str, list[dict[str, Any]]]:
    """The all-day counts of the screen's tickets, as ``GET /api/kitchen/all-day`` gives
    them: outstanding portions (neither bumped nor voided) per item name, ``held`` of
    them not fired yet, and per item and modifier; sorted by name."""
    items: dict[str, dict[str, Any]] = {}
    modifiers: dict[tuple[str, str], int] = {}
    for ticket in tickets(state):
        for i in ticket["items"]:
            if i["status"] in ("bumped", "voided"):
                continue
            row = items.setdefault(i["name"], {"name": i["name"], "quantity": 0, "held": 0})
            row["quantity"] += i["quantity"]
            if i["fired_at"] is None:
                row["held"] += i["quantity"]
            for m in i["modifiers"]:
                modifiers[i["name"], m] = modifiers.get((i["name"], m), 0) + i["quantity"]
    return {
        "items": [items[n] for n in sorted(items)],
        "modifiers": [
            {"item": item, "modifier": m, "quantity": q}
            for (item, m), q in sorted(modifiers.items())
        ],
    }
