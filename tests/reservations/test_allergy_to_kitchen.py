"""A guest's allergy booked at the host stand reaches the kitchen ticket and its paper."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from pos_service.printing import service as printing
from pos_service.printing.models import Printer, PrintJob
from printers.decoder import decode
from tests.conftest import Demo


async def test_a_booked_allergy_is_on_the_kitchen_ticket(demo: Demo) -> None:
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date().isoformat()
    slots = (
        await demo.call("GET", f"/api/reservations/availability?date={day}&party_size=2", "host")
    ).json()
    starts_at = slots["slots"][0]["starts_at"]
    booked = await demo.call(
        "POST",
        "/api/reservations",
        "host",
        json={
            "name": "Weber",
            "party_size": 2,
            "starts_at": starts_at,
            "tags": ["allergy:peanuts"],
            "notes": "anniversary",
        },
    )
    assert booked.status_code == 201, booked.text
    seated = await demo.call("POST", f"/api/reservations/{booked.json()['id']}/seat", "host")
    assert seated.status_code == 200, seated.text
    check_id = seated.json()["check_id"]

    await demo.add(check_id, "Cheese plate", seat=1, course="starter")
    sent = await demo.call("POST", f"/api/checks/{check_id}/send", json={})
    assert sent.status_code == 200, sent.text

    tickets = (await demo.call("GET", "/api/kitchen/tickets?station=pastry", "kitchen")).json()
    ticket = next(t for t in tickets["tickets"] if t["check_id"] == check_id)
    assert ticket["allergies"] == ["peanuts"]

    async with demo.sessions() as session:
        job, printer = (
            await session.execute(
                select(PrintJob, Printer)
                .join(
                    Printer,
                    (Printer.venue_id == PrintJob.venue_id) & (Printer.id == PrintJob.printer_id),
                )
                .order_by(PrintJob.id.desc())
                .limit(1)
            )
        ).one()
        allergy_lines = decode(printing.render(job, printer)).find("ALLERGY")
    assert any("PEANUTS" in line.text.upper() for line in allergy_lines)
