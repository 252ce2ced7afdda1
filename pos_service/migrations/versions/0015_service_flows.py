"""service flows: a check may be opened unassigned (a host seats a party; the first
waiter takes it); a kitchen ticket notes where its check moved

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-05 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("checks", "waiter_id", existing_type=sa.BigInteger(), nullable=True)
    op.add_column("kitchen_tickets", sa.Column("moved", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("kitchen_tickets", "moved")
    op.execute(
        "UPDATE checks SET waiter_id = (SELECT min(id) FROM staff WHERE staff.venue_id = "
        "checks.venue_id) WHERE waiter_id IS NULL"
    )
    op.alter_column("checks", "waiter_id", existing_type=sa.BigInteger(), nullable=False)
