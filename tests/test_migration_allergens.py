"""Migration 0016 turns free-text allergies into allergen codes and a note, and back."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import command
from sqlalchemy import text

from pos_service.core.db import create_engine
from pos_service.migrations import HERE, config, upgrade_async
from tests.support.database import _psql, server_url

NAME = "pos_migration_allergens"


def _before() -> str:
    """The revision 0016 comes after (whatever it is once the migrations are chained)."""
    path = next((HERE / "versions").glob("0016_*.py"))
    spec = importlib.util.spec_from_file_location("m0016", Path(path))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.down_revision)


async def test_free_text_allergies_become_codes_and_a_note_and_back() -> None:
    _psql(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE);')
    _psql(f'CREATE DATABASE "{NAME}";')
    url = server_url(NAME)
    before = _before()
    await upgrade_async(url, before)
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            venue = await conn.scalar(
                text(
                    "INSERT INTO venues (slug, name, currency, timezone, tax_inclusive, courses) "
                    "VALUES ('m', 'M', 'EUR', 'Europe/Berlin', true, '{main}') RETURNING id"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO guests (venue_id, name, phone, allergies) VALUES "
                    "(:v, 'Ada', '+1', ARRAY['Milk', 'shellfish', 'Peanuts', 'no coriander']), "
                    "(:v, 'Bo', '+2', '{}')"
                ),
                {"v": venue},
            )
        await upgrade_async(url, "0016")
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text("SELECT name, allergens, allergy_note FROM guests ORDER BY name")
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            ("Ada", ["peanuts", "milk"], "shellfish, no coriander"),
            ("Bo", [], ""),
        ]

        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(config(sync), before))
        async with engine.connect() as conn:
            back = (await conn.execute(text("SELECT allergies FROM guests ORDER BY name"))).all()
            assert [r[0] for r in back] == [["peanuts", "milk", "shellfish, no coriander"], []]
    finally:
        await engine.dispose()
        _psql(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE);')
