"""cash drawers: drawer sessions (float, cash sales and tips, paid in and out, blind
count) and their paid in, paid out and "no sale" movements

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-05 03:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


def _scoped() -> list[sa.Column[object]]:
    return [
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "drawer_sessions",
        *_scoped(),
        sa.Column("staff_id", sa.BigInteger(), nullable=False),
        sa.Column("device_id", sa.BigInteger(), nullable=True),
        sa.Column("opening_float", sa.BigInteger(), nullable=False),
        sa.Column("cash_sales", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cash_tips", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("paid_in", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("paid_out", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("no_sales", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.BigInteger(), nullable=True),
        sa.Column("expected", sa.BigInteger(), nullable=True),
        sa.Column("counted", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "opening_float >= 0", name=op.f("ck_drawer_sessions_float_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_drawer_sessions_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "staff_id"],
            ["staff.venue_id", "staff.id"],
            name=op.f("fk_drawer_sessions_venue_id_staff_id_staff"),
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_drawer_sessions")),
    )
    op.create_index(
        "ux_drawer_sessions_open",
        "drawer_sessions",
        ["venue_id", "staff_id"],
        unique=True,
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "drawer_movements",
        *_scoped(),
        sa.Column("session_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("staff_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('paid_in', 'paid_out', 'no_sale')", name=op.f("ck_drawer_movements_kind")
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_drawer_movements_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_drawer_movements_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "session_id"],
            ["drawer_sessions.venue_id", "drawer_sessions.id"],
            name=op.f("fk_drawer_movements_venue_id_session_id_drawer_sessions"),
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_drawer_movements")),
    )
    op.create_index("ix_drawer_movements_session", "drawer_movements", ["venue_id", "session_id"])


def downgrade() -> None:
    op.drop_table("drawer_movements")
    op.drop_table("drawer_sessions")
