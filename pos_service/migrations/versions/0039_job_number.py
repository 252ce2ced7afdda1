"""print_jobs.number: a kitchen ticket's job carries its ticket's number as a column

The number is written once, by the database: the send's ``kitchen_send_write`` numbers
the tickets and gives each print job its ticket's number (no longer patched into the
stored document with ``jsonb_set``); every other job of a ticket (fire, void, moved, a
reprint) is inserted with it. The stored document carries no number: it is joined when
the job is claimed and rendered (docs/decisions/1560-ticket-number-a-column.md). The
ticket counter is now the last row lock the send takes (the fired courses are written
before it).

Revision ID: 0039
Revises: 0037
Create Date: 2026-12-05 11:00:00
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0039"
down_revision = "0037"
branch_labels = None
depends_on = None

SEND_WRITE = """
CREATE OR REPLACE FUNCTION kitchen_send_write(v bigint, c bigint, p jsonb)
RETURNS text LANGUAGE plpgsql AS $$
-- Write a send that kitchen_send_open read: lines sent, the check's version, fired
-- courses, tickets and their items, and a print job per ticket for each printer of its
-- station. The tickets come numbered 1..n; they take the venue's next n ticket numbers
-- here, after every row this send updates (the counter's row lock is the last lock it
-- takes), and each print job takes its ticket's number into its ``number`` column (its
-- document carries none: the number is joined when the job is claimed and rendered).
-- Returns the tickets' numbers by id and the print jobs queued (with their printers).
DECLARE
  at timestamptz := (p->>'at')::timestamptz;
  n integer := jsonb_array_length(p->'tickets');
  base bigint := 0;
  numbers json;
  jobs json;
BEGIN
  UPDATE checks SET version = version + 1 WHERE venue_id = v AND id = c;
  UPDATE check_lines SET state = 'sent', sent_at = at
  WHERE venue_id = v AND check_id = c
    AND id IN (SELECT jsonb_array_elements_text(p->'line_ids')::bigint);
  INSERT INTO kitchen_courses (venue_id, check_id, course, fired_at)
  SELECT v, c, f, at FROM jsonb_array_elements_text(p->'firing') AS f
  ON CONFLICT (venue_id, check_id, course) DO UPDATE SET ready_at = NULL;
  IF n > 0 THEN
    INSERT INTO counters (venue_id, name, value)
    VALUES (v, 'ticket:' || (p->>'business_day'), n)
    ON CONFLICT (venue_id, name) DO UPDATE SET value = counters.value + n
    RETURNING value - n INTO base;
  END IF;
  WITH numbered AS (
    INSERT INTO kitchen_tickets (
      venue_id, id, check_id, station_id, business_day, number, table_id, table_name,
      waiter_id, waiter_name, covers, allergies, state, created_at, fired_at)
    SELECT v, t.id, c, t.station_id, t.business_day, base + t.number, t.table_id, t."table",
           t.waiter_id, t.waiter, t.covers, t.allergies, t.state, at, t.fired_at
    FROM jsonb_to_recordset(p->'tickets') AS t(
      id bigint, station_id bigint, business_day date, number integer, table_id bigint,
      "table" text, waiter_id bigint, waiter text, covers integer, allergies text[],
      state text, fired_at timestamptz)
    RETURNING id, number)
  SELECT coalesce(json_object_agg(id, number), '{}'::json) INTO numbers FROM numbered;
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
  WITH queued AS (
    INSERT INTO print_jobs (
      venue_id, printer_id, station_id, kind, document_type, number, document)
    SELECT v, ps.printer_id, d.station_id, 'ticket', 'kitchen_ticket', kt.number, d.document
    FROM jsonb_to_recordset(p->'documents') AS d(ticket_id bigint, station_id bigint,
                                                 document jsonb)
    JOIN kitchen_tickets kt ON kt.venue_id = v AND kt.id = d.ticket_id
    JOIN printer_stations ps ON ps.venue_id = v AND ps.station_id = d.station_id
    RETURNING id, printer_id, station_id)
  SELECT coalesce(json_agg(json_build_object(
    'id', q.id, 'printer_id', q.printer_id, 'station_id', q.station_id, 'name', pr.name,
    'connection', pr.connection, 'address', pr.address,
    'agent', coalesce(ven.settings->>'print_mode', 'server') = 'agent') ORDER BY q.id),
    '[]'::json) INTO jobs
  FROM queued q JOIN printers pr ON pr.venue_id = v AND pr.id = q.printer_id
  JOIN venues ven ON ven.id = v;
  RETURN json_build_object('numbers', numbers, 'jobs', jobs)::text;
END
$$
"""


def upgrade() -> None:
    op.add_column("print_jobs", sa.Column("number", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE print_jobs SET number = (document->>'ticket_number')::integer, "
        "document = document - 'ticket_number' WHERE document ? 'ticket_number'"
    )
    op.execute(SEND_WRITE)


def downgrade() -> None:
    path = Path(__file__).with_name("0008_send_in_two_trips.py")
    spec = importlib.util.spec_from_file_location("send_0008", path)
    assert spec is not None
    assert spec.loader is not None
    before = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(before)
    op.execute("DROP FUNCTION kitchen_send_write(bigint, bigint, jsonb)")
    op.execute(before.SEND_WRITE)
    op.execute(
        "UPDATE print_jobs SET document = jsonb_set(document, '{ticket_number}', "
        "to_jsonb(number)) WHERE number IS NOT NULL"
    )
    op.drop_column("print_jobs", "number")
