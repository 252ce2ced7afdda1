"""course pass: when the pass called a course up for pickup and when it was served

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-05 04:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kitchen_courses", sa.Column("pickup_at", sa.DateTime(timezone=True)))
    op.add_column("kitchen_courses", sa.Column("served_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("kitchen_courses", "served_at")
    op.drop_column("kitchen_courses", "pickup_at")
