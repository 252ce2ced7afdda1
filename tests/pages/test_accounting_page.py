"""The books on the manager's page: accounts saved, a closed day's journal entry downloaded."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from litestar import Litestar
from playwright.async_api import expect

from tests.auditfile.test_audit_file import closed_day
from tests.conftest import Demo
from tests.pages.conftest import KDS, NewDevice

pytestmark = pytest.mark.browser


@pytest.mark.timeout(120)
async def test_the_manager_sets_accounts_and_downloads_the_journal_entry(
    demo: Demo,
    app: Litestar,
    monkeypatch: pytest.MonkeyPatch,
    new_device: NewDevice,
    tmp_path: Path,
) -> None:
    z = await closed_day(demo, app, monkeypatch)
    day = z["business_date"]
    manager = await (await new_device(KDS)).open("/app/manager", pin="9999")
    await manager.click("#nav button:has-text('Books')")
    await manager.fill("#view input[name=card]", "1361")
    await manager.click("#view button:has-text('Save accounts')")
    await expect(manager.locator("#toasts")).to_contain_text("Accounts saved")
    r = await demo.call("GET", "/api/accounting/accounts", "manager")
    assert r.json()["card"] == "1361"

    await manager.fill("#view input[name=day]", day)
    async with manager.expect_download() as info:
        await manager.click("#view button:has-text('Download journal entry')")
    download = await info.value
    assert download.suggested_filename == f"journal-{day}.csv"
    saved = tmp_path / "journal.csv"
    await download.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text())))
    debit = sum(Decimal(row["debit"] or "0") for row in rows)
    assert debit == sum(Decimal(row["credit"] or "0") for row in rows) > 0
    assert any(row["account"] == "1361" for row in rows)

    await manager.fill("#view input[name=day]", "2026-01-05")
    await manager.click("#view button:has-text('Download journal entry')")
    await expect(manager.locator("#toasts")).to_contain_text("(day)")
