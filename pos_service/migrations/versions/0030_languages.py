"""languages: a member's own (null: the venue's) and a printer's (its kitchen's)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 05:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


_LANGUAGE_OF_VENUE = """
UPDATE printers p SET language = split_part(replace(v.locale, '-', '_'), '_', 1)
FROM venues v
WHERE v.id = p.venue_id AND split_part(replace(v.locale, '-', '_'), '_', 1) IN ('nl', 'de')
"""


def upgrade() -> None:
    op.add_column("staff", sa.Column("language", sa.String(length=8), nullable=True))
    op.create_check_constraint(
        op.f("ck_staff_language"), "staff", "language IS NULL OR language IN ('en', 'nl', 'de')"
    )
    op.add_column(
        "printers",
        sa.Column("language", sa.String(length=8), server_default="en", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_printers_language"), "printers", "language IN ('en', 'nl', 'de')"
    )
    op.execute(_LANGUAGE_OF_VENUE)


def downgrade() -> None:
    op.drop_constraint(op.f("ck_printers_language"), "printers", type_="check")
    op.drop_column("printers", "language")
    op.drop_constraint(op.f("ck_staff_language"), "staff", type_="check")
    op.drop_column("staff", "language")
