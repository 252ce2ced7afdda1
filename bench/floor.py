"""The database's floor for a send: the same rows written by plain asyncpg, no HTTP.

``statements`` replays, one round trip each, the statements the server's send issues
(``python -m bench statements`` prints them as captured from SQLAlchemy): idempotency
claim, check locked, lines read, counted items, version, lines marked sent, the kitchen's
reads, ticket counter, tickets, ticket items, fired courses, a print job per ticket, lines
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
from typing import Any

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
COUNTED = (
    "SELECT array_agg(id ORDER BY id) FROM items WHERE venue_id = $1 AND id = ANY($2) "
    "AND remaining IS NOT NULL"
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

VENUE = (
    "SELECT id, slug, name, currency, timezone, tax_inclusive, day_cutoff, courses, settings, "
    "created_at FROM venues WHERE id = $1"
)
MENU = "SELECT id, allergens, prep_minutes FROM items WHERE venue_id = $1 AND id = ANY($2)"
FIRED = "SELECT course FROM kitchen_courses WHERE venue_id = $1 AND check_id = $2"
WAITER = "SELECT name FROM staff WHERE venue_id = $1 AND id = $2"
STATIONS = "SELECT id, name FROM stations WHERE venue_id = $1"
TICKETS = (
    "INSERT INTO kitchen_tickets (check_id, station_id, business_day, number, table_id, "
    "table_name, waiter_id, waiter_name, covers, state, fired_at, venue_id) "
    "SELECT $1, s, $3, n, NULL, NULL, $4, $5, 4, 'new', $6, $7 "
    "FROM unnest($2::bigint[], $8::int[]) AS t(s, n) RETURNING id, station_id"
)
TICKET_ITEMS = (
    "INSERT INTO kitchen_ticket_items (ticket_id, check_id, station_id, line_id, item_id, name, "
    "quantity, seat, course, prep_minutes, fired_at, release_at, venue_id) "
    "SELECT t, $1, s, l, i, n, 1, NULL, c, 5, $2, $2, $3 FROM unnest($4::bigint[], $5::bigint[], "
    "$6::bigint[], $7::bigint[], $8::text[], $9::text[]) AS x(t, s, l, i, n, c) "
    "RETURNING id, line_id"
)
COURSES = (
    "INSERT INTO kitchen_courses (check_id, course, fired_at, venue_id) "
    "SELECT $1, c, $2, $3 FROM unnest($4::text[]) AS c "
    "ON CONFLICT (venue_id, check_id, course) DO UPDATE SET ready_at = $2"
)
PRINT_JOB = (
    "WITH target AS (SELECT printer_id FROM printer_stations WHERE venue_id = $1 "
    "AND station_id = $2), job AS (INSERT INTO print_jobs (venue_id, printer_id, station_id, "
    "kind, document_type, document, banner, reprint, reprint_of) SELECT $1, target.printer_id, "
    "$2, 'new', 'ticket', $3::jsonb, NULL, NULL, NULL FROM target RETURNING id, printer_id) "
    "SELECT job.id, p.name FROM job JOIN printers p ON p.venue_id = $1 AND p.id = job.printer_id"
)

ONE_TRIP_FUNCTION = """
CREATE SCHEMA IF NOT EXISTS bench;
CREATE OR REPLACE FUNCTION bench.send(v bigint, c bigint, k text, h bytea)
RETURNS TABLE (head bigint, answer jsonb) LANGUAGE plpgsql AS $$
DECLARE
  chk checks%ROWTYPE;
  sent_ids bigint[];
  stations bigint[];
  waiter text;
  tnum bigint;
  tickets jsonb;
  sent jsonb;
  body jsonb;
  last bigint;
  total int;
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
  stations := ARRAY(SELECT DISTINCT station_id FROM check_lines
                    WHERE venue_id = v AND id = ANY(sent_ids) ORDER BY 1);
  SELECT name INTO waiter FROM staff WHERE venue_id = v AND id = chk.waiter_id;
  INSERT INTO counters (venue_id, name, value)
    VALUES (v, 'ticket:' || current_date, cardinality(stations))
    ON CONFLICT (venue_id, name) DO UPDATE SET value = counters.value + cardinality(stations)
    RETURNING value INTO tnum;
  WITH t AS (
    INSERT INTO kitchen_tickets (check_id, station_id, business_day, number, waiter_id,
      waiter_name, covers, state, fired_at, venue_id)
    SELECT c, u.st, current_date, tnum - cardinality(stations) + u.o, chk.waiter_id, waiter,
      chk.covers, 'new', now(), v FROM unnest(stations) WITH ORDINALITY AS u(st, o)
    RETURNING id, station_id, number
  ), i AS (
    INSERT INTO kitchen_ticket_items (ticket_id, check_id, station_id, line_id, item_id, name,
      quantity, seat, course, prep_minutes, fired_at, release_at, venue_id)
    SELECT t.id, c, l.station_id, l.id, l.item_id, l.name, l.quantity, l.seat, l.course, 0,
      now(), now(), v
    FROM check_lines l JOIN t ON t.station_id = l.station_id
    WHERE l.venue_id = v AND l.id = ANY(sent_ids)
    RETURNING ticket_id, line_id, name, quantity, course
  )
  SELECT jsonb_agg(jsonb_build_object('id', t.id, 'number', t.number, 'check_id', c,
    'station', st.name, 'waiter', waiter, 'items',
    (SELECT jsonb_agg(to_jsonb(i)) FROM i WHERE i.ticket_id = t.id)) ORDER BY t.station_id)
    INTO tickets FROM t JOIN stations st ON st.venue_id = v AND st.id = t.station_id;
  INSERT INTO kitchen_courses (check_id, course, fired_at, venue_id)
    SELECT DISTINCT c, course, now(), v FROM check_lines WHERE venue_id = v AND id = ANY(sent_ids)
    ON CONFLICT (venue_id, check_id, course) DO UPDATE SET ready_at = now();
  SELECT jsonb_build_object('id', c, 'version', chk.version + 1, 'lines', jsonb_agg(to_jsonb(l)))
    INTO body FROM check_lines l WHERE l.venue_id = v AND l.check_id = c;
  UPDATE idempotency_keys SET status = 200, response = convert_to(body::text, 'UTF8')
    WHERE venue_id = v AND key = k;
  sent := jsonb_build_object('check_id', c, 'version', chk.version + 1, 'line_ids', sent_ids);
  total := 2 + 2 * jsonb_array_length(tickets);
  INSERT INTO counters (venue_id, name, value) VALUES (v, 'event_seq', total)
    ON CONFLICT (venue_id, name) DO UPDATE SET value = counters.value + total
    RETURNING value INTO last;
  INSERT INTO events (venue_id, seq, topic, type, data, at)
    SELECT v, last - total + e.o, e.topic, e.type, e.data, now() FROM (
      SELECT 1 AS o, 'orders' AS topic, 'order.sent' AS type, sent AS data
      UNION ALL SELECT 2, 'check:' || c, 'order.sent', sent
      UNION ALL SELECT 1 + 2 * x.n, 'kitchen:' || (x.t ->> 'station'), 'ticket.created', x.t
        FROM jsonb_array_elements(tickets) WITH ORDINALITY AS x(t, n)
      UNION ALL SELECT 2 + 2 * x.n, 'expo', 'ticket.created', x.t
        FROM jsonb_array_elements(tickets) WITH ORDINALITY AS x(t, n)
    ) AS e;
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
        for item_id in await conn.fetchval(COUNTED, venue_id, sorted(wanted)) or []:
            if await conn.fetchrow(COUNT_DOWN, wanted[item_id], venue_id, item_id) is None:
                await conn.fetchrow(SHORT, venue_id, item_id)
        at = dt.datetime.now(dt.UTC)
        version = check["version"] + 1
        await conn.execute(VERSION, version, venue_id, check_id)
        await conn.executemany(MARK_SENT, [("sent", at, venue_id, r["id"]) for r in pending])
        tickets = await _kitchen(conn, venue_id, check, pending, at)
        lines = [dict(r) for r in await conn.fetch(LINES, venue_id, check_id)]
        body = msgspec.json.encode({"id": check_id, "version": version, "lines": lines})
        await conn.execute(STORE, 200, body, venue_id, key)
        sent = {"check_id": check_id, "version": version, "line_ids": [r["id"] for r in pending]}
        rows = [("orders", "order.sent", sent), (f"check:{check_id}", "order.sent", sent)]
        for topic, ticket in tickets:
            rows += [(topic, "ticket.created", ticket), ("expo", "ticket.created", ticket)]
        last = await conn.fetchval(COUNTER, venue_id, "event_seq", len(rows))
        first = last - len(rows) + 1
        await conn.executemany(
            EVENTS,
            [
                (venue_id, first + n, topic, type_, msgspec.json.encode(data).decode(), at)
                for n, (topic, type_, data) in enumerate(rows)
            ],
        )
    await conn.execute("SELECT pg_notify('pos_events', $1)", f"{venue_id}:{last}")


