"""The audit file on the manager's page: a closed day is downloaded as SAF-T XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from litestar import Litestar
from playwright.async_api import expect

from tests.auditfile.test_audit_file import NS, closed_day
from tests.conftest import Demo
from tests.pages.conftest import KDS, NewDevice

pytestmark = pytest.mark.browser


@pytest.mark.timeout(120)
async def test_the_manager_downloads_the_audit_file_of_a_closed_day(
    demo: Demo,
    app: Litestar,
    monkeypatch: pytest.MonkeyPatch,
    new_device: NewDevice,
    tmp_path: Path,
) -> None:
    z = await closed_day(demo, app, monkeypatch)
    day = z["business_date"]
    manager = await (await new_device(KDS)).open("/app/manager", pin="9999")
    await manager.click("#nav button:has-text('Audit file')")
    await manager.fill("#view input[name=from]", day)
    await manager.fill("#view input[name=to]", day)
    async with manager.expect_download() as info:
        await manager.click("#view button:has-text('Download audit file')")
    download = await info.value
    assert download.suggested_filename == f"saf-t-{day}-{day}.xml"
    saved = tmp_path / "audit.xml"
    await download.save_as(saved)
    root = ET.fromstring(saved.read_bytes())
    assert len(root.findall(".//s:cashtransaction", NS)) == 2
    await expect(manager.locator("#toasts")).to_contain_text("Audit file downloaded")

    # a period that ends before it starts is refused, naming the field
    await manager.fill("#view input[name=from]", "2026-02-01")
    await manager.fill("#view input[name=to]", "2026-01-31")
    await manager.click("#view button:has-text('Download audit file')")
    await expect(manager.locator("#toasts")).to_contain_text("(to)")
