"""Scenario 6: a kitchen ticket rendered to ESC/POS, then handed to a printer on loopback.

No server: ``printers.render.render_ticket`` and ``printers.transport.deliver`` to a
``printers.fake.FakePrinter`` listening on 127.0.0.1, in this process, over a connection
kept as the dispatcher keeps it (``Timeouts.keep``), and over a new connection per job.
Then the same ticket as a claim renders it: a job's stored document (no number) decoded
with the job's number joined, then rendered (``printing.service.render``; no database).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from bench.context import Context
from bench.stats import Figure, Target, percentile
from printers.connections import Timeouts
from printers.documents import KitchenTicket, PrinterProfile, TicketItem
from printers.fake import FakePrinter
from printers.render import render_ticket
from printers.transport import NetworkPrinter, deliver

TICKET = KitchenTicket(
    venue="Trattoria Demo",
    station="hot",
    ticket_number=118,
    table="12",
    waiter="Anna",
    covers=4,
    created_at=dt.datetime(2025, 3, 7, 20, 15, tzinfo=dt.UTC),
    items=[
        TicketItem(2, "Ribeye", seat=1, course="main", modifiers=["medium-rare", "fries"]),
        TicketItem(
            1, "Burger", seat=2, course="main", modifiers=["well done", "bacon"], note="no bun"
        ),
        TicketItem(1, "Lasagne", seat=3, course="main", allergens=["gluten", "milk"]),
        TicketItem(1, "Vegan curry", seat=4, course="main"),
        TicketItem(1, "Risotto ai funghi", seat=4, course="main", modifiers=["extra cheese"]),
    ],
    allergies=["nuts"],
)
PROFILE = PrinterProfile(width=42, two_colour=True, buzzer=True)
KEEP = Timeouts().keep


def _render_us(count: int) -> list[float]:
    for _ in range(50):
        render_ticket(TICKET, PROFILE)
    times = []
    for _ in range(count):
        start = time.perf_counter_ns()
        render_ticket(TICKET, PROFILE)
        times.append((time.perf_counter_ns() - start) / 1000)
    return times


def _claim_render_us(count: int) -> list[float]:
    from pos_service.printing import service
    from pos_service.printing.models import DocumentType, Printer, PrintJob

    number, document = service.stored(TICKET)
    job = PrintJob(document_type=DocumentType.KITCHEN_TICKET, number=number, document=document)
    printer = Printer(
        width=PROFILE.width,
        code_page=PROFILE.code_page,
        two_colour=True,
        buzzer=True,
        language="en",
    )
    assert service.render(job, printer) == render_ticket(TICKET, PROFILE)
    times = []
    for _ in range(count):
        start = time.perf_counter_ns()
        service.render(job, printer)
        times.append((time.perf_counter_ns() - start) / 1000)
    return times


async def _handoff_ms(data: bytes, count: int, keep: float = KEEP) -> list[float]:
    arrived: list[float] = []
    landed = asyncio.Event()

    def job(_data: bytes) -> None:
        arrived.append(time.perf_counter())
        landed.set()

    fake = FakePrinter(on_job=job)
    await fake.start()
    printer = NetworkPrinter("127.0.0.1", fake.port, keep_seconds=keep)
    times = []
    try:
        for i in range(count + 20):
            start = time.perf_counter()
            await deliver(printer, data)
            while len(arrived) <= i:
                landed.clear()
                await landed.wait()
            if i >= 20:
                times.append((arrived[i] - start) * 1000)
    finally:
        await printer.close()
        await fake.stop()
    return times


def printing(ctx: Context) -> list[Figure]:
    renders, claimed, handoffs, cold = [], [], [], []
    for _ in range(ctx.repeat):
        renders.append(percentile(_render_us(ctx.pick(2000, 200, 20)), 50))
        claimed.append(percentile(_claim_render_us(ctx.pick(2000, 200, 20)), 50))
        data = render_ticket(TICKET, PROFILE)
        count = ctx.pick(500, 50, 5)
        handoffs.append(percentile(asyncio.run(_handoff_ms(data, count)), 99))
        cold.append(percentile(asyncio.run(_handoff_ms(data, count, keep=0.0)), 99))
    return [
        Figure("render a 5-item kitchen ticket (median)", "us", renders, Target(200)),
        Figure(
            "render it from its print job, as claimed (median)",
            "us",
            claimed,
            note="stored document decoded, the job's number joined",
        ),
        Figure(
            "deliver to the fake printer, p99",
            "ms",
            handoffs,
            Target(5),
            f"status, write, status on one connection, kept {KEEP:g} s",
        ),
        Figure(
            "deliver over a new connection per job, p99",
            "ms",
            cold,
            note="a printer's first job after a pause",
        ),
    ]
