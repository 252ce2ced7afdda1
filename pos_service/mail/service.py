"""The mail outbox: enqueue in the caller's transaction; claim, send, settle.

:func:`enqueue` adds a message to the venue's outbox inside the caller's transaction, so
an e-mail exists exactly when the booking or the request that made it commits. The
:class:`Mailer` sends what is due: it claims due messages (``FOR UPDATE SKIP LOCKED``)
and commits the claim (the attempt is counted and the message leased for a while), sends
each over SMTP with aiosmtplib outside any transaction, and settles the outcome in a
second transaction: ``sent``, or due again after a back-off, or ``failed`` after
``max_attempts``. A message whose sender died mid-send is due again when its lease runs
out, so mail is sent at least once. With no SMTP host configured nothing is claimed and
messages stay ``pending`` (the log says so).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from typing import TYPE_CHECKING

import aiosmtplib
import msgspec
import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core.db import now_utc
from pos_service.mail.models import MailMessage, MailStatus
from pos_service.venues.models import Venue

if TYPE_CHECKING:
    from litestar import Litestar

    from pos_service.config import Settings

log = structlog.get_logger(__name__)
BATCH = 20


class Message(msgspec.Struct, frozen=True, kw_only=True):
    """An e-mail to enqueue: one recipient, a plain text body and, maybe, an HTML one."""

    to: str
    subject: str
    text: str
    html: str | None = None


class SmtpConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Where and how mail goes out; ``host`` None: nowhere (messages wait)."""

    host: str | None
    port: int = 587
    user: str | None = None
    password: str | None = None
    tls: str = "starttls"
    sender: str = "pos@localhost"
    max_attempts: int = 5
    retry_seconds: float = 30.0
    timeout_seconds: float = 20.0

    @property
    def lease_seconds(self) -> float:
        return max(60.0, 3 * self.timeout_seconds)

    def backoff(self, attempts: int) -> dt.timedelta:
        """The wait before attempt ``attempts + 1``: doubling, at most an hour."""
        return dt.timedelta(seconds=min(3600.0, self.retry_seconds * 2 ** (attempts - 1)))


def config_from(settings: Settings) -> SmtpConfig:
    """The SMTP configuration from the settings (the password is read from its file)."""
    password = None
    if settings.smtp_password_file is not None:
        password = settings.smtp_password_file.read_text().strip()
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        user=settings.smtp_user,
        password=password,
        tls=settings.smtp_tls,
        sender=settings.smtp_from,
        max_attempts=settings.mail_max_attempts,
        retry_seconds=settings.mail_retry_seconds,
        timeout_seconds=settings.mail_timeout_seconds,
    )


async def enqueue(
    session: AsyncSession, venue_id: int, message: Message, now: dt.datetime | None = None
) -> MailMessage:
    """Put ``message`` in the venue's outbox, due now, in the caller's transaction."""
    row = MailMessage(
        venue_id=venue_id,
        to_address=message.to,
        subject=message.subject,
        text_body=message.text,
        html_body=message.html,
        status=MailStatus.PENDING,
        attempts=0,
        next_attempt_at=now or now_utc(),
    )
    session.add(row)
    await session.flush()
    log.info("mail queued", venue_id=venue_id, mail_id=row.id, subject=message.subject)
    return row


class Claim(msgspec.Struct, frozen=True, kw_only=True):
    """A message claimed for one attempt, with everything needed to send it."""

    venue_id: int
    id: int
    attempts: int
    sender: str
    to: str
    message: EmailMessage


def _sender(venue: Venue, default: str) -> str:
    """The venue's ``settings["mail_from"]`` (an address, or ``{"name", "address"}``),
    else the server's sender with the venue's name."""
    own = (venue.settings or {}).get("mail_from")
    if isinstance(own, dict) and own.get("address"):
        chosen = formataddr((str(own.get("name") or venue.name), str(own["address"])))
    elif isinstance(own, str):
        chosen = own
    else:
        chosen = ""
    if "@" in parseaddr(chosen)[1] and not any(c in chosen for c in "\r\n"):
        return chosen
    if own is not None:
        log.warning("mail_from of the venue is not an address", venue_id=venue.id)
    return formataddr((venue.name, default))


