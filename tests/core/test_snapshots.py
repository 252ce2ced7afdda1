"""A screen whose `since` is older than the retained log gets snapshots, then live events."""

from __future__ import annotations

import msgspec
import pytest
from litestar import Litestar

from pos_service.app import create_app
from pos_service.config import Settings
from tests.conftest import Demo
from tests.core.test_live import collecting
from tests.support.servers import serve

pytestmark = pytest.mark.timeout(120)


async def test_a_pruned_log_answers_with_snapshots(demo: Demo, settings: Settings) -> None:
    check = await demo.open_check("12", covers=2)
    for _ in range(6):
        await demo.add(check["id"], "Espresso")
    app: Litestar = create_app(msgspec.structs.replace(settings, event_retention=3))
    async with serve(app) as url:
        assert await app.state.scheduler.run_task("prune_events") > 0
        token = demo.headers["waiter"]["Authorization"].removeprefix("Bearer ")
        async with collecting(url, token, ["orders", "floor"], since=1) as live:
            got = await live.take(2)
            assert [e.type for e in got] == ["snapshot", "snapshot"]
            by_topic = {e.topic: e.data for e in got}
            assert [len(c["lines"]) for c in by_topic["orders"]["checks"]] == [6]
            tables = [t for a in by_topic["floor"]["areas"] for t in a["tables"]]
            assert next(t for t in tables if t["name"] == "12")["open_check"]["id"] == check["id"]
            head = got[0].seq
            await demo.add(check["id"], "Espresso")
            after = await live.take(1)
            assert after[0].type == "line.added"
            assert after[0].seq > head
