"""A launch report (seed 002 sections 8 and 11): the KPIs over a range, the decisions taken
in it with their durations, SLA breaches, and for the warroom the state at the end.

`build` is pure; `gather` fetches what it needs, one range request per signal.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

from launchguard.config.domain import Launch
from launchguard.core import calendar, sla
from launchguard.core.decisions import Decision
from launchguard.core.engine import Outcome, evaluate_span, grid
from launchguard.core.frames import Frames, seconds, tick
from launchguard.core.verdicts import SLOReading
from launchguard.coverage import Coverage, NoData, measure
from launchguard.interfaces import PrometheusSource
from launchguard.output.table import no_data_message
from launchguard.reports.fetch import Span, fetch_signals
from launchguard.reports.figures import Figures, compute, first_settlement, latest_by
from launchguard.signals import fetch, used_signals

KINDS = ("warroom", "daily", "postmortem")


@dataclass(frozen=True)
class LaunchReport:
    """Everything a report shows; times in unix seconds, durations in seconds."""

    kind: str
    start: float
    end: float  # the last evaluation time: the range's end, or where its data ends
    timezone: str
    t0: float | None
    first_eod: float | None  # first EOD settlement at or after T0
    figures: Figures
    days: tuple[Figures, ...]  # per launch-zone day (postmortem)
    decisions: tuple[Decision, ...]  # open at some time in the range, SLA breaches apart
    sla: tuple[Decision, ...]
    slos_at_end: tuple[SLOReading, ...]
    queue_at_end: Mapping[str, float | None]  # network → payouts waiting
    incidents_open_at_end: Mapping[str, float]  # severity → open
    calendar_start: calendar.CalendarStatus
    calendar_end: calendar.CalendarStatus
    coverage: Coverage | None = None  # the requested range against the data

    @property
    def time_to_first_eod(self) -> float | None:
        """Seconds from T0 to the first EOD settlement."""
        if self.t0 is None or self.first_eod is None:
            return None
        return self.first_eod - self.t0

    def escalations(self) -> dict[str, int]:
        """Escalation target → SLA breaches that went to it."""
        out: dict[str, int] = {}
        for d in self.sla:
            targets = d.evidence.detail[0].get("escalate_to") if d.evidence.detail else None
            for target in targets if isinstance(targets, list) else []:
                out[str(target)] = out.get(str(target), 0) + 1
        return dict(sorted(out.items()))


def build(
    launch: Launch,
    kind: str,
    start: float,
    end: float,
    frames: Frames,
    outcome: Outcome,
    coverage: Coverage | None = None,
) -> LaunchReport:
    """The report of `kind` over [start, end] from fetched `frames` and the evaluation of
    the same range (`outcome`, reported from `start`); `coverage` says where the requested
    range's data ends."""
    names = launch.config.plan.reports.signals
    days: tuple[Figures, ...] = ()
    if kind == "postmortem":
        bounds = [start, *calendar.day_starts(start, end, launch.timezone)[1:], end]
        days = tuple(compute(launch, frames, a, b) for a, b in itertools.pairwise(bounds) if b > a)
    queue = latest_by(frames.get(names.payout_queue), "network", tick(end))
    return LaunchReport(
        kind,
        start,
        end,
        launch.timezone,
        launch.t0,
        None if launch.t0 is None else first_settlement(launch, frames, launch.t0, end),
        compute(launch, frames, start, end),
        days,
        tuple(d for d in outcome.decisions if d.kind != sla.KIND),
        tuple(d for d in outcome.decisions if d.kind == sla.KIND),
        tuple(outcome.slos),
        {net: queue.get(net) for net in launch.networks},
        latest_by(frames.get(names.incidents_open), "severity", tick(end)),
        calendar.status(launch, start),
        calendar.status(launch, end),
        coverage,
    )


async def gather(
    source: PrometheusSource, launch: Launch, kind: str, start: float, end: float, step: float
) -> LaunchReport:
    """Fetch the evaluation signals (with lookback) and the report signals once each over the
    range up to where its data ends (the EOD settlements from T0 when earlier), evaluate,
    and build the report; `NoData` when the range holds none."""
    already = used_signals(launch)
    names = launch.config.plan.reports.signals
    signals = {*already, *names.model_dump().values()}
    covered = await measure(source, launch, signals, start, end, step)
    if covered.evaluated_to is None:
        raise NoData(no_data_message(covered))
    times = grid(start, covered.evaluated_to, step, launch.lookback)
    fetched = await fetch(source, launch, times)
    last = seconds(times[-1]) if times else end
    spans: dict[str, Span] = {
        name: (start, last, step) for name in names.model_dump().values() if name not in already
    }
    if launch.t0 is not None and launch.t0 < start and names.eod_settlements in spans:
        spans[names.eod_settlements] = (launch.t0 - step, last, step)
    extra = await fetch_signals(source, launch, spans)
    frames = {**fetched.frames, **extra}
    outcome = evaluate_span(launch, frames, times, tick(start))
    return build(launch, kind, start, last, frames, outcome, covered)
