"""bill_close_open, bill_close_write: closing a check (its cash payment), lean

Revision ID: 0040
Revises: 0041
Create Date: 2026-12-05 11:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0040"
down_revision = "0041"
branch_labels = None
depends_on = None


# Called after bill_open locked the check, when the cash payment settles it: the rows
# the payment and the close write are locked in the lock order (docs/locking.md): the
# part paid, the taker's open drawer session, then the check's table; then the facts the
# close's rules read. The rare branches (a seated reservation, a guest, gift cards sold,
# a table missing or archived) are facts too: the caller runs them on a session.
BILL_CLOSE_OPEN = """
CREATE FUNCTION bill_close_open(
    p_venue bigint, p_check bigint, p_part bigint, p_staff bigint, p_seated text,
    p_voided text, p_receipt text
) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
    c record;
    t json;
BEGIN
    IF p_part IS NOT NULL THEN
        PERFORM 1 FROM bill_parts WHERE venue_id = p_venue AND id = p_part FOR UPDATE;
    END IF;
    IF p_staff IS NOT NULL THEN
        PERFORM 1 FROM drawer_sessions
        WHERE venue_id = p_venue AND staff_id = p_staff AND closed_at IS NULL FOR UPDATE;
    END IF;
    SELECT table_id, waiter_id INTO c FROM checks WHERE venue_id = p_venue AND id = p_check;
    IF c.table_id IS NOT NULL THEN
        SELECT json_build_object('id', id, 'name', name, 'status', status,
               'status_changed_at', status_changed_at, 'open_check', open_check,
               'archived', archived_at IS NOT NULL)
        INTO t FROM dining_tables WHERE venue_id = p_venue AND id = c.table_id FOR UPDATE;
    END IF;
    RETURN json_build_object(
        'table', t,
        'waiter_id', c.waiter_id,
        'waiter', (SELECT name FROM staff WHERE venue_id = p_venue AND id = c.waiter_id),
        'venue', (SELECT name FROM venues WHERE id = p_venue),
        'locale', (SELECT locale FROM venues WHERE id = p_venue),
        'reservation', EXISTS (SELECT 1 FROM reservations WHERE venue_id = p_venue
                               AND check_id = p_check AND status = p_seated),
        'guest', EXISTS (SELECT 1 FROM guest_checks WHERE venue_id = p_venue
                         AND check_id = p_check),
        'gift_cards', EXISTS (SELECT 1 FROM check_lines l JOIN items i
                              ON i.venue_id = l.venue_id AND i.id = l.item_id
                              WHERE l.venue_id = p_venue AND l.check_id = p_check
                              AND l.state <> p_voided AND i.gift_card),
        'categories', COALESCE((SELECT json_object_agg(i.id, k.name) FROM items i
                                JOIN categories k ON k.venue_id = i.venue_id
                                AND k.id = i.category_id
                                WHERE i.venue_id = p_venue AND i.id IN (
                                    SELECT item_id FROM check_lines
                                    WHERE venue_id = p_venue AND check_id = p_check)),
                               '{}'),
        'receipt_printer', (SELECT id FROM printers WHERE venue_id = p_venue
                            AND role = p_receipt ORDER BY id LIMIT 1)
    );
END
$$
"""


# The close's own writes, on rows bill_open and bill_close_open locked: the check closed
# (status, closed_at, version), its table's live state (when its rule changed it) and the
# receipt job (when the venue prints one after payment). Called by the two writes below.
BILL_CLOSE_ROWS = """
CREATE FUNCTION bill_close_rows(
    p_venue bigint, p_check bigint, p_closed text, p_at timestamptz, p_table_status text,
    p_table_changed_at timestamptz, p_open_check jsonb, p_printer bigint,
    p_receipt_kind text, p_receipt_type text, p_receipt_doc jsonb
) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
    v_waiter bigint;
    v_table bigint;
    v_version int;
    receipt json;
