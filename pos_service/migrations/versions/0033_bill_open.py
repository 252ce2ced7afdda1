"""bill_open, bill_split_write: the split's two round trips (lock and read, write)

Revision ID: 0033
Revises: 0035
Create Date: 2026-12-05 08:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0033"
down_revision = "0035"
branch_labels = None
depends_on = None


# The check is locked first; the rows are read by the RETURN's statement, whose snapshot
# is taken after the lock (a concurrent write that held it has committed by then). A
# check that is missing or not open comes back as the reason, with nothing else.
BILL_OPEN = """
CREATE FUNCTION bill_open(p_venue bigint, p_check bigint, p_open text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
    c record;
BEGIN
    SELECT id, venue_id, status, covers, version, table_id INTO c
    FROM checks WHERE venue_id = p_venue AND id = p_check FOR UPDATE;
    IF NOT FOUND THEN
        RETURN json_build_object('refused', 'missing');
    END IF;
    IF c.status <> p_open THEN
        RETURN json_build_object('refused', 'not_open');
    END IF;
    RETURN json_build_object(
        'check', row_to_json(c),
        'venue', (SELECT json_build_object('id', id, 'currency', currency,
                  'timezone', timezone, 'tax_inclusive', tax_inclusive, 'settings', settings)
                  FROM venues WHERE id = p_venue),
        'lines', COALESCE((SELECT json_agg(l ORDER BY l.id) FROM (
                  SELECT id, item_id, name, quantity, unit_price, tax_rate_ppm, seat, state,
                         created_at
                  FROM check_lines WHERE venue_id = p_venue AND check_id = p_check) l), '[]'),
        'adjustments', COALESCE((SELECT json_agg(a ORDER BY a.id) FROM (
                  SELECT id, kind, line_id, discount_kind, value, reason
                  FROM check_adjustments WHERE venue_id = p_venue AND check_id = p_check) a),
                  '[]'),
        'parts', COALESCE((SELECT json_agg(p ORDER BY p.position, p.id) FROM (
                  SELECT id, position, label, amount, service_charge, taxes, line_shares,
                         basis, active
                  FROM bill_parts
                  WHERE venue_id = p_venue AND check_id = p_check AND active) p), '[]'),
        'payments', COALESCE((SELECT json_agg(m ORDER BY m.id) FROM (
                  SELECT id, check_id, part_id, method, status, amount, tip, tendered, change,
                         reference, brand, last4, refund_of, reason, created_at, resolved_at
                  FROM payments WHERE venue_id = p_venue AND check_id = p_check) m), '[]'),
        'promoted', EXISTS (SELECT 1 FROM promotions WHERE venue_id = p_venue)
    );
END
$$
"""


# The parts a split replaced are kept inactive, those after them move down, the new ones
# are inserted in their place, and the check's version goes up; the new parts' ids, in
# the order of their positions.
BILL_SPLIT_WRITE = """
CREATE FUNCTION bill_split_write(
    p_venue bigint, p_check bigint, p_replaced bigint[], p_from int, p_basis text,
    p_parts jsonb
) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
    n int := jsonb_array_length(p_parts);
    ids json;
BEGIN
    UPDATE bill_parts SET active = false
    WHERE venue_id = p_venue AND check_id = p_check AND id = ANY(p_replaced);
    UPDATE bill_parts SET position = position + n
    WHERE venue_id = p_venue AND check_id = p_check AND active AND position >= p_from;
    UPDATE checks SET version = version + 1 WHERE venue_id = p_venue AND id = p_check;
    WITH added AS (
        INSERT INTO bill_parts (venue_id, check_id, position, label, amount, service_charge,
                                taxes, line_shares, basis)
        SELECT p_venue, p_check, p.position, p.label, p.amount, p.service_charge, p.taxes,
               p.line_shares, p_basis
        FROM jsonb_to_recordset(p_parts) AS p(position int, label text, amount bigint,
             service_charge bigint, taxes jsonb, line_shares jsonb)
        RETURNING id, position
    )
    SELECT COALESCE(json_agg(id ORDER BY position), '[]') INTO ids FROM added;
    RETURN ids;
END
$$
"""


def upgrade() -> None:
    op.execute(BILL_OPEN)
    op.execute(BILL_SPLIT_WRITE)


def downgrade() -> None:
    op.execute("DROP FUNCTION bill_split_write(bigint, bigint, bigint[], int, text, jsonb)")
    op.execute("DROP FUNCTION bill_open(bigint, bigint, text)")
