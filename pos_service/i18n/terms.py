"""The words a refusal names a state or a kind of thing with (``table 12 is seated``, ``no
category 7``), marked for the catalogs. A service passes them as
:class:`pos_service.core.errors.Term`, so that they are translated with the detail; the
problem body keeps the English word. tests/i18n/test_errors.py checks that every state
of the enums named here has its word."""

from __future__ import annotations

from pos_service.i18n import N_

STATES = (
    # checks and their lines
    N_("open"),
    N_("closed"),
    N_("merged"),
    N_("pending"),
    N_("sent"),
    N_("voided"),
    # tables (their status with "_" read as a space)
    N_("free"),
    N_("seated"),
    N_("ordered"),
    N_("course ready"),
    N_("bill requested"),
    N_("paid"),
    N_("to clean"),
    # kitchen tickets and their items
    N_("held"),
    N_("started"),
    N_("bumped"),
    N_("waiting"),
    N_("released"),
    # reservations and the waitlist
    N_("booked"),
    N_("confirmed"),
    N_("arrived"),
    N_("completed"),
    N_("cancelled"),
    N_("no_show"),
    # payments and print jobs
    N_("approved"),
    N_("declined"),
    N_("queued"),
    N_("sending"),
    N_("printed"),
    N_("failed"),
)

THINGS = (
    N_("area"),
    N_("table"),
    N_("category"),
    N_("item"),
    N_("modifier group"),
    N_("option"),
    N_("schedule"),
    N_("station"),
    N_("promotion"),
    N_("day-part price"),
)
