from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from pos_service.client import Event
from pos_service.core.realtime_hub import Hub, Subscriber, encode_event, encode_stored

AT = datetime(2025, 3, 1, 18, 30, tzinfo=UTC)


def message(seq: int, topic: str = "orders") -> str:
    return encode_event(seq, topic, "order.sent", {"check_id": seq}, AT)


def sent(sub: Subscriber) -> list[int]:
    """The seqs a socket's writer would send now."""
    return [msgspec.json.decode(raw, type=Event).seq for raw in sub.take()]


def test_encode_event_is_the_wire_format_the_client_reads() -> None:
    event = msgspec.json.decode(message(7, "kitchen:grill"), type=Event)

    assert event == Event(7, "kitchen:grill", "order.sent", {"check_id": 7}, "2025-03-01T18:30:00Z")
    ready = msgspec.json.decode(encode_event(9, None, "ready", {"topics": []}, AT), type=Event)
    assert ready.topic is None


def test_a_stored_event_is_spliced_into_the_same_message_unparsed() -> None:
    stored = '{"ticket": {"items": [{"id": 1, "name": "Crème brûlée"}]}, "check_id": 7}'

    spliced = encode_stored(7, "kitchen:grill", "ticket.created", stored, AT)

    assert stored in spliced
    assert msgspec.json.decode(spliced, type=Event) == msgspec.json.decode(
        encode_event(7, "kitchen:grill", "ticket.created", msgspec.json.decode(stored), AT),
        type=Event,
    )


def test_fan_out_reaches_every_subscriber_in_order() -> None:
    hub = Hub()
    subs = [hub.subscribe(1, frozenset({"orders"})) for _ in range(200)]

    for seq in range(1, 301):
        hub.publish(1, seq, "orders", message(seq))

    for sub in subs:
        assert sent(sub) == list(range(1, 301))


def test_the_same_message_object_is_queued_for_every_subscriber() -> None:
    hub = Hub()
    subs = [hub.subscribe(1, frozenset({"floor", "kitchen"})) for _ in range(5)]
    raw = message(1, "kitchen:bar")

    hub.publish(1, 1, "kitchen:bar", raw)

    assert all(sub.take()[0] is raw for sub in subs)


def test_the_writer_is_woken_when_the_queue_stops_being_empty_and_on_overflow() -> None:
    hub = Hub()
    sub = hub.subscribe(1, frozenset({"orders"}), queue_size=3)
    wakes: list[int] = []
    sub.on_ready = lambda: wakes.append(len(sub.pending or ()))

    for seq in (1, 2):
        hub.publish(1, seq, "orders", message(seq))
    assert wakes == [1]
    assert sent(sub) == [1, 2]
    for seq in (3, 4, 5, 6):
        hub.publish(1, seq, "orders", message(seq))

    assert wakes == [1, 1, 0]
    assert sub.overflowed
    assert sent(sub) == []


def test_topics_match_exactly_and_kitchen_matches_every_station() -> None:
    hub = Hub()
    grill = hub.subscribe(1, frozenset({"kitchen:grill"}))
    waiter = hub.subscribe(1, frozenset({"kitchen", "floor"}))
    guest = hub.subscribe(1, frozenset({"check:7"}))
    other_venue = hub.subscribe(2, frozenset({"kitchen", "floor", "check:7"}))
    topics = ["kitchen:grill", "kitchen:bar", "kitchenette", "floor", "check:7", "check:70"]

    for seq, topic in enumerate(topics, start=1):
        hub.publish(1, seq, topic, message(seq, topic))

    assert sent(grill) == [1]
    assert sent(waiter) == [1, 2, 4]
    assert sent(guest) == [5]
    assert sent(other_venue) == []


def test_a_slow_subscriber_overflows_and_is_removed_without_holding_up_the_others() -> None:
    hub = Hub()
    slow = hub.subscribe(1, frozenset({"orders"}), queue_size=5)
    fast = [hub.subscribe(1, frozenset({"orders"}), queue_size=5) for _ in range(3)]
    received: list[list[int]] = [[] for _ in fast]

    for seq in range(1, 21):
        hub.publish(1, seq, "orders", message(seq))
        for got, sub in zip(received, fast, strict=True):
            got += sent(sub)

    assert received == [list(range(1, 21))] * 3
    assert slow.overflowed
    assert sent(slow) == []
    hub.publish(1, 21, "orders", message(21))
    assert not slow.pending


def test_live_events_queued_during_the_replay_are_not_sent_twice() -> None:
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

    assert replayed + sent(sub) == list(range(1, 11))


def test_unsubscribed_sockets_get_nothing_more() -> None:
    hub = Hub()
    sub = hub.subscribe(1, frozenset({"floor"}))
    hub.unsubscribe(sub)
    hub.unsubscribe(sub)

    hub.publish(1, 1, "floor", message(1, "floor"))

    assert not sub.pending


def test_a_live_subscriber_is_written_at_once_and_one_behind_queues_until_caught_up() -> None:
    hub = Hub()
    sub = hub.subscribe(1, frozenset({"orders"}), queue_size=3)
    written: list[str] = []
    sub.sink = written.append

    hub.publish(1, 1, "orders", message(1))
    hub.publish(1, 2, "floor", message(2, "floor"))
    assert written == [message(1)] and not sub.pending and sub.last_seq == 1
    sub.sink = None  # its transport stopped taking data: behind
    for seq in (3, 4):
        hub.publish(1, seq, "orders", message(seq))
    assert written == [message(1)]
    assert sent(sub) == [3, 4]  # what the catch-up sends, in order
    sub.sink = written.append  # caught up: written at once again
    hub.publish(1, 5, "orders", message(5))

    assert written == [message(1), message(5)]
    sub.sink = None
    for seq in range(6, 10):
        hub.publish(1, seq, "orders", message(seq))
    assert sub.overflowed and hub.count() == 0
