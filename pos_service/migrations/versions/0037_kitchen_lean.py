"""kitchen_open, kitchen_write: firing a course and the screens' operations in two trips

Revision ID: 0037
Revises: 0033
Create Date: 2026-12-05 10:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0037"
down_revision = "0033"
branch_labels = None
depends_on = None


# The facts of a check's kitchen, locked in the kitchen's order (docs/locking.md): the
# check, then (for a ticket's operation) the ticket, re-read in case a merge moved it to
# another check meanwhile. The rows are read by the RETURN's statement, whose snapshot is
# taken after the locks. A refusal comes back as its reason alone: ``no_ticket``,
# ``missing``, ``not_open`` or ``stale`` (the last two only when ``p_open`` is given, the
# version only when ``p_version`` is). Times are written in UTC, as the ORM reads them,
# whatever the server's time zone: the answers built from them are the same bytes.
KITCHEN_OPEN = """
CREATE FUNCTION kitchen_open(
    p_venue bigint, p_check bigint, p_ticket bigint, p_open text, p_version int
) RETURNS text
LANGUAGE plpgsql SET timezone = 'UTC' AS $$
DECLARE
    cid bigint := p_check;
    c record;
    moved bigint;
BEGIN
    LOOP
        IF p_ticket IS NOT NULL THEN
            SELECT check_id INTO cid FROM kitchen_tickets
            WHERE venue_id = p_venue AND id = p_ticket;
            IF NOT FOUND THEN
                RETURN json_build_object('refused', 'no_ticket')::text;
            END IF;
        END IF;
        SELECT id, status, version, table_id, kind INTO c
        FROM checks WHERE venue_id = p_venue AND id = cid FOR UPDATE;
        IF NOT FOUND THEN
            RETURN json_build_object('refused', 'missing')::text;
        END IF;
        EXIT WHEN p_ticket IS NULL;
        SELECT check_id INTO moved FROM kitchen_tickets
        WHERE venue_id = p_venue AND id = p_ticket FOR UPDATE;
        EXIT WHEN moved = cid;
    END LOOP;
    IF p_open IS NOT NULL AND c.status <> p_open THEN
        RETURN json_build_object('refused', 'not_open')::text;
    END IF;
    IF p_version IS NOT NULL AND c.version <> p_version THEN
        RETURN json_build_object('refused', 'stale')::text;
    END IF;
    RETURN json_build_object(
        'check', row_to_json(c),
        'venue', (SELECT json_build_object('name', name, 'courses', courses,
                  'settings', settings) FROM venues WHERE id = p_venue),
        'table', (SELECT json_build_object('id', id, 'name', name, 'status', status,
                  'status_changed_at', status_changed_at, 'open_check', open_check)
                  FROM dining_tables WHERE venue_id = p_venue AND id = c.table_id),
        'pickup', (SELECT state FROM takeaway_orders
                   WHERE venue_id = p_venue AND check_id = c.id),
        'courses', COALESCE((SELECT json_agg(k ORDER BY k.id) FROM (
                  SELECT id, course, fired_at, ready_at, pickup_at, served_at
                  FROM kitchen_courses WHERE venue_id = p_venue AND check_id = c.id) k),
                  '[]'),
        'tickets', COALESCE((SELECT json_agg(t ORDER BY t.id) FROM (
                  SELECT t.id, t.number, t.business_day, t.station_id, s.name AS station,
                         t.check_id, t.table_id, t.table_name, t.waiter_id, t.waiter_name,
                         t.covers, t.allergies, t.state, t.created_at, t.fired_at,
                         t.started_at, t.bumped_at, t.late_at, t.moved
                  FROM kitchen_tickets t
                  JOIN stations s ON s.venue_id = t.venue_id AND s.id = t.station_id
                  WHERE t.venue_id = p_venue AND t.check_id = c.id) t), '[]'),
        'items', COALESCE((SELECT json_agg(i ORDER BY i.id) FROM (
                  SELECT id, ticket_id, line_id, item_id, name, quantity, seat, course,
                         modifiers, note, allergens, allergy_flags, prep_minutes, fired_at,
                         release_at, released_at, started_at, bumped_at, voided_at,
                         void_reason
                  FROM kitchen_ticket_items WHERE venue_id = p_venue AND check_id = c.id) i),
                  '[]')
    )::text;