BEGIN
    UPDATE checks SET status = p_closed, closed_at = p_at, version = version + 1
    WHERE venue_id = p_venue AND id = p_check
    RETURNING waiter_id, table_id, version INTO v_waiter, v_table, v_version;
    IF v_table IS NOT NULL AND p_table_status IS NOT NULL THEN
        UPDATE dining_tables
        SET status = p_table_status, status_changed_at = p_table_changed_at,
            open_check = p_open_check
        WHERE venue_id = p_venue AND id = v_table;
    END IF;
    IF p_printer IS NOT NULL THEN
        WITH queued AS (
            INSERT INTO print_jobs (venue_id, printer_id, station_id, kind, document_type,
                                    document, banner, reprint, reprint_of)
            VALUES (p_venue, p_printer, NULL, p_receipt_kind, p_receipt_type, p_receipt_doc,
                    NULL, NULL, NULL)
            RETURNING id, printer_id)
        SELECT json_build_object('id', q.id, 'printer_id', q.printer_id, 'station_id', NULL,
               'name', p.name, 'connection', p.connection, 'address', p.address,
               'agent', coalesce(v.settings->>'print_mode', 'server') = 'agent')
        INTO receipt
        FROM queued q JOIN printers p ON p.venue_id = p_venue AND p.id = q.printer_id
        JOIN venues v ON v.id = p_venue;
    END IF;
    RETURN json_build_object('waiter_id', v_waiter, 'version', v_version, 'receipt', receipt);
END
$$
"""


# The cash payment that closes: the writes of bill_cash_write (migration 0038: the
# payment, the drawer session, the drawer pulse, whose job keeps the lower id as on a
# session), then bill_close_rows, and last the venue's journal counter taken twice (the
# payment's entry, then the sale's), with the hash of the entry before the first read
# under that lock. The caller writes both entries.
BILL_CLOSE_WRITE = """
CREATE FUNCTION bill_close_write(
    p_venue bigint, p_check bigint, p_part bigint, p_staff bigint, p_method text,
    p_status text, p_amount bigint, p_tip bigint, p_tendered bigint, p_change bigint,
    p_resolved_at timestamptz, p_receipt text, p_job_kind text, p_doc_type text,
    p_doc jsonb, p_closed text, p_table_status text, p_table_changed_at timestamptz,
    p_open_check jsonb, p_printer bigint, p_receipt_kind text, p_receipt_type text,
    p_receipt_doc jsonb
) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
    paid record;
    v_drawer bigint;
    v_printer bigint;
    job json;
    closed json;
    v_seq bigint;
    v_prev text;
