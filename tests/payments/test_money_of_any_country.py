"""Issue #16 part 6: a JPY venue and a New York venue (8.875 % sales tax on top) give
exact bills, pre-bills, receipts and Z reports; KWD prints three decimals."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, text

from pos_service.core.auth import Caller
from pos_service.payments import documents
from pos_service.printing import service as printing
from pos_service.printing.models import Printer, PrintJob
from printers.decoder import decode
from printers.documents import PrinterProfile
from printers.render import render_receipt
from tests.conftest import Demo
from tests.payments.helpers import bill, check_with, pay


async def _venue(
    demo: Demo,
    *,
    currency: str,
    locale: str,
    tax_inclusive: bool,
    rates: dict[str, int],
    prices: dict[str, int],
    settings: str = "{}",
) -> None:
    """Make the demo venue another country's: currency, locale, tax, rates and prices."""
    async with demo.sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE venues SET currency = :c, locale = :l, tax_inclusive = :i,"
                " settings = settings || CAST(:s AS jsonb) WHERE id = :v"
            ),
            {"c": currency, "l": locale, "i": tax_inclusive, "s": settings, "v": demo.venue_id},
        )
        for category, rate in rates.items():
            await session.execute(
                text(
                    "UPDATE items SET tax_rate_ppm = :r WHERE venue_id = :v AND category_id ="
                    " (SELECT id FROM categories WHERE venue_id = :v AND name = :c)"
                ),
                {"r": rate, "v": demo.venue_id, "c": category},
            )
        for name, price in prices.items():
            await session.execute(
                text("UPDATE items SET price = :p WHERE venue_id = :v AND name = :n"),
                {"p": price, "v": demo.venue_id, "n": name},
            )


async def _prebill(demo: Demo, check_id: int) -> str:
    """Bring the bill and read the pre-bill as the receipt printer prints it."""
    r = await demo.call("POST", f"/api/checks/{check_id}/prebill", json={})
    assert r.status_code == 200, r.text
    async with demo.sessions() as session:
        job, printer = (
            await session.execute(
                select(PrintJob, Printer)
                .join(
                    Printer,
                    (Printer.venue_id == PrintJob.venue_id) & (Printer.id == PrintJob.printer_id),
                )
                .where(PrintJob.kind == "prebill")
                .order_by(PrintJob.id.desc())
                .limit(1)
            )
        ).one()
        return decode(printing.render(job, printer)).text


async def _paper_receipt(demo: Demo, check_id: int) -> str:
    caller = Caller(kind="staff", venue_id=demo.venue_id, staff_id=1, roles=frozenset({"waiter"}))
    async with demo.sessions() as session:
        receipt = await documents.receipt_document(session, caller, check_id)
    return decode(render_receipt(receipt, PrinterProfile())).text


async def _html_receipt(demo: Demo, check_id: int) -> str:
    r = await demo.call("GET", f"/api/checks/{check_id}/receipt")
    assert r.status_code == 200, r.text
    return str(r.text)


async def _z(demo: Demo, counted_cash: int) -> dict[str, Any]:
    r = await demo.call("POST", "/api/days/close", "manager", json={"counted_cash": counted_cash})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _taxes(taxes: list[dict[str, int]]) -> list[tuple[int, int, int]]:
    return [(t["rate_ppm"], t["base"], t["tax"]) for t in taxes]


def _row(text: str, start: str) -> str:
    """The printed line that starts with ``start``, its spaces squeezed."""
    [line] = [" ".join(ln.split()) for ln in text.splitlines() if ln.strip().startswith(start)]
    return line


async def test_a_yen_venue_has_no_minor_unit(demo: Demo) -> None:
    # Tokyo: prices include consumption tax, 8 % on food, 10 % on drinks; 1 yen is the unit
    await _venue(
        demo,
        currency="JPY",
        locale="en",
        tax_inclusive=True,
        rates={"Starters": 80_000, "Drinks": 100_000},
        prices={"Burrata": 1250, "House red": 800},
    )
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    b = await bill(demo, check["id"])
    # food 1250 contains 1250 x 8/108 = 92.59 -> 93; drinks 1600 x 10/110 = 145.45 -> 145
    assert (b["currency"], b["total"]) == ("JPY", 2850)
    assert _taxes(b["taxes"]) == [(80_000, 1157, 93), (100_000, 1455, 145)]

    paper = await _prebill(demo, check["id"])
    assert _row(paper, "1 x Burrata") == "1 x Burrata ¥1,250"
    assert _row(paper, "TOTAL") == "TOTAL ¥2,850"
    assert _row(paper, "incl. VAT 8%") == "incl. VAT 8% on ¥1,157 ¥93"
    assert _row(paper, "incl. VAT 10%") == "incl. VAT 10% on ¥1,455 ¥145"
    assert not re.search(r"¥[\d,]*\.", paper)  # no yen amount has decimals

    result = await pay(demo, check["id"], method="cash", amount=3000)
    assert (result["payment"]["amount"], result["payment"]["change"]) == (2850, 150)
    receipt = await _paper_receipt(demo, check["id"])
    assert _row(receipt, "Change") == "Change ¥150"
    assert _row(receipt, "Due") == "Due ¥0"
    html = await _html_receipt(demo, check["id"])
    assert "incl. VAT 8% on ¥1,157" in html and "¥2,850" in html

    z = await _z(demo, counted_cash=2850)
    assert (z["currency"], z["checks"], z["sales_total"], z["cash_expected"]) == (
        "JPY",
        1,
        2850,
        2850,
    )
    assert _taxes(z["taxes"]) == [(80_000, 1157, 93), (100_000, 1455, 145)]
    assert z["cash_difference"] == 0


