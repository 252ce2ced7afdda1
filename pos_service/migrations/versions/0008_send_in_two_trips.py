"""the send to the kitchen as two database functions (read, then write)

The hottest write of the system (docs/decisions/1104-send-in-two-round-trips.md):
``kitchen_send_open`` locks the check and reads, in one round trip, everything the send
needs, and takes the ticket numbers and row ids; the server builds the tickets, events
and print documents; ``kitchen_send_write`` writes them in a second round trip.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 18:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SEND_OPEN = """
CREATE FUNCTION kitchen_send_open(v bigint, c bigint, expected integer, at timestamptz)
RETURNS text LANGUAGE plpgsql AS $$
-- Lock the open check and read what its send needs, as one JSON document, with ids for
-- the tickets and their items. NULL when the check is missing, not open or not at the
-- ``expected`` version (the caller's general path says which). The lock is taken first,
-- in its own statement, so every read below sees what the transaction that held it
-- before committed.
DECLARE
  chk checks%ROWTYPE;
  ven venues%ROWTYPE;
  local_at timestamp;
  day date;
  tickets integer;
  items integer;
BEGIN
  SELECT * INTO chk FROM checks WHERE venue_id = v AND id = c FOR UPDATE;
  IF NOT FOUND OR chk.status <> 'open' OR (expected IS NOT NULL AND expected <> chk.version)
  THEN
    RETURN NULL;
  END IF;
  SELECT * INTO ven FROM venues WHERE id = v;
  local_at := at AT TIME ZONE ven.timezone;
  day := CASE WHEN local_at::time < ven.day_cutoff THEN local_at::date - 1
              ELSE local_at::date END;
  SELECT count(DISTINCT station_id), count(station_id) INTO tickets, items
  FROM check_lines WHERE venue_id = v AND check_id = c AND state = 'pending';
  RETURN json_build_object(
    'check', json_build_object(
      'id', chk.id, 'table_id', chk.table_id, 'covers', chk.covers,
      'waiter_id', chk.waiter_id, 'status', chk.status, 'version', chk.version,
      'allergies', chk.allergies, 'notes', chk.notes, 'opened_at', chk.created_at,
      'closed_at', chk.closed_at, 'merged_into', chk.merged_into, 'subtotal', 0,
      'lines', '[]'::json),
    'lines', (
      SELECT coalesce(json_agg(json_build_object(
        'id', l.id, 'item_id', l.item_id, 'name', l.name, 'quantity', l.quantity,
        'unit_price', l.unit_price, 'amount', l.unit_price * l.quantity,
        'tax_rate_bp', l.tax_rate_bp, 'modifiers', l.modifiers, 'seat', l.seat,
        'course', l.course, 'note', l.note, 'station_id', l.station_id, 'state', l.state,
        'added_by', l.added_by, 'added_at', l.created_at, 'sent_at', l.sent_at,
        'voided_at', l.voided_at, 'voided_by', l.voided_by, 'void_reason', l.void_reason,
        'void_approved_by', l.void_approved_by) ORDER BY l.id), '[]'::json)
      FROM check_lines l WHERE l.venue_id = v AND l.check_id = c),
    'menu', (
      SELECT coalesce(json_agg(json_build_object(
        'id', i.id, 'allergens', i.allergens, 'prep_minutes', i.prep_minutes,
        'counted', i.remaining IS NOT NULL,
        'recipe', EXISTS (SELECT 1 FROM recipe_lines r
                          WHERE r.venue_id = v AND r.item_id = i.id))), '[]'::json)
      FROM items i WHERE i.venue_id = v AND i.id IN (
        SELECT item_id FROM check_lines
        WHERE venue_id = v AND check_id = c AND state = 'pending')),
    'venue', json_build_object(
      'name', ven.name, 'courses', ven.courses, 'settings', ven.settings),
    'business_day', day,
    'ticket_ids', (
      SELECT coalesce(json_agg(nextval(pg_get_serial_sequence('kitchen_tickets', 'id'))),
                      '[]'::json)
      FROM generate_series(1, tickets)),
    'item_ids', (
      SELECT coalesce(
               json_agg(nextval(pg_get_serial_sequence('kitchen_ticket_items', 'id'))),
               '[]'::json)
      FROM generate_series(1, items)),
    'fired', (
      SELECT coalesce(json_agg(course), '[]'::json)
      FROM kitchen_courses WHERE venue_id = v AND check_id = c),
    'table', (
      SELECT json_build_object('name', t.name, 'status', t.status,
                               'waiter', t.open_check->>'waiter')
      FROM dining_tables t WHERE t.venue_id = v AND t.id = chk.table_id),
    'waiter', (SELECT name FROM staff WHERE venue_id = v AND id = chk.waiter_id),
    'stations', (
      SELECT coalesce(json_object_agg(id, name), '{}'::json)
      FROM stations WHERE venue_id = v)
  )::text;
END
$$
"""

SEND_WRITE = """
CREATE FUNCTION kitchen_send_write(v bigint, c bigint, p jsonb)
RETURNS text LANGUAGE plpgsql AS $$
-- Write a send that kitchen_send_open read: lines sent, the check's version, tickets and
-- their items, fired courses, and a print job per ticket for each printer of its
-- station. The tickets (and their documents) come numbered 1..n; they take the venue's
-- next n ticket numbers here, late, so that the counter's row lock is held briefly.
-- Returns the first number and the print jobs queued (with their printers) as JSON.
DECLARE
  at timestamptz := (p->>'at')::timestamptz;
  n integer := jsonb_array_length(p->'tickets');
  base bigint := 0;
  jobs json;
BEGIN
  UPDATE checks SET version = version + 1 WHERE venue_id = v AND id = c;
  UPDATE check_lines SET state = 'sent', sent_at = at
  WHERE venue_id = v AND check_id = c
    AND id IN (SELECT jsonb_array_elements_text(p->'line_ids')::bigint);
  IF n > 0 THEN
    INSERT INTO counters (venue_id, name, value)
    VALUES (v, 'ticket:' || (p->>'business_day'), n)
    ON CONFLICT (venue_id, name) DO UPDATE SET value = counters.value + n
    RETURNING value - n INTO base;
  END IF;
  INSERT INTO kitchen_tickets (
    venue_id, id, check_id, station_id, business_day, number, table_id, table_name,
    waiter_id, waiter_name, covers, allergies, state, created_at, fired_at)
  SELECT v, t.id, c, t.station_id, t.business_day, base + t.number, t.table_id, t."table",
         t.waiter_id, t.waiter, t.covers, t.allergies, t.state, at, t.fired_at
  FROM jsonb_to_recordset(p->'tickets') AS t(
    id bigint, station_id bigint, business_day date, number integer, table_id bigint,
    "table" text, waiter_id bigint, waiter text, covers integer, allergies text[],
    state text, fired_at timestamptz);
  INSERT INTO kitchen_ticket_items (
    venue_id, id, ticket_id, check_id, station_id, line_id, item_id, name, quantity, seat,
    course, modifiers, note, allergens, allergy_flags, prep_minutes, fired_at, release_at,
    released_at, created_at)
  SELECT v, i.id, t.id, c, t.station_id, i.line_id, i.item_id, i.name, i.quantity,
         i.seat, i.course, i.modifiers, i.note, i.allergens, i.allergy_flags, i.prep_minutes,
         i.fired_at, i.release_at, i.released_at, at
  FROM jsonb_to_recordset(p->'tickets') AS t(id bigint, station_id bigint, items jsonb)
  CROSS JOIN LATERAL jsonb_to_recordset(t.items) AS i(
    id bigint, line_id bigint, item_id bigint, name text, quantity integer, seat integer,
    course text, modifiers text[], note text, allergens text[], allergy_flags text[],
    prep_minutes integer, fired_at timestamptz, release_at timestamptz,
    released_at timestamptz);
  INSERT INTO kitchen_courses (venue_id, check_id, course, fired_at)
  SELECT v, c, f, at FROM jsonb_array_elements_text(p->'firing') AS f
  ON CONFLICT (venue_id, check_id, course) DO UPDATE SET ready_at = NULL;
  WITH queued AS (
    INSERT INTO print_jobs (venue_id, printer_id, station_id, kind, document_type, document)
    SELECT v, ps.printer_id, d.station_id, 'ticket', 'kitchen_ticket',
           jsonb_set(d.document, '{ticket_number}',
                     to_jsonb(base + (d.document->>'ticket_number')::bigint))
    FROM jsonb_to_recordset(p->'documents') AS d(station_id bigint, document jsonb)
    JOIN printer_stations ps ON ps.venue_id = v AND ps.station_id = d.station_id
    RETURNING id, printer_id, station_id)
  SELECT coalesce(json_agg(json_build_object(
    'id', q.id, 'printer_id', q.printer_id, 'station_id', q.station_id, 'name', pr.name,
    'connection', pr.connection, 'address', pr.address,
    'agent', coalesce(ven.settings->>'print_mode', 'server') = 'agent') ORDER BY q.id),
    '[]'::json) INTO jobs
  FROM queued q JOIN printers pr ON pr.venue_id = v AND pr.id = q.printer_id
  JOIN venues ven ON ven.id = v;
  RETURN json_build_object('first', base + 1, 'jobs', jobs)::text;
END
$$
"""


def upgrade() -> None:
    op.execute(SEND_OPEN)
    op.execute(SEND_WRITE)


def downgrade() -> None:
    op.execute("DROP FUNCTION kitchen_send_write(bigint, bigint, jsonb)")
    op.execute("DROP FUNCTION kitchen_send_open(bigint, bigint, integer, timestamptz)")
