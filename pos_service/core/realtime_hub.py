"""In-process fan-out of committed events to the live sockets of one server process.

No database and no web framework here: whoever reads the event log calls
`Hub.publish` once per event, in `seq` order, with the message bytes made by
`encode_event`; the message is encoded once and the same bytes are queued for every
socket. `publish` never awaits: a subscriber whose queue is full is marked
`overflowed` and removed, so one slow screen never holds up the others; its socket is
then closed with 4408 and the client resumes from its last `seq`.

A `/ws` handler joins the live stream without losing or repeating an event like this:

    sub = hub.subscribe(venue_id, topics)    # 1. live events queue up from now on
    try:
        head = await replay(ws, since)        # 2. send the log's events up to its head
        sub.last_seq = head                   #    (those queued meanwhile are now stale)
        await ws.send(encode_event(head, None, "ready", {"topics": [...]}, now))
        while True:                           # 3. drain: `next` skips seq <= last_seq
            await ws.send_text(await sub.next())
    except SubscriberOverflow:
        await ws.close(4408, "too slow")
    finally:
        hub.unsubscribe(sub)

Subscribing before reading the head is what makes it safe: an event committed before
the head was read is in the log (replayed), one committed after it is published after
the subscription (queued). A writer stuck in `ws.send` can race it against
`sub.overflowed.wait()` to close the socket promptly.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import msgspec

__all__ = ["Hub", "Subscriber", "SubscriberOverflow", "encode_event"]


class _Message(msgspec.Struct):
    seq: int
    topic: str | None
    type: str
    data: Any
    at: datetime


_encoder = msgspec.json.Encoder()


def encode_event(seq: int, topic: str | None, type: str, data: Any, at: datetime) -> bytes:
    """Encode one wire message (`docs/live.md`); `topic` None makes a control message."""
    return _encoder.encode(_Message(seq, topic, type, data, at))


class SubscriberOverflow(Exception):
    """The subscriber's queue filled up: its socket must be closed with 4408."""


class Subscriber:
    """One socket's share of a venue's events: a bounded queue of `(seq, message)` pairs.

    `topics` are matched exactly, except that `kitchen` matches every `kitchen:<station>`.
    `last_seq` is the last `seq` the socket was given; anything at or below it is skipped.
    """

    def __init__(self, venue_id: int, topics: frozenset[str], queue_size: int = 1000) -> None:
        self.venue_id = venue_id
        self.topics = topics
        self.queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue(queue_size)
        self.last_seq = 0
        self.overflowed = asyncio.Event()

    def matches(self, topic: str) -> bool:
        """Whether an event on `topic` is for this subscriber."""
        return topic in self.topics or (topic.startswith("kitchen:") and "kitchen" in self.topics)

    async def next(self) -> bytes:
        """Wait for the next message to send, skipping any with `seq <= last_seq`.

        Raises `SubscriberOverflow` once the subscriber has overflowed.
        """
        while not self.overflowed.is_set():
            seq, raw = await self.queue.get()
            if seq > self.last_seq:
                self.last_seq = seq
                return raw
        raise SubscriberOverflow(f"venue {self.venue_id}: queue of {self.queue.maxsize} full")


class Hub:
    """The subscribers of this process, per venue."""

    def __init__(self) -> None:
        self._venues: dict[int, set[Subscriber]] = {}

    def subscribe(
        self, venue_id: int, topics: frozenset[str], queue_size: int = 1000
    ) -> Subscriber:
        """Register and return a subscriber; events published from now on are queued for it."""
        sub = Subscriber(venue_id, topics, queue_size)
        self._venues.setdefault(venue_id, set()).add(sub)
        return sub

    def has_venue(self, venue_id: int) -> bool:
        """Whether any socket of the venue is subscribed."""
        return bool(self._venues.get(venue_id))

    def count(self) -> int:
        """How many sockets are subscribed in this process."""
        return sum(len(subs) for subs in self._venues.values())

    def unsubscribe(self, sub: Subscriber) -> None:
        """Forget `sub`; harmless if it is already gone (for example after an overflow)."""
        subs = self._venues.get(sub.venue_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._venues[sub.venue_id]

    def publish(self, venue_id: int, seq: int, topic: str, raw: bytes) -> None:
        """Queue the encoded event `raw` for every matching subscriber of the venue, at once.

        A subscriber whose queue is full is marked overflowed and removed.
        """
        overflowed = []
        for sub in self._venues.get(venue_id, ()):
            if seq <= sub.last_seq or not sub.matches(topic):
                continue
            try:
                sub.queue.put_nowait((seq, raw))
            except asyncio.QueueFull:
                sub.overflowed.set()
                overflowed.append(sub)
        for sub in overflowed:
            self.unsubscribe(sub)
