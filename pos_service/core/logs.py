"""Logging through structlog, in one of three formats, never with Rich tracebacks.

structlog's default console renderer formats an exception with Rich when Rich is
installed (Litestar installs it), showing every local variable of every frame. For an
SQLAlchemy error that takes seconds of CPU in the event loop's thread, during which
the process serves nobody: a database outage turned every failing request into a
pause of the whole server. Tracebacks are rendered plainly in every format.

Formats (``POS_LOG_FORMAT``): ``console`` (the default of ``create_app`` and of
``pos-service serve --demo``: aligned, coloured on a terminal), ``plain`` (the default of
``pos-service serve``: one uncoloured line per event, the traceback below it) and
``json`` (one JSON object per line, the traceback as a string). The ``plain`` and
``json`` formats drop debug events before any processing.
"""

from __future__ import annotations

import logging
import sys

import structlog
from structlog.typing import Processor

from pos_service.config import LogFormat


def _renderer(log_format: LogFormat) -> list[Processor]:
    if log_format == "json":
        return [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    return [
        structlog.dev.set_exc_info,
        structlog.dev.ConsoleRenderer(
            colors=log_format == "console" and sys.stdout.isatty(),
            pad_event_to=30 if log_format == "console" else 0,
            exception_formatter=structlog.dev.plain_traceback,
        ),
    ]


def configure(log_format: LogFormat = "console") -> None:
    """Configure structlog for ``log_format`` (see the module docstring)."""
    production = log_format != "console"
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.TimeStamper(
                fmt="iso" if production else "%Y-%m-%d %H:%M:%S", utc=production
            ),
            *_renderer(log_format),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.INFO if production else logging.NOTSET
        ),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=production,
    )
