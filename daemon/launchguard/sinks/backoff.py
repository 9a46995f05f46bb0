"""Retry state of one HTTP destination of a sink: exponential backoff, capped."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Backoff:
    """Consecutive failures and the earliest time (unix seconds) of the next attempt."""

    failures: int = 0
    next_attempt: float = 0.0

    def waiting(self, now: float) -> bool:
        """True while `now` is before the next attempt."""
        return now < self.next_attempt

    def succeeded(self) -> None:
        self.failures, self.next_attempt = 0, 0.0

    def failed(self, now: float, base: float, cap: float) -> float:
        """Record a failure; the next attempt waits base·2^(failures-1) seconds, at most
        `cap`. Returns that wait."""
        self.failures += 1
        wait: float = min(base * 2.0 ** (self.failures - 1), cap)
        self.next_attempt = now + wait
        return wait
