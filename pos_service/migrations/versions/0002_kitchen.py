"""Kitchen tickets, their items and the courses a check has fired.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:38:09.148186
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kitchen_courses",
        sa.Column("check_id", sa.BigInteger(), nullable=False),
        sa.Column("course", sa.String(length=32), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "check_id"],
            ["checks.venue_id", "checks.id"],
            name=op.f("fk_kitchen_courses_venue_id_check_id_checks"),
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_kitchen_courses_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_kitchen_courses")),
        sa.UniqueConstraint(
            "venue_id",
            "check_id",
            "course",
            name=op.f("uq_kitchen_courses_venue_id_check_id_course"),
        ),
    )
    op.create_table(
        "kitchen_tickets",
        sa.Column("check_id", sa.BigInteger(), nullable=False),
        sa.Column("station_id", sa.BigInteger(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.BigInteger(), nullable=True),
        sa.Column("table_name", sa.String(length=32), nullable=True),
        sa.Column("waiter_id", sa.BigInteger(), nullable=False),
        sa.Column("waiter_name", sa.String(length=100), nullable=False),
        sa.Column("covers", sa.Integer(), nullable=False),
        sa.Column(
            "allergies", postgresql.ARRAY(sa.String(length=64)), server_default="{}", nullable=False
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bumped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "check_id"],
            ["checks.venue_id", "checks.id"],
            name=op.f("fk_kitchen_tickets_venue_id_check_id_checks"),
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "station_id"],
            ["stations.venue_id", "stations.id"],
            name=op.f("fk_kitchen_tickets_venue_id_station_id_stations"),
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_kitchen_tickets_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_kitchen_tickets")),
        sa.UniqueConstraint(
            "venue_id",
            "business_day",
            "number",
            name=op.f("uq_kitchen_tickets_venue_id_business_day_number"),
        ),
    )
    op.create_index(
        "ix_kitchen_tickets_check", "kitchen_tickets", ["venue_id", "check_id"], unique=False
    )
    op.create_index(
        "ix_kitchen_tickets_lateness",
        "kitchen_tickets",
        ["fired_at"],
        unique=False,
        postgresql_where=sa.text("state IN ('open', 'started') AND late_at IS NULL"),
    )
    op.create_index(
        "ix_kitchen_tickets_station_state",
        "kitchen_tickets",
        ["venue_id", "station_id", "state"],
        unique=False,
    )
    op.create_table(
        "kitchen_ticket_items",
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("check_id", sa.BigInteger(), nullable=False),
        sa.Column("station_id", sa.BigInteger(), nullable=False),
        sa.Column("line_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=True),
        sa.Column("course", sa.String(length=32), nullable=False),
        sa.Column(
            "modifiers",
            postgresql.ARRAY(sa.String(length=100)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column(
            "allergens", postgresql.ARRAY(sa.String(length=32)), server_default="{}", nullable=False
        ),
        sa.Column(
            "allergy_flags",
            postgresql.ARRAY(sa.String(length=64)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("prep_minutes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bumped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.String(length=200), nullable=True),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_kitchen_ticket_items_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["venue_id", "line_id"],
            ["check_lines.venue_id", "check_lines.id"],
            name=op.f("fk_kitchen_ticket_items_venue_id_line_id_check_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["venue_id", "ticket_id"],
            ["kitchen_tickets.venue_id", "kitchen_tickets.id"],
            name=op.f("fk_kitchen_ticket_items_venue_id_ticket_id_kitchen_tickets"),
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_kitchen_ticket_items_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_kitchen_ticket_items")),
    )
    op.create_index(
        "ix_kitchen_ticket_items_course",
        "kitchen_ticket_items",
        ["venue_id", "check_id", "course"],
        unique=False,
    )
    op.create_index(
        "ix_kitchen_ticket_items_line",
        "kitchen_ticket_items",
        ["venue_id", "line_id"],
        unique=False,
    )
    op.create_index(
        "ix_kitchen_ticket_items_release",
        "kitchen_ticket_items",
        ["release_at"],
        unique=False,
        postgresql_where=sa.text("released_at IS NULL AND voided_at IS NULL"),
    )
    op.create_index(
        "ix_kitchen_ticket_items_ticket",
        "kitchen_ticket_items",
        ["venue_id", "ticket_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_kitchen_ticket_items_ticket", table_name="kitchen_ticket_items")
    op.drop_index(
        "ix_kitchen_ticket_items_release",
        table_name="kitchen_ticket_items",
        postgresql_where=sa.text("released_at IS NULL AND voided_at IS NULL"),
    )
    op.drop_index("ix_kitchen_ticket_items_line", table_name="kitchen_ticket_items")
    op.drop_index("ix_kitchen_ticket_items_course", table_name="kitchen_ticket_items")
    op.drop_table("kitchen_ticket_items")
    op.drop_index("ix_kitchen_tickets_station_state", table_name="kitchen_tickets")
    op.drop_index(
        "ix_kitchen_tickets_lateness",
        table_name="kitchen_tickets",
        postgresql_where=sa.text("state IN ('open', 'started') AND late_at IS NULL"),
    )
    op.drop_index("ix_kitchen_tickets_check", table_name="kitchen_tickets")
    op.drop_table("kitchen_tickets")
    op.drop_table("kitchen_courses")
