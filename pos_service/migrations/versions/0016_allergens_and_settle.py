"""allergens as data on checks, lines, bookings and guests; payments claimed, then settled

Checks and guest profiles had free-text ``allergies``: they become ``allergens`` (the
14 EU codes of ``pos_service.core.allergens``) and an ``allergy_note`` (what is not a
code goes there). Lines and reservations get the same pair (lines: codes only).
``kitchen_send_open`` reads the check's and the lines' allergens for the tickets' band.

A card start or refund commits a pending payment carrying ``provider_key`` (our
idempotency key at the provider) before the provider is called, then settles it in a
second transaction (docs/decisions/1261). ``tip_settlements.cash_tips``: cash tips
are pooled with the card tips.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 02:10:00
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CODES = (
    "ARRAY['gluten', 'crustaceans', 'eggs', 'fish', 'peanuts', 'soybeans', 'milk', 'nuts', "
    "'celery', 'mustard', 'sesame', 'sulphites', 'lupin', 'molluscs']"
)


def _split(table: str) -> str:
    """Free-text entries matching a code become the code; the others the note."""
    return f"""
    UPDATE {table} SET
      allergy_note = left(array_to_string(ARRAY(
        SELECT a FROM unnest(allergens) a WHERE lower(trim(a)) <> ALL({CODES})), ', '), 200),
      allergens = ARRAY(
        SELECT x.code FROM unnest({CODES}) WITH ORDINALITY AS x(code, n)
        WHERE x.code IN (SELECT lower(trim(a)) FROM unnest(allergens) a) ORDER BY x.n)
    WHERE allergens <> '{{}}'
    """


def _join(table: str) -> str:
    return f"""
    UPDATE {table} SET allergies = allergies || ARRAY[allergy_note]::varchar(64)[]
    WHERE allergy_note <> ''
    """


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
      'allergens', chk.allergens, 'allergy_note', chk.allergy_note, 'notes', chk.notes, 'opened_at', chk.created_at,
      'closed_at', chk.closed_at, 'merged_into', chk.merged_into, 'subtotal', 0,
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


def _note() -> sa.Column[str]:
    return sa.Column("allergy_note", sa.String(length=200), server_default="", nullable=False)


def _codes(name: str = "allergens") -> sa.Column[list[str]]:
    return sa.Column(
        name, postgresql.ARRAY(sa.String(length=32)), server_default="{}", nullable=False
    )


def upgrade() -> None:
    for table in ("checks", "guests"):
        op.alter_column(table, "allergies", new_column_name="allergens")
        op.add_column(table, _note())
        op.execute(_split(table))
        op.alter_column(
            table,
            "allergens",
            type_=postgresql.ARRAY(sa.String(length=32)),
            existing_nullable=False,
        )
    op.add_column("check_lines", _codes())
    op.add_column("reservations", _codes())
    op.add_column("reservations", _note())
    op.add_column("payments", sa.Column("provider_key", sa.String(length=64), nullable=True))
    op.add_column(
        "tip_settlements",
        sa.Column("cash_tips", sa.BigInteger(), server_default="0", nullable=False),
    )
    op.execute(SEND_OPEN)


def downgrade() -> None:
    path = Path(__file__).with_name("0008_send_in_two_trips.py")
    spec = importlib.util.spec_from_file_location("send_0008", path)
    assert spec is not None
    assert spec.loader is not None
    before = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(before)
    op.execute(before.SEND_OPEN.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
    op.drop_column("tip_settlements", "cash_tips")
    op.drop_column("payments", "provider_key")
    op.drop_column("reservations", "allergy_note")
    op.drop_column("reservations", "allergens")
    op.drop_column("check_lines", "allergens")
    for table in ("checks", "guests"):
        op.alter_column(
            table,
            "allergens",
            new_column_name="allergies",
            type_=postgresql.ARRAY(sa.String(length=64)),
            existing_nullable=False,
        )
        op.execute(_join(table))
        op.drop_column(table, "allergy_note")
