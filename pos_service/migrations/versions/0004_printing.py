"""printing: printers, the stations they serve, and the durable print queue

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:35:35.340082
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "printers",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("connection", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), server_default="42", nullable=False),
        sa.Column("code_page", sa.String(length=16), server_default="CP858", nullable=False),
        sa.Column("two_colour", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("buzzer", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("backup_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="unknown", nullable=False),
        sa.Column("status_detail", sa.String(length=300), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "backup_id IS NULL OR backup_id <> id", name=op.f("ck_printers_backup_not_self")
        ),
        sa.CheckConstraint("width IN (32, 42, 48)", name=op.f("ck_printers_width")),
        sa.ForeignKeyConstraint(
            ["venue_id", "backup_id"],
            ["printers.venue_id", "printers.id"],
            name=op.f("fk_printers_venue_id_backup_id_printers"),
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_printers_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_printers")),
        sa.UniqueConstraint("venue_id", "name", name=op.f("uq_printers_venue_id_name")),
    )
    op.create_table(
        "print_jobs",
        sa.Column("printer_id", sa.BigInteger(), nullable=False),
        sa.Column("station_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("document_type", sa.String(length=16), nullable=False),
        sa.Column("document", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="queued", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("banner", sa.String(length=100), nullable=True),
        sa.Column("reprint", sa.Integer(), nullable=True),
        sa.Column("reprint_of", sa.BigInteger(), nullable=True),
        sa.Column("may_have_printed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("rerouted_from", sa.BigInteger(), nullable=True),
        sa.Column(
            "tried_printer_ids",
            postgresql.ARRAY(sa.BigInteger()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "printer_id"],
            ["printers.venue_id", "printers.id"],
            name=op.f("fk_print_jobs_venue_id_printer_id_printers"),
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_print_jobs_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_print_jobs")),
    )
    op.create_index(
        "ix_print_jobs_due",
        "print_jobs",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("state = 'queued'"),
    )
    op.create_index(
        "ix_print_jobs_printer_state",
        "print_jobs",
        ["venue_id", "printer_id", "state"],
        unique=False,
    )
    op.create_index(
        "ix_print_jobs_sending",
        "print_jobs",
        ["lease_until"],
        unique=False,
        postgresql_where=sa.text("state = 'sending'"),
    )
    op.create_table(
        "printer_stations",
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("station_id", sa.BigInteger(), nullable=False),
        sa.Column("printer_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id", "printer_id"],
            ["printers.venue_id", "printers.id"],
            name=op.f("fk_printer_stations_venue_id_printer_id_printers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "station_id"],
            ["stations.venue_id", "stations.id"],
            name=op.f("fk_printer_stations_venue_id_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("venue_id", "station_id", name=op.f("pk_printer_stations")),
    )
    op.create_index(
        "ix_printer_stations_printer", "printer_stations", ["venue_id", "printer_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_printer_stations_printer", table_name="printer_stations")
    op.drop_table("printer_stations")
    op.drop_index(
        "ix_print_jobs_sending",
        table_name="print_jobs",
        postgresql_where=sa.text("state = 'sending'"),
    )
    op.drop_index("ix_print_jobs_printer_state", table_name="print_jobs")
    op.drop_index(
        "ix_print_jobs_due", table_name="print_jobs", postgresql_where=sa.text("state = 'queued'")
    )
    op.drop_table("print_jobs")
    op.drop_table("printers")
