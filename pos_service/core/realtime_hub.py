"""In-process fan-out of committed events to the live sockets of one server process.

No database and no web framework here: whoever reads the event log calls
`Hub.publish` once per event, in `seq` order, with the message text made by
`encode_event` (or `encode_stored` for an event read from the log as JSON text): the
message is encoded once and the same string goes to every socket. `publish` never
awaits. A subscriber that is live has a `sink` (its socket's synchronous write): the
message is written there and then, with no task and no queue. A subscriber without a
sink (still replaying, or behind because its socket's transport stopped taking data)
gets the message appended to its bounded queue, and its `on_ready` is called when the
queue stops being empty, so a socket's writer task only exists while it is behind. A
subscriber whose queue is full is marked `overflowed` and removed, so one slow screen
never holds up the others; its socket is then closed with 4408 and the client resumes
from its last `seq`.

A `/ws` handler joins the live stream without losing or repeating an event like this:

    sub = hub.subscribe(venue_id, topics)    # 1. live events queue up from now on
    try:
        head = await replay(ws, since)        # 2. send the log's events up to its head
        sub.last_seq = head                   #    (those queued meanwhile are now stale)
        await ws.send(encode_event(head, None, "ready", {"topics": [...]}, now))
        writer.start()                        # 3. write `sub.take()` (skips seq <= last_seq),
                                              #    then set `sub.sink`: live from now on;
        await read_until_closed(ws)           #    behind: queue and one task until caught up
    finally:
        hub.unsubscribe(sub)

Subscribing before reading the head is what makes it safe: an event committed before
the head was read is in the log (replayed), one committed after it is published after
the subscription (queued, or written once the sink is set).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec

__all__ = ["Hub", "Subscriber", "encode_event", "encode_stored"]


class _Message(msgspec.Struct):
    seq: int
    topic: str | None
    type: str
    data: Any
    at: datetime


_encode = msgspec.json.Encoder().encode


def encode_event(seq: int, topic: str | None, type: str, data: Any, at: datetime) -> str:
    """Encode one wire message (`docs/live.md`); `topic` None makes a control message."""
    return _encode(_Message(seq, topic, type, data, at)).decode()


def encode_stored(seq: int, topic: str, type: str, data_json: str, at: datetime) -> str:
    """Encode a logged event whose `data` is already JSON text (spliced in, not decoded)."""
    return _encode(_Message(seq, topic, type, msgspec.Raw(data_json), at)).decode()


class Subscriber:
    """One socket's share of a venue's events.

    `topics` are matched exactly, except that `kitchen` matches every `kitchen:<station>`.
    `last_seq` is the last `seq` the socket was given; anything at or below it is skipped.
    `sink`, while set, takes each message at once (the socket is live and keeping up);
    whoever sets it guarantees that `pending` is empty, and clears it when the socket
    falls behind. Without a sink, messages wait in `pending`, a bounded queue of
    `(seq, message)` pairs; `on_ready`, once set, is called when the queue stops being
    empty or overflows.
    """

    __slots__ = (
        "last_seq",
        "maxsize",
        "on_ready",
        "overflowed",
        "pending",
        "sink",
        "topics",
        "venue_id",
    )

    def __init__(self, venue_id: int, topics: frozenset[str], queue_size: int = 1000) -> None:
        self.venue_id = venue_id
        self.topics = topics
        self.maxsize = queue_size
        self.pending: deque[tuple[int, str]] | None = None  # made when first needed
        self.last_seq = 0
        self.overflowed = False
        self.on_ready: Callable[[], None] | None = None
        self.sink: Callable[[str], None] | None = None

    def matches(self, topic: str) -> bool:
        """Whether an event on `topic` is for this subscriber."""
        return topic in self.topics or (topic.startswith("kitchen:") and "kitchen" in self.topics)

    def put(self, seq: int, message: str) -> bool:
        """Queue one message; False (and `overflowed`) if the queue was full."""
        pending = self.pending
        if pending is None:  # most sockets never queue: an empty deque is 760 bytes
            pending = self.pending = deque()
        if len(pending) >= self.maxsize:
            self.overflowed = True
            pending.clear()
        else:
            pending.append((seq, message))
            if len(pending) > 1:
                return True
        if self.on_ready is not None:
            self.on_ready()
        return not self.overflowed

    def take(self) -> list[str]:
        """Everything queued with `seq > last_seq`, in order; advances `last_seq`."""
        taken: list[str] = []
        pending = self.pending
        while pending:
            seq, message = pending.popleft()
            if seq > self.last_seq:
                self.last_seq = seq
                taken.append(message)
        return taken


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

    def publish(self, venue_id: int, seq: int, topic: str, message: str) -> None:
        """Hand the encoded event to every matching subscriber of the venue, at once.

        A live subscriber's sink writes it now; the others queue it. A subscriber whose
        queue is full is marked overflowed and removed.
        """
        overflowed: list[Subscriber] = []
        for sub in self._venues.get(venue_id, ()):
            if seq <= sub.last_seq or not sub.matches(topic):
                continue
            sink = sub.sink
            if sink is not None:
                sub.last_seq = seq
                sink(message)
            elif not sub.put(seq, message):
                overflowed.append(sub)
        for sub in overflowed:
            self.unsubscribe(sub)
