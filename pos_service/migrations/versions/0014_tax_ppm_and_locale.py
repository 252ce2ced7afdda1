"""tax rates in parts per million; the venue's locale

Tax rates were integer basis points, which cannot hold 8.875 % (New York). They become
parts per million everywhere (docs/decisions/1240-tax-rates-in-parts-per-million.md):
``items.tax_rate_bp`` and ``check_lines.tax_rate_bp`` become ``tax_rate_ppm`` (x100),
the rates inside stored split parts and queued print documents are converted, and the
send's read function, which names the column, is replaced. The journal and the stored
Z reports are append-only: they keep basis points and are converted when read.

``venues.locale`` (default "en") says how the venue's money is written on paper
(docs/decisions/1241-money-written-by-the-venue-locale.md).

Revision ID: 0014
Revises: 0009
Create Date: 2026-12-05 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0009"
branch_labels = None
depends_on = None

SEND_OPEN = """
CREATE OR REPLACE FUNCTION kitchen_send_open(v bigint, c bigint, expected integer, at timestamptz)
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
        '{column}', l.{column}, 'modifiers', l.modifiers, 'seat', l.seat,
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

PARTS = """
UPDATE bill_parts SET taxes = (
  SELECT coalesce(jsonb_agg(
           jsonb_build_array((t->>0)::bigint {op} 100, t->1, t->2) ORDER BY n), '[]'::jsonb)
  FROM jsonb_array_elements(taxes) WITH ORDINALITY AS x(t, n))
WHERE jsonb_typeof(taxes) = 'array' AND jsonb_array_length(taxes) > 0
"""

PRINT_JOBS = """
UPDATE print_jobs SET document = jsonb_set(document, '{{taxes}}', (
  SELECT coalesce(jsonb_agg(
           (t - '{old}') || jsonb_build_object('{new}', (t->>'{old}')::bigint {op} 100)
           ORDER BY n), '[]'::jsonb)
  FROM jsonb_array_elements(document->'taxes') WITH ORDINALITY AS x(t, n)))
WHERE jsonb_typeof(document->'taxes') = 'array' AND jsonb_array_length(document->'taxes') > 0
"""


def _rates(old: str, new: str, op_: str, limit: int) -> None:
    op.drop_constraint(op.f("ck_items_tax_rate_range"), "items", type_="check")
    for table in ("items", "check_lines"):
        op.alter_column(table, old, new_column_name=new)
        op.execute(f"UPDATE {table} SET {new} = {new} {op_} 100")
    op.create_check_constraint(
        op.f("ck_items_tax_rate_range"), "items", f"{new} >= 0 AND {new} <= {limit}"
    )
    op.execute(PARTS.format(op=op_))
    op.execute(
        PRINT_JOBS.format(old=old.removeprefix("tax_"), new=new.removeprefix("tax_"), op=op_)
    )
    op.execute(SEND_OPEN.replace("{column}", new))


def upgrade() -> None:
    _rates("tax_rate_bp", "tax_rate_ppm", "*", 1_000_000)
    op.add_column(
        "venues", sa.Column("locale", sa.String(length=35), server_default="en", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("venues", "locale")
    # lossy: a rate finer than a basis point (8.875 %) is cut to 8.87 %
    _rates("tax_rate_ppm", "tax_rate_bp", "/", 10_000)
