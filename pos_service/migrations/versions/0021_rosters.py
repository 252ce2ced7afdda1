"""rosters: sections of tables and planned shifts (drafts, published, changed, cancelled)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sections",
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("table_ids", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_sections_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_sections")),
        sa.UniqueConstraint("venue_id", "name", name=op.f("uq_sections_venue_id_name")),
    )
    op.create_table(
        "roster_shifts",
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("staff_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("station", sa.String(64), server_default="", nullable=False),
        sa.Column("section_id", sa.BigInteger(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("break_minutes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_roster_shifts_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "staff_id"],
            ["staff.venue_id", "staff.id"],
            name=op.f("fk_roster_shifts_venue_id_staff_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "section_id"],
            ["sections.venue_id", "sections.id"],
            name=op.f("fk_roster_shifts_venue_id_section_id_sections"),
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_roster_shifts")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_roster_shifts_ends_after_start")),
        sa.CheckConstraint("break_minutes >= 0", name=op.f("ck_roster_shifts_break_not_negative")),
    )
    op.create_table(
        "staff_wages",
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("staff_id", sa.BigInteger(), nullable=False),
        sa.Column("hourly_wage", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_staff_wages_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "staff_id"],
            ["staff.venue_id", "staff.id"],
            name=op.f("fk_staff_wages_venue_id_staff_id_staff"),
        ),
        sa.PrimaryKeyConstraint("venue_id", "staff_id", name=op.f("pk_staff_wages")),
    )
    op.create_index("ix_roster_shifts_starts_at", "roster_shifts", ["venue_id", "starts_at"])


def downgrade() -> None:
    op.drop_table("staff_wages")
    op.drop_table("roster_shifts")
    op.drop_table("sections")
