"""Outgoing webhooks: subscriptions, deliveries made from the event log, signed sends.

Deliveries are made from the venue's event log, not from the code that records events:
each subscription keeps a ``cursor`` (the last event seq it has turned into deliveries),
and the scheduled task inserts one delivery per matching event after it, then moves the
cursor, in one transaction. Event seqs are gap-free and in commit order, so nothing is
skipped and a restart loses nothing; the unique ``(subscription, event_seq)`` makes a
repeat harmless.

Each delivery is POSTed with the JSON body ``{"id", "event", "seq", "venue_id", "at",
"data"}`` and the header ``X-POS-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact
body with the subscription's secret. A 2xx answer delivers it; anything else (or no
answer within :data:`TIMEOUT`) is retried after :func:`backoff`, up to
:data:`MAX_ATTEMPTS`. Redirects are not followed (a 3xx is a failure).

Where a delivery may go is the outbound policy's (``pos_service.core.outbound``): the URL
is checked when saved, and at send time the host name is resolved, every address checked
and the checked address connected to (the name is kept for ``Host`` and TLS). The
delivery log says only ``HTTP <code>``, "no HTTP answer" or "refused by the outbound
policy", never what a port said, so it cannot be used to probe a network.

Due deliveries are claimed with ``FOR UPDATE SKIP LOCKED``, so two
server processes never send the same one at once. Delivery is at least once: receivers
deduplicate by ``id`` (also in ``X-POS-Delivery``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import ssl
from typing import TYPE_CHECKING

import msgspec
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Invalid, NotFound
from pos_service.core.models import EventRow
from pos_service.core.outbound import OutboundPolicy, Refused, invalid
from pos_service.core.schemas import UNSET_FIELD as UNSET
from pos_service.integrations.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from pos_service.integrations.schemas import (
    DeliveryRead,
    EventType,
    WebhookCreate,
    WebhookCreated,
    WebhookPatch,
    WebhookRead,
    WebhookReplay,
)

if TYPE_CHECKING:
    import httpx

EVENT_TYPES: frozenset[str] = frozenset(t.value for t in EventType)
"""The event types offered (the catalogue of docs/integrations.md)."""
TIMEOUT = 5.0
MAX_ATTEMPTS = 12
BATCH = 20
SCAN = 5000

FAN_OUT = text(
    """
INSERT INTO webhook_deliveries
    (venue_id, subscription_id, event_seq, event_type, payload, next_attempt_at)
SELECT e.venue_id, :s, e.seq, e.type,
       jsonb_build_object('event', e.type, 'seq', e.seq, 'venue_id', e.venue_id,
                          'at', e.at, 'data', e.data),
       :now
