#!/usr/bin/env python3
"""Set up and run pos_service from a fresh clone with nothing but Python 3.11+.

    python3 dev.py serve     # the server with the demo restaurant on the embedded database
    python3 dev.py test      # the whole test suite
    python3 dev.py check     # ruff, ruff format --check and mypy --strict (CI runs it first)
    python3 dev.py i18n      # extract the texts to translate into the catalogs (docs/i18n.md)

Both create ``.venv`` and install the project into it on first use (and again whenever
pyproject.toml changes). Extra arguments go to ``pos-service serve`` or ``pytest``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".pos-installed"


def _run(*args: str | Path, env: dict[str, str] | None = None) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def ensure_venv() -> None:
    """Create the virtualenv and install the project (with test extras) if needed."""
    if sys.version_info < (3, 11):
        sys.exit("pos_service needs Python 3.11 or newer")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing pos_service and its dependencies into .venv ...", flush=True)
    code = _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    code = code or _run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    if code:
        sys.exit(code)
    STAMP.write_text(wanted)


def ensure_chromium() -> None:
    """The page tests drive Debian's Chromium; install it when missing and we may."""
    if Path("/usr/bin/chromium").exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("installing Debian's chromium for the page tests ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        _run("apt-get", "update", "-qq", env=env)
        _run("apt-get", "install", "-y", "-qq", "chromium", env=env)
    if not Path("/usr/bin/chromium").exists():
        print("warning: /usr/bin/chromium is missing; the page tests will fail", flush=True)


def main() -> None:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "serve":
        ensure_venv()
        sys.exit(_run(BIN / "pos-service", "serve", "--demo", *rest))
    if command == "check":
        ensure_venv()
        paths = ("pos_service", "printers", "tests", "bench")
        code = _run(BIN / "ruff", "check", *paths)
        code = _run(BIN / "ruff", "format", "--check", *paths) or code
        code = _run(PYTHON, "-m", "mypy", *paths) or code
        sys.exit(code)
    if command == "i18n":
        ensure_venv()
        sys.exit(_run(PYTHON, "-m", "pos_service.i18n.extract"))
    if command == "test":
        ensure_venv()
        ensure_chromium()
        code = _run(PYTHON, "-m", "pytest", "-n", "2", "--dist", "loadfile", *rest)
        # pytest exits 5 when it collected no test: that is a failure, not a pass.
        sys.exit(1 if code == 5 else code)
    print(__doc__)
    sys.exit(0 if command == "help" else 2)


if __name__ == "__main__":
    main()