BEGIN
    INSERT INTO payments (venue_id, check_id, part_id, method, status, amount, tip,
                          tendered, change, taken_by, resolved_at)
    VALUES (p_venue, p_check, p_part, p_method, p_status, p_amount, p_tip, p_tendered,
            p_change, p_staff, p_resolved_at)
    RETURNING id, check_id, part_id, method, status, amount, tip, tendered, change,
              reference, brand, last4, refund_of, reason, created_at, resolved_at,
              gift_card_id, taken_by
    INTO paid;
    IF p_staff IS NOT NULL THEN
        UPDATE drawer_sessions
        SET cash_sales = cash_sales + p_amount, cash_tips = cash_tips + p_tip
        WHERE venue_id = p_venue AND staff_id = p_staff AND closed_at IS NULL
        RETURNING id INTO v_drawer;
    END IF;
    SELECT id INTO v_printer FROM printers WHERE venue_id = p_venue AND drawer LIMIT 1;
    IF v_printer IS NULL THEN
        SELECT id INTO v_printer FROM printers WHERE venue_id = p_venue AND role = p_receipt
        ORDER BY id LIMIT 1;
    END IF;
    IF v_printer IS NOT NULL THEN
        WITH queued AS (
            INSERT INTO print_jobs (venue_id, printer_id, station_id, kind, document_type,
                                    document, banner, reprint, reprint_of)
            VALUES (p_venue, v_printer, NULL, p_job_kind, p_doc_type, p_doc, NULL, NULL, NULL)
            RETURNING id, printer_id)
        SELECT json_build_object('id', q.id, 'printer_id', q.printer_id, 'station_id', NULL,
               'name', p.name, 'connection', p.connection, 'address', p.address,
               'agent', coalesce(v.settings->>'print_mode', 'server') = 'agent')
        INTO job
        FROM queued q JOIN printers p ON p.venue_id = p_venue AND p.id = q.printer_id
        JOIN venues v ON v.id = p_venue;
    END IF;
    closed := bill_close_rows(p_venue, p_check, p_closed, p_resolved_at, p_table_status,
                              p_table_changed_at, p_open_check, p_printer, p_receipt_kind,
                              p_receipt_type, p_receipt_doc);
    INSERT INTO counters (venue_id, name, value) VALUES (p_venue, 'journal', 2)
    ON CONFLICT (venue_id, name) DO UPDATE SET value = counters.value + 2
    RETURNING value INTO v_seq;
    SELECT hash INTO v_prev FROM journal WHERE venue_id = p_venue AND seq = v_seq - 2;
    RETURN json_build_object('payment', row_to_json(paid), 'waiter_id', closed->'waiter_id',
                             'drawer_session', v_drawer, 'job', job,
                             'receipt', closed->'receipt', 'version', closed->'version',
                             'journal_seq', v_seq - 1, 'journal_prev', v_prev);
END
$$
"""


# A check settled with no payment closed (POST /api/checks/{id}/close): bill_close_rows,
# then the journal counter once (the sale's entry), the hash before it read under it.
BILL_SETTLED_CLOSE_WRITE = """
CREATE FUNCTION bill_settled_close_write(
    p_venue bigint, p_check bigint, p_closed text, p_at timestamptz, p_table_status text,
    p_table_changed_at timestamptz, p_open_check jsonb, p_printer bigint,
    p_receipt_kind text, p_receipt_type text, p_receipt_doc jsonb
) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
    closed json;
    v_seq bigint;
    v_prev text;
BEGIN
    closed := bill_close_rows(p_venue, p_check, p_closed, p_at, p_table_status,
                              p_table_changed_at, p_open_check, p_printer, p_receipt_kind,
                              p_receipt_type, p_receipt_doc);
    INSERT INTO counters (venue_id, name, value) VALUES (p_venue, 'journal', 1)
    ON CONFLICT (venue_id, name) DO UPDATE SET value = counters.value + 1
    RETURNING value INTO v_seq;
    SELECT hash INTO v_prev FROM journal WHERE venue_id = p_venue AND seq = v_seq - 1;
    RETURN json_build_object('receipt', closed->'receipt', 'version', closed->'version',
                             'journal_seq', v_seq, 'journal_prev', v_prev);
END
$$
"""


def upgrade() -> None:
    op.execute(BILL_CLOSE_OPEN)
    op.execute(BILL_CLOSE_ROWS)
    op.execute(BILL_CLOSE_WRITE)
    op.execute(BILL_SETTLED_CLOSE_WRITE)


_CLOSE_ROWS_ARGS = (
    "bigint, bigint, text, timestamptz, text, timestamptz, jsonb, bigint, text, text, jsonb"
)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION bill_settled_close_write({_CLOSE_ROWS_ARGS})")
    op.execute(
        "DROP FUNCTION bill_close_write(bigint, bigint, bigint, bigint, text, text, bigint,"
        " bigint, bigint, bigint, timestamptz, text, text, text, jsonb, text, text,"
        " timestamptz, jsonb, bigint, text, text, jsonb)"
    )
    op.execute(f"DROP FUNCTION bill_close_rows({_CLOSE_ROWS_ARGS})")
    op.execute("DROP FUNCTION bill_close_open(bigint, bigint, bigint, bigint, text, text, text)")
