"""Scenarios on the send path: order to kitchen (1), the ceiling (2), a split bill under
load (5).

Every phase is open loop: sends start on schedule whether or not earlier ones have been
answered, so a slow server shows up as latency, not as a politely lower rate.
"""

from __future__ import annotations

from typing import Any

from bench import env, floor
from bench.context import Context
from bench.load import PhaseResult
from bench.stats import Figure, Target, percentile

WARM_UP = (50.0, 3.0)


def _ms(values: list[float], q: float) -> float:
    return percentile(values, q) * 1000


def _achieved(result: PhaseResult) -> float:
    """Sends per second actually completed over the phase's length."""
    ok = [c for c in result.sends if c.status == 200]
    if len(ok) < 2:
        return 0.0
    span = max(c.end for c in ok) - min(c.start for c in ok)
    return len(ok) / span if span > 0 else 0.0


def _errors(result: PhaseResult) -> int:
    scheduled = int(result.rate * result.duration)
    return sum(c.status != 200 for c in result.sends) + scheduled - len(result.sends)


def _phase(ctx: Context, fleet: Any, rate: float, duration: float, **kw: Any) -> PhaseResult:
    pools, expected = ctx.prepare(int(rate * duration))
    cpu = ctx.server.cpu_seconds()
    result: PhaseResult = fleet.phase(rate, duration, pools, expected, **kw)
    result.extra["cpu"] = [ctx.server.cpu_seconds() - cpu]  # type: ignore[list-item]
    if not ctx.server.wait_idle():
        ctx.notes.append(f"the server was still busy 120 s after the {rate:g}/s phase")
    return result


def order_to_kitchen(ctx: Context) -> list[Figure]:
    """Scenario 1: send to every station's screen at 50, 200 and 400 sends/s."""
    duration = ctx.pick(60, 5, 1)
    rates = (50, 200, 400)
    offered = ctx.pick(rates, rates, (5, 10, 20))
    runs: dict[int, list[PhaseResult]] = {r: [] for r in rates}
    for _ in range(ctx.repeat):
        with ctx.fleet() as fleet:
            _phase(ctx, fleet, *ctx.pick(WARM_UP, WARM_UP, (5, 1)))
            for rate, actual in zip(rates, offered, strict=True):
                runs[rate].append(_phase(ctx, fleet, actual, duration))
    figures = []
    for rate in rates:
        delivered = [r.delivery() for r in runs[rate]]
        p50 = Target(5) if rate == 200 else None
        p99 = Target(25) if rate == 200 else None
        lost_target = Target(0) if rate == 200 else None
        figures += [
            Figure(f"{rate}/s: send to screens p50", "ms", [_ms(d[0], 50) for d in delivered], p50),
            Figure(f"{rate}/s: send to screens p99", "ms", [_ms(d[0], 99) for d in delivered], p99),
            Figure(
                f"{rate}/s: HTTP answer p99",
                "ms",
                [_ms([c.seconds for c in r.sends if c.status == 200], 99) for r in runs[rate]],
            ),
            Figure(
                f"{rate}/s: sends completed per second", "/s", [_achieved(r) for r in runs[rate]]
            ),
            Figure(
                f"{rate}/s: lost (sent, never on a screen)",
                "",
                [d[1] for d in delivered],
                lost_target,
            ),
            Figure(
                f"{rate}/s: failed or not started (overload)",
                "",
                [_errors(r) for r in runs[rate]],
                lost_target,
            ),
            Figure(
                f"{rate}/s: server CPU per send",
                "ms",
                [
                    r.extra["cpu"][0] * 1000 / max(1, sum(c.status == 200 for c in r.sends))  # type: ignore[operator]
                    for r in runs[rate]
                ],
            ),
        ]
    return figures


CEILING_STEPS = tuple(5 * round(25 * 1.25**k / 5) for k in range(17))  # 25 ... 890/s
CEILING_P99 = 0.050


def _passes(result: PhaseResult) -> bool:
    latencies, lost = result.delivery()
    return (
        lost == 0
        and _errors(result) == 0
        and percentile(latencies, 99) <= CEILING_P99
        and _achieved(result) >= 0.95 * result.rate
    )


