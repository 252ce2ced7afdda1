"""clocking against the roster: a clocked shift's planned shift, approval, breaks and
whether the day close ended it (a forgotten clock-out)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 04:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("shifts", sa.Column("planned_shift_id", sa.BigInteger(), nullable=True))
    op.add_column("shifts", sa.Column("planned_end", sa.DateTime(timezone=True), nullable=True))
    op.add_column("shifts", sa.Column("approved_by", sa.BigInteger(), nullable=True))
    op.add_column(
        "shifts", sa.Column("break_started_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "shifts",
        sa.Column("break_seconds", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "shifts",
        sa.Column("closed_by_day_close", sa.Boolean(), server_default="false", nullable=False),
    )
    op.create_foreign_key(
        op.f("fk_shifts_venue_id_planned_shift_id_roster_shifts"),
        "shifts",
        "roster_shifts",
        ["venue_id", "planned_shift_id"],
        ["venue_id", "id"],
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_shifts_venue_id_planned_shift_id_roster_shifts"), "shifts", type_="foreignkey"
    )
    for column in (
        "closed_by_day_close",
        "break_seconds",
        "break_started_at",
        "approved_by",
        "planned_end",
        "planned_shift_id",
    ):
        op.drop_column("shifts", column)
