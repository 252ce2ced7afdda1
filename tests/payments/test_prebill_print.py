"""Bringing the bill queues the pre-bill on the receipt printer."""

from __future__ import annotations

from sqlalchemy import select

from pos_service.printing import service as printing
from pos_service.printing.models import Printer, PrintJob
from printers.decoder import decode
from tests.conftest import Demo


async def test_prebill_goes_to_the_receipt_printer(demo: Demo) -> None:
    check = await demo.open_check("4", covers=2)
    await demo.add(check["id"], "Burrata")
    await demo.add(check["id"], "House red", 2)
    await demo.call("POST", f"/api/checks/{check['id']}/send", json={})
    r = await demo.call("POST", f"/api/checks/{check['id']}/prebill", json={})
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
            )
        ).one()
        text = decode(printing.render(job, printer)).text
    assert printer.role == "receipt"
    assert "Burrata" in text
    assert "House red" in text
    assert "26.50" in text  # 13.50 + 2 x 6.50