async def _new_york(demo: Demo, rounding: str) -> dict[str, Any]:
    await _venue(
        demo,
        currency="USD",
        locale="en-US",
        tax_inclusive=False,
        rates={"Mains": 88_750, "Drinks": 88_750},
        prices={"Burger": 1850, "Cola": 420},
        settings=f'{{"tax_rounding": "{rounding}"}}',
    )
    return await check_with(demo, ("Burger", 1, 1), ("Cola", 1, 1), ("Cola", 1, 2))


async def test_new_york_sales_tax_of_8_875_percent_is_added_on_top(demo: Demo) -> None:
    check = await _new_york(demo, "total")
    b = await bill(demo, check["id"])
    # 18.50 + 4.20 + 4.20 = 26.90; x 8.875 % = 2.387375 -> 2.39 on top: 29.29
    assert _taxes(b["taxes"]) == [(88_750, 2690, 239)]
    assert (b["subtotal"], b["total"]) == (2690, 2929)

    paper = await _prebill(demo, check["id"])
    assert _row(paper, "Subtotal") == "Subtotal $26.90"
    assert _row(paper, "Sales tax") == "Sales tax 8.875% on $26.90 $2.39"
    assert _row(paper, "TOTAL") == "TOTAL $29.29"
    assert "VAT" not in paper and "incl." not in paper
    assert paper.index("Sales tax") < paper.index("TOTAL")

    await pay(demo, check["id"], method="cash", amount=3000)
    receipt = await _paper_receipt(demo, check["id"])
    assert _row(receipt, "Sales tax") == "Sales tax 8.875% on $26.90 $2.39"
    assert _row(receipt, "Change") == "Change $0.71"
    html = await _html_receipt(demo, check["id"])
    assert "Sales tax 8.875% on $26.90" in html and "incl." not in html

    z = await _z(demo, counted_cash=2929)
    assert (z["currency"], z["sales_total"], z["subtotal"], z["cash_expected"]) == (
        "USD",
        2929,
        2690,
        2929,
    )
    assert _taxes(z["taxes"]) == [(88_750, 2690, 239)]


async def test_a_venue_that_rounds_tax_per_line(demo: Demo) -> None:
    check = await _new_york(demo, "line")
    b = await bill(demo, check["id"])
    # per line: 18.50 -> 1.641875 -> 1.64; 4.20 -> 0.37275 -> 0.37, twice: 2.38, not 2.39
    assert _taxes(b["taxes"]) == [(88_750, 2690, 238)]
    assert b["total"] == 2928
    r = await demo.call("POST", f"/api/checks/{check['id']}/split", json={"mode": "even", "n": 2})
    parts = r.json()["parts"]
    assert [p["amount"] for p in parts] == [1464, 1464]
    assert sum(p["taxes"][0]["tax"] for p in parts) == 238
    await pay(demo, check["id"], method="cash", part_id=parts[0]["id"])
    await pay(demo, check["id"], method="cash", part_id=parts[1]["id"])
    z = await _z(demo, counted_cash=2928)
    assert (z["sales_total"], _taxes(z["taxes"])) == (2928, [(88_750, 2690, 238)])


async def test_dinars_print_three_decimals_and_euros_print_the_german_way(demo: Demo) -> None:
    await _venue(
        demo,
        currency="KWD",
        locale="en",
        tax_inclusive=True,
        rates={"Starters": 0},
        prices={"Burrata": 2125},  # 2.125 dinars: 2125 fils
    )
    check = await check_with(demo, ("Burrata", 2, 1))
    assert (await bill(demo, check["id"]))["total"] == 4250
    paper = await _prebill(demo, check["id"])
    assert _row(paper, "2 x Burrata") == "2 x Burrata KWD 4.250"
    assert _row(paper, "TOTAL") == "TOTAL KWD 4.250"
    await _venue(demo, currency="EUR", locale="de-DE", tax_inclusive=True, rates={}, prices={})
    paper = await _prebill(demo, check["id"])
    assert _row(paper, "GESAMT") == "GESAMT 42,50 €"  # a German venue prints in German
