"""A hot request's CPU in process, layer by layer: ``python -m bench request``.

The real application (``create_app``, its lifespan, on the benchmark's embedded
PostgreSQL) is called through its ASGI interface by a minimal driver in the same
process: no socket, no uvicorn, no HTTP parser. For each hot request (the send
``POST /api/checks/{id}/send``, the split of a 50-line bill 7 ways
``POST /api/checks/{id}/split``, the read ``GET /api/checks/{id}``) blocks of the same
request alternate with blocks of probes that stop at a layer, and the process's CPU time
per request is reported for each:

- ``driver``: an ASGI callable that answers at once (what the driver itself costs);
- ``stack``: a route under ``/api/`` with the same middleware and role guard and no
  parameters, answering fixed bytes: the middleware stack (authentication and the session
  guard, ``OPTIONS``, CORS, the input guard, the security headers, exception handling),
  routing, the handler call and the response;
- ``signature``: the same, with the real route's parameters (``uow``, the path id, the
  JSON body decoded into its Struct): Litestar's dependency injection and signature
  parsing;
- ``work``: the route's work alone, no HTTP (the write on ``core.tx.run``; the read and
  its encoding);
- for the lean routes (the send, the split): ``lean signature``, the route's parameters
  made by ``@lean`` and answering at once, and ``litestar``, the same handler as the
  route with its arguments made by Litestar (the route as it was before ``@lean``);
- the request itself.

Differences give the layers: middleware and routing = stack - driver; DI and decoding =
signature - stack (``@lean``'s: lean signature - stack); the rest of the handler and its
response = request - (lean) signature - work.
Blocks alternate so that a busy machine slows every way alike; medians of the blocks are
reported. Then one more block of each request runs under ``cProfile`` (CPU clock) and
the named functions' cumulative CPU per request is printed (inflated by the profiler:
read them as shares).
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench import env

BLOCK = 40
BLOCKS = 5
SPLIT_BLOCK = 10

Call = Callable[[int, int], Awaitable[None]]
"""One measured thing: ``call(check_id, n)`` (``n`` numbers the idempotency keys)."""


class Driver:
    """Calls an ASGI app as a server would, in process; keeps the last answer."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.status = 0
        self.body = b""
        self.headers: list[tuple[bytes, bytes]] = []

    async def __call__(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> int:
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        if body:
            raw += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), *raw],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)  # a client that waits for its answer
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        chunks: list[bytes] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                self.headers = list(message.get("headers", ()))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        self.body = b"".join(chunks)
        return self.status


async def _instant(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}", "more_body": False})


@dataclass
class Request:
    """One hot request and its probes."""

    name: str
    method: str
    path: str  # with {id}
    body: Callable[[int], bytes]
    work: Call
    block: int = BLOCK
    litestar: bool = False
    """A lean route: also the same handler with its arguments made by Litestar (the route
    before ``@lean``), and the parameters made by ``@lean`` answering at once, on probe
    routes."""
    found: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class Bench:
    url: str
    app: Any
    drive: Driver
    headers: dict[str, str]
    venue: Any
    caller: Any
    seen: list[tuple[str, int]] = field(default_factory=list)
    lines: dict[int, list[int]] = field(default_factory=dict)
    serial: int = 0

    async def checks(self, request: Request, count: int) -> list[int]:
        """Fresh checks for ``count`` calls of ``request`` (not timed)."""
        if request.name == "send":
            return await env.prepare_checks(self.url, self.venue, count)
        if request.name == "split":
            from bench import floor
            from bench.kitchen import BILL_LINES, BILL_WAYS

            seats = [(i % BILL_WAYS) + 1 for i in range(BILL_LINES)]
            names = list(self.venue.items)
            lines = [(names[i % len(names)], seat) for i, seat in enumerate(seats)]
            checks = await env.prepare_checks(self.url, self.venue, count, lines)
            self.lines = await floor.sent_lines(self.url, self.venue.id, checks)
            return checks
        return (await env.prepare_checks(self.url, self.venue, 1)) * count

    def ways(self, request: Request) -> dict[str, Call]:
        """Each way of the request, from the whole request down to the driver alone."""
        drive, headers = self.drive, self.headers
        stack_method = "GET" if request.method == "GET" else "POST"

        def http(path: str, keyed: bool = True) -> Call:
            async def call(check_id: int, n: int) -> None:
                extra = {"Idempotency-Key": f"{request.name}-{n}"} if keyed else {}
                body = request.body(check_id) if request.method != "GET" else b""
                status = await drive(
                    request.method, path.format(id=check_id), {**headers, **extra}, body
                )
                self.seen.append((path, status))

            return call

        async def stack(check_id: int, n: int) -> None:
            status = await drive(stack_method, "/api/bench-probe/stack", headers, b"")
            self.seen.append(("stack", status))

        async def driver(check_id: int, n: int) -> None:
            await Driver(_instant)("POST", "/", headers, b"")

        keyed = request.method != "GET"
        probe = request.path.replace("/api/checks/", "/api/bench-probe/")
        litestar = (
            {
                "litestar": http(probe + "/litestar", keyed),
                "lean signature": http(probe + "/lean", keyed),
            }
            if request.litestar
            else {}
        )
        return {
            "request": http(request.path, keyed),
            **litestar,
            "signature": http(probe, keyed),
            "work": request.work,
            "stack": stack,
            "driver": driver,
        }

    async def measure(self, request: Request, blocks: int) -> None:
        ways = self.ways(request)
        request.found = {way: [] for way in ways}
        for n in range(blocks + 1):  # the first round warms every way up
            order = list(ways) if n % 2 else list(reversed(ways))
            for way in order:
                checks = await self.checks(request, request.block)
                started = time.process_time()
                for check_id in checks:
                    self.serial += 1  # numbers every idempotency key of the run
                    await ways[way](check_id, self.serial)
                await self.app.state.publisher.flushed()
                if n:
                    used = time.process_time() - started
                    request.found[way].append(used * 1000 / request.block)

    async def profile(self, request: Request) -> pstats.Stats:
        """One block of the request under cProfile on the CPU clock."""
        call = self.ways(request)["request"]
        checks = await self.checks(request, request.block)
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for check_id in checks:
            self.serial += 1
            await call(check_id, self.serial)
        await self.app.state.publisher.flushed()
        profiler.disable()
        return pstats.Stats(profiler)


