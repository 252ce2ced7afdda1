"""enum checks: the states the SQL functions rely on are CHECKed against the Python enums

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 05:20:00

The values are written out here as they are today (a migration must not change when the
code does); ``tests/test_enum_checks.py`` compares the constraints in the database with
the enums, so a value added to an enum without its migration fails there.
"""

from __future__ import annotations

from alembic import op

from pos_service.core.db import one_of

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

CHECKS = [
    ("checks", "status", ("open", "closed", "merged")),
    ("check_lines", "state", ("pending", "sent", "voided")),
    ("kitchen_tickets", "state", ("held", "open", "started", "bumped")),
    (
        "dining_tables",
        "status",
        ("free", "seated", "ordered", "course_ready", "bill_requested", "paid", "to_clean"),
    ),
    ("print_jobs", "state", ("queued", "sending", "printed", "failed")),
]


def upgrade() -> None:
    for table, column, values in CHECKS:
        op.create_check_constraint(
            op.f(f"ck_{table}_{column}_values"), table, one_of(column, values)
        )


def downgrade() -> None:
    for table, column, _ in reversed(CHECKS):
        op.drop_constraint(op.f(f"ck_{table}_{column}_values"), table, type_="check")
