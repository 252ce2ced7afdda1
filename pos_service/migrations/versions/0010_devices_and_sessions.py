"""enrolled devices, pairing codes, the sign-in throttle and staff session epochs

Revision ID: 0010
Revises: 0014
Create Date: 2026-12-05 02:10:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0014"
branch_labels = None
depends_on = None


def _venue_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["venue_id"], ["venues.id"], name=op.f(f"fk_{table}_venue_id_venues"), ondelete="CASCADE"
    )


def _created_at() -> sa.Column[Any]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(), nullable=False),
        sa.Column("paired_by", sa.BigInteger(), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        _created_at(),
        _venue_fk("devices"),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_devices")),
    )
    op.create_table(
        "device_pairings",
        sa.Column("code_hash", sa.LargeBinary(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("device_id", sa.BigInteger(), nullable=True),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        _created_at(),
        _venue_fk("device_pairings"),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_device_pairings")),
    )
    op.create_index(
        "uq_device_pairings_code", "device_pairings", ["venue_id", "code_hash"], unique=True
    )
    op.create_table(
        "auth_failures",
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unclaimed", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "last_failure_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        _venue_fk("auth_failures"),
        sa.PrimaryKeyConstraint("venue_id", "subject", name=op.f("pk_auth_failures")),
    )
    op.drop_table("pin_attempts")
    op.add_column("staff", sa.Column("epoch", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("staff", "epoch")
    op.create_table(
        "pin_attempts",
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("client", sa.String(length=128), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        _venue_fk("pin_attempts"),
        sa.PrimaryKeyConstraint("venue_id", "client", name=op.f("pk_pin_attempts")),
    )
    op.drop_table("auth_failures")
    op.drop_index("uq_device_pairings_code", table_name="device_pairings")
    op.drop_table("device_pairings")
    op.drop_table("devices")
