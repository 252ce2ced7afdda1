"""Alembic environment: runs on the connection handed in by ``pos_service.migrations``."""

from __future__ import annotations

from alembic import context

from pos_service.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through pos_service.migrations (pos-service migrate)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    compare_type=True,
    compare_server_default=False,
    transaction_per_migration=False,
)
# The caller's transaction (``engine.begin()`` in ``pos_service.migrations``) holds all of
# them: the upgrade commits whole or not at all.
context.run_migrations()
