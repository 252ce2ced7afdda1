"""Scenario 7: start-up of ``pos-service serve`` on an initialised database, to a healthy
``/health``."""

from __future__ import annotations

import time

from bench import env
from bench.context import Context
from bench.stats import Figure, Target

STARTS = 3


def startup(ctx: Context) -> list[Figure]:
    seconds = []
    for _ in range(ctx.repeat):
        for _ in range(ctx.pick(STARTS, 1, 1)):
            with env.Server(ctx.url, workers=ctx.server.workers, log_name="startup") as server:
                seconds.append(server.start())
            time.sleep(0.5)
    return [
        Figure(
            f"process start to healthy /health ({ctx.server.workers} workers)",
            "s",
            seconds,
            Target(1.5),
            f"{STARTS} starts per repeat; migrations checked on every start",
        )
    ]
