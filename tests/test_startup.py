"""Start-up: migrations run only when the database is behind, ``pos-service serve``
checks them without importing the application or Alembic, forks its workers from one
import of the application beside one process for the scheduled tasks, and logs for
production unless told otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic.script import ScriptDirectory

from pos_service import cli
from pos_service.migrations import (
    config,
    database_revisions,
    head_revision,
    upgrade_async,
    upgrade_if_behind_async,
)
from tests.support.database import ROOT, _psql, server_url
from tests.support.servers import secret_key_file

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def scratch(worker_id: str) -> Iterator[str]:
    """An empty database of its own."""
    name = f"pos_startup_{worker_id}"
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
    yield server_url(name)
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')


async def tables(url: str) -> set[str]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await connection.close()
    return {row[0] for row in rows}


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert head_revision() == ScriptDirectory.from_config(config()).get_current_head()


def test_version_files_that_do_not_form_one_chain_leave_it_to_alembic(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text('revision = "a"\ndown_revision = None\n')
    (tmp_path / "b.py").write_text('revision = "b"\ndown_revision = "a"\n')
    assert head_revision(tmp_path) == "b"
    (tmp_path / "c.py").write_text('revision = "c"\ndown_revision = "a"\n')  # two heads
    assert head_revision(tmp_path) is None
    (tmp_path / "c.py").write_text('revision = "c"\ndown_revision = ("a", "b")\n')  # a merge
    assert head_revision(tmp_path) is None


async def test_a_new_database_is_migrated_then_left_alone(scratch: str) -> None:
    assert await upgrade_if_behind_async(scratch) is True
    assert await database_revisions(scratch) == {head_revision()}
    assert "print_jobs" in await tables(scratch)
    assert await upgrade_if_behind_async(scratch) is False


async def test_an_old_database_is_migrated_to_the_head(scratch: str) -> None:
    await upgrade_async(scratch, "0003")
    assert "print_jobs" not in await tables(scratch)
    assert await upgrade_if_behind_async(scratch) is True
    assert await database_revisions(scratch) == {head_revision()}
    assert "print_jobs" in await tables(scratch)


async def test_serve_at_head_imports_neither_the_app_nor_alembic(scratch: str) -> None:
    await upgrade_async(scratch)
    probe = (
        "import sys; from pos_service.cli import _prepare; from pos_service.config import Settings;"
        f"_prepare(Settings(database_url={scratch!r}, secret_key='k'), demo=False);"
        "print(sorted(m for m in ('pos_service.app', 'alembic', 'sqlalchemy', 'litestar')"
        " if m in sys.modules))"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", probe, cwd=ROOT, stdout=subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    assert out.decode().strip() == "[]"


async def serve(url: str, *options: str) -> str:
    """``pos-service serve`` on ``url`` until /health answers twice; what it printed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environment = {**os.environ, "DATABASE_URL": url, "POS_SECRET_KEY_FILE": secret_key_file("k")}
    for name in ("POS_LOG_FORMAT", "POS_ACCESS_LOG", "POS_DEMO"):
        environment.pop(name, None)
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "pos_service.cli", "serve", "--port", str(port), *options),
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    answers = 0
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            while answers < 2:
                with contextlib.suppress(httpx.TransportError):
                    answers += (await client.get("/health")).status_code == 200
                await asyncio.sleep(0.05)
    finally:
        process.terminate()
        out, _ = await process.communicate()
    return out.decode()


async def test_serve_logs_for_production_without_the_access_log(scratch: str) -> None:
    await upgrade_async(scratch)
    quiet = await serve(scratch)
    assert "Application startup complete" in quiet
    assert "GET /health" not in quiet
    assert "\x1b[" not in quiet

    noisy = await serve(scratch, "--access-log")
    assert noisy.count("GET /health") >= 2


@pytest.mark.parametrize(
    ("argv", "environment", "expected"),
    [
        (["serve"], {}, ("plain", False)),
        (["serve", "--demo"], {}, ("console", True)),
        (["serve", "--demo", "--no-access-log"], {}, ("console", False)),
        (["serve", "--log-format", "json"], {"POS_ACCESS_LOG": "1"}, ("json", True)),
        (["serve", "--demo"], {"POS_LOG_FORMAT": "plain", "POS_ACCESS_LOG": "0"}, ("plain", False)),
    ],
)
def test_serve_chooses_its_logging(
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    environment: dict[str, str],
    expected: tuple[str, bool],
) -> None:
    for name in ("POS_LOG_FORMAT", "POS_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert cli.logging_of(cli.parser().parse_args(argv)) == expected


def children(pid: int) -> dict[int, str]:
    """The child processes of ``pid`` and their names."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found[int(entry.name)] = (entry / "comm").read_text().strip()
    return found


async def until(condition: object, seconds: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition() and loop.time() < deadline:  # type: ignore[operator]
        await asyncio.sleep(0.05)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_serve_runs_its_workers_and_one_scheduler_that_comes_back(scratch: str) -> None:
    await upgrade_async(scratch)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environment = {
        **os.environ,
        "DATABASE_URL": scratch,
        "POS_SECRET_KEY_FILE": secret_key_file("k"),
    }
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "pos_service.cli", "serve", "--port", str(port), "--workers", "2"),
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await until(lambda: len(children(process.pid)) == 3)
            names = sorted(children(process.pid).values())
            assert names.count("pos-scheduler") == 1
            assert len(names) == 3  # two answering workers and the scheduler
            (scheduler,) = [p for p, n in children(process.pid).items() if n == "pos-scheduler"]

            os.kill(scheduler, 9)
            await until(
                lambda: any(
                    n == "pos-scheduler" and p != scheduler
                    for p, n in children(process.pid).items()
                )
            )
            assert sorted(children(process.pid).values()).count("pos-scheduler") == 1
            for _ in range(50):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/health")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            assert (await client.get("/health")).status_code == 200
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0
    assert children(process.pid) == {}


async def test_serve_stops_when_its_application_cannot_start(scratch: str) -> None:
    await upgrade_async(scratch)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environment = {
        **os.environ,
        "DATABASE_URL": scratch,
        "POS_SECRET_KEY_FILE": secret_key_file("k"),
        "POS_POOL_SIZE": "0",  # no pool can be made: the lifespan fails
    }
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "pos_service.cli", "serve", "--port", str(port), "--workers", "2"),
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert await asyncio.wait_for(process.wait(), 60) == 3
    assert children(process.pid) == {}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_serve_in_process_answers_from_the_process_itself(scratch: str) -> None:
    """``--in-process`` (for a profiler or a debugger): no child processes."""
    await upgrade_async(scratch)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environment = {
        **os.environ,
        "DATABASE_URL": scratch,
        "POS_SECRET_KEY_FILE": secret_key_file("k"),
    }
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "pos_service.cli", "serve", "--port", str(port), "--in-process"),
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(600):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/health")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            assert (await client.get("/health")).status_code == 200
            assert children(process.pid) == {}
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
