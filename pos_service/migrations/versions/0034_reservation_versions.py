"""reservation and waitlist versions: each change bumps it, events carry it

Revision ID: 0034
Revises: 0030
Create Date: 2026-12-05 07:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("reservations", "waitlist_entries"):
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    for table in ("waitlist_entries", "reservations"):
        op.drop_column(table, "version")
