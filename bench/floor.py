"""The database's floor for a send: the same rows written by plain asyncpg, no HTTP.

``statements`` runs the statements the server's send issues (``python -m bench
statements`` prints them as the server runs them), with the server's own SQL and planning
code: ``BEGIN``, ``kitchen_send_open``, ``kitchen_send_write``, the idempotency claim with
the answer and the events (key, counter and rows in one statement, decision 1566),
``COMMIT``, the NOTIFY.

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
from pos_service.core import events
from pos_service.kitchen.service import _send as send

CONNECTIONS = 16

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
      chk.covers, 'open', now(), v FROM unnest(stations) WITH ORDINALITY AS u(st, o)
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
    """The server's send, statement for statement, with its Python planning but no HTTP,
    no SQLAlchemy and no live fan-out."""
    at = dt.datetime.now(dt.UTC)
    key = uuid.uuid4().hex
    async with conn.transaction():
        opened = send.OPENED.decode(
            await conn.fetchval(send.OPEN, venue_id, check_id, None, at, *send.OPEN_STATES)
        )
        pending = [line for line in opened.lines if line.state == "pending"]
        write = send.plan(opened, pending, {m.id: m for m in opened.menu}, at)
        written = send.WRITTEN.decode(
            await conn.fetchval(
                send.WRITE,
                venue_id,
                check_id,
                msgspec.json.encode(write).decode(),
                *send.WRITE_STATES,
            )
        )
        sent = {
            "check_id": check_id,
            "version": opened.check.version + 1,
            "line_ids": write.line_ids,
        }
        rows: list[tuple[str, str, Any]] = [
            ("orders", "order.sent", sent),
            (f"check:{check_id}", "order.sent", sent),
        ]
        for ticket in write.tickets:
            rows += [
                (f"kitchen:{ticket.station}", "ticket.created", ticket),
                ("expo", "ticket.created", ticket),
            ]
        rows += [("printers", "print.queued", job) for job in written.jobs]
        base = await conn.fetchval(
            events.WRITE_CLAIMING,
            venue_id,
            len(rows),
            at,
            [r[0] for r in rows],
            [r[1] for r in rows],
            [msgspec.json.encode(r[2]).decode() for r in rows],
            key,
            200,
            msgspec.json.encode(opened.check),
            b"fingerprint",
        )
    await conn.execute("SELECT pg_notify('pos_events', $1)", f"{venue_id}:{base + len(rows)}")


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
    one = _one_trip if shape == "one_trip" else _statements
    conns = [await asyncpg.connect(dsn) for _ in range(CONNECTIONS)]
    done = 0
    deadline = time.monotonic() + seconds
    queue = iter(work)

    async def worker(conn: asyncpg.Connection) -> None:
        nonlocal done
        for venue_id, check_id in queue:
            if time.monotonic() >= deadline:
                return
            await one(conn, venue_id, check_id)
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
