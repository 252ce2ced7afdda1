"""``python -m bench profile``: one server worker under pyinstrument while the order-to-kitchen
load runs; the report goes to ``var/bench/profile.txt`` .

One worker, so the profile holds every request; its figures are those of a profiled,
single process (slower than the real run), useful for the shares, not the totals.
"""

from __future__ import annotations

import sys
import time

from pyinstrument.renderers import ConsoleRenderer
from pyinstrument.session import Session

from bench import env
from bench.context import Context

VENUES = 10


def main(rate: float, seconds: float) -> None:
    env.raise_open_files()
    url = env.fresh_database("bench_profile")
    env.run(env.seed(url, VENUES))
    saved = env.VAR / "profile.pyisession"
    with env.Server(url, workers=1, log_name="profile") as server:
        command = server.command()
        profiled = [
            sys.executable,
            "-m",
            "pyinstrument",
            "-r",
            "session",
            "-o",
            str(saved),
            "-m",
            *command[2:],
            "--in-process",  # the worker is this process: the profiler sees its requests
        ]
        server.start(profiled)
        venues = env.run(env.venues(url, server.url, VENUES))
        ctx = Context(url, server, venues, "full", 1)
        with ctx.fleet() as fleet:
            pools, expected = ctx.prepare(int(rate * seconds))
            began = time.monotonic()
            result = fleet.phase(rate, seconds, pools, expected)
            took = time.monotonic() - began
        ok = sum(c.status == 200 for c in result.sends)
        print(f"{ok} sends in {took:.1f} s under the profiler")
    session = Session.load(str(saved))
    tree = ConsoleRenderer(unicode=True, color=False, short_mode=True).render(session)
    flat = ConsoleRenderer(unicode=True, color=False, flat=True, show_all=True).render(session)
    (env.VAR / "profile.txt").write_text(tree)
    (env.VAR / "profile-flat.txt").write_text(flat)
    print("\n".join(flat.splitlines()[:40]))
    print(f"profile: {env.VAR / 'profile.txt'} (tree), {env.VAR / 'profile-flat.txt'} (own time)")
