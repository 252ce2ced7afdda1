from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import msgspec
import pytest

from pos_service.client import Event
from pos_service.core.realtime_hub import Hub, Subscriber, SubscriberOverflow, encode_event

AT = datetime(2025, 3, 1, 18, 30, tzinfo=UTC)


def message(seq: int, topic: str = "orders") -> bytes:
    return encode_event(seq, topic, "order.sent", {"check_id": seq}, AT)


async def sent(sub: Subscriber) -> list[int]:
    """The seqs `next` hands out until the queue is empty."""
    seqs = []
    while not sub.queue.empty():
        try:
            async with asyncio.timeout(0.01):
                raw = await sub.next()
        except TimeoutError:
            break
        seqs.append(msgspec.json.decode(raw, type=Event).seq)
    return seqs


def test_encode_event_is_the_wire_format_the_client_reads() -> None:
    event = msgspec.json.decode(message(7, "kitchen:grill"), type=Event)

    assert event == Event(7, "kitchen:grill", "order.sent", {"check_id": 7}, "2025-03-01T18:30:00Z")
    ready = msgspec.json.decode(encode_event(9, None, "ready", {"topics": []}, AT), type=Event)
    assert ready.topic is None


@pytest.mark.timeout(10)
async def test_fan_out_reaches_every_subscriber_in_order() -> None:
    hub = Hub()
    subs = [hub.subscribe(1, frozenset({"orders"})) for _ in range(200)]

    for seq in range(1, 301):
        hub.publish(1, seq, "orders", message(seq))

    for sub in subs:
        assert await sent(sub) == list(range(1, 301))


@pytest.mark.timeout(10)
async def test_the_same_bytes_object_is_queued_for_every_subscriber() -> None:
    hub = Hub()
    subs = [hub.subscribe(1, frozenset({"floor", "kitchen"})) for _ in range(5)]
    raw = message(1, "kitchen:bar")

    hub.publish(1, 1, "kitchen:bar", raw)

    assert all(sub.queue.get_nowait()[1] is raw for sub in subs)


@pytest.mark.timeout(10)
async def test_topics_match_exactly_and_kitchen_matches_every_station() -> None:
    hub = Hub()
    grill = hub.subscribe(1, frozenset({"kitchen:grill"}))
    waiter = hub.subscribe(1, frozenset({"kitchen", "floor"}))
    guest = hub.subscribe(1, frozenset({"check:7"}))
    other_venue = hub.subscribe(2, frozenset({"kitchen", "floor", "check:7"}))
    topics = ["kitchen:grill", "kitchen:bar", "kitchenette", "floor", "check:7", "check:70"]

    for seq, topic in enumerate(topics, start=1):
        hub.publish(1, seq, topic, message(seq, topic))

    assert await sent(grill) == [1]
    assert await sent(waiter) == [1, 2, 4]
    assert await sent(guest) == [5]
    assert await sent(other_venue) == []


@pytest.mark.timeout(10)
async def test_a_slow_subscriber_overflows_and_is_removed_without_holding_up_the_others() -> None:
    hub = Hub()
    slow = hub.subscribe(1, frozenset({"orders"}), queue_size=5)
    fast = [hub.subscribe(1, frozenset({"orders"}), queue_size=5) for _ in range(3)]
    received: list[list[int]] = [[] for _ in fast]

    for seq in range(1, 21):
        hub.publish(1, seq, "orders", message(seq))
        for got, sub in zip(received, fast, strict=True):
            got += await sent(sub)

    assert received == [list(range(1, 21))] * 3
    assert slow.overflowed.is_set()
    with pytest.raises(SubscriberOverflow):
        await slow.next()
    while not slow.queue.empty():
        slow.queue.get_nowait()
    hub.publish(1, 21, "orders", message(21))
    assert slow.queue.empty()


@pytest.mark.timeout(10)
async def test_live_events_queued_during_the_replay_are_not_sent_twice() -> None:
    hub = Hub()
    log = {seq: message(seq) for seq in range(1, 11)}
    for seq in range(1, 8):
        hub.publish(1, seq, "orders", log[seq])
    sub = hub.subscribe(1, frozenset({"orders"}))
    for seq in (8, 9):
        hub.publish(1, seq, "orders", log[seq])

    head = 9
    replayed = list(range(1, head + 1))
    sub.last_seq = head
    hub.publish(1, 9, "orders", log[9])
    hub.publish(1, 10, "orders", log[10])

    assert replayed + await sent(sub) == list(range(1, 11))


@pytest.mark.timeout(10)
async def test_unsubscribed_sockets_get_nothing_more() -> None:
    hub = Hub()
    sub = hub.subscribe(1, frozenset({"floor"}))
    hub.unsubscribe(sub)
    hub.unsubscribe(sub)

    hub.publish(1, 1, "floor", message(1, "floor"))

    assert sub.queue.empty()
