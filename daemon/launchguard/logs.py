"""structlog setup: JSON or console events on stderr, so stdout stays the command's output."""

from __future__ import annotations

import logging
import sys

import structlog


def configure(level: int = logging.WARNING, json: bool = False) -> None:
    """Send structlog events at `level` and above to stderr."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
