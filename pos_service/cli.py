"""``pos-service serve | migrate | demo | verify-journal | pair``.

``serve`` starts quickly: this supervisor process imports neither the application nor
Alembic when the database is already at the head revision (see
``pos_service.migrations.upgrade_if_behind``); only the workers import the application.
Without ``--demo`` it logs for production (``plain`` lines, no access log); with it, as
for development (``console``, with the access log). ``--log-format``/``POS_LOG_FORMAT``
and ``--access-log``/``POS_ACCESS_LOG`` choose otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import get_args

from pos_service.config import LogFormat, Settings, resolve_database_url


def _prepare(settings: Settings, *, demo: bool, check_head: bool = True) -> str:
    """Resolve the database, apply migrations, seed the demo venue if asked. With
    ``check_head`` Alembic runs only when the database is not at the head revision."""
    from pos_service.migrations import upgrade, upgrade_if_behind

    url = resolve_database_url(settings)
    if check_head:
        upgrade_if_behind(url)
    else:
        upgrade(url)
    if demo:
        asyncio.run(_seed(settings, url))
    return url


async def _seed(settings: Settings, url: str) -> None:
    from pos_service import demo
    from pos_service.core.auth import PinHasher, TokenSigner
    from pos_service.core.db import create_engine, session_factory
    from pos_service.staff.service import Security

    engine = create_engine(url, pool_size=1)
    security = Security(
        TokenSigner(settings.secret_key),
        PinHasher(settings.argon2_time_cost, settings.argon2_memory_kib),
        token_ttl=0,
        approval_ttl=0,
    )
    try:
        async with session_factory(engine)() as session, session.begin():
            await demo.seed(session, security)
    finally:
        await engine.dispose()


async def _verify_journal(url: str, slug: str | None) -> bool:
    """Verify the journal chain of every venue (or one); print one line per venue."""
    from sqlalchemy import select

    from pos_service.core import journal
    from pos_service.core.db import create_engine, session_factory
    from pos_service.venues.models import Venue

    engine = create_engine(url, pool_size=1)
    ok = True
    try:
        async with session_factory(engine)() as session, session.begin():
            query = select(Venue).order_by(Venue.id)
            if slug is not None:
                query = query.where(Venue.slug == slug)
            for venue in (await session.execute(query)).scalars().all():
                result = await journal.verify(session, venue.id)
                ok = ok and result.ok
                state = "ok" if result.ok else f"BROKEN at {result.broken_at}: {result.problem}"
                print(f"{venue.slug}: {result.entries} entries, {state}")
    finally:
        await engine.dispose()
    return ok


async def _pair(url: str, slug: str, name: str, kind: str) -> str:
    """A one-time pairing code for a device of the venue (audited)."""
    from pos_service.audit import service as audit
    from pos_service.core.auth import Caller
    from pos_service.core.db import create_engine, session_factory
    from pos_service.devices import service as devices
    from pos_service.venues import service as venues

    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine)() as session, session.begin():
            venue = await venues.by_slug(session, slug)
            made = await devices.make_pairing(session, venue.id, name, kind)
            actor = Caller(kind="staff", venue_id=venue.id, name="command line")
            await audit.record(
                session, actor, "device.pairing_created", f"pairing:{name}", {"kind": kind}
            )
    finally:
        await engine.dispose()
    return made.code


PING_INTERVAL = 10.0


def parser() -> argparse.ArgumentParser:
    """The command line; defaults read from the environment now."""
    parser = argparse.ArgumentParser(prog="pos-service", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server (applies pending migrations)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="seed the demo venue first")
    serve.add_argument(
        "--log-format",
        choices=get_args(LogFormat),
        default=os.environ.get("POS_LOG_FORMAT"),
        help="console, plain or json (default: $POS_LOG_FORMAT, else console with --demo, "
        "plain without)",
    )
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=_env_flag("POS_ACCESS_LOG"),
        help="log every request (default: $POS_ACCESS_LOG, else on with --demo only)",
    )
    sub.add_parser("migrate", help="apply pending migrations")
    sub.add_parser("demo", help="seed the demo venue (idempotent)")
    verify = sub.add_parser("verify-journal", help="check the hash chain of the journal")
    verify.add_argument("--venue", help="the venue's slug (default: every venue)")
    pair = sub.add_parser("pair", help="print a one-time code that pairs a device")
    pair.add_argument("--venue", default="demo", help="the venue's slug (default: demo)")
    pair.add_argument("--name", required=True, help="the device's name, e.g. 'Kitchen screen'")
    pair.add_argument(
        "--kind",
        default="handheld",
        choices=["handheld", "kitchen", "host", "printer", "manager"],
        help="what the device is (default: handheld)",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)

    settings = Settings.from_env()
    if args.command == "migrate":
        _prepare(settings, demo=False, check_head=False)
    elif args.command == "demo":
        _prepare(settings, demo=True)
    elif args.command == "verify-journal":
        url = _prepare(settings, demo=False)
        sys.exit(0 if asyncio.run(_verify_journal(url, args.venue)) else 1)
    elif args.command == "pair":
        url = _prepare(settings, demo=False)
        code = asyncio.run(_pair(url, args.venue, args.name, args.kind))
        print(f"Pairing code for {args.name!r} at {args.venue}: {code} (valid 10 minutes)")
    elif args.command == "serve":
        _serve(settings, args)
    sys.exit(0)


def _env_flag(name: str) -> bool | None:
    raw = os.environ.get(name)
    return None if raw is None else raw.lower() not in ("", "0", "false", "no", "off")


def logging_of(args: argparse.Namespace) -> tuple[LogFormat, bool]:
    """``serve``'s log format and whether it logs every request."""
    log_format: LogFormat = args.log_format or ("console" if args.demo else "plain")
    return log_format, args.demo if args.access_log is None else args.access_log


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    url = _prepare(settings, demo=args.demo)
    log_format, access_log = logging_of(args)
    # Workers (and reloads) reach the same database and signing key, and log alike.
    os.environ["DATABASE_URL"] = url
    if settings.secret_key_file is not None:  # workers read the secret from its file
        os.environ["POS_SECRET_KEY_FILE"] = str(settings.secret_key_file.resolve())
    os.environ["POS_LOG_FORMAT"] = log_format
    if args.demo:
        os.environ["POS_DEMO"] = "1"
    uvicorn.run(
        "pos_service.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=access_log,
        proxy_headers=False,
        # a screen that stops answering pings is dropped within 20 s
        ws_ping_interval=PING_INTERVAL,
        ws_ping_timeout=PING_INTERVAL,
        # live messages are small JSON: compressing each one for each socket would cost
        # CPU per event and about 40 KiB of zlib state per browser screen
        ws_per_message_deflate=False,
    )


if __name__ == "__main__":
    main()
