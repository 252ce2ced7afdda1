"""menu administration: versions, archived items, availability schedules

Revision ID: 0012
Revises: 0016
Create Date: 2026-12-05 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0016"
branch_labels = None
depends_on = None

VERSIONED = ("stations", "categories", "items", "modifier_groups", "modifier_options")
ARCHIVABLE = ("categories", "items")


def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    for table in ARCHIVABLE:
        op.add_column(
            table, sa.Column("archived", sa.Boolean(), server_default="false", nullable=False)
        )
    op.create_table(
        "menu_schedules",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("weekdays", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_menu_schedules_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("venue_id", "id", name=op.f("pk_menu_schedules")),
        sa.UniqueConstraint("venue_id", "name", name=op.f("uq_menu_schedules_venue_id_name")),
    )
    for table, column, target in (
        ("item_schedules", "item_id", "items"),
        ("category_schedules", "category_id", "categories"),
    ):
        op.create_table(
            table,
            sa.Column("venue_id", sa.BigInteger(), nullable=False),
            sa.Column(column, sa.BigInteger(), nullable=False),
            sa.Column("schedule_id", sa.BigInteger(), nullable=False),
            sa.ForeignKeyConstraint(
                ["venue_id", column],
                [f"{target}.venue_id", f"{target}.id"],
                name=op.f(f"fk_{table}_venue_id_{column}_{target}"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["venue_id", "schedule_id"],
                ["menu_schedules.venue_id", "menu_schedules.id"],
                name=op.f(f"fk_{table}_venue_id_schedule_id_menu_schedules"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("venue_id", column, "schedule_id", name=op.f(f"pk_{table}")),
        )


def downgrade() -> None:
    op.drop_table("category_schedules")
    op.drop_table("item_schedules")
    op.drop_table("menu_schedules")
    for table in ARCHIVABLE:
        op.drop_column(table, "archived")
    for table in VERSIONED:
        op.drop_column(table, "version")
