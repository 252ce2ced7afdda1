"""Settings from the environment.

Every setting has a default that works on a fresh clone: with ``DATABASE_URL`` unset the
server starts an embedded PostgreSQL whose data lives under ``POS_VAR_DIR`` (``./var``).
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Literal

import msgspec

LogFormat = Literal["console", "plain", "json"]


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    """What the server needs to know at start-up. Built by :func:`Settings.from_env`."""

    database_url: str | None = None
    var_dir: Path = Path("var")
    secret_key: str = ""
    token_ttl_seconds: int = 12 * 3600
    guest_link_ttl_seconds: int = 4 * 3600
    approval_ttl_seconds: int = 120
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19 * 1024
    event_retention: int = 100_000
    live_queue_size: int = 1000
    pool_size: int = 10
    demo: bool = False
    run_background: bool = True
    scheduler: bool = True
    """Run the scheduled tasks in this process (with ``run_background``). ``pos-service
    serve`` turns it off in its workers and runs them in a process of their own
    (``pos_service.supervisor``)."""
    print_max_attempts: int = 3
    print_retry_seconds: float = 2.0
    print_timeout_seconds: float = 5.0
    log_format: LogFormat = "console"
    webhook_allow: tuple[str, ...] = ()
    """Networks or host names webhooks may reach besides public addresses (a LAN
    integration): ``POS_WEBHOOK_ALLOW``, comma-separated."""
    printer_allow: tuple[str, ...] = ()
    """Networks or host names network printers may be on besides the private LAN ranges:
    ``POS_PRINTER_ALLOW``, comma-separated (the demo allows its fakes on 127.0.0.1)."""
    print_spool_dir: Path | None = None
    """The one directory file printers may write in (``POS_PRINT_SPOOL_DIR``), besides the
    device paths ``/dev/usb/lp<n>``."""
    trusted_proxies: frozenset[str] = frozenset()
    """Addresses of reverse proxies whose ``X-Forwarded-For`` is believed."""
    secret_key_file: Path | None = None
    smtp_host: str | None = None
    """The SMTP server mail goes out through (``POS_SMTP_HOST``); unset, e-mails wait in
    the outbox as ``pending`` (docs/mail.md)."""
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password_file: Path | None = None
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_from: str = "pos@localhost"
    """The sender when a venue sets none in ``settings["mail_from"]``."""
    mail_max_attempts: int = 5
    mail_retry_seconds: float = 30.0
    mail_timeout_seconds: float = 20.0
    public_url: str | None = None
    """The address guests reach the server at (``POS_PUBLIC_URL``, e.g.
    ``https://pos.example.com``): links in e-mails and on table tents use it, never the
    ``Host`` header a request brought. Unset (a demo, a test), the request's own address."""
    public_per_address_per_minute: int = 60
    """Requests one address may make to the public pages' API in a minute
    (``POS_PUBLIC_PER_ADDRESS_PER_MINUTE``); past it, 429 with ``Retry-After``."""
    public_per_venue_per_minute: int = 1200
    """Requests all addresses together may make to one venue's public API in a minute."""

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Read ``DATABASE_URL`` and the ``POS_*`` variables; keyword overrides win."""
        env = os.environ
        values: dict[str, object] = {
            "database_url": env.get("DATABASE_URL") or None,
            "var_dir": Path(env.get("POS_VAR_DIR", "var")),
            "secret_key_file": Path(env["POS_SECRET_KEY_FILE"])
            if env.get("POS_SECRET_KEY_FILE")
            else None,
            "trusted_proxies": [
                a.strip() for a in env.get("POS_TRUSTED_PROXIES", "").split(",") if a.strip()
            ],
            "demo": env.get("POS_DEMO", "") not in ("", "0"),
            "log_format": env.get("POS_LOG_FORMAT", "console"),
        }
        for name in ("webhook_allow", "printer_allow"):
            raw = env.get(f"POS_{name.upper()}")
            if raw is not None:
                values[name] = tuple(e.strip() for e in raw.split(",") if e.strip())
        if values["demo"] and "printer_allow" not in values:
            values["printer_allow"] = ("127.0.0.1",)  # the demo's fake printers
        for name in ("smtp_host", "smtp_user", "smtp_tls", "smtp_from", "public_url"):
            if env.get(f"POS_{name.upper()}"):
                values[name] = env[f"POS_{name.upper()}"]
        if env.get("POS_SMTP_PASSWORD_FILE"):
            values["smtp_password_file"] = Path(env["POS_SMTP_PASSWORD_FILE"])
        if env.get("POS_PRINT_SPOOL_DIR"):
            values["print_spool_dir"] = Path(env["POS_PRINT_SPOOL_DIR"])
        for name, field_type in (
            ("token_ttl_seconds", int),
            ("guest_link_ttl_seconds", int),
            ("event_retention", int),
            ("pool_size", int),
            ("print_max_attempts", int),
            ("print_retry_seconds", float),
            ("print_timeout_seconds", float),
            ("smtp_port", int),
            ("mail_max_attempts", int),
            ("mail_retry_seconds", float),
            ("mail_timeout_seconds", float),
            ("public_per_address_per_minute", int),
            ("public_per_venue_per_minute", int),
        ):
            raw = env.get(f"POS_{name.upper()}")
            if raw is not None:
                values[name] = field_type(raw)
        if env.get("POS_SECRET_KEY"):
            logging.getLogger(__name__).warning(
                "POS_SECRET_KEY is no longer read: put the secret in a file and set "
                "POS_SECRET_KEY_FILE (docs/security.md)"
            )
        values.update(overrides)
        settings = msgspec.convert(values, cls, strict=False)
        if not settings.secret_key:
            path = settings.secret_key_file or settings.var_dir / "secret_key"
            settings = msgspec.structs.replace(
                settings, secret_key=_local_secret(path), secret_key_file=path
            )
        return settings


def resolve_database_url(settings: Settings) -> str:
    """``DATABASE_URL``, or the embedded PostgreSQL under the var directory (started or
    attached to)."""
    if settings.database_url:
        return settings.database_url
    from pos_service.core import embedded

    server = embedded.start(settings.var_dir / "postgres")
    return embedded.database_url(server, "pos")


def _local_secret(path: Path) -> str:
    """The installation secret, read from its file (``POS_SECRET_KEY_FILE``, by default
    ``var/secret_key``; made on first start). It is never put into the environment:
    workers read the same file. Keys for each purpose are derived from it."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