FROM (
  -- an event recorded on several topics is one row per topic, alike but for the topic
  -- and seq (numbered in one commit): deliver the first
  SELECT DISTINCT ON (e.type, e.at, e.data) e.*
  FROM events e
  WHERE e.venue_id = :v AND e.seq > :after AND e.seq <= :upto
    AND e.type = ANY(CAST(:types AS text[]))
  ORDER BY e.type, e.at, e.data, e.seq
) e
ORDER BY e.seq
ON CONFLICT DO NOTHING
"""
)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failure: 30 s, 1 min, 2 min ... at most 1 h."""
    return dt.timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def sign(secret: str, body: bytes) -> str:
    """The ``X-POS-Signature`` header of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _read(row: WebhookSubscription) -> WebhookRead:
    return WebhookRead(
        id=row.id,
        url=row.url,
        events=list(row.events),
        description=row.description,
        active=row.active,
        cursor=row.cursor,
        created_at=row.created_at,
    )


async def _last_seq(session: AsyncSession, venue_id: int) -> int:
    last = await session.scalar(select(func.max(EventRow.seq)).where(EventRow.venue_id == venue_id))
    return int(last or 0)


def _checked_url(policy: OutboundPolicy, url: str) -> str:
    try:
        policy.check_webhook_url(url)
    except Refused as exc:
        raise invalid(exc, "url") from None
    return url


def _audited(row: WebhookSubscription) -> dict[str, object]:
    return {"url": row.url, "events": list(row.events), "active": row.active}


async def create(
    session: AsyncSession, caller: Caller, data: WebhookCreate, policy: OutboundPolicy
) -> WebhookCreated:
    """Subscribe an endpoint the outbound policy lets the server reach; it receives the
    events recorded from now on."""
    _checked_url(policy, data.url)
    row = WebhookSubscription(
        venue_id=caller.venue_id,
        url=data.url,
        events=sorted({str(t) for t in data.events}),
        description=data.description,
        secret=secrets.token_hex(32),
        cursor=await _last_seq(session, caller.venue_id),
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    await audit.record(session, caller, "webhook.created", f"webhook:{row.id}", _audited(row))
    return WebhookCreated(**msgspec.structs.asdict(_read(row)), secret=row.secret)


async def list_webhooks(session: AsyncSession, caller: Caller) -> list[WebhookRead]:
    rows = (
        await session.execute(
            select(WebhookSubscription)
            .where(WebhookSubscription.venue_id == caller.venue_id)
            .order_by(WebhookSubscription.id)
        )
    ).scalars()
    return [_read(row) for row in rows]


async def _get(
    session: AsyncSession, venue_id: int, webhook_id: int, *, lock: bool
) -> WebhookSubscription:
    row = await session.get(WebhookSubscription, (venue_id, webhook_id), with_for_update=lock)
    if row is None:
        raise NotFound("no webhook {webhook_id}", webhook_id=webhook_id, field="webhook_id")
    return row


async def get_webhook(session: AsyncSession, caller: Caller, webhook_id: int) -> WebhookRead:
    return _read(await _get(session, caller.venue_id, webhook_id, lock=False))


async def patch(
    session: AsyncSession,
    caller: Caller,
    webhook_id: int,
    data: WebhookPatch,
    policy: OutboundPolicy,
) -> WebhookRead:
    """Change the URL, the event types or the description; pause or resume. Events
    recorded while paused are delivered on resuming."""
    row = await _get(session, caller.venue_id, webhook_id, lock=True)
    before = _audited(row)
    if data.url is not UNSET:
        row.url = _checked_url(policy, data.url)
    if data.events is not UNSET:
        row.events = sorted({str(t) for t in data.events})
    if data.description is not UNSET:
        row.description = data.description
    if data.active is not UNSET:
        row.active = data.active
    await session.flush()
    after = _audited(row)
    if after != before:
        changed = {k: {"from": before[k], "to": v} for k, v in after.items() if before[k] != v}
        await audit.record(session, caller, "webhook.changed", f"webhook:{row.id}", changed)
    return _read(row)


async def remove(session: AsyncSession, caller: Caller, webhook_id: int) -> None:
    """Delete a subscription with its deliveries."""
    row = await _get(session, caller.venue_id, webhook_id, lock=True)
    await audit.record(session, caller, "webhook.deleted", f"webhook:{row.id}", _audited(row))
    await session.delete(row)
    await session.flush()


async def replay(
    session: AsyncSession, caller: Caller, webhook_id: int, data: WebhookReplay
) -> WebhookRead:
    """Deliver the subscription's events again from a point: its deliveries from there
    are due again (attempts counted afresh) and its cursor moves back, so events of types
    added since are delivered too. Receivers deduplicate by ``id`` as always."""
    if (data.from_seq is None) == (data.since is None):
        raise Invalid("give either from_seq or since", field="from_seq")
    row = await _get(session, caller.venue_id, webhook_id, lock=True)
    from_seq = data.from_seq
    if data.since is not None:
        if data.since.tzinfo is None:
            raise Invalid("since needs its UTC offset", field="since")
        first = await session.scalar(
            select(func.min(EventRow.seq)).where(
                EventRow.venue_id == caller.venue_id, EventRow.at >= data.since
            )
        )
        from_seq = int(first) if first is not None else await _last_seq(session, row.venue_id) + 1
    assert from_seq is not None
    now = now_utc()
    await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.venue_id == caller.venue_id,
            WebhookDelivery.subscription_id == webhook_id,
            WebhookDelivery.event_seq >= from_seq,
        )
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now)
    )
    row.cursor = min(row.cursor, from_seq - 1)
    await session.flush()
    await audit.record(
        session, caller, "webhook.replayed", f"webhook:{row.id}", {"from_seq": from_seq}
    )
    return _read(row)


def _delivery_read(d: WebhookDelivery) -> DeliveryRead:
    return DeliveryRead(
        id=d.id,
        subscription_id=d.subscription_id,
        event_seq=d.event_seq,
        event_type=d.event_type,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        last_attempt_at=d.last_attempt_at,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        delivered_at=d.delivered_at,
    )


async def deliveries(
    session: AsyncSession, caller: Caller, webhook_id: int, limit: int
) -> list[DeliveryRead]:
    """A subscription's latest deliveries, newest first."""
    await _get(session, caller.venue_id, webhook_id, lock=False)
    rows = (
        await session.execute(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.venue_id == caller.venue_id,
                WebhookDelivery.subscription_id == webhook_id,
            )
            .order_by(WebhookDelivery.event_seq.desc())
            .limit(limit)
        )
    ).scalars()
    return [_delivery_read(d) for d in rows]


