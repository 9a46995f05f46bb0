"""The Prometheus client's errors.

Every message is passed through the client's scrubber (`PrometheusError.scrub`) before it
is raised, so logs, the status API, the page, alerts and webhooks never see a secret.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Literal

ErrorKind = Literal[
    "unreachable", "bad_query", "timeout", "bad_response", "http", "response_too_large"
]


class PrometheusError(Exception):
    """Base of the client's errors; ``kind`` names the failure for logs and exit codes."""

    kind: ClassVar[ErrorKind]

    def scrub(self, clean: Callable[[str], str]) -> None:
        """Pass the message (and any upstream text kept apart) through ``clean``."""
        self.args = tuple(clean(a) if isinstance(a, str) else a for a in self.args)


class PrometheusUnreachable(PrometheusError):
    """No connection could be made (refused, DNS, TLS, connect timeout), retries exhausted."""

    kind = "unreachable"


class PrometheusTimeout(PrometheusError):
    """No complete answer in time (an attempt past ``timeout``, or the query past its
    deadline of timeout x attempts), retries exhausted."""

    kind = "timeout"


class PrometheusBadQuery(PrometheusError):
    """The server rejected the query (400/422); ``str()`` is ``"<errorType>: <error>"``."""

    kind = "bad_query"

    def __init__(self, error_type: str, error: str) -> None:
        super().__init__(f"{error_type}: {error}")
        self.error_type = error_type
        self.error = error

    def scrub(self, clean: Callable[[str], str]) -> None:
        super().scrub(clean)
        self.error = clean(self.error)


class PrometheusBadResponse(PrometheusError):
    """The answer is not JSON, has an unexpected shape, or its status is not "success"."""

    kind = "bad_response"


class PrometheusResponseTooLarge(PrometheusError):
    """The answer exceeded ``max_response_bytes``; reading stopped there (never retried)."""

    kind = "response_too_large"


class PrometheusHTTPError(PrometheusError):
    """Any other non-2xx answer (after retries for 429/502/503/504)."""

    kind = "http"

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
