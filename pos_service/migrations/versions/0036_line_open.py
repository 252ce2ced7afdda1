"""line_open: what adding a line is decided from, in one round trip (lock and read)

Revision ID: 0036
Revises: 0039
Create Date: 2026-12-05 11:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0036"
down_revision = "0039"
branch_labels = None
depends_on = None


# The check is locked first; everything else is read by the RETURN's statements, whose
# snapshot is taken after the lock (a writer that held it has committed by then). The
# rows come back as they are stored (``row_to_json``: the models' attribute names) for
# the one Python rule (``orders.rules``) and the one mapper (``orders.service``). A
# check that is missing, not open or not at the ``p_expected`` version, or an item that
# is not there, comes back as the reason (with the check as it is for a 409's
# ``current``). The function runs in UTC, so its times read the same whatever the
# server's ``TimeZone``.
LINE_OPEN = """
CREATE FUNCTION line_open(
    p_venue bigint, p_check bigint, p_item bigint, p_expected int, p_open text
) RETURNS text
LANGUAGE plpgsql SET timezone = 'UTC' AS $$
DECLARE
    c checks%ROWTYPE;
    i items%ROWTYPE;
    lines json;
BEGIN
    SELECT * INTO c FROM checks WHERE venue_id = p_venue AND id = p_check FOR UPDATE;
    IF NOT FOUND THEN
        RETURN json_build_object('refused', 'missing')::text;
    END IF;
    lines := (SELECT coalesce(json_agg(l ORDER BY l.id), '[]')
              FROM check_lines l WHERE l.venue_id = p_venue AND l.check_id = p_check);
    IF c.status <> p_open OR (p_expected IS NOT NULL AND p_expected <> c.version) THEN
        RETURN json_build_object(
            'refused', CASE WHEN c.status <> p_open THEN 'not_open' ELSE 'stale' END,
            'check', row_to_json(c), 'lines', lines)::text;
    END IF;
    SELECT * INTO i FROM items WHERE venue_id = p_venue AND id = p_item;
    IF NOT FOUND THEN
        RETURN json_build_object('refused', 'no_item')::text;
    END IF;
    RETURN json_build_object(
        'check', row_to_json(c),
        'lines', lines,
        'item', json_build_object(
            'id', i.id, 'name', i.name, 'category_id', i.category_id, 'price', i.price,
            'tax_rate_ppm', i.tax_rate_ppm, 'station_id', i.station_id,
            'default_course', i.default_course, 'available', i.available,
            'remaining', i.remaining, 'archived', i.archived),
        'category', (SELECT json_build_object('station_id', station_id,
                                              'default_course', default_course)
                     FROM categories WHERE venue_id = p_venue AND id = i.category_id),
        'item_schedules', (SELECT coalesce(json_agg(json_build_object(
                               'name', s.name, 'weekdays', s.weekdays, 'starts', s.starts,
                               'ends', s.ends)), '[]')
                           FROM item_schedules x JOIN menu_schedules s
                             ON s.venue_id = x.venue_id AND s.id = x.schedule_id
                           WHERE x.venue_id = p_venue AND x.item_id = i.id),
        'category_schedules', (SELECT coalesce(json_agg(json_build_object(
                                   'name', s.name, 'weekdays', s.weekdays,
                                   'starts', s.starts, 'ends', s.ends)), '[]')
                               FROM category_schedules x JOIN menu_schedules s
                                 ON s.venue_id = x.venue_id AND s.id = x.schedule_id
                               WHERE x.venue_id = p_venue AND x.category_id = i.category_id),
        'groups', (SELECT coalesce(json_agg(json_build_object(
                       'id', g.id, 'name', g.name, 'min_choices', g.min_choices,
                       'max_choices', g.max_choices) ORDER BY x.position, g.id), '[]')
                   FROM item_modifier_groups x JOIN modifier_groups g
                     ON g.venue_id = x.venue_id AND g.id = x.group_id
                   WHERE x.venue_id = p_venue AND x.item_id = i.id),
        'options', (SELECT coalesce(json_agg(json_build_object(
                        'id', o.id, 'group_id', o.group_id, 'name', o.name,
                        'price_delta', o.price_delta, 'position', o.position)), '[]')
                    FROM item_modifier_groups x JOIN modifier_options o
                      ON o.venue_id = x.venue_id AND o.group_id = x.group_id
                    WHERE x.venue_id = p_venue AND x.item_id = i.id),
        'prices', (SELECT coalesce(json_agg(json_build_object(
                       'price', d.price, 'windows', d.windows)), '[]')
                   FROM day_part_prices d WHERE d.venue_id = p_venue AND d.item_id = i.id),
        'venue', (SELECT json_build_object('timezone', timezone, 'courses', courses)
                  FROM venues WHERE id = p_venue)
    )::text;
END
$$
"""


def upgrade() -> None:
    op.execute(LINE_OPEN)


def downgrade() -> None:
    op.execute("DROP FUNCTION line_open(bigint, bigint, bigint, int, text)")