# (label, module path fragment, function name): cumulative CPU under cProfile
PROFILED = [
    ("authentication (token, session guard)", "core/auth.py", "authenticate_request"),
    ("  token verified", "core/auth.py", "verify"),
    ("  session guard", "core/sessions.py", "refusal"),
    ("input guard (depth, NUL)", "core/hardening.py", "guard_input"),
    ("security headers", "core/hardening.py", "__call__"),
    ("role guard", "core/auth.py", "guard"),
    ("the lean call (arguments, then the handler)", "core/lean.py", "__call__"),
    ("Litestar: kwargs from the request", "litestar/_kwargs/kwargs_model.py", "to_kwargs"),
    ("Litestar: dependencies", "litestar/_kwargs/kwargs_model.py", "resolve_dependencies"),
    ("  the unit of work built", "core/uow.py", "unit_of_work"),
    (
        "Litestar: signature parsed",
        "litestar/_signature/model.py",
        "parse_values_from_connection_kwargs",
    ),
    ("our handler (with the work)", "kitchen/controller.py", "send"),
    ("our handler (with the work)", "payments/controller.py", "split"),
    ("our handler (with the work)", "orders/controller.py", "get_check"),
    ("the write (core.tx.run)", "core/tx.py", "run"),
    ("Litestar: to_response", "litestar/handlers/http_handlers/base.py", "to_response"),
    ("the response sent", "litestar/response/base.py", "__call__"),
]


def profiled(stats: pstats.Stats, count: int) -> list[tuple[str, float]]:
    """The :data:`PROFILED` functions' cumulative CPU milliseconds per request."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    found: list[tuple[str, float]] = []
    for label, where, name in PROFILED:
        total = sum(
            value[3]
            for (path, _line, function), value in raw.items()
            if function == name and where in path.replace("\\", "/")
        )
        if total:
            found.append((label, total * 1000 / count))
    return found


def layers(found: dict[str, list[float]]) -> dict[str, float]:
    """The layers' CPU per request (medians of the blocks), by difference."""
    m = {way: statistics.median(values) for way, values in found.items()}
    arguments = m.get("lean signature", m["signature"])
    return {
        "whole request": m["request"] - m["driver"],
        "middleware, routing, handler call, response (no parameters)": m["stack"] - m["driver"],
        "Litestar's dependency injection, path and body parsed": m["signature"] - m["stack"],
        **(
            {
                "@lean's arguments (the same, made by the lean call)": arguments - m["stack"],
                "saved by @lean, no work (signature - lean signature)": (
                    m["signature"] - m["lean signature"]
                ),
                "saved by @lean, whole request (litestar - request)": (
                    m["litestar"] - m["request"]
                ),
            }
            if "litestar" in m
            else {}
        ),
        "the work alone (no HTTP)": m["work"],
        "the rest: handler, answer bytes to a response": m["request"] - arguments - m["work"],
    }


