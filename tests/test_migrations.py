"""The schema comes only from migrations; the models must agree with them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from pos_service.core.db import create_engine
from pos_service.migrations import upgrade_async
from pos_service.models import metadata
from tests.support import database


async def test_models_match_migrations(engine: AsyncEngine) -> None:
    def diff(sync_conn: object) -> list[object]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True})  # type: ignore[arg-type]
        return list(compare_metadata(context, metadata))

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []


async def test_0014_converts_tax_rates_to_parts_per_million() -> None:
    """Rates stored in basis points (items, check lines, split parts, queued print
    documents) come out of the migration in ppm, and the send reads the new column."""
    name = "pos_migration_0014"
    database._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
    url = database.server_url(name)
    try:
        await upgrade_async(url, "0009")
        engine = create_engine(url, pool_size=1)
        try:
            async with engine.begin() as conn:
                await conn.execute(text("SET LOCAL session_replication_role = replica"))
                await conn.execute(
                    text(
                        "INSERT INTO items (venue_id, id, category_id, name, price, tax_rate_bp)"
                        " VALUES (1, 1, 1, 'Pasta', 1250, 888), (1, 2, 1, 'Wine', 600, 2100)"
                    )
                )
                await conn.execute(
                    text(
                        "INSERT INTO check_lines (venue_id, id, check_id, item_id, name,"
                        " quantity, unit_price, tax_rate_bp, course, added_by)"
                        " VALUES (1, 1, 1, 1, 'Pasta', 1, 1250, 888, 'main', 1)"
                    )
                )
                await conn.execute(
                    text(
                        "INSERT INTO bill_parts (venue_id, check_id, position, label, amount,"
                        " service_charge, taxes, line_shares, basis) VALUES (1, 1, 0, 'Part 1',"
                        " 680, 0, '[[888, 625, 55], [2100, 0, 0]]', '[[1, 625]]', 'x')"
                    )
                )
                await conn.execute(
                    text(
                        "INSERT INTO print_jobs (venue_id, printer_id, kind, document_type,"
                        " document) VALUES (1, 1, 'bill', 'prebill', :doc)"
                    ),
                    {"doc": '{"taxes": [{"rate_bp": 888, "label": "Tax", "tax_minor": 55}]}'},
                )
            await upgrade_async(url, "0014")
            async with engine.connect() as conn:
                items = (
                    await conn.execute(text("SELECT tax_rate_ppm FROM items ORDER BY id"))
                ).all()
                line = await conn.scalar(text("SELECT tax_rate_ppm FROM check_lines"))
                taxes = await conn.scalar(text("SELECT taxes FROM bill_parts"))
                document = await conn.scalar(text("SELECT document FROM print_jobs"))
                send_open = await conn.scalar(
                    text("SELECT prosrc FROM pg_proc WHERE proname = 'kitchen_send_open'")
                )
        finally:
            await engine.dispose()
    finally:
        database._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
    assert [row[0] for row in items] == [88_800, 210_000]
    assert line == 88_800
    assert taxes == [[88_800, 625, 55], [210_000, 0, 0]]
    assert document["taxes"] == [{"rate_ppm": 88_800, "label": "Tax", "tax_minor": 55}]
    assert "'tax_rate_ppm', l.tax_rate_ppm" in send_open
    assert "tax_rate_bp" not in send_open


async def test_0039_moves_a_tickets_number_from_its_document_to_its_job() -> None:
    """Queued kitchen tickets keep their number (now the job's column, the document has
    none), the send no longer patches documents, and the way back restores both."""
    from alembic import command

    from pos_service.migrations import config

    name = "pos_migration_0039"
    database._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
    url = database.server_url(name)
    jobs = "SELECT kind, number, document FROM print_jobs ORDER BY id"
    send = "SELECT prosrc FROM pg_proc WHERE proname = 'kitchen_send_write'"
    try:
        await upgrade_async(url, "0033")
        engine = create_engine(url, pool_size=1)
        try:
            async with engine.begin() as conn:
                await conn.execute(text("SET LOCAL session_replication_role = replica"))
                await conn.execute(
                    text(
                        "INSERT INTO print_jobs (venue_id, printer_id, kind, document_type,"
                        " document) VALUES (1, 1, 'ticket', 'kitchen_ticket', :ticket),"
                        " (1, 1, 'bill', 'prebill', :bill)"
                    ),
                    {"ticket": '{"station": "hot", "ticket_number": 17}', "bill": '{"taxes": []}'},
                )
            await upgrade_async(url, "0039")
            async with engine.connect() as conn:
                after = (await conn.execute(text(jobs))).all()
                send_after = await conn.scalar(text(send))
            async with engine.begin() as conn:
                await conn.run_sync(lambda sync: command.downgrade(config(sync), "0033"))
            async with engine.connect() as conn:
                back = await conn.scalar(text("SELECT document FROM print_jobs ORDER BY id"))
                send_back = await conn.scalar(text(send))
        finally:
            await engine.dispose()
    finally:
        database._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
    assert [tuple(row) for row in after] == [
        ("ticket", 17, {"station": "hot"}),
        ("bill", None, {"taxes": []}),
    ]
    assert "jsonb_set" not in send_after and "kt.number" in send_after
    assert back == {"station": "hot", "ticket_number": 17}
    assert "jsonb_set" in send_back


async def test_0041_passes_the_sends_states_and_checks_the_enum_columns() -> None:
    """The send's functions take their states as parameters and the enum columns are
    CHECKed; the way back restores the functions and the hand-written CHECKs."""
    from alembic import command

    from pos_service.migrations import config

    name = "pos_migration_0041"
    database._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
    url = database.server_url(name)
    functions = (
        "SELECT string_agg(pg_get_function_identity_arguments(oid), ' | ' ORDER BY proname)"
        " FROM pg_proc WHERE proname IN ('kitchen_send_open', 'kitchen_send_write')"
    )
    checks = (
        "SELECT array_agg(conname::text ORDER BY conname) FROM pg_constraint"
        " WHERE conname IN ('ck_mail_outbox_status', 'ck_mail_outbox_status_values',"
        " 'ck_drawer_movements_kind', 'ck_drawer_movements_kind_values',"
        " 'ck_payments_method_values')"
    )
    try:
        await upgrade_async(url, "0041")
        engine = create_engine(url, pool_size=1)
        try:
            async with engine.connect() as conn:
                after = (await conn.scalar(text(functions)), await conn.scalar(text(checks)))
            async with engine.begin() as conn:
                await conn.run_sync(lambda sync: command.downgrade(config(sync), "0038"))
            async with engine.connect() as conn:
                back = (await conn.scalar(text(functions)), await conn.scalar(text(checks)))
        finally:
            await engine.dispose()
    finally:
        database._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
    assert after == (
        "v bigint, c bigint, expected integer, at timestamp with time zone, p_open text,"
        " p_pending text | v bigint, c bigint, p jsonb, p_sent text, p_kind text,"
        " p_doc_type text",
        [
            "ck_drawer_movements_kind_values",
            "ck_mail_outbox_status_values",
            "ck_payments_method_values",
        ],
    )
    assert back == (
        "v bigint, c bigint, expected integer, at timestamp with time zone"
        " | v bigint, c bigint, p jsonb",
        ["ck_drawer_movements_kind", "ck_mail_outbox_status"],
    )
