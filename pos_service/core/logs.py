"""Logging through structlog, with tracebacks that do not stall the event loop.

structlog's default console renderer formats an exception with Rich when Rich is
installed (Litestar installs it), showing every local variable of every frame. For an
SQLAlchemy error that takes seconds of CPU in the event loop's thread, during which
the process serves nobody: a database outage turned every failing request into a
pause of the whole server. Tracebacks are rendered plainly instead (milliseconds).
"""

from __future__ import annotations

import structlog


def configure() -> None:
    """structlog's default pipeline, with plain tracebacks."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.StackInfoRenderer(),
            structlog.dev.set_exc_info,
            structlog.processors.TimeStamper(fmt="%Y-%m-%d %H:%M:%S", utc=False),
            structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback),
        ]
    )
