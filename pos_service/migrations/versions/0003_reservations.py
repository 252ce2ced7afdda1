"""reservations: guests, reservations, waitlist entries and reservation jobs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:39:53.734438
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guests",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column(
            "tags", postgresql.ARRAY(sa.String(length=64)), server_default="{}", nullable=False
        ),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venues.id"], name=op.f("fk_guests_venue_id_venues"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_guests")),
        sa.UniqueConstraint("venue_id", "email", name=op.f("uq_guests_venue_id_email")),
        sa.UniqueConstraint("venue_id", "phone", name=op.f("uq_guests_venue_id_phone")),
    )
    op.create_table(
        "waitlist_entries",
        sa.Column("guest_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("notes", sa.String(length=500), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="waiting", nullable=False),
        sa.Column("quoted_minutes", sa.Integer(), nullable=True),
        sa.Column("ready_table_ids", postgresql.ARRAY(sa.BigInteger()), nullable=True),
        sa.Column("seated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("table_id", sa.BigInteger(), nullable=True),
        sa.Column("check_id", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("party_size > 0", name=op.f("ck_waitlist_entries_party_size_positive")),
        sa.ForeignKeyConstraint(
            ["venue_id", "guest_id"],
            ["guests.venue_id", "guests.id"],
            name=op.f("fk_waitlist_entries_venue_id_guest_id_guests"),
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_waitlist_entries_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_waitlist_entries")),
    )
    op.create_index(
        "ix_waitlist_entries_waiting",
        "waitlist_entries",
        ["venue_id", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'waiting'"),
    )
    op.create_table(
        "reservations",
        sa.Column("guest_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="booked", nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "tags", postgresql.ARRAY(sa.String(length=64)), server_default="{}", nullable=False
        ),
        sa.Column("notes", sa.String(length=500), server_default="", nullable=False),
        sa.Column("table_ids", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("seated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_id", sa.BigInteger(), nullable=True),
        sa.Column("booked_by", sa.BigInteger(), nullable=False),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("party_size > 0", name=op.f("ck_reservations_party_size_positive")),
        sa.ForeignKeyConstraint(
            ["venue_id", "guest_id"],
            ["guests.venue_id", "guests.id"],
            name=op.f("fk_reservations_venue_id_guest_id_guests"),
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_reservations_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_reservations")),
    )
    op.create_index(
        "ix_reservations_day", "reservations", ["venue_id", "day", "starts_at"], unique=False
    )
    op.create_index("ix_reservations_guest", "reservations", ["venue_id", "guest_id"], unique=False)
    op.create_table(
        "reservation_jobs",
        sa.Column("reservation_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "reservation_id"],
            ["reservations.venue_id", "reservations.id"],
            name=op.f("fk_reservation_jobs_venue_id_reservation_id_reservations"),
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_reservation_jobs_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_reservation_jobs")),
    )
    op.create_index(
        "ix_reservation_jobs_due",
        "reservation_jobs",
        ["kind", "due_at"],
        unique=False,
        postgresql_where=sa.text("done_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_reservation_jobs_due",
        table_name="reservation_jobs",
        postgresql_where=sa.text("done_at IS NULL"),
    )
    op.drop_table("reservation_jobs")
    op.drop_index("ix_reservations_guest", table_name="reservations")
    op.drop_index("ix_reservations_day", table_name="reservations")
    op.drop_table("reservations")
    op.drop_index(
        "ix_waitlist_entries_waiting",
        table_name="waitlist_entries",
        postgresql_where=sa.text("status = 'waiting'"),
    )
    op.drop_table("waitlist_entries")
    op.drop_table("guests")
