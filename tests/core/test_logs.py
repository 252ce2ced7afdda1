"""Log formats: production lines carry plain tracebacks, never local variables."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import structlog

from pos_service.core import logs


@pytest.fixture(autouse=True)
def restore() -> Iterator[None]:
    yield
    logs.configure()


def fail(secret_local: str) -> None:
    raise RuntimeError("printer on fire")


def log_a_failure() -> None:
    log = structlog.get_logger("test")
    log.debug("not for production")
    try:
        fail("hun" + "ter2")  # a local that must not reach the log
    except RuntimeError:
        log.exception("unhandled error", path="/api/checks")


def test_json_is_one_line_per_event_with_a_plain_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure("json")
    log_a_failure()
    [line] = capsys.readouterr().out.splitlines()
    entry = json.loads(line)
    assert entry["event"] == "unhandled error" and entry["level"] == "error"
    assert entry["path"] == "/api/checks" and entry["timestamp"].endswith("Z")
    assert "RuntimeError: printer on fire" in entry["exception"]
    assert "hunter2" not in line


def test_plain_has_no_colours_no_debug_and_no_locals(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("plain")
    log_a_failure()
    out = capsys.readouterr().out
    assert "unhandled error" in out and "RuntimeError: printer on fire" in out
    assert "not for production" not in out
    assert "\x1b[" not in out and "hunter2" not in out


def test_console_keeps_debug_events_for_development(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("console")
    log_a_failure()
    out = capsys.readouterr().out
    assert "not for production" in out and "RuntimeError: printer on fire" in out
    assert "hunter2" not in out
