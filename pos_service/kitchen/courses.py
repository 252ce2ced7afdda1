"""How a check's courses are paced: pure rules, no database.

A venue's courses are ordered (``Venue.courses``). The ``fire_on_send`` courses (venue
setting; by default the first course, e.g. drinks) go out as soon as they are sent; the
other, *paced* courses fire one at a time. See docs/kitchen.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any


def fire_on_send(courses: Sequence[str], settings: Mapping[str, Any]) -> set[str]:
    """The courses that are never held (``settings["fire_on_send"]``, default the first)."""
    configured = settings.get("fire_on_send")
    return set(courses[:1] if configured is None else configured)


def rank(courses: Sequence[str], course: str) -> int:
    """A course's place in the venue's order (unknown courses last)."""
    return courses.index(course) if course in courses else len(courses)


def firing_on_send(
    courses: Sequence[str],
    immediate: Collection[str],
    fired: Collection[str],
    sent: Collection[str],
) -> set[str]:
    """Which of the ``sent`` courses fire now; the others are held.

    A sent course fires when it is immediate, when it has already been fired on the check
    (more of a course that is cooking), or when it is the check's first paced course: no
    paced course was fired before, and it comes first of the paced courses sent.
    """
    firing = {c for c in sent if c in immediate or c in fired}
    if not any(c not in immediate for c in fired):
        paced = sorted((c for c in sent if c not in immediate), key=lambda c: rank(courses, c))
        firing.update(paced[:1])
    return firing


def next_to_fire(
    courses: Sequence[str],
    immediate: Collection[str],
    completed: str,
    held: Collection[str],
    cooking: Collection[str],
) -> str | None:
    """The course to fire by itself when ``completed`` came up, if any.

    Only a paced course pulls the next one, the first held paced course after it, and only
    when no other paced course is still cooking.
    """
    if completed in immediate or any(c not in immediate for c in cooking):
        return None
    after = [c for c in held if c not in immediate and rank(courses, c) > rank(courses, completed)]
    return min(after, key=lambda c: rank(courses, c), default=None)


def release_times(
    at: dt.datetime, prep_minutes: Mapping[int, int], *, longest: int = 0
) -> dict[int, dt.datetime]:
    """When each item of one firing should be started, so that all come up together:
    ``at + (longest prep - own prep)``; ``longest`` minutes at least (a takeaway order
    fired course by course comes up together after its longest prep of all)."""
    longest = max(longest, *prep_minutes.values()) if prep_minutes else longest
    return {k: at + dt.timedelta(minutes=longest - p) for k, p in prep_minutes.items()}
