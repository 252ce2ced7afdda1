"""staff language: the language a member's pages speak (null: the venue's)

Revision ID: 0030
Revises: 0021
Create Date: 2026-12-05 05:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("staff", sa.Column("language", sa.String(length=8), nullable=True))
    op.create_check_constraint(
        op.f("ck_staff_language"), "staff", "language IS NULL OR language IN ('en', 'nl', 'de')"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_staff_language"), "staff", type_="check")
    op.drop_column("staff", "language")
