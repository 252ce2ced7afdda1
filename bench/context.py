"""What every scenario gets: the database, the running server, the venues, the options."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from bench import env
from bench.load import ARRIVAL, Fleet, HandheldVenue, ScreenVenue

HANDHELDS_PER_VENUE = 10


@dataclass
class Context:
    url: str
    server: env.Server
    venues: list[env.Venue]
    size: str  # "full", "quick" (--quick) or "smoke" (the test suite's tiny runs)
    repeat: int
    notes: list[str] = field(default_factory=list)
    refetch: bool = False  # the venue scenario's pages re-read on every event (--refetch)
    venue_sizes: tuple[int, ...] = ()  # the venue scenario's sizes (--venues), else 1, 10, 100

    def pick(self, full: Any, quick: Any, smoke: Any) -> Any:
        """The setting for this run's size."""
        return {"full": full, "quick": quick, "smoke": smoke}[self.size]

    def fleet(self, venues: list[env.Venue] | None = None) -> Fleet:
        """Four kitchen screens and ten handhelds per venue, connected."""
        chosen = venues or self.venues
        return Fleet(
            self.server.url,
            self.server.ws_url,
            [ScreenVenue(v.id, v.tokens[ARRIVAL.role], sorted(v.stations)) for v in chosen],
            [HandheldVenue(v.id, v.tokens["waiter"], v.tokens["manager"]) for v in chosen],
            HANDHELDS_PER_VENUE,
        )

    def prepare(
        self, sends: int, venues: list[env.Venue] | None = None
    ) -> tuple[dict[int, list[int]], dict[int, list[str]]]:
        """Checks with one send's pending lines, spread over the venues, on kitchens that
        have bumped what they had (not timed)."""
        chosen = venues or self.venues
        env.run(env.clear_rail(self.url, [v.id for v in chosen]))
        per_venue = math.ceil(sends / len(chosen)) + 1
        pools: dict[int, list[int]] = {}
        expected: dict[int, list[str]] = {}
        for venue in chosen:
            pools[venue.id] = env.run(env.prepare_checks(self.url, venue, per_venue))
            for check_id in pools[venue.id]:
                expected[check_id] = venue.send_stations()
        return pools, expected
