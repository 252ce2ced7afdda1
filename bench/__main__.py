"""``python -m bench run [--quick] [--scenario NAME ...] [--repeat N] [--workers N]``,
``python -m bench profile``, ``python -m bench statements``. See bench/README.md."""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Callable

from bench import env, fanout, kitchen, printing, report, startup, venues
from bench.context import Context
from bench.stats import Figure

Scenario = Callable[[Context], list[Figure]]

SCENARIOS: dict[str, tuple[str, Scenario]] = {
    # name: (title, function)
    "kitchen": ("1. Order to kitchen", kitchen.order_to_kitchen),
    "ceiling": ("2. Ceiling and the database's floor", kitchen.ceiling),
    "fanout": ("3. Fan-out and memory per socket", fanout.fanout),
    "catchup": ("4. Catch-up after a gap", fanout.catch_up),
    "bill": ("5. A split bill under load", kitchen.bill_split),
    "printing": ("6. Ticket render and printer hand-off", printing.printing),
    "startup": ("7. Start-up", startup.startup),
    "venues": ("9. A venue's devices", venues.venue_devices),
}
ORDER = list(SCENARIOS)
REFETCH = {"venues": "venues-refetch"}  # recorded apart: both models are reported
RECORDED = [*ORDER, *REFETCH.values()]
WITHOUT_SERVER = {"printing", "startup"}
VENUES = 10


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run scenarios and update BENCHMARKS.md")
    run.add_argument("--quick", action="store_true", help="short phases, one repeat (smoke)")
    run.add_argument("--scenario", action="append", choices=ORDER, help="only these (repeatable)")
    run.add_argument("--repeat", type=int, help="runs of each scenario (default 3, quick 1)")
    run.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="server workers")
    run.add_argument(
        "--refetch",
        action="store_true",
        help="venues: pages re-read on every event (as before they applied events)",
    )
    run.add_argument(
        "--venues",
        type=lambda v: tuple(int(n) for n in v.split(",")),
        default=(),
        help="venues: how many venues, comma-separated (default 1,10,100)",
    )
    profile = sub.add_parser("profile", help="profile one worker under the order-to-kitchen load")
    profile.add_argument("--rate", type=float, default=200)
    profile.add_argument("--seconds", type=float, default=20)
    sub.add_parser("statements", help="print the SQL one send issues")
    sub.add_parser(
        "txpath",
        help="CPU per send, split, fire, bump, added line and cash payment in process: "
        "lean against a session",
    )
    request = sub.add_parser(
        "request", help="CPU per hot request in process, by layer (middleware, DI, work)"
    )
    request.add_argument("--blocks", type=int, default=5, help="blocks of each way")
    return parser


def run(
    names: list[str],
    *,
    quick: bool,
    repeat: int,
    workers: int,
    refetch: bool = False,
    venue_sizes: tuple[int, ...] = (),
) -> int:
    """Run ``names`` on a fresh database and server; returns how many scenarios failed."""
    env.raise_open_files()
    load = os.getloadavg()[0]
    if load > 0.5 * (os.cpu_count() or 1):
        print(f"warning: load average {load:.1f}: the machine is busy, figures will suffer")
    results = report.load()
    url = env.fresh_database()
    env.run(env.seed(url, VENUES))
    results["machine"] = env.machine(env.run(env.postgres_version(url)))
    results["commands"] = [
        ".venv/bin/python -m bench run" + (" --quick" if quick else ""),
        f"(server: pos-service serve --workers {workers}, embedded PostgreSQL under "
        "var/bench-postgres, fsync on)",
    ]
    failures = 0
    for name in names:
        title, scenario = SCENARIOS[name]
        began = time.monotonic()
        print(f"== {title}", flush=True)
        # each scenario gets a server of its own: an overloaded one cannot spoil the next
        with env.Server(url, workers=workers, log_name=name) as server:
            size = "quick" if quick else "full"
            ctx = Context(url, server, [], size, repeat, refetch=refetch, venue_sizes=venue_sizes)
            try:
                if name not in WITHOUT_SERVER:
                    server.start()
                    server.wait_workers()
                    ctx.venues = env.run(env.venues(url, server.url, VENUES))
                figures = scenario(ctx)
            except Exception:
                failures += 1
                traceback.print_exc()
                ctx.notes.append(f"the run failed: {traceback.format_exc().splitlines()[-1]}")
                figures = []
        for figure in figures:
            print("   " + " | ".join(figure.as_row()), flush=True)
        took = f"{time.monotonic() - began:.0f} s"
        options = {"repeats": repeat, "quick": quick, "workers": workers, "took": took}
        options["command"] = " ".join([".venv/bin/python -m bench", *sys.argv[1:]])
        if refetch and name in REFETCH:
            name, title = REFETCH[name], f"{title}, pages re-reading on every event"
        report.record(results, name, title, figures, ctx.notes, options)
        report.save(results, RECORDED)
    return failures


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "statements":
        from bench import statements

        statements.main()
    elif args.command == "txpath":
        from bench import txpath

        txpath.main()
    elif args.command == "request":
        from bench import request

        request.main(args.blocks)
    elif args.command == "profile":
        from bench import profile

        profile.main(args.rate, args.seconds)
    else:
        names = args.scenario or ORDER
        repeat = args.repeat or (1 if args.quick else 3)
        failed = run(
            names,
            quick=args.quick,
            repeat=repeat,
            workers=args.workers,
            refetch=args.refetch,
            venue_sizes=args.venues,
        )
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