END
$$
"""


# What the rules decided, written whole: the items', tickets' and courses' new rows, the
# table's state, the check's version, and the printed slips queued for every printer of
# their station (jobs come back with the index ``n`` of their slip). Rows are locked in
# the order of the session path: items, tickets, courses, the table, then the jobs.
KITCHEN_WRITE = """
CREATE FUNCTION kitchen_write(p_venue bigint, p_check bigint, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    ver int;
    d record;
    jobs jsonb := '[]'::jsonb;
    queued jsonb;
BEGIN
    UPDATE kitchen_ticket_items AS i
    SET fired_at = x.fired_at, release_at = x.release_at, released_at = x.released_at,
        started_at = x.started_at, bumped_at = x.bumped_at
    FROM jsonb_to_recordset(p->'items') AS x(id bigint, fired_at timestamptz,
         release_at timestamptz, released_at timestamptz, started_at timestamptz,
         bumped_at timestamptz)
    WHERE i.venue_id = p_venue AND i.id = x.id;
    UPDATE kitchen_tickets AS t
    SET state = x.state, fired_at = x.fired_at, started_at = x.started_at,
        bumped_at = x.bumped_at, late_at = x.late_at
    FROM jsonb_to_recordset(p->'tickets') AS x(id bigint, state text, fired_at timestamptz,
         started_at timestamptz, bumped_at timestamptz, late_at timestamptz)
    WHERE t.venue_id = p_venue AND t.id = x.id;
    INSERT INTO kitchen_courses (venue_id, check_id, course, fired_at, ready_at, pickup_at,
                                 served_at)
    SELECT p_venue, p_check, x.course, x.fired_at, x.ready_at, x.pickup_at, x.served_at
    FROM jsonb_to_recordset(p->'courses') AS x(course text, fired_at timestamptz,
         ready_at timestamptz, pickup_at timestamptz, served_at timestamptz)
    ON CONFLICT (venue_id, check_id, course) DO UPDATE
    SET fired_at = EXCLUDED.fired_at, ready_at = EXCLUDED.ready_at,
        pickup_at = EXCLUDED.pickup_at, served_at = EXCLUDED.served_at;
    IF jsonb_typeof(p->'table') = 'object' THEN
        UPDATE dining_tables
        SET status = p->'table'->>'status',
            status_changed_at = (p->'table'->>'status_changed_at')::timestamptz
        WHERE venue_id = p_venue AND id = (p->'table'->>'id')::bigint;
    END IF;
    IF (p->>'version')::boolean THEN
        UPDATE checks SET version = version + 1 WHERE venue_id = p_venue AND id = p_check
        RETURNING version INTO ver;
    END IF;
    FOR d IN SELECT * FROM jsonb_to_recordset(p->'documents')
             AS x(n int, station_id bigint, document jsonb) ORDER BY n LOOP
        WITH job AS (
            INSERT INTO print_jobs (venue_id, printer_id, station_id, kind, document_type,
                                    document)
            SELECT p_venue, ps.printer_id, d.station_id, p->>'kind', p->>'document_type',
                   d.document
            FROM printer_stations ps
            WHERE ps.venue_id = p_venue AND ps.station_id = d.station_id
            ORDER BY ps.printer_id
            RETURNING id, printer_id, station_id)
        SELECT COALESCE(jsonb_agg(jsonb_build_object(
            'n', d.n, 'id', job.id, 'printer_id', job.printer_id,
            'station_id', job.station_id, 'name', pr.name, 'connection', pr.connection,
            'address', pr.address,
            'agent', coalesce(ven.settings->>'print_mode', 'server') = 'agent')
            ORDER BY job.id), '[]'::jsonb) INTO queued
        FROM job JOIN printers pr ON pr.venue_id = p_venue AND pr.id = job.printer_id
        JOIN venues ven ON ven.id = p_venue;
        jobs := jobs || queued;
    END LOOP;
    RETURN json_build_object('version', ver, 'jobs', jobs)::text;
END
$$
"""


def upgrade() -> None:
    op.execute(KITCHEN_OPEN)
    op.execute(KITCHEN_WRITE)


def downgrade() -> None:
    op.execute("DROP FUNCTION kitchen_write(bigint, bigint, jsonb)")
    op.execute("DROP FUNCTION kitchen_open(bigint, bigint, bigint, text, integer)")
