"""Handing one cycle's report to every sink: the sink of record first, then the others at
once, each within a deadline, none able to stop the others.

A target that fails is the sink's own business: it says so in its `Delivery` (counted in
`launchguard_sink_delivery_failures_total{sink}`; the sink of record failing degrades
evaluation). A sink that raises, or overruns the deadline, is a bug or a hang: the cycle
ends as `error`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from launchguard.daemon.health import Health
from launchguard.daemon.selfmetrics import SelfMetrics
from launchguard.errors import one_line
from launchguard.interfaces import CycleReport, Delivery, Sink
from launchguard.scrub import NO_SECRETS, Scrubber

_log = structlog.get_logger("launchguard.daemon")


@dataclass(frozen=True)
class Handed:
    """What became of the report at one sink: `delivery`, or `error` when it raised."""

    sink: Sink
    delivery: Delivery
    error: str = ""

    @property
    def problem(self) -> str:
        """The sink's failure in one line ("" when it took the report)."""
        return self.error or self.delivery.problem


async def deliver(
    sinks: Sequence[Sink],
    report: CycleReport,
    timeout: float,
    metrics: SelfMetrics,
    health: Health,
    scrubber: Scrubber = NO_SECRETS,
) -> list[str]:
    """`fan_out` and account for it: failures counted per sink and logged, the sink of
    record's failure or recovery told to `health`; the errors of the sinks that raised."""
    errors: list[str] = []
    for handed in await fan_out(sinks, report, timeout, scrubber):
        sink, problem = handed.sink, handed.problem
        if handed.delivery.failures:
            metrics.sink_failure(sink.name, handed.delivery.failures)
            _log.warning("sink delivery failed", sink=sink.name, error=problem)
        if sink.first:
            health.delivered(report.at, sink.name, problem)
        if handed.error:
            errors.append(handed.error)
    return errors


async def fan_out(
    sinks: Sequence[Sink], report: CycleReport, timeout: float, scrubber: Scrubber = NO_SECRETS
) -> list[Handed]:
    """Deliver `report` to the `first` sinks, then to the rest concurrently; each sink gets
    `timeout` seconds. A process killed between the tiers has recorded a transition it did
    not announce (lost, never twice). Exception texts pass through `scrubber`."""
    handed: list[Handed] = []
    for first in (True, False):
        tier = [s for s in sinks if s.first is first]
        handed += await asyncio.gather(*(_hand(s, report, timeout, scrubber) for s in tier))
    return handed


async def _hand(sink: Sink, report: CycleReport, timeout: float, scrubber: Scrubber) -> Handed:
    try:
        async with asyncio.timeout(timeout):
            return Handed(sink, await sink.deliver(report))
    except TimeoutError:
        error = f"{sink.name}: delivery took longer than {timeout:g} s"
    except Exception as exc:  # one broken sink must not stop the others or the loop
        error = f"{sink.name}: {scrubber.clean(one_line(exc))}"
    return Handed(sink, Delivery(1, error), error)
