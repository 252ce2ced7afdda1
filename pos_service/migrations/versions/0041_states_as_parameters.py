"""states as parameters: no database function spells a state; more enum columns CHECKed

The send's functions compared and set the states as literals ('open', 'pending', 'sent',
'ticket', 'kitchen_ticket'): ``kitchen_send_open`` and ``kitchen_send_write`` now take
them as parameters, passed by the caller from the Python enums, as ``bill_open``,
``line_open``, ``kitchen_open`` and ``bill_cash_write`` do
(docs/decisions/1561-states-are-parameters-of-the-database-functions.md;
``tests/test_enum_checks.py`` reads every function's source and fails on a state
literal).

The other enum columns get the CHECK that migration 0029 gave the states the functions
read (docs/decisions/1482): the values written out as they are today;
``tests/test_enum_checks.py`` compares each with its enum. The hand-written
``ck_mail_outbox_status`` and ``ck_drawer_movements_kind`` become the generated
``..._values`` (drawer movements' kinds now have an enum, ``DrawerMovementKind``).

Revision ID: 0041
Revises: 0038
Create Date: 2026-12-05 11:30:00
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

from pos_service.core.db import one_of

revision = "0041"
down_revision = "0038"
branch_labels = None
depends_on = None

SEND_OPEN = """
CREATE FUNCTION kitchen_send_open(
  v bigint, c bigint, expected integer, at timestamptz, p_open text, p_pending text)
RETURNS text LANGUAGE plpgsql AS $$
-- Lock the open check and read what its send needs, as one JSON document, with ids for
-- the tickets and their items (its ``p_pending`` lines). NULL when the check is missing,
-- not ``p_open`` or not at the ``expected`` version (the caller's general path says
-- which). The lock is taken first, in its own statement, so every read below sees what
-- the transaction that held it before committed.
DECLARE
  chk checks%ROWTYPE;
  ven venues%ROWTYPE;
  local_at timestamp;
  day date;
  tickets integer;
  items integer;
