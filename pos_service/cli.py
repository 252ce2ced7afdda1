"""``pos-service serve | init | migrate | demo | verify-journal | pair``.

``serve`` on a database without a venue (and without ``--demo``) prints a one-time setup
code for ``/app/setup``; ``init`` sets the first venue up from the command line instead.

``serve`` starts quickly: Alembic is imported only when the database is behind the head
revision (see ``pos_service.migrations.upgrade_if_behind``), and the application is
imported once, by the supervisor, and the workers forked from it, beside one process for
the scheduled tasks (``pos_service.supervisor``).
Without ``--demo`` it logs for production (``plain`` lines, no access log); with it, as
for development (``console``, with the access log). ``--log-format``/``POS_LOG_FORMAT``
and ``--access-log``/``POS_ACCESS_LOG`` choose otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
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
            await demo.seed_all(session, security)
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


async def _audit_file(url: str, slug: str, start: dt.date, end: dt.date, output: Path) -> int:
    """Write the venue's audit file of the closed days ``start`` to ``end``; its size."""
    from pos_service.auditfile import service
    from pos_service.core.db import create_engine, now_utc, session_factory

    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine)() as session, session.begin():
            body = await service.audit_file_for(session, slug, start, end, now_utc())
    finally:
        await engine.dispose()
    await asyncio.to_thread(output.write_bytes, body)
    return len(body)


def percent_ppm(text: str) -> int:
    """``"8.875"`` (percent) -> 88750 parts per million, without floating point."""
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text.strip().rstrip("%")) * 10_000
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if value != value.to_integral_value() or not 0 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"not a percentage with up to 4 decimals: {text!r}")
    return int(value)


def tax_rate(text: str) -> dict[str, object]:
    """``food=7`` -> ``{"name": "food", "rate_ppm": 70000}``."""
    name, sep, rate = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=PERCENT, e.g. food=7: {text!r}")
    return {"name": name.strip(), "rate_ppm": percent_ppm(rate)}


# init's questions: (option, prompt); the owner's PIN is asked without echo
INIT_FIELDS = [
    ("name", "Venue name"),
    ("slug", "Sign-in name of the venue (lower case, e.g. trattoria)"),
    ("currency", "Currency (ISO code, e.g. EUR)"),
    ("timezone", "Timezone (e.g. Europe/Berlin)"),
    ("tax_mode", "Prices include tax? inclusive or exclusive"),
    ("owner_name", "Your name"),
]


def init_request(args: argparse.Namespace, ask: Callable[[str], str] | None) -> dict[str, object]:
    """The venue and owner ``init`` creates, from the flags, asking ``ask`` for what is
    missing (None: nothing may be missing)."""
    values = vars(args)
    for option, question in INIT_FIELDS:
        if not values.get(option):
            if ask is None:
                raise SystemExit(f"pos-service init: --{option.replace('_', '-')} is required")
            values[option] = ask(f"{question}: ").strip()
    if not values.get("tax_rate"):
        if ask is None:
            raise SystemExit("pos-service init: at least one --tax-rate NAME=PERCENT is required")
        values["tax_rate"] = [tax_rate(ask("Tax rate NAME=PERCENT (e.g. food=7): "))]
    if not values.get("owner_pin"):
        values["owner_pin"] = os.environ.get("POS_OWNER_PIN", "")
    if not values["owner_pin"]:
        if ask is None:
            raise SystemExit("pos-service init: --owner-pin or $POS_OWNER_PIN is required")
        import getpass

        values["owner_pin"] = getpass.getpass("Your PIN (4 to 8 digits): ")
    return {
        "venue": {
            "name": values["name"],
            "slug": values["slug"],
            "currency": str(values["currency"]).upper(),
            "timezone": values["timezone"],
            "locale": values["locale"],
            "tax_mode": values["tax_mode"],
            "tax_rates": values["tax_rate"],
            "day_cutoff": values["cutoff"],
            "service_charge": {
                "rate_bp": values["service_charge"] // 100,
                "min_covers": values["service_charge_min_covers"],
            },
        },
        "owner": {"name": values["owner_name"], "pin": values["owner_pin"]},
    }