async def _kitchen(
    conn: asyncpg.Connection,
    venue_id: int,
    check: asyncpg.Record,
    pending: list[asyncpg.Record],
    at: dt.datetime,
) -> list[tuple[str, dict[str, Any]]]:
    """The kitchen's part of the send: one ticket per station with its items; the
    (topic, ticket) of each ``ticket.created``."""
    await conn.fetchrow(VENUE, venue_id)
    await conn.fetch(MENU, venue_id, sorted({r["item_id"] for r in pending}))
    await conn.fetch(FIRED, venue_id, check["id"])
    waiter = await conn.fetchval(WAITER, venue_id, check["waiter_id"])
    names = {r["id"]: r["name"] for r in await conn.fetch(STATIONS, venue_id)}
    station_ids = sorted({r["station_id"] for r in pending})
    day = at.date()
    last = await conn.fetchval(COUNTER, venue_id, f"ticket:{day}", len(station_ids))
    numbers = list(range(last - len(station_ids) + 1, last + 1))
    ids = {
        r["station_id"]: r["id"]
        for r in await conn.fetch(
            TICKETS,
            check["id"],
            station_ids,
            day,
            check["waiter_id"],
            waiter,
            at,
            venue_id,
            numbers,
        )
    }
    await conn.fetch(
        TICKET_ITEMS,
        check["id"],
        at,
        venue_id,
        [ids[r["station_id"]] for r in pending],
        [r["station_id"] for r in pending],
        [r["id"] for r in pending],
        [r["item_id"] for r in pending],
        [r["name"] for r in pending],
        [r["course"] for r in pending],
    )
    await conn.execute(COURSES, check["id"], at, venue_id, sorted({r["course"] for r in pending}))
    tickets = []
    for station, number in zip(station_ids, numbers, strict=True):
        ticket = {
            "id": ids[station],
            "number": number,
            "check_id": check["id"],
            "station": names[station],
            "waiter": waiter,
            "items": [dict(r) for r in pending if r["station_id"] == station],
        }
        await conn.fetch(PRINT_JOB, venue_id, station, msgspec.json.encode(ticket).decode())
        tickets.append((f"kitchen:{names[station]}", ticket))
    return tickets


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
