"""first-run setup codes; versions and sizes for the venue, floor, staff and printers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

VERSIONED = ("venues", "areas", "dining_tables", "staff", "printers")


def upgrade() -> None:
    op.create_table(
        "setup_codes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setup_codes")),
    )
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.add_column(
        "dining_tables", sa.Column("width", sa.Integer(), server_default="80", nullable=False)
    )
    op.add_column(
        "dining_tables", sa.Column("height", sa.Integer(), server_default="80", nullable=False)
    )
    op.add_column(
        "dining_tables", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("areas", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_constraint("uq_areas_venue_id_name", "areas", type_="unique")
    op.create_index(
        "uq_areas_live_name",
        "areas",
        ["venue_id", "name"],
        unique=True,
        postgresql_where=sa.text("archived_at IS NULL"),
    )
    # an archived table keeps its name on old checks; a new table may take the name again
    op.drop_constraint("uq_dining_tables_venue_id_name", "dining_tables", type_="unique")
    op.create_index(
        "uq_dining_tables_live_name",
        "dining_tables",
        ["venue_id", "name"],
        unique=True,
        postgresql_where=sa.text("archived_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_areas_live_name", table_name="areas")
    op.create_unique_constraint("uq_areas_venue_id_name", "areas", ["venue_id", "name"])
    op.drop_column("areas", "archived_at")
    op.drop_index("uq_dining_tables_live_name", table_name="dining_tables")
    op.create_unique_constraint(
        "uq_dining_tables_venue_id_name", "dining_tables", ["venue_id", "name"]
    )
    op.drop_column("dining_tables", "archived_at")
    op.drop_column("dining_tables", "height")
    op.drop_column("dining_tables", "width")
    for table in VERSIONED:
        op.drop_column(table, "version")
    op.drop_table("setup_codes")
