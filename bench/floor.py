"""The database's floor for a send: the same rows written by plain asyncpg, no HTTP.

``statements`` replays, one round trip each, the statements the server's send issues
(``python -m bench statements`` prints them as captured from SQLAlchemy): idempotency
claim, check locked, lines read, a count-down per item, version, lines marked sent, lines
read again for the answer, answer stored, event counter, events, commit, then the NOTIFY.

``one_trip`` is a prototype of the send as ONE round trip (a PL/pgSQL function created in
a ``bench`` schema of the benchmark's database only), to show what that shape would gain;
the server does not use it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
import uuid

import asyncpg
import msgspec

from bench import env

CONNECTIONS = 16

CLAIM = (
    "INSERT INTO idempotency_keys (venue_id, key, request_hash, status, response) "
    "VALUES ($1, $2, $3, 0, '') ON CONFLICT DO NOTHING RETURNING 1"
)
LOCK_CHECK = (
    "SELECT table_id, covers, waiter_id, status, version, allergies, notes, merged_into, "
    "closed_at, venue_id, id, created_at FROM checks WHERE venue_id = $1 AND id = $2 FOR UPDATE"
)
LINES = (
    "SELECT check_id, item_id, name, quantity, unit_price, tax_rate_bp, modifiers, seat, course, "
    "note, station_id, state, added_by, sent_at, voided_at, voided_by, void_reason, "
    "void_approved_by, venue_id, id, created_at FROM check_lines "
    "WHERE venue_id = $1 AND check_id = $2 ORDER BY id"
)
COUNT_DOWN = (
    "UPDATE items SET remaining = remaining - $1, available = remaining - $1 > 0 "
    "WHERE venue_id = $2 AND id = $3 AND remaining IS NOT NULL AND remaining >= $1 "
    "RETURNING remaining, name"
)
SHORT = (
    "SELECT remaining, name FROM items WHERE venue_id = $1 AND id = $2 AND remaining IS NOT NULL"
)
VERSION = "UPDATE checks SET version = $1 WHERE venue_id = $2 AND id = $3"
MARK_SENT = "UPDATE check_lines SET state = $1, sent_at = $2 WHERE venue_id = $3 AND id = $4"
STORE = "UPDATE idempotency_keys SET status = $1, response = $2 WHERE venue_id = $3 AND key = $4"
COUNTER = (
    "INSERT INTO counters (venue_id, name, value) VALUES ($1, $2, $3) ON CONFLICT (venue_id, name) "
    "DO UPDATE SET value = counters.value + $3 RETURNING value"
)
EVENTS = (
    "INSERT INTO events (venue_id, seq, topic, type, data, at) "
    "VALUES ($1, $2, $3, $4, $5::jsonb, $6)"
)

ONE_TRIP_FUNCTION = """
CREATE SCHEMA IF NOT EXISTS bench;
CREATE OR REPLACE FUNCTION bench.send(v bigint, c bigint, k text, h bytea)
RETURNS TABLE (head bigint, answer jsonb) LANGUAGE plpgsql AS $$
DECLARE
  chk checks%ROWTYPE;
  sent_ids bigint[];
  last bigint;
  body jsonb;
BEGIN
  INSERT INTO idempotency_keys (venue_id, key, request_hash, status, response)
    VALUES (v, k, h, 0, '') ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN RAISE EXCEPTION 'replay'; END IF;
  SELECT * INTO chk FROM checks WHERE venue_id = v AND id = c FOR UPDATE;
  IF chk.status <> 'open' THEN RAISE EXCEPTION 'closed'; END IF;
  WITH s AS (
    UPDATE check_lines SET state = 'sent', sent_at = now()
    WHERE venue_id = v AND check_id = c AND state = 'pending' RETURNING id, item_id, quantity
  ), d AS (
    UPDATE items i SET remaining = i.remaining - q.n, available = i.remaining - q.n > 0
    FROM (SELECT item_id, sum(quantity) AS n FROM s GROUP BY item_id) q
    WHERE i.venue_id = v AND i.id = q.item_id AND i.remaining IS NOT NULL RETURNING i.id
  )
  SELECT array_agg(id ORDER BY id) INTO sent_ids FROM s;
  IF sent_ids IS NULL THEN RAISE EXCEPTION 'nothing to send'; END IF;
  UPDATE checks SET version = version + 1 WHERE venue_id = v AND id = c;
  SELECT jsonb_build_object('id', c, 'version', chk.version + 1, 'lines', jsonb_agg(to_jsonb(l)))
    INTO body FROM check_lines l WHERE l.venue_id = v AND l.check_id = c;
  UPDATE idempotency_keys SET status = 200, response = convert_to(body::text, 'UTF8')
    WHERE venue_id = v AND key = k;
  INSERT INTO counters (venue_id, name, value) VALUES (v, 'event_seq', 2)
    ON CONFLICT (venue_id, name) DO UPDATE SET value = counters.value + 2 RETURNING value INTO last;
  INSERT INTO events (venue_id, seq, topic, type, data, at)
    SELECT v, last - 2 + n, t, 'order.sent', jsonb_build_object('check_id', c,
      'table_id', chk.table_id, 'version', chk.version + 1, 'line_ids', sent_ids), now()
    FROM (VALUES (1, 'orders'), (2, 'check:' || c)) AS e(n, t);
  RETURN QUERY SELECT last, body;
