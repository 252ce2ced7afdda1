"""Each benchmark scenario still runs and produces numbers (tiny sizes; speed is not asserted).

The scenarios run against this worker's test database and a real ``pos-service serve``
subprocess, as ``python -m bench run`` does on its own embedded PostgreSQL.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from bench import env, fanout, kitchen, printing, startup, venues
from bench.context import Context
from bench.stats import Figure
from pos_service.kitchen.service import _send as send
from tests.support import database

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def bench(worker_id: str) -> Iterator[Context]:
    url = database.worker_database(f"bench_{worker_id}")
    env.run(env.seed(url, 2))
    with env.Server(url, workers=1, pool_size=4, log_name="smoke") as server:
        server.start()
        venues = env.run(env.venues(url, server.url, 2))
        yield Context(url, server, venues, "smoke", 1)


def measured(figures: list[Figure], *names: str) -> dict[str, float]:
    """The figures named (or whose name starts so), each with one finite value."""
    found = {}
    for name in names:
        figure = next((f for f in figures if f.name.startswith(name)), None)
        assert figure is not None, (name, [f.name for f in figures])
        assert len(figure.values) == 1 and math.isfinite(figure.median), name
        found[name] = figure.median
    return found


def test_order_to_kitchen_measures_every_rate(bench: Context) -> None:
    figures = kitchen.order_to_kitchen(bench)
    got = measured(
        figures,
        "50/s: send to screens p50",
        "200/s: send to screens p99",
        "400/s: sends completed per second",
        "400/s: lost (sent, never on a screen)",
    )
    assert got["400/s: lost (sent, never on a screen)"] == 0
    assert got["400/s: sends completed per second"] > 0


def test_ceiling_measures_the_server_and_the_floor(bench: Context) -> None:
    figures = kitchen.ceiling(bench)
    got = measured(
        figures,
        "ceiling: sends/s with p99 <= 50 ms",
        "floor: same statements, plain asyncpg, no HTTP",
        "ceiling / floor",
        "prototype: the send as one round trip, plain asyncpg",
    )
    assert got["floor: same statements, plain asyncpg, no HTTP"] > 0
    assert got["prototype: the send as one round trip, plain asyncpg"] > 0


def test_fanout_reaches_every_socket(bench: Context) -> None:
    figures = fanout.fanout(bench)
    got = measured(
        figures,
        "one event to 20 sockets: last one has it",
        "one event to 60 sockets: last one has it",
        "server memory per idle subscribed socket",
        "sockets that never got the event",
    )
    assert got["sockets that never got the event"] == 0
    share = next(f for f in figures if f.name.startswith("share of the sockets"))
    assert share.values == [100.0]  # the smoke server's one worker holds every socket
    assert share.note.startswith("sockets per worker: ")


def test_venue_devices_reach_every_screen_applying_events(bench: Context) -> None:
    got = measured(
        venues.venue_devices(bench),
        "2 venues, apply: send to every screen, p99 of sends",
        "2 venues, apply: send to a kitchen screen p99",
        "2 venues, apply: screens' HTTP reads per send",
        "2 venues, apply: CPU with screens / without",
        "2 venues, apply: server memory per socket",
        "2 venues, apply: failed (sockets, reads, sends, unreached)",
    )
    assert got["2 venues, apply: failed (sockets, reads, sends, unreached)"] == 0
    # applying events, the screens read only on start: no read per send
    assert got["2 venues, apply: screens' HTTP reads per send"] == 0


def test_venue_devices_refetching_read_on_every_event(bench: Context) -> None:
    bench.refetch = True
    try:
        got = measured(
            venues.venue_devices(bench),
            "1 venue, refetch: send to a re-read screen p99",
            "1 venue, refetch: screens' HTTP reads per send",
            "1 venue, refetch: failed (sockets, reads, sends, unreached)",
        )
    finally:
        bench.refetch = False
    assert got["1 venue, refetch: failed (sockets, reads, sends, unreached)"] == 0
    assert got["1 venue, refetch: screens' HTTP reads per send"] > 0


def test_catch_up_replays_the_missed_events(bench: Context) -> None:
    measured(fanout.catch_up(bench), "reconnect to caught up, median of 5")


def test_bill_split_measures_split_and_bill(bench: Context) -> None:
    got = measured(
        kitchen.bill_split(bench),
        "split 50 lines 7 ways p99 (under 200 sends/s)",
        "read the split bill p99",
        "split or bill calls failed",
    )
    assert got["split or bill calls failed"] == 0


def test_printing_render_and_handoff(bench: Context) -> None:
    measured(
        printing.printing(bench),
        "render a 5-item kitchen ticket (median)",
        "render it from its print job, as claimed (median)",
        "deliver to the fake printer, p99",
    )


def test_startup_to_healthy(bench: Context) -> None:
    (figure,) = startup.startup(bench)
    assert len(figure.values) == 1 and figure.values[0] > 0


def test_statements_show_the_send_as_the_database_sees_it(worker_id: str) -> None:
    from bench import statements

    url = database.worker_database(f"bench_statements_{worker_id}")
    sent = [statement for _, statement in env.run(statements.capture(url))]
    assert sent[0].startswith("BEGIN")
    assert [s for s in sent if "kitchen_send" in s] == [send.OPEN, send.WRITE]
    assert sent.index("COMMIT;") < next(i for i, s in enumerate(sent) if "pg_notify" in s)


def test_request_layers_are_measured_in_process(worker_id: str) -> None:
    from bench import request

    url = database.worker_database(f"bench_request_{worker_id}")
    results = env.run(request.measure(url, blocks=1, block=3, split_block=2))

    assert results["failed"] == []  # every request and probe was answered 200
    for name in ("send", "split", "read"):
        found = results[name]
        ways = {"request", "signature", "work", "stack", "driver"}
        ways |= {"litestar", "lean signature"} if name != "read" else set()
        assert set(found["found"]) == ways
        assert all(len(v) == 1 and v[0] > 0 for v in found["found"].values()), found
        assert all(math.isfinite(value) for value in found["layers"].values())
        profiled = dict(found["profile"])
        assert profiled["authentication (token, session guard)"] > 0
        assert profiled["our handler (with the work)"] > 0
    assert "saved by @lean, no work (signature - lean signature)" in results["send"]["layers"]
