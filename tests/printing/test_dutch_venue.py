"""Eetcafe De Demo, the Dutch demo venue: its kitchen tickets and receipts print in
Dutch with Dutch money and dates, and its Z report holds btw at 9 % and 21 %, exact."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from pos_service import demo as demo_data
from pos_service.core.auth import Caller
from pos_service.payments import documents
from pos_service.printing import service
from printers.decoder import decode
from printers.fake import FakePrinter
from tests.support import devices


class Eetcafe:
    def __init__(self, app: Litestar, http: httpx.AsyncClient, venue_id: int) -> None:
        self.app, self.http, self.venue_id = app, http, venue_id
        self.headers: dict[str, dict[str, str]] = {}
        self.fakes: dict[str, FakePrinter] = {}
        self.printers: dict[str, int] = {}
        self.menu: dict[str, Any] = {}

    async def ok(self, method: str, path: str, role: str = "waiter", **kw: Any) -> Any:
        r = await self.http.request(method, path, headers=self.headers[role], **kw)
        assert r.status_code in (200, 201), r.text
        return r.json()

    async def add(self, check: int, name: str, options: tuple[str, ...] = (), **kw: Any) -> None:
        item = next(i for c in self.menu["categories"] for i in c["items"] if i["name"] == name)
        chosen = [
            o["id"] for g in item["modifier_groups"] for o in g["options"] if o["name"] in options
        ]
        body = {"item_id": item["id"], "quantity": 1, "modifiers": chosen, **kw}
        await self.ok("POST", f"/api/checks/{check}/lines", json=body)

    async def table(self, name: str) -> int:
        async with self.app.state.sessions() as session:
            found = await session.scalar(
                text("SELECT id FROM dining_tables WHERE venue_id = :v AND name = :n"),
                {"v": self.venue_id, "n": name},
            )
        return int(found)

    async def printed(self, printer: str, count: int) -> list[str]:
        fake = self.fakes[printer]
        for _ in range(200):
            if len(fake.jobs) >= count:
                break
            await self.app.state.print_dispatcher.run_once()
        assert len(fake.jobs) >= count, f"{printer} printed {len(fake.jobs)} of {count}"
        return [decode(job).text for job in fake.jobs]


@pytest.fixture
async def eetcafe(db: AsyncEngine, live: tuple[Litestar, str]) -> AsyncIterator[Eetcafe]:
    app, url = live
    async with app.state.sessions() as session, session.begin():
        venue_id = await demo_data.seed_venue(session, app.state.security, demo_data.EETCAFE)
    async with httpx.AsyncClient(base_url=url) as http:
        cafe = Eetcafe(app, http, venue_id)
        device = await devices.enrol(app.state.sessions, "dedemo")
        for role, pin in {"waiter": "1111", "manager": "9999"}.items():
            cafe.headers[role] = await devices.bearer(http, "dedemo", pin, device)
        for printer in await cafe.ok("GET", "/api/printers", "manager"):
            fake = cafe.fakes[printer["name"]] = FakePrinter()
            await fake.start()
            cafe.printers[printer["name"]] = printer["id"]
            await cafe.ok(
                "PATCH",
                f"/api/printers/{printer['id']}",
                "manager",
                json={"address": f"127.0.0.1:{fake.port}"},
            )
        cafe.menu = await cafe.ok("GET", "/api/menu")
        yield cafe
        for fake in cafe.fakes.values():
            await fake.stop()


async def test_a_dutch_kitchen_ticket_and_receipt_read_in_dutch(eetcafe: Eetcafe) -> None:
    check = (
        await eetcafe.ok(
            "POST", "/api/checks", json={"table_id": await eetcafe.table("4"), "covers": 2}
        )
    )["id"]
    await eetcafe.add(check, "Biefstuk", ("medium", "friet"), seat=1, note="saus apart")
    await eetcafe.add(check, "Bitterballen (8 st.)", seat=2)
    await eetcafe.add(check, "Pils van de tap")
    await eetcafe.ok("POST", f"/api/checks/{check}/send", json={})

    kitchen = "\n".join(await eetcafe.printed("Keuken", 2))
    for words in ("2 couverts", "1 x Biefstuk", "stoel 1", "OPM: saus apart", "WACHT main"):
        assert words in kitchen, words
    assert "ALLERGIE: gluten" not in kitchen  # no guest allergy was given

    bill = await eetcafe.ok("GET", f"/api/checks/{check}/bill")
    assert bill["total"] == 2450 + 850 + 380
    paid = await eetcafe.ok(
        "POST",
        f"/api/checks/{check}/payments",
        json={"method": "cash", "tendered": 4000, "tip": 20},
    )
    assert paid["bill"]["status"] == "closed"
    caller = Caller(
        kind="staff", venue_id=eetcafe.venue_id, staff_id=None, roles=frozenset({"manager"})
    )
    async with eetcafe.app.state.sessions() as session, session.begin():
        receipt = await documents.receipt_document(session, caller, check)
        await service.enqueue(
            session, eetcafe.venue_id, eetcafe.printers["Bon"], receipt, "receipt"
        )
    [printed] = await eetcafe.printed("Bon", 1)
    for words in (
        "KASSABON",
        "Tafel 4",
        "Subtotaal",
        "TOTAAL",
        "€ 36,80",
        "incl. btw 9% over € 30,28",
        "€ 2,72",
        "incl. btw 21% over € 3,14",
        "€ 0,66",
        "contant",
        "Fooi",
        "€ 0,20",
        "Wisselgeld",
        "€ 3,00",
    ):
        assert words in printed, printed
    day = receipt.created_at.strftime("%d-%m-%Y")
    assert day in printed

    mail = documents.receipt_message(receipt, "gast@example.nl", "https://pos.example/r/x")
    assert mail.subject == "Uw kassabon van Eetcafe De Demo"
    assert "Totaal: € 36,80" in mail.text and "Uw kassabon: https://pos.example/r/x" in mail.text
    assert mail.html is not None and '<html lang="nl">' in mail.html
    assert "Kassabon" in mail.html and "Bedankt!" in mail.html and "fooi € 0,20" in mail.html


async def test_the_dutch_z_report_holds_btw_at_9_and_21_percent(eetcafe: Eetcafe) -> None:
    check = (
        await eetcafe.ok(
            "POST", "/api/checks", json={"table_id": await eetcafe.table("2"), "covers": 2}
        )
    )["id"]
    for name in ("Stamppot boerenkool", "Appeltaart met slagroom", "Koffie"):
        await eetcafe.add(check, name)
    for _ in range(3):
        await eetcafe.add(check, "Witbier")
    await eetcafe.ok("POST", f"/api/checks/{check}/payments", json={"method": "cash"})
    z = await eetcafe.ok("POST", "/api/days/close", "manager", json={"counted_cash": 4070})
    # 9 %: 15.50 + 5.50 + 3.20 = 24.20 incl. 2.00 btw; 21 %: 3 x 5.50 = 16.50 incl. 2.86 btw
    assert {t["rate_ppm"]: (t["base"], t["tax"]) for t in z["taxes"]} == {
        90_000: (2220, 200),
        210_000: (1364, 286),
    }
    assert z["sales_total"] == 2420 + 1650
