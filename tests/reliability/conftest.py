"""The reliability suite: long variants run only when asked for.

``@pytest.mark.slow`` tests are skipped unless ``--runslow`` is given or ``POS_RUSH_ORDERS``
is set (``POS_RUSH_ORDERS=200 pytest tests/reliability -m slow``).
"""

from __future__ import annotations

import os

import pytest


def rush_orders(default: int) -> int:
    """The number of orders of a long rush: ``POS_RUSH_ORDERS`` or ``default``."""
    return int(os.environ.get("POS_RUSH_ORDERS") or default)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("slow") is None:
        return
    if item.config.getoption("--runslow") or os.environ.get("POS_RUSH_ORDERS"):
        return
    pytest.skip("long variant: pass --runslow or set POS_RUSH_ORDERS")
