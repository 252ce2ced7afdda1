"""The print agent: prints a venue's jobs on printers the server cannot reach.

    pos-print-agent --server http://pos.example:8000 --venue SLUG --pair CODE --pin PIN
    pos-print-agent --server http://pos.example:8000 --venue SLUG --pin PIN   (paired before)

Runs on a machine in the venue's network, for venues whose ``print_mode`` is ``agent``.
It claims due jobs over HTTP (``POST /api/print-jobs/claim``: the server marks them
``sending`` and hands over the ESC/POS bytes), prints each with
``printers.connections.attempt`` and acknowledges it over HTTP
(``POST /api/print-jobs/{id}/ack``, the answer that counts) and over the WebSocket (a
hint). It follows the ``printers`` topic of ``/ws`` with ``pos_service.client.LiveClient``
only to wake up: ``print.job`` events, and every (re)connection, start a round of claims;
a poll every ``--poll`` seconds covers a socket that is down. Jobs queued while the agent
is away wait in the server's queue and print when it is back.

The agent is an enrolled device: ``--pair`` trades a manager's one-time pairing code for
the device credential, kept in ``--device-file`` (mode 0600); it then signs in with the
PIN of a staff member with the ``printer`` role, and signs in again whenever its session
ends (expiry, a PIN or role change). Revoking the device stops it for good.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import msgspec

from pos_service.client import LiveClient, LiveClientRefused, State
from printers.connections import Attempt, Pool, Timeouts, attempt

log = logging.getLogger("printers.agent")

WAKE_TYPES = frozenset({"print.job", "print.queued", "print.requeued", "print.rerouted"})


class ServerError(Exception):
    """The server answered an agent call with an error status."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"{status} {body[:200]}")
        self.status = status
        self.body = body


class Api(Protocol):
    """How the agent calls the server: ``post`` a JSON body to a path, get the JSON answer."""

    async def post(self, path: str, body: dict[str, Any]) -> Any: ...


class HttpApi:
    """The server's HTTP API, called with the standard library in a worker thread."""

    def __init__(self, server: str, token: str, *, timeout: float = 10.0) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's --server
            self.server + path,
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise ServerError(exc.code, exc.read().decode("utf-8", "replace")) from None

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        return await asyncio.to_thread(self._post, path, body)


class Job(msgspec.Struct, frozen=True):
    """A claimed job as the server hands it over."""

    id: int
    printer_id: int
    printer: str
    connection: str
    address: str
    data: str


def ack_body(result: Attempt) -> dict[str, Any]:
    """The HTTP acknowledgement of one attempt."""
    return {
        "ok": result.ok,
        "error": result.error,
        "printer_status": result.status,
        "may_have_printed": result.may_have_printed,
    }


async def _ack(api: Api, live: LiveClient | None, job: Job, result: Attempt) -> None:
    if live is not None:
        with contextlib.suppress(ConnectionError):
            await live.send(
                {"type": "ack", "job_id": job.id, "ok": result.ok, "error": result.error}
            )
    await api.post(f"/api/print-jobs/{job.id}/ack", ack_body(result))


async def _print_all(
    api: Api, live: LiveClient | None, jobs: list[Job], timeouts: Timeouts, pool: Pool | None
) -> None:
    """Print one printer's jobs in order and acknowledge each."""
    for job in jobs:
        data = base64.b64decode(job.data)
        result = await attempt(job.connection, job.address, data, timeouts, pool)
        if not result.ok:
            log.warning("job %s on %s failed: %s", job.id, job.printer, result.error)
        await _ack(api, live, job, result)


async def print_due(
    api: Api,
    *,
    live: LiveClient | None = None,
    timeouts: Timeouts | None = None,
    limit: int = 20,
    max_rounds: int = 100,
    pool: Pool | None = None,
) -> int:
    """Claim, print and acknowledge until nothing is due; the number of jobs handled.

    Printers work side by side; the jobs of one printer print in order, over the
    connection ``pool`` keeps when given.
    """
    timeouts = timeouts or Timeouts()
    handled = 0
    for _ in range(max_rounds):
        jobs = msgspec.convert(
            await api.post("/api/print-jobs/claim", {"limit": limit}), list[Job], strict=False
        )
        if not jobs:
            break
        by_printer: dict[int, list[Job]] = {}
        for job in jobs:
            by_printer.setdefault(job.printer_id, []).append(job)
        await asyncio.gather(
            *(_print_all(api, live, js, timeouts, pool) for js in by_printer.values())
        )
        handled += len(jobs)
    return handled


