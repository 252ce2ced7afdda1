"""bill_cash_write: a cash payment's writes in one round trip (after bill_open)

Revision ID: 0038
Revises: 0036
Create Date: 2026-12-05 11:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0038"
down_revision = "0036"
branch_labels = None
depends_on = None


# Called after bill_open locked the check, in the lock order (docs/locking.md): the part
# paid, the payment inserted, the taker's open drawer session, the drawer pulse queued
# for the drawer's printer (the one chosen with ``drawer``, else the first receipt
# printer), and last the venue's journal counter, with the hash of the entry before it
# read under that lock (each statement of the function sees what committed before it);
# the caller writes the entry. The states, the method, the printer's role and the job's
# kind are parameters (the enums' values).
BILL_CASH_WRITE = """
CREATE FUNCTION bill_cash_write(
    p_venue bigint, p_check bigint, p_part bigint, p_staff bigint, p_method text,
    p_status text, p_amount bigint, p_tip bigint, p_tendered bigint, p_change bigint,
    p_resolved_at timestamptz, p_receipt text, p_job_kind text, p_doc_type text,
    p_doc jsonb
) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
    paid record;
    v_waiter bigint;
    v_drawer bigint;
    v_printer bigint;
    job json;
    v_seq bigint;
    v_prev text;
BEGIN
    IF p_part IS NOT NULL THEN
        PERFORM 1 FROM bill_parts WHERE venue_id = p_venue AND id = p_part FOR UPDATE;
    END IF;
    INSERT INTO payments (venue_id, check_id, part_id, method, status, amount, tip,
                          tendered, change, taken_by, resolved_at)
    VALUES (p_venue, p_check, p_part, p_method, p_status, p_amount, p_tip, p_tendered,
            p_change, p_staff, p_resolved_at)
    RETURNING id, check_id, part_id, method, status, amount, tip, tendered, change,
              reference, brand, last4, refund_of, reason, created_at, resolved_at,
              gift_card_id, taken_by
    INTO paid;
    SELECT waiter_id INTO v_waiter FROM checks WHERE venue_id = p_venue AND id = p_check;
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
    INSERT INTO counters (venue_id, name, value) VALUES (p_venue, 'journal', 1)
    ON CONFLICT (venue_id, name) DO UPDATE SET value = counters.value + 1
    RETURNING value INTO v_seq;
    SELECT hash INTO v_prev FROM journal WHERE venue_id = p_venue AND seq = v_seq - 1;
    RETURN json_build_object('payment', row_to_json(paid), 'waiter_id', v_waiter,
                             'drawer_session', v_drawer, 'job', job,
                             'journal_seq', v_seq, 'journal_prev', v_prev);
END
$$
"""


def upgrade() -> None:
    op.execute(BILL_CASH_WRITE)


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION bill_cash_write(bigint, bigint, bigint, bigint, text, text, bigint,"
        " bigint, bigint, bigint, timestamptz, text, text, text, jsonb)"
    )
