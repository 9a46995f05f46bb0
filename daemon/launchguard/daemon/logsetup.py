"""structlog for the daemon: JSON events on stdout, secrets redacted.

Two layers: any field whose name looks secret (token, password, secret, key, authorization)
is replaced whole, and every string field passes through the config's `Scrubber` (known
secret values, credential echoes, URL userinfo), e.g. an error message that quotes a URL.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

from launchguard.scrub import NO_SECRETS, REDACTED, Scrubber

__all__ = ["REDACTED", "Redactor", "configure"]
_SECRET_NAME = re.compile(r"token|passw|secret|authorization|api_?key|(^|_)key$", re.IGNORECASE)


class Redactor:
    """A structlog processor hiding secrets in events."""

    def __init__(self, scrubber: Scrubber = NO_SECRETS) -> None:
        self.scrubber = scrubber

    def scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrubber.clean(value)
        if isinstance(value, dict):
            return {k: self._field(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub(v) for v in value]
        return value

    def _field(self, name: str, value: Any) -> Any:
        if _SECRET_NAME.search(name) and value not in (None, ""):
            return REDACTED
        return self.scrub(value)

    def __call__(
        self, logger: Any, method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        return {k: self._field(k, v) for k, v in event.items()}


def configure(
    scrubber: Scrubber = NO_SECRETS, level: int = logging.INFO, stream: TextIO | None = None
) -> Redactor:
    """JSON events at `level` and above to `stream` (default stdout), through a `Redactor`
    of `scrubber`."""
    redactor = Redactor(scrubber)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redactor,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stdout),
        cache_logger_on_first_use=False,
    )
    return redactor
