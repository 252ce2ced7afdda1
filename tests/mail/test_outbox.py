"""E-mail goes out through the outbox to a real SMTP server (aiosmtpd on 127.0.0.1):
booking confirmations and receipts arrive, a refusing server gets the message once after
a retry, a message that never goes through ends ``failed``, and with no SMTP host
configured nothing is sent and the message waits."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import itertools
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from structlog.testing import capture_logs

from pos_service.core.db import now_utc
from pos_service.mail.models import MailMessage, MailStatus
from pos_service.mail.service import Mailer, SmtpConfig
from tests.conftest import Demo
from tests.payments.helpers import check_with, pay


class Inbox:
    """An aiosmtpd handler keeping what it accepts; it refuses the first ``refuse`` tries."""

    def __init__(self, refuse: int = 0) -> None:
        self.refuse = refuse
        self.tries = 0
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.tries += 1
        if self.tries <= self.refuse:
            return "451 4.3.0 try again later"
        content = envelope.content
        assert isinstance(content, bytes)
        message = email.message_from_bytes(content, policy=default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


async def smtp_server(inbox: Inbox) -> tuple[asyncio.Server, int]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(inbox), "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


@pytest.fixture
async def inbox() -> AsyncIterator[tuple[Inbox, int]]:
    box = Inbox()
    server, port = await smtp_server(box)
    yield box, port
    server.close()
    await server.wait_closed()


def mailer(sessions: async_sessionmaker[AsyncSession], port: int | None, **kw: Any) -> Mailer:
    config = SmtpConfig(
        host="127.0.0.1" if port else None, port=port or 25, tls="none", timeout_seconds=5, **kw
    )
    return Mailer(sessions, config)


async def outbox(sessions: async_sessionmaker[AsyncSession]) -> list[MailMessage]:
    async with sessions() as session:
        query = select(MailMessage).order_by(MailMessage.id)
        return list((await session.execute(query)).scalars())


async def book(demo: Demo, **extra: Any) -> dict[str, Any]:
    # two days ahead: a booking less than the reminder's lead time ahead gets no reminder
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat()
    slots = (
        await demo.call("GET", f"/api/reservations/availability?date={day}&party_size=2", "host")
    ).json()
    body = {"name": "Weber", "party_size": 2, "starts_at": slots["slots"][0]["starts_at"]}
    booked = await demo.call("POST", "/api/reservations", "host", json={**body, **extra})
    assert booked.status_code == 201, booked.text
    return dict(booked.json())


async def test_the_booking_confirmation_arrives(
    demo: Demo, sessions: async_sessionmaker[AsyncSession], inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    await book(demo, email="weber@example.com")
    await book(demo, phone="+393331234567")  # no address: no e-mail
    assert await mailer(sessions, port).run_once() == 1
    [message] = box.messages
    assert message["To"] == "weber@example.com"
    assert message["Subject"] == "Your booking at Trattoria Demo"
    assert message["From"] == "Trattoria Demo <pos@localhost>"
    body = message.get_body(("plain",))
    assert body is not None and "table for 2" in body.get_content()
    [row] = await outbox(sessions)
    assert row.status == MailStatus.SENT and row.attempts == 1
    assert await mailer(sessions, port).run_once() == 0  # sent once, not again


async def test_a_venue_sends_from_its_own_address(
    demo: Demo, sessions: async_sessionmaker[AsyncSession], inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    async with sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE venues SET settings = settings || "
                '\'{"mail_from": {"name": "Trattoria", "address": "ciao@trattoria.example"}}\''
            )
        )
    await book(demo, email="weber@example.com")
    assert await mailer(sessions, port).run_once() == 1
    assert box.messages[0]["From"] == "Trattoria <ciao@trattoria.example>"


async def test_a_receipt_arrives_from_staff_and_from_the_guest_link(
    demo: Demo, sessions: async_sessionmaker[AsyncSession], inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    check = await check_with(demo, ("Burrata", 1, 1), ("House red", 2, 2))
    link = (await demo.call("POST", f"/api/checks/{check['id']}/guest-link")).json()
    r = await demo.call(
        "POST", f"/api/guest/{link['token']}/receipt/email", "", json={"to": "me@example.com"}
    )
    assert r.status_code == 202, r.text
    await pay(demo, check["id"], method="cash", amount=3000)
    r = await demo.call(
        "POST", f"/api/checks/{check['id']}/receipt/email", json={"to": "guest@example.com"}
    )
    assert r.status_code == 202, r.text
    assert await mailer(sessions, port).run_once() == 2
    by_to = {m["To"]: m for m in box.messages}
    staff = by_to["guest@example.com"]
    assert staff["Subject"] == "Your receipt from Trattoria Demo"
    html = staff.get_body(("html",))
    assert html is not None and "Burrata" in html.get_content()
    assert "€26.50" in html.get_content()
    plain = by_to["me@example.com"].get_body(("plain",))
    assert plain is not None and "Total: €26.50" in plain.get_content()
    # the guest's e-mail links to the receipt, which stays readable after the check closed
    url = next(w for w in plain.get_content().split() if "/receipt" in w)
    page = await demo.call("GET", url[url.index("/api/") :], "")
    assert page.status_code == 200 and "Change" in page.text and "€3.50" in page.text


async def test_a_refusing_server_gets_the_message_once_after_a_retry(
    demo: Demo, sessions: async_sessionmaker[AsyncSession]
) -> None:
    box = Inbox(refuse=1)
    server, port = await smtp_server(box)
    try:
        await book(demo, email="weber@example.com")
        now = now_utc()
        sender = mailer(sessions, port, retry_seconds=30)
        assert await sender.run_once(now) == 1
        [row] = await outbox(sessions)
        assert row.status == MailStatus.PENDING and row.attempts == 1
        assert row.last_error is not None and "try again later" in row.last_error
        assert await sender.run_once(now + dt.timedelta(seconds=10)) == 0  # backing off
        assert await sender.run_once(now + dt.timedelta(seconds=31)) == 1
        assert await sender.run_once(now + dt.timedelta(hours=2)) == 0
    finally:
        server.close()
        await server.wait_closed()
    assert box.tries == 2 and len(box.messages) == 1
    [row] = await outbox(sessions)
    assert row.status == MailStatus.SENT and row.attempts == 2 and row.last_error is None


async def test_it_gives_up_after_the_last_attempt(
    demo: Demo, sessions: async_sessionmaker[AsyncSession]
) -> None:
    box = Inbox(refuse=99)
    server, port = await smtp_server(box)
    try:
        await book(demo, email="weber@example.com")
        sender = mailer(sessions, port, retry_seconds=1, max_attempts=2)
        now = now_utc()
        for minutes in range(4):
            await sender.run_once(now + dt.timedelta(minutes=minutes))
    finally:
        server.close()
        await server.wait_closed()
    assert box.tries == 2 and box.messages == []
    [row] = await outbox(sessions)
    assert row.status == MailStatus.FAILED and row.attempts == 2


async def test_without_an_smtp_host_mail_waits(
    demo: Demo, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await book(demo, email="weber@example.com")
    with capture_logs() as logs:
        assert await mailer(sessions, None).run_once() == 0
    assert [e["pending"] for e in logs if "no SMTP host" in e["event"]] == [1]
    [row] = await outbox(sessions)
    assert row.status == MailStatus.PENDING and row.attempts == 0


async def test_an_invalid_address_is_refused_naming_to(demo: Demo) -> None:
    check = await check_with(demo, ("Burrata", 1, 1))
    link = (await demo.call("POST", f"/api/checks/{check['id']}/guest-link")).json()
    for (path, role), bad in itertools.product(
        (
            (f"/api/checks/{check['id']}/receipt/email", "waiter"),
            (f"/api/guest/{link['token']}/receipt/email", ""),
        ),
        ("not an address", "a@example.com, b@example.com"),
    ):
        r = await demo.call("POST", path, role, json={"to": bad})
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "to"


async def test_the_reminder_arrives(
    demo: Demo, sessions: async_sessionmaker[AsyncSession], inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    booked = await book(demo, email="weber@example.com")
    starts_at = dt.datetime.fromisoformat(booked["starts_at"])
    sent = await demo.app.state.scheduler.run_task("reservations.reminders", starts_at)
    assert sent == 1
    assert await mailer(sessions, port).run_once() == 2
    subjects = sorted(m["Subject"] for m in box.messages)
    assert subjects[0].startswith("Reminder: Trattoria Demo, ")
    assert subjects[1] == "Your booking at Trattoria Demo"
    assert all(m["To"] == "weber@example.com" for m in box.messages)
