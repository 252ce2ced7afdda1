"""guest language: the language a guest booked or ordered in (null: the venue's)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

_TABLES = ("reservations", "takeaway_orders")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(table, sa.Column("language", sa.String(length=8), nullable=True))
        op.create_check_constraint(
            op.f(f"ck_{table}_language"),
            table,
            "language IS NULL OR language IN ('en', 'nl', 'de')",
        )


def downgrade() -> None:
    for table in _TABLES:
        op.drop_constraint(op.f(f"ck_{table}_language"), table, type_="check")
        op.drop_column(table, "language")