END $$;
"""


async def _statements(conn: asyncpg.Connection, venue_id: int, check_id: int) -> None:
    key = uuid.uuid4().hex
    async with conn.transaction():
        await conn.fetchval(CLAIM, venue_id, key, b"fingerprint")
        check = await conn.fetchrow(LOCK_CHECK, venue_id, check_id)
        pending = [
            r for r in await conn.fetch(LINES, venue_id, check_id) if r["state"] == "pending"
        ]
        wanted: dict[int, int] = {}
        for line in pending:
            wanted[line["item_id"]] = wanted.get(line["item_id"], 0) + line["quantity"]
        for item_id in sorted(wanted):
            if await conn.fetchrow(COUNT_DOWN, wanted[item_id], venue_id, item_id) is None:
                await conn.fetchrow(SHORT, venue_id, item_id)
        at = dt.datetime.now(dt.UTC)
        version = check["version"] + 1
        await conn.execute(VERSION, version, venue_id, check_id)
        await conn.executemany(MARK_SENT, [("sent", at, venue_id, r["id"]) for r in pending])
        lines = [dict(r) for r in await conn.fetch(LINES, venue_id, check_id)]
        body = msgspec.json.encode({"id": check_id, "version": version, "lines": lines})
        await conn.execute(STORE, 200, body, venue_id, key)
        last = await conn.fetchval(COUNTER, venue_id, "event_seq", 2)
        data = msgspec.json.encode(
            {
                "check_id": check_id,
                "table_id": None,
                "version": version,
                "line_ids": [r["id"] for r in pending],
            }
        ).decode()
        await conn.executemany(
            EVENTS,
            [
                (venue_id, last - 1, "orders", "order.sent", data, at),
                (venue_id, last, f"check:{check_id}", "order.sent", data, at),
            ],
        )
    await conn.execute("SELECT pg_notify('pos_events', $1)", f"{venue_id}:{last}")


async def _one_trip(conn: asyncpg.Connection, venue_id: int, check_id: int) -> None:
    row = await conn.fetchrow(
        "SELECT * FROM bench.send($1, $2, $3, $4)", venue_id, check_id, uuid.uuid4().hex, b"f"
    )
    await conn.execute("SELECT pg_notify('pos_events', $1)", f"{venue_id}:{row['head']}")


async def _measure(url: str, venues: list[env.Venue], seconds: float, shape: str) -> float:
    pools = {
        v.id: await env.prepare_checks(url, v, int(2000 * seconds / len(venues)) + 1)
        for v in venues
    }
    work = [
        (venue_id, check_id)
        for group in itertools.zip_longest(*pools.values())
        for venue_id, check_id in zip(pools, group, strict=True)
        if check_id is not None
    ]
    dsn = env.asyncpg_dsn(url)
    setup = await asyncpg.connect(dsn)
    if shape == "one_trip":
        await setup.execute(ONE_TRIP_FUNCTION)
    await setup.close()
    send = _one_trip if shape == "one_trip" else _statements
    conns = [await asyncpg.connect(dsn) for _ in range(CONNECTIONS)]
    done = 0
    deadline = time.monotonic() + seconds
    queue = iter(work)

    async def worker(conn: asyncpg.Connection) -> None:
        nonlocal done
        for venue_id, check_id in queue:
            if time.monotonic() >= deadline:
                return
            await send(conn, venue_id, check_id)
            done += 1

    began = time.monotonic()
    await asyncio.gather(*(worker(c) for c in conns))
    elapsed = time.monotonic() - began
    for conn in conns:
        await conn.close()
    return done / elapsed


def measure(url: str, venues: list[env.Venue], *, seconds: float, shape: str) -> float:
    """Sends per second with ``CONNECTIONS`` connections as fast as they go."""
    result: float = env.run(_measure(url, venues, seconds, shape))
    return result


async def sent_lines(url: str, venue_id: int, checks: list[int]) -> dict[int, list[int]]:
    """Mark the checks' lines sent (a bill is of sent lines); their ids per check, in order."""
    conn = await asyncpg.connect(env.asyncpg_dsn(url))
    try:
        rows = await conn.fetch(
            "UPDATE check_lines SET state = 'sent', sent_at = now() "
            "WHERE venue_id = $1 AND check_id = ANY($2::bigint[]) RETURNING check_id, id",
            venue_id,
            checks,
        )
    finally:
        await conn.close()
    found: dict[int, list[int]] = {}
    for row in sorted(rows, key=lambda r: r["id"]):
        found.setdefault(row["check_id"], []).append(row["id"])
    return found
