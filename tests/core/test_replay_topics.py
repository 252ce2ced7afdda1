"""A reconnecting screen is replayed its own topics only, the ``kitchen`` wildcard included."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import pytest
from litestar import Litestar

from pos_service.core import events
from pos_service.core.events import DomainEvent
from tests.conftest import Demo
from tests.core.test_live import _token, collecting
from tests.support.servers import serve

pytestmark = pytest.mark.timeout(60)


class Probe(DomainEvent, frozen=True, kw_only=True):
    """A test event; carries its position in the burst."""

    type: ClassVar[str] = "probe.made"
    n: int


async def test_replay_skips_other_topics_and_matches_every_station(
    demo: Demo, fresh_app: Litestar
) -> None:
    topics = ["kitchen:hot", "floor", "expo", "kitchenette", "kitchen:bar", "orders", "check:1"]
    async with serve(fresh_app) as url:
        token = await _token(demo, "waiter")
        async with collecting(url, token, ["kitchen", "expo"]) as live:
            since = live.client.last_seq
        async with demo.sessions() as session, session.begin():
            for n, topic in enumerate(topics):
                events.record(session, demo.venue_id, topic, Probe(n=n))
            await events.flush(session)
        async with collecting(url, token, ["kitchen", "expo"], since=since) as live:
            replayed = await live.take(3)
            await asyncio.sleep(0.3)
            assert live.events == []
    assert [(e.topic, e.data["n"]) for e in replayed] == [
        ("kitchen:hot", 0),
        ("expo", 2),
        ("kitchen:bar", 4),
    ]