async def measure(
    url: str, blocks: int = BLOCKS, block: int = BLOCK, split_block: int = SPLIT_BLOCK
) -> dict[str, Any]:
    """Every hot request's ways, block by block, then one profiled block each."""
    import msgspec

    from bench.kitchen import BILL_LINES, BILL_WAYS
    from pos_service.app import create_app
    from pos_service.config import Settings
    from pos_service.core import idempotency, tx
    from pos_service.kitchen import service as kitchen
    from pos_service.orders import service as orders
    from pos_service.orders.schemas import CheckWrite
    from pos_service.payments import service as payments
    from pos_service.payments.schemas import SplitRequest

    await env.seed(url, 1)
    settings = Settings(
        database_url=url,
        secret_key=env.SECRET,
        var_dir=env.VAR,
        run_background=False,
        pool_size=4,
    )
    app = create_app(settings)
    from bench.probes import PROBES

    for probe in PROBES:
        app.register(probe)
    results: dict[str, Any] = {}
    async with app.lifespan():
        state = app.state
        drive = Driver(app)
        device = await env.enrol_device(url, "bench0")
        login = msgspec.json.encode({"venue": "bench0", "pin": "1111", "device": device})
        assert await drive("POST", "/api/auth/login", {}, login) == 200, drive.body
        token = msgspec.json.decode(drive.body)["token"]
        caller = state.signer.verify(token)
        venue = await _venue(url, caller.venue_id, caller.staff_id)
        bench = Bench(url, app, drive, {"Authorization": f"Bearer {token}"}, venue, caller)
        seats = [(i % BILL_WAYS) + 1 for i in range(BILL_LINES)]

        def split_of(check_id: int) -> SplitRequest:
            ids = bench.lines[check_id]
            assignment = {k: seat - 1 for k, seat in zip(ids, seats, strict=True)}
            return SplitRequest(mode="items", parts=BILL_WAYS, assignment=assignment)

        def write(fn: Any, request: Callable[[int], Any], path: str) -> Call:
            async def call(check_id: int, n: int) -> None:
                body = msgspec.json.encode(request(check_id))
                key = idempotency.scoped(caller, f"work-{n}")
                fingerprint = idempotency.request_hash("POST", path.format(id=check_id), body)
                await tx.run(
                    state.pool,
                    state.sessions,
                    state.publisher.published,
                    caller,
                    key,
                    fingerprint,
                    200,
                    fn,
                    check_id,
                    msgspec.json.decode(body, type=type(request(check_id))),
                )

            return call

        async def read(check_id: int, n: int) -> None:
            async with state.sessions() as session, session.begin():
                msgspec.json.encode(await orders.get_check(session, caller, check_id))

        send_path, split_path = "/api/checks/{id}/send", "/api/checks/{id}/split"
        requests = [
            Request(
                "send",
                "POST",
                send_path,
                lambda _c: b"{}",
                write(kitchen.send, lambda _c: CheckWrite(), send_path),
                block=block,
                litestar=True,
            ),
            Request(
                "split",
                "POST",
                split_path,
                lambda c: msgspec.json.encode(split_of(c)),
                write(payments.split, split_of, split_path),
                block=split_block,
                litestar=True,
            ),
            Request("read", "GET", "/api/checks/{id}", lambda _c: b"", read, block=block),
        ]
        for request in requests:
            await bench.measure(request, blocks)
            stats = await bench.profile(request)
            results[request.name] = {
                "found": request.found,
                "layers": layers(request.found),
                "profile": profiled(stats, request.block),
            }
        failed = [(path, status) for path, status in bench.seen if status != 200]
        results["failed"] = failed
    return results


def main(blocks: int = BLOCKS) -> None:
    import os

    url = env.fresh_database("bench_request")
    results = env.run(measure(url, blocks))
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for name in ("send", "split", "read"):
        found = results[name]
        print(f"== {name}: CPU per request, ms (median of {blocks} blocks)")
        for way, values in found["found"].items():
            print(
                f"   {way:10} {statistics.median(values):6.3f}   "
                f"(blocks: {', '.join(f'{v:.3f}' for v in values)})"
            )
        print("   layers:")
        for label, value in found["layers"].items():
            print(f"   {value:6.3f}  {label}")
        print("   under cProfile (CPU clock, inflated by the profiler), cumulative per request:")
        for label, value in found["profile"]:
            print(f"   {value:6.3f}  {label}")
    if results["failed"]:
        print(f"calls not answered 200: {len(results['failed'])}, e.g. {results['failed'][:3]}")


async def _venue(url: str, venue_id: int, waiter_id: int) -> env.Venue:
    from bench.statements import _items

    return env.Venue(venue_id, "bench0", {}, waiter_id, {}, await _items(url, venue_id))