async def fan_out(session: AsyncSession, now: dt.datetime) -> int:
    """Turn the events after each active subscription's cursor into deliveries."""
    subscriptions = (
        await session.execute(
            select(WebhookSubscription)
            .where(WebhookSubscription.active)
            .order_by(WebhookSubscription.venue_id, WebhookSubscription.id)
            .limit(100)
            .with_for_update(skip_locked=True)
        )
    ).scalars()
    made = 0
    for sub in subscriptions.all():
        upto = min(await _last_seq(session, sub.venue_id), sub.cursor + SCAN)
        if upto <= sub.cursor:
            continue
        types = [str(t) for t in sub.events if t in EVENT_TYPES]
        result = await session.execute(
            FAN_OUT,
            {
                "s": sub.id,
                "v": sub.venue_id,
                "after": sub.cursor,
                "upto": upto,
                "now": now,
                "types": types,
            },
        )
        made += getattr(result, "rowcount", 0)
        sub.cursor = upto
    await session.flush()
    return made


async def post(
    policy: OutboundPolicy,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    verify: ssl.SSLContext | bool = True,
) -> httpx.Response:
    """POST ``body`` to ``url`` at an address the policy checked (:class:`Refused`
    otherwise): the connection goes to that address, the name stays in ``Host`` and in
    the TLS server name, so certificates are verified for the name. Each call has its
    own connection: one verified for a name is never reused for another name that
    resolves to the same address. Redirects are not followed."""
    import httpx  # here, not at import: the workers answer sooner after start (decision 1105)

    parts = policy.check_webhook_url(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = await policy.resolve_webhook(host, port)
    target = httpx.URL(url).copy_with(host=address)
    netloc = parts.netloc.rpartition("@")[2]
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False, verify=verify) as client:
        return await client.post(
            target, content=body, headers={**headers, "Host": netloc}, extensions=extensions
        )


async def _attempt(
    policy: OutboundPolicy,
    sub: WebhookSubscription,
    d: WebhookDelivery,
    now: dt.datetime,
) -> None:
    body = msgspec.json.encode({"id": d.id, **d.payload})
    headers = {
        "Content-Type": "application/json",
        "X-POS-Signature": sign(sub.secret, body),
        "X-POS-Event": d.event_type,
        "X-POS-Delivery": str(d.id),
    }
    import httpx

    code: int | None = None
    try:
        answer = await post(policy, sub.url, body, headers)
        code = answer.status_code
        error = None if 200 <= code < 300 else f"HTTP {code}"
    except Refused as exc:
        error = f"refused by the outbound policy: {exc}"[:500]
    except httpx.HTTPError:
        # one message for refused, reset, timed out and garbled: what a port answered
        # is not the subscriber's to learn
        error = "no HTTP answer"
    d.attempts += 1
    d.last_attempt_at, d.last_status_code, d.last_error = now, code, error
    if error is None:
        d.status, d.delivered_at = DeliveryStatus.DELIVERED, now
    elif d.attempts >= MAX_ATTEMPTS:
        d.status = DeliveryStatus.FAILED
    else:
        d.next_attempt_at = now + backoff(d.attempts)


async def send_due(session: AsyncSession, now: dt.datetime, policy: OutboundPolicy) -> int:
    """POST the due deliveries of active subscriptions; how many went through."""
    due = (
        await session.execute(
            select(WebhookDelivery, WebhookSubscription)
            .join(
                WebhookSubscription,
                (WebhookSubscription.venue_id == WebhookDelivery.venue_id)
                & (WebhookSubscription.id == WebhookDelivery.subscription_id),
            )
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
                WebhookSubscription.active,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.event_seq)
            .limit(BATCH)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        )
    ).all()
    if not due:
        return 0
    for d, sub in due:
        await _attempt(policy, sub, d, now)
    await session.flush()
    return sum(d.status == DeliveryStatus.DELIVERED for d, _ in due)


async def deliver(session: AsyncSession, now: dt.datetime, policy: OutboundPolicy) -> int:
    """Scheduled: make deliveries from the event log, then send what is due."""
    await fan_out(session, now)
    return await send_due(session, now, policy)