def _email(row: MailMessage, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(idstring=f"pos-{row.venue_id}-{row.id}")
    message.set_content(row.text_body)
    if row.html_body is not None:
        message.add_alternative(row.html_body, subtype="html")
    return message


async def claim_due(session: AsyncSession, config: SmtpConfig, now: dt.datetime) -> list[Claim]:
    """Due pending messages, each counted as an attempt and leased past its send."""
    rows = list(
        (
            await session.execute(
                select(MailMessage)
                .where(MailMessage.status == MailStatus.PENDING, MailMessage.next_attempt_at <= now)
                .order_by(MailMessage.next_attempt_at, MailMessage.venue_id, MailMessage.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    claims = []
    for row in rows:
        venue = await session.get(Venue, row.venue_id)
        assert venue is not None
        row.attempts += 1
        sender = _sender(venue, config.sender)
        try:
            message = _email(row, sender)
        except ValueError as exc:  # a header no e-mail can carry: it never will
            row.status, row.last_error = MailStatus.FAILED, f"not sendable: {exc}"[:500]
            continue
        row.next_attempt_at = now + dt.timedelta(seconds=config.lease_seconds)
        claims.append(
            Claim(
                venue_id=row.venue_id,
                id=row.id,
                attempts=row.attempts,
                sender=parseaddr(sender)[1],
                to=row.to_address,
                message=message,
            )
        )
    return claims


async def settle(
    session: AsyncSession, config: SmtpConfig, claim: Claim, error: str | None, now: dt.datetime
) -> MailStatus:
    """Record the attempt's outcome: sent, due again later, or failed for good."""
    row = await session.get(MailMessage, (claim.venue_id, claim.id), with_for_update=True)
    assert row is not None
    if error is None:
        row.status, row.sent_at, row.last_error = MailStatus.SENT, now, None
        log.info("mail sent", venue_id=row.venue_id, mail_id=row.id, attempts=row.attempts)
    elif row.attempts >= config.max_attempts:
        row.status, row.last_error = MailStatus.FAILED, error
        log.warning("mail failed", venue_id=row.venue_id, mail_id=row.id, error=error)
    else:
        row.last_error = error
        row.next_attempt_at = now + config.backoff(row.attempts)
        log.info("mail retry", venue_id=row.venue_id, mail_id=row.id, error=error)
    return row.status


async def pending_count(session: AsyncSession) -> int:
    query = select(func.count()).where(MailMessage.status == MailStatus.PENDING)
    return int((await session.execute(query)).scalar_one())


class Mailer:
    """Sends the outbox; see the module docstring. Tests call :meth:`run_once`."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        config: SmtpConfig,
        *,
        poll_seconds: float = 5.0,
    ) -> None:
        self.sessions = sessions
        self.config = config
        self.poll_seconds = poll_seconds
        self._runner: asyncio.Task[None] | None = None
        self._told = 0

    async def claim(self, now: dt.datetime | None = None) -> list[Claim]:
        async with self.sessions() as session, session.begin():
            return await claim_due(session, self.config, now or now_utc())

    async def deliver(self, claim: Claim) -> str | None:
        """One SMTP attempt; the error text, or None when the server took the message."""
        config = self.config
        assert config.host is not None
        try:
            await aiosmtplib.send(
                claim.message,
                sender=claim.sender,
                recipients=[claim.to],  # the one address, whatever the header says
                hostname=config.host,
                port=config.port,
                username=config.user,
                password=config.password,
                use_tls=config.tls == "tls",
                start_tls=config.tls == "starttls",
                timeout=config.timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return f"{type(exc).__name__}: {exc}"[:500]
        return None

    async def send(self, claim: Claim, now: dt.datetime | None = None) -> MailStatus:
        """Attempt a claimed message and settle the outcome."""
        error = await self.deliver(claim)
        async with self.sessions() as session, session.begin():
            return await settle(session, self.config, claim, error, now or now_utc())

    async def run_once(self, now: dt.datetime | None = None) -> int:
        """One round: claim what is due, send it, settle; the number attempted."""
        if self.config.host is None:
            async with self.sessions() as session:
                waiting = await pending_count(session)
            if waiting and waiting != self._told:  # once per change, not every round
                log.warning("no SMTP host configured (POS_SMTP_HOST): mail waits", pending=waiting)
            self._told = waiting
            return 0
        claims = await self.claim(now)
        await asyncio.gather(*(self.send(c, now) for c in claims))
        return len(claims)

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("mail round failed")
            await asyncio.sleep(self.poll_seconds)

    def start(self) -> None:
        self._runner = asyncio.create_task(self.run())

    async def stop(self) -> None:
        """Stop; a send in flight is cancelled and sent again when its lease runs out."""
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None


@asynccontextmanager
async def running(app: Litestar, settings: Settings) -> AsyncIterator[None]:
    """Lifespan: the mailer (sending with ``run_background``)."""
    mailer = Mailer(app.state.sessions, config_from(settings))
    app.state.mailer = mailer
    if settings.run_background:
        mailer.start()
    try:
        yield
    finally:
        await mailer.stop()
