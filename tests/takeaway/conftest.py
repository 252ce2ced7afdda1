"""Takeaway tests start with fresh public request windows (a flood in one test must
not throttle the next)."""

from __future__ import annotations

import pytest

from pos_service.core import ratelimit


@pytest.fixture(autouse=True)
def fresh_windows() -> None:
    ratelimit._windows.counts.clear()