def ceiling(ctx: Context) -> list[Figure]:
    """Scenario 2: the highest rate whose every send reaches its screens with p99 <= 50 ms,
    and the same rows written by plain asyncpg (the database's floor)."""
    step = ctx.pick(10, 3, 1)
    steps = ctx.pick(CEILING_STEPS, CEILING_STEPS, CEILING_STEPS[:2])
    best: list[float] = []
    floors: list[float] = []
    one_trip: list[float] = []
    for _ in range(ctx.repeat):
        passed = 0.0
        with ctx.fleet() as fleet:
            _phase(ctx, fleet, *ctx.pick(WARM_UP, WARM_UP, (5, 1)))
            for rate in steps:
                if not _passes(_phase(ctx, fleet, rate, step)):
                    break
                passed = rate
        best.append(passed)
        floors.append(floor.measure(ctx.url, ctx.venues, seconds=step, shape="statements"))
        one_trip.append(floor.measure(ctx.url, ctx.venues, seconds=step, shape="one_trip"))
    ratios = [100 * b / f if f else 0.0 for b, f in zip(best, floors, strict=True)]
    return [
        Figure("ceiling: sends/s with p99 <= 50 ms", "/s", best, Target(400, at_least=True)),
        Figure(
            "floor: same statements, plain asyncpg, no HTTP", "/s", floors, note="16 connections"
        ),
        Figure("ceiling / floor", "%", ratios, Target(50, at_least=True)),
        Figure(
            "prototype: the send as one round trip, plain asyncpg",
            "/s",
            one_trip,
            note="bench/floor.py; not in the server",
        ),
    ]


BILL_LINES = 50
BILL_WAYS = 7


def bill_split(ctx: Context) -> list[Figure]:
    """Scenario 5: a 50-line bill split 7 ways by items and seats, under 200 sends/s."""
    duration = ctx.pick(30, 5, 2)
    rate = ctx.pick(200.0, 200.0, 5.0)
    split_rate = ctx.pick(10.0, 10.0, 2.0)
    split_ms: list[float] = []
    bill_ms: list[float] = []
    failed: list[float] = []
    for _ in range(ctx.repeat):
        side = _bill_checks(ctx, max(3, int(split_rate * (duration - 2))))
        with ctx.fleet() as fleet:
            _phase(ctx, fleet, *ctx.pick(WARM_UP, WARM_UP, (5, 1)))
            result = _phase(ctx, fleet, rate, duration, side={"rate": split_rate, "calls": side})
        splits, bills = result.extra.get("split", []), result.extra.get("bill", [])
        split_ms.append(_ms([c.seconds for c in splits if c.status == 200], 99))
        bill_ms.append(_ms([c.seconds for c in bills if c.status == 200], 99))
        failed.append(sum(c.status != 200 for c in splits + bills))
    return [
        Figure("split 50 lines 7 ways p99 (under 200 sends/s)", "ms", split_ms, Target(10)),
        Figure("read the split bill p99", "ms", bill_ms),
        Figure("split or bill calls failed", "", failed, Target(0)),
    ]


def _bill_checks(ctx: Context, count: int) -> list[tuple[int, int, dict[str, Any]]]:
    """Checks of 50 sent lines on seats 1-7, and each one's split request (not timed)."""
    calls = []
    seats = [(i % BILL_WAYS) + 1 for i in range(BILL_LINES)]
    names = list(ctx.venues[0].items)
    per_venue = count // len(ctx.venues) + 1
    for venue in ctx.venues:
        lines = [(names[i % len(names)], seat) for i, seat in enumerate(seats)]
        checks = env.run(env.prepare_checks(ctx.url, venue, per_venue, lines))
        line_ids = env.run(floor.sent_lines(ctx.url, venue.id, checks))
        for check_id in checks:
            ids = line_ids[check_id]
            body = {
                "mode": "items",
                "parts": BILL_WAYS,
                "assignment": {str(i): seat - 1 for i, seat in zip(ids, seats, strict=True)},
            }
            calls.append((venue.id, check_id, body))
    return calls[:count]
