"""returns and books: returns of closed checks by line; voided gift cards; the drawer printer

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 04:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_returns",
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("check_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("tender", sa.String(length=16), nullable=False),
        sa.Column("lines", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("taxes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("service_charge", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("payment_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("points", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("returned_by", sa.BigInteger(), nullable=True),
        sa.Column("approved_by", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_check_returns_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_check_returns_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "check_id"],
            ["checks.venue_id", "checks.id"],
            name=op.f("fk_check_returns_venue_id_check_id_checks"),
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_check_returns")),
    )
    op.create_index("ix_check_returns_check", "check_returns", ["venue_id", "check_id"])
    op.add_column("gift_cards", sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("gift_cards", sa.Column("voided_by", sa.BigInteger(), nullable=True))
    op.add_column(
        "printers", sa.Column("drawer", sa.Boolean(), server_default="false", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("printers", "drawer")
    op.drop_column("gift_cards", "voided_by")
    op.drop_column("gift_cards", "voided_at")
    op.drop_index("ix_check_returns_check", table_name="check_returns")
    op.drop_table("check_returns")