BEGIN
  SELECT * INTO chk FROM checks WHERE venue_id = v AND id = c FOR UPDATE;
  IF NOT FOUND OR chk.status <> p_open OR (expected IS NOT NULL AND expected <> chk.version)
  THEN
    RETURN NULL;
  END IF;
  SELECT * INTO ven FROM venues WHERE id = v;
  local_at := at AT TIME ZONE ven.timezone;
  day := CASE WHEN local_at::time < ven.day_cutoff THEN local_at::date - 1
              ELSE local_at::date END;
  SELECT count(DISTINCT station_id), count(station_id) INTO tickets, items
  FROM check_lines WHERE venue_id = v AND check_id = c AND state = p_pending;
  RETURN json_build_object(
    'check', json_build_object(
      'id', chk.id, 'table_id', chk.table_id, 'covers', chk.covers,
      'waiter_id', chk.waiter_id, 'status', chk.status, 'version', chk.version,
      'allergens', chk.allergens, 'allergy_note', chk.allergy_note, 'notes', chk.notes,
      'opened_at', chk.created_at, 'closed_at', chk.closed_at,
      'merged_into', chk.merged_into, 'subtotal', 0,
      'lines', '[]'::json),
    'lines', (
      SELECT coalesce(json_agg(json_build_object(
        'id', l.id, 'item_id', l.item_id, 'name', l.name, 'quantity', l.quantity,
        'unit_price', l.unit_price, 'amount', l.unit_price * l.quantity,
        'tax_rate_ppm', l.tax_rate_ppm, 'modifiers', l.modifiers, 'seat', l.seat,
        'course', l.course, 'note', l.note, 'allergens', l.allergens,
        'station_id', l.station_id, 'state', l.state,
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
        WHERE venue_id = v AND check_id = c AND state = p_pending)),
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
CREATE FUNCTION kitchen_send_write(
  v bigint, c bigint, p jsonb, p_sent text, p_kind text, p_doc_type text)
RETURNS text LANGUAGE plpgsql AS $$
-- Write a send that kitchen_send_open read: lines ``p_sent``, the check's version, fired
-- courses, tickets and their items, and a print job (``p_kind``, ``p_doc_type``) per
-- ticket for each printer of its station. The tickets come numbered 1..n; they take the
-- venue's next n ticket numbers here, after every row this send updates (the counter's
-- row lock is the last lock it takes), and each print job takes its ticket's number into
-- its ``number`` column (its document carries none: the number is joined when the job is
-- claimed and rendered).
-- Returns the tickets' numbers by id and the print jobs queued (with their printers).
DECLARE
  at timestamptz := (p->>'at')::timestamptz;
  n integer := jsonb_array_length(p->'tickets');
  base bigint := 0;
  numbers json;
  jobs json;
BEGIN
  UPDATE checks SET version = version + 1 WHERE venue_id = v AND id = c;
  UPDATE check_lines SET state = p_sent, sent_at = at
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
    SELECT v, ps.printer_id, d.station_id, p_kind, p_doc_type, kt.number, d.document
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

CHECKS = [
    ("checks", "kind", ("dine_in", "takeaway")),
    ("check_adjustments", "kind", ("discount", "comp")),
    ("payments", "method", ("cash", "card", "gift_card")),
    ("payments", "status", ("pending", "approved", "declined")),
    (
        "reservations",
        "status",
        ("booked", "confirmed", "arrived", "seated", "completed", "cancelled", "no_show"),
    ),
    ("waitlist_entries", "status", ("waiting", "seated", "cancelled")),
    ("reservation_jobs", "kind", ("reminder", "no_show", "floor")),
    ("takeaway_orders", "channel", ("counter", "phone", "online")),
    ("takeaway_orders", "state", ("held", "preparing", "ready", "collected")),
    ("mail_outbox", "status", ("pending", "sent", "failed")),
    ("webhook_deliveries", "status", ("pending", "delivered", "failed")),
    ("printers", "connection", ("network", "file", "usb", "serial")),
    ("printers", "role", ("kitchen", "bar", "receipt")),
    ("printers", "status", ("online", "offline", "paper_out", "cover_open", "unknown")),
    ("print_jobs", "kind", ("ticket", "void", "reprint", "prebill", "receipt", "drawer")),
    ("print_jobs", "document_type", ("kitchen_ticket", "prebill", "receipt", "drawer_pulse")),
    ("stock_movements", "kind", ("sale", "count", "return")),
    ("loyalty_movements", "kind", ("earn", "redeem", "return")),
    ("drawer_movements", "kind", ("paid_in", "paid_out", "no_sale")),
]
# Hand-written CHECKs of enum columns, replaced by the generated ones above.
REPLACED = [
    ("mail_outbox", "status", "status IN ('pending', 'sent', 'failed')"),
    ("drawer_movements", "kind", "kind IN ('paid_in', 'paid_out', 'no_sale')"),
]

OLD_SEND_OPEN = "kitchen_send_open(bigint, bigint, integer, timestamptz)"
OLD_SEND_WRITE = "kitchen_send_write(bigint, bigint, jsonb)"
NEW_SEND_OPEN = "kitchen_send_open(bigint, bigint, integer, timestamptz, text, text)"
NEW_SEND_WRITE = "kitchen_send_write(bigint, bigint, jsonb, text, text, text)"


def _before(file: str) -> ModuleType:
    """An earlier migration's module (its functions' sources, for the way back)."""
    path = Path(__file__).with_name(file)
    spec = importlib.util.spec_from_file_location(f"before_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    op.execute(f"DROP FUNCTION {OLD_SEND_OPEN}")
    op.execute(f"DROP FUNCTION {OLD_SEND_WRITE}")
    op.execute(SEND_OPEN)
    op.execute(SEND_WRITE)
    for table, column, _ in REPLACED:
        op.drop_constraint(op.f(f"ck_{table}_{column}"), table, type_="check")
    for table, column, values in CHECKS:
        op.create_check_constraint(
            op.f(f"ck_{table}_{column}_values"), table, one_of(column, values)
        )


def downgrade() -> None:
    for table, column, _ in reversed(CHECKS):
        op.drop_constraint(op.f(f"ck_{table}_{column}_values"), table, type_="check")
    for table, column, condition in REPLACED:
        op.create_check_constraint(op.f(f"ck_{table}_{column}"), table, condition)
    op.execute(f"DROP FUNCTION {NEW_SEND_WRITE}")
    op.execute(f"DROP FUNCTION {NEW_SEND_OPEN}")
    op.execute(_before("0016_allergens_and_settle.py").SEND_OPEN)
    op.execute(_before("0039_job_number.py").SEND_WRITE)
