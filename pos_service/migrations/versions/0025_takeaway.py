"""takeaway: checks without a table (kind), takeaway orders with pickup time and number

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "checks", sa.Column("kind", sa.String(16), server_default="dine_in", nullable=False)
    )
    op.create_table(
        "takeaway_orders",
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("check_id", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("customer_name", sa.String(100), nullable=False),
        sa.Column("customer_phone", sa.String(40), nullable=True),
        sa.Column("customer_email", sa.String(254), nullable=True),
        sa.Column("pickup_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payment", sa.String(16), server_default="at_pickup", nullable=False),
        sa.Column("state", sa.String(16), server_default="held", nullable=False),
        sa.Column("fire_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_takeaway_orders_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "check_id"],
            ["checks.venue_id", "checks.id"],
            name=op.f("fk_takeaway_orders_venue_id_check_id_checks"),
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_takeaway_orders")),
        sa.UniqueConstraint(
            "venue_id", "check_id", name=op.f("uq_takeaway_orders_venue_id_check_id")
        ),
        sa.UniqueConstraint(
            "venue_id",
            "business_day",
            "number",
            name=op.f("uq_takeaway_orders_venue_id_business_day_number"),
        ),
    )
    op.create_index(op.f("ix_takeaway_orders_pickup"), "takeaway_orders", ["venue_id", "pickup_at"])
    op.create_index(
        op.f("ix_takeaway_orders_fire_due"),
        "takeaway_orders",
        ["fire_at"],
        postgresql_where=sa.text("fired_at IS NULL AND fire_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_takeaway_orders_fire_due"), table_name="takeaway_orders")
    op.drop_index(op.f("ix_takeaway_orders_pickup"), table_name="takeaway_orders")
    op.drop_table("takeaway_orders")
    op.drop_column("checks", "kind")
