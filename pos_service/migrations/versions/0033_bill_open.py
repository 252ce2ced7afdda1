"""bill_open: a check locked and its bill's rows read, in one round trip (the split)

Revision ID: 0033
Revises: 0030
Create Date: 2026-12-05 08:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0033"
down_revision = "0030"
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


def upgrade() -> None:
    op.execute(BILL_OPEN)


def downgrade() -> None:
    op.execute("DROP FUNCTION bill_open(bigint, bigint, text)")