async def _init(settings: Settings, url: str, request: dict[str, object]) -> str:
    """Create the first venue and its owner; what to tell the owner."""
    import msgspec

    from pos_service.core.auth import PinHasher, TokenSigner
    from pos_service.core.db import create_engine, session_factory
    from pos_service.core.errors import DomainError
    from pos_service.setup import service
    from pos_service.setup.schemas import OwnerCreate
    from pos_service.staff.service import Security
    from pos_service.venues.schemas import VenueCreate

    try:
        venue = msgspec.convert(request["venue"], VenueCreate, strict=False)
        owner = msgspec.convert(request["owner"], OwnerCreate)
    except msgspec.ValidationError as exc:
        raise SystemExit(f"pos-service init: {exc}") from None
    engine = create_engine(url, pool_size=1)
    security = Security(
        TokenSigner(settings.secret_key),
        PinHasher(settings.argon2_time_cost, settings.argon2_memory_kib),
        token_ttl=0,
        approval_ttl=0,
    )
    try:
        async with session_factory(engine)() as session, session.begin():
            if not (await service.status(session)).needed:
                raise SystemExit("pos-service init: this server has a venue already")
            try:
                row, member, _, _ = await service.create_first_venue(
                    session, security, venue, owner, enrol_device=False
                )
            except DomainError as exc:
                raise SystemExit(f"pos-service init: {exc.field}: {exc.detail}") from None
    finally:
        await engine.dispose()
    return (
        f"Venue {row.name!r} is ready. Start `pos-service serve`, make a pairing code with "
        f"`pos-service pair --venue {row.slug} --name 'Office' --kind manager`, pair the "
        f"browser at /app/manager with it, and sign in with {member.name}'s PIN."
    )


def _issue_setup_code(url: str, host: str, port: int) -> None:
    """On a database without a venue, print a fresh setup code for ``/app/setup``."""
    from pos_service.setup import code

    issued = asyncio.run(code.issue(url))
    if issued is not None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        print(code.banner(issued, f"http://{shown}:{port}"), file=sys.stderr, flush=True)


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
        "--in-process",
        action="store_true",
        help="one worker in this process, the scheduled tasks in it too, no fork "
        "(for a profiler or a debugger; --workers is ignored)",
    )
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
    init = sub.add_parser(
        "init", help="set up the first venue and its owner (asks for what the flags lack)"
    )
    init.add_argument("--name", help="the venue's name")
    init.add_argument("--slug", help="the venue's sign-in name, e.g. trattoria")
    init.add_argument("--currency", help="ISO 4217 code, e.g. EUR")
    init.add_argument("--timezone", help="IANA name, e.g. Europe/Berlin")
    init.add_argument("--locale", default="en", help="en, nl or de (default en)")
    init.add_argument("--tax-mode", choices=["inclusive", "exclusive"])
    init.add_argument(
        "--tax-rate",
        type=tax_rate,
        action="append",
        help="NAME=PERCENT, repeatable, e.g. --tax-rate food=7 --tax-rate drinks=19",
    )
    init.add_argument("--cutoff", default="04:00:00", help="the business day's end, HH:MM:SS")
    init.add_argument(
        "--service-charge", type=percent_ppm, default=0, help="percent on large tables"
    )
    init.add_argument("--service-charge-min-covers", type=int, default=0)
    init.add_argument("--owner-name")
    init.add_argument("--owner-pin", help="4 to 8 digits (or $POS_OWNER_PIN; else asked)")
    init.add_argument(
        "--no-input", action="store_true", help="never ask: fail on what the flags lack"
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
    audit = sub.add_parser(
        "audit-file", help="write the SAF-T Cash Register file of closed business days"
    )
    audit.add_argument("--venue", default="demo", help="the venue's slug (default: demo)")
    audit.add_argument(
        "--from", dest="start", required=True, type=dt.date.fromisoformat, help="first day"
    )
    audit.add_argument(
        "--to", dest="end", required=True, type=dt.date.fromisoformat, help="last day"
    )
    audit.add_argument("--output", required=True, type=Path, help="the file to write")
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
    elif args.command == "audit-file":
        url = _prepare(settings, demo=False)
        size = asyncio.run(_audit_file(url, args.venue, args.start, args.end, args.output))
        print(f"Wrote {args.output} ({size} bytes)")
    elif args.command == "init":
        url = _prepare(settings, demo=False)
        ask = None if args.no_input or not sys.stdin.isatty() else input
        print(asyncio.run(_init(settings, url, init_request(args, ask))))
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
    url = _prepare(settings, demo=args.demo)
    if not args.demo:
        _issue_setup_code(url, args.host, args.port)
    log_format, access_log = logging_of(args)
    # Workers (and reloads) reach the same database and signing key, and log alike.
    os.environ["DATABASE_URL"] = url
    if settings.secret_key_file is not None:  # workers read the secret from its file
        os.environ["POS_SECRET_KEY_FILE"] = str(settings.secret_key_file.resolve())
    os.environ["POS_LOG_FORMAT"] = log_format
    if args.demo:
        os.environ["POS_DEMO"] = "1"
    from pos_service import supervisor

    status = supervisor.serve(
        Settings.from_env(),
        0 if args.in_process else args.workers,
        host=args.host,
        port=args.port,
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
    if status:
        sys.exit(status)


if __name__ == "__main__":
    main()
