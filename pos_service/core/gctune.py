"""Garbage collection for a process that holds many long-lived connections.

CPython's cyclic collector visits every tracked object of the generation it collects.
After start-up a worker holds about 190,000 of them (Litestar, SQLAlchemy, the models,
the routes), and each live socket adds its own (protocol, parser, ASGI scope, handler
task); a full collection walked all of them and cost 100-250 ms with thousands of
sockets, landing inside whichever request or fan-out triggered it (decision 1526).

- ``gc.freeze()`` once the application has started moves everything alive then to the
  permanent generation: later collections never visit it again (measured: a full
  collection after start-up fell from 107-720 ms on the busy benchmark machine to
  under 0.1 ms).
- The youngest generation's threshold goes from 700 to 10,000 allocations: a burst of
  requests or of new sockets is collected once instead of fourteen times, and fewer of
  its short-lived objects are promoted to the older generations only to die there.
  The older generations keep CPython's defaults; a full collection still waits until
  the long-lived objects grew by a quarter since the last one.

It runs once per process, at the end of the first application start-up (a worker
has one application; a test process starting many only tunes at the first).
``POS_GC_TUNE=0`` leaves CPython's defaults (for measuring the difference).
"""

from __future__ import annotations

import gc
import os

YOUNG_THRESHOLD = 10_000
_tuned = False


def tune_for_long_lived_connections() -> bool:
    """Freeze what start-up left and raise the young generation's threshold; whether done."""
    global _tuned
    if _tuned or os.environ.get("POS_GC_TUNE", "1").lower() in ("0", "false", "no", "off"):
        return False
    gc.collect()  # start-up's garbage is not frozen with the rest
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    _tuned = True
    return True