def ws_url(server: str) -> str:
    """``http://host:port`` -> ``ws://host:port/ws`` (``https`` -> ``wss``)."""
    base = server.rstrip("/")
    scheme, sep, rest = base.partition("://")
    ws_scheme = {"https": "wss", "http": "ws"}.get(scheme, scheme)
    return f"{ws_scheme}{sep}{rest}/ws"


async def _listen(live: LiveClient, wake: asyncio.Event) -> None:
    try:
        async for event in live:
            if event.type in WAKE_TYPES:
                wake.set()
    except LiveClientRefused as exc:
        log.warning("live updates refused (%s); polling only", exc)


def _call(server: str, path: str, body: dict[str, Any], timeout: float = 10.0) -> Any:
    return HttpApi(server, "", timeout=timeout)._post(path, body)


def pair(server: str, venue: str, code: str, device_file: Path) -> str:
    """Trade a pairing code for this agent's device credential, kept in ``device_file``."""
    answer = _call(server, "/api/devices/pair", {"venue": venue, "code": code})
    credential = str(answer["credential"])
    device_file.parent.mkdir(parents=True, exist_ok=True)
    device_file.touch(mode=0o600)
    device_file.write_text(credential)
    return credential


def signer_in(server: str, venue: str, pin: str, credential: str) -> SignIn:
    """A function signing the agent in again (a new token) with its device and PIN."""

    async def sign_in() -> str:
        body = {"venue": venue, "pin": pin, "device": credential}
        answer = await asyncio.to_thread(_call, server, "/api/auth/login", body)
        return str(answer["token"])

    return sign_in


SignIn = Callable[[], Awaitable[str]]


async def run(
    server: str,
    token: str | None = None,
    *,
    poll_seconds: float = 5.0,
    sign_in: SignIn | None = None,
) -> None:
    """Print the venue's jobs until cancelled (see the module docstring). Without a
    ``token``, or when the session ends, ``sign_in`` gives a new one."""
    if token is None:
        assert sign_in is not None, "a token or a way to sign in"
        token = await sign_in()
    api = HttpApi(server, token)
    pool = Pool()
    wake = asyncio.Event()

    def on_state(state: State) -> None:
        log.info("live connection %s", state)
        if state == "ready":
            wake.set()

    live = LiveClient(ws_url(server), token, ["printers"], on_state=on_state)
    listener = asyncio.create_task(_listen(live, wake))
    try:
        while True:
            wake.clear()
            try:
                if handled := await print_due(api, live=live, pool=pool):
                    log.info("handled %d print jobs", handled)
            except ServerError as exc:
                log.warning("claiming print jobs failed: %s", exc)
                if exc.status == 401 and sign_in is not None:
                    with contextlib.suppress(ServerError, OSError):
                        api.token = await sign_in()
                        listener.cancel()
                        await live.close()
                        live = LiveClient(
                            ws_url(server), api.token, ["printers"], on_state=on_state
                        )
                        listener = asyncio.create_task(_listen(live, wake))
                        continue
            except (OSError, msgspec.ValidationError) as exc:
                log.warning("claiming print jobs failed: %s", exc)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_seconds):
                    await wake.wait()
    finally:
        listener.cancel()
        await live.close()
        await pool.close()


def main(argv: Sequence[str] | None = None) -> None:
    """``pos-print-agent --server URL --venue SLUG [--pair CODE] --pin PIN [--poll S]``."""
    parser = argparse.ArgumentParser(
        prog="pos-print-agent", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--server", required=True, help="the server's base URL, http(s)://...")
    parser.add_argument("--venue", required=True, help="the venue's slug")
    parser.add_argument("--pin", required=True, help="the PIN of a member with role printer")
    parser.add_argument("--pair", metavar="CODE", help="a pairing code from the manager page")
    parser.add_argument(
        "--device-file",
        type=Path,
        default=Path("print-agent.device"),
        help="where the device credential is kept (default: ./print-agent.device)",
    )
    parser.add_argument("--poll", type=float, default=5.0, help="seconds between polls")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.pair:
        credential = pair(args.server, args.venue, args.pair, args.device_file)
    elif args.device_file.exists():
        credential = args.device_file.read_text().strip()
    else:
        parser.error(f"not paired: no {args.device_file}; pass --pair CODE once")
    sign_in = signer_in(args.server, args.venue, args.pin, credential)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args.server, poll_seconds=args.poll, sign_in=sign_in))


if __name__ == "__main__":
    main()
