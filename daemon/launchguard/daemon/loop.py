"""One evaluation cycle of the live daemon, through the same core as `backtest`.

The daemon keeps the `DecisionBook` between cycles. On start it replays the lookback
horizon (exactly what `backtest --start now --end now` evaluates), so open decisions come
back with their true opened_at and ids; each cycle then evaluates the grid times since the
last evaluated one, in one span. A cycle whose queries fail changes no decision: the book
is only advanced with a complete fetch. The clock is read only when no time is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, replace

import structlog

from launchguard.config.domain import Launch
from launchguard.config.models import VolumeLevel
from launchguard.core.actions import level_in_force, phase_at
from launchguard.core.calendar import freezes_ahead
from launchguard.core.decisions import Decision, DecisionBook, Transition
from launchguard.core.engine import Outcome, evaluate_span, grid
from launchguard.core.frames import ABSENT, GLOBAL, Frames, Tick, seconds, tick
from launchguard.daemon.gonogo import ScheduledGonogo
from launchguard.daemon.health import Health
from launchguard.daemon.snapshot import Snapshot
from launchguard.interfaces import CycleReport, PrometheusSource, Sink
from launchguard.prometheus import PrometheusError
from launchguard.selfmetrics import SelfMetrics
from launchguard.signals import SignalQueryError, fetch
from launchguard.sinks.journal import JournalSink

_log = structlog.get_logger("launchguard.daemon")

OK, DEGRADED, FAILED = "ok", "degraded", "failed"


@dataclass(frozen=True)
class _Evaluated:
    outcome: Outcome
    frames: Frames


@dataclass(frozen=True)
class _Result:
    report: CycleReport
    outcome: str  # ok | degraded | failed
    evaluated: _Evaluated | None
    error: str = ""


def _error_kind(exc: Exception) -> str:
    if isinstance(exc, PrometheusError):
        return exc.kind
    return "bad_query" if isinstance(exc, SignalQueryError) else "timeout"


class Daemon:
    """The evaluation loop's state and its cycle; the schedule lives in `service`.

    `clock()` is unix seconds; `cycle(now)` and `start(now)` take explicit times so tests
    and the soak drive it without waiting for the wall clock."""

    def __init__(
        self,
        launch: Launch,
        source: PrometheusSource,
        sinks: Sequence[Sink] = (),
        metrics: SelfMetrics | None = None,
        clock: Callable[[], float] = time.time,
        announced_open: Collection[str] | None = None,
    ) -> None:
        self.launch = launch
        # Decisions a previous run announced as open and never as resolved (the journal's
        # view): the rebuild resolves those it finds closed, so no resolve is lost.
        # None: no journal, nothing known of a previous run.
        self._announced_open = frozenset(announced_open or ())
        self.gonogo = ScheduledGonogo(launch, announced_open)
        self.source = source
        self.sinks = tuple(sinks)
        self.metrics = metrics if metrics is not None else SelfMetrics(launch)
        self.clock = clock
        settings = launch.config.daemon
        self.step = tick(launch.interval)
        self.cycle_timeout = settings.cycle_timeout or launch.interval
        self.health = Health(tick(settings.degraded_after))
        self.book: DecisionBook | None = None
        self.snapshot = Snapshot()
        self._lock = asyncio.Lock()

    def grid_time(self, now: float) -> Tick:
        """`now` (unix seconds) rounded down to the evaluation grid."""
        return tick(now) // self.step * self.step

    async def start(self, now: float | None = None) -> CycleReport:
        """Rebuild the open decisions from the lookback horizon, then hand the open set to
        the sinks. No opening is announced (it happened before this start); the only
        transitions are the resolves of decisions a previous run announced as open
        (`announced_open`) that the rebuild finds resolved within the lookback."""
        report = await self.cycle(now)
        assert report is not None  # nothing evaluated yet, so the grid time is new
        return report

    async def cycle(self, now: float | None = None) -> CycleReport | None:
        """Evaluate the grid times since the last evaluated one up to `now` (default: the
        clock) and deliver the report; None when no grid time is new."""
        async with self._lock:
            at = self.grid_time(self.clock() if now is None else now)
            last = self.snapshot.evaluated_to
            if last is not None and at <= last:
                return None
            began = time.monotonic()
            result = await self._evaluate(at, last)
            self._record(result, time.monotonic() - began)
            await self._deliver(result.report)
            if result.evaluated is not None and self.gonogo.due(at, started=last is None):
                await self._scheduled_gonogo(result.report)
            return result.report

    async def _scheduled_gonogo(self, report: CycleReport) -> None:
        """Assess the plan's Go/No-Go (after the cycle's own delivery, within the cycle
        timeout); a promote goes to the sinks as a report of its own."""
        try:
            async with asyncio.timeout(self.cycle_timeout):
                promote = await self.gonogo.assess(self.source, self.launch)
        except (PrometheusError, SignalQueryError, TimeoutError) as exc:
            _log.warning("gonogo assessment failed; retrying next cycle", error=repr(exc))
            return
        self.snapshot = replace(self.snapshot, gonogo=self.gonogo.assessment)
        if promote is not None:
            opened = (Transition("opened", promote),)
            await self._deliver(replace(report, transitions=opened))

    async def _evaluate(self, at: Tick, last: Tick | None) -> _Result:
        rebuilding = self.book is None or last is None
        if rebuilding:
            times = grid(seconds(at), seconds(at), self.launch.interval, self.launch.lookback)
        else:
            assert last is not None
            cap = tick(self.launch.config.daemon.max_catch_up) // self.step * self.step
            first = max(last + self.step, at - cap)
            times = grid(seconds(first), seconds(at), self.launch.interval)
        try:
            if rebuilding:
                evaluated = await self._run(times, None)
            else:
                async with asyncio.timeout(self.cycle_timeout):
                    evaluated = await self._run(times, self.book)
        except (PrometheusError, SignalQueryError, TimeoutError) as exc:
            kind = _error_kind(exc)
            self.metrics.query_error(kind)
            error = f"{kind}: {exc}" if str(exc) else kind
            self.health.failed(at, error)
            return _Result(self._report(at, ()), FAILED, None, error)
        out = evaluated.outcome
        self.book = out.book
        self.health.evaluated(times[0], at, out.inconclusive)
        if rebuilding:
            transitions = self._late_resolves(out.book)
        else:
            transitions = tuple(t for _, t in out.transitions)
        self._keep_recent(at)
        report = self._report(at, transitions)
        return _Result(report, DEGRADED if report.degraded is not None else OK, evaluated)

    def _late_resolves(self, book: DecisionBook | None) -> tuple[Transition, ...]:
        """Resolves the previous run announced no more: once, after the first rebuild."""
        if book is None:
            return ()
        late = tuple(Transition("resolved", d) for d in book.closed if d.id in self._announced_open)
        self._announced_open = frozenset()
        return late

    async def _run(self, times: list[Tick], book: DecisionBook | None) -> _Evaluated:
        fetched = await fetch(self.source, self.launch, times)
        # A replay reports inconclusive runs over the whole lookback, so a criterion that
        # was inconclusive before the start keeps its true start.
        outcome = evaluate_span(self.launch, fetched.frames, times, times[0], book)
        self.metrics.invalid_samples(outcome.invalid)
        return _Evaluated(outcome, fetched.frames)

    def _report(self, at: Tick, transitions: Sequence[Transition]) -> CycleReport:
        open_now = sorted(self.book.open.values(), key=_order) if self.book else []
        return CycleReport(at, tuple(transitions), tuple(open_now), self.health.degraded(at))

    def _keep_recent(self, at: Tick) -> None:
        """Forget resolved decisions older than `daemon.keep_resolved` (bounded memory)."""
        assert self.book is not None
        horizon = at - tick(self.launch.config.daemon.keep_resolved)
        closed = self.book.closed
        if any((d.resolved_at or at) < horizon for d in closed[:1]):
            closed[:] = [d for d in closed if (d.resolved_at or at) >= horizon]

    def _record(self, result: _Result, duration: float) -> None:
        previous, report, evaluated = self.snapshot, result.report, result.evaluated
        snap = Snapshot(
            evaluated_to=report.at if evaluated else previous.evaluated_to,
            last_cycle_at=report.at,
            last_duration=duration,
            last_outcome=result.outcome,
            last_error=result.error,
            last_success=self.clock() if evaluated else previous.last_success,
            degraded=report.degraded,
            open=tuple(report.open),
            resolved=tuple(self.book.closed) if self.book else (),
            slos=tuple(evaluated.outcome.slos) if evaluated else previous.slos,
            slo_details=tuple(evaluated.outcome.slo_details) if evaluated else previous.slo_details,
            verdicts=tuple(evaluated.outcome.verdicts) if evaluated else previous.verdicts,
            level=self._level(evaluated, report.at) if evaluated else previous.level,
            phase=self._phase(report.at),
            freezes=freezes_ahead(self.launch.freezes, seconds(report.at)),
            gonogo=previous.gonogo,
        )
        self.snapshot = snap
        self.metrics.cycle(snap, result.outcome, duration)
        _log.info(
            "cycle",
            at=seconds(report.at),
            duration_seconds=round(duration, 4),
            outcome=result.outcome,
            opened=sum(1 for t in report.transitions if t.event == "opened"),
            resolved=sum(1 for t in report.transitions if t.event == "resolved"),
            open=len(report.open),
            degraded=report.degraded.reason if report.degraded else None,
            error=result.error or None,
        )

    def _level(self, evaluated: _Evaluated, at: Tick) -> VolumeLevel | None:
        signal = self.launch.config.launch.volume_cap_signal
        frame = evaluated.frames.get(signal) if signal else None
        cap = frame.at(GLOBAL, at) if frame is not None else ABSENT
        return level_in_force(self.launch.levels, cap, self.launch.phases, seconds(at))

    def _phase(self, at: Tick) -> str | None:
        phase = phase_at(self.launch.phases, seconds(at))
        return phase.name if phase is not None else None

    async def _deliver(self, report: CycleReport) -> None:
        """The journal first, then the other sinks at once. A process killed in between has
        journaled a transition it did not announce (lost, never twice); killed before the
        journal commit, it announced nothing, and the next start announces the resolves the
        journal lacks (`announced_open`)."""
        first = [s for s in self.sinks if isinstance(s, JournalSink)]
        rest = [s for s in self.sinks if not isinstance(s, JournalSink)]
        for tier in (first, rest):
            await asyncio.gather(*(self._deliver_one(sink, report) for sink in tier))

    async def _deliver_one(self, sink: Sink, report: CycleReport) -> None:
        # Sinks that retry by themselves (Alertmanager) never raise; they count their failed
        # posts in `failed_posts`, which the metric follows.
        before = getattr(sink, "failed_posts", None)
        try:
            await sink.deliver(report)
        except Exception as exc:  # one broken sink must not stop the others or the loop
            self.metrics.sink_failure(sink.name)
            _log.warning("sink delivery failed", sink=sink.name, error=repr(exc))
            return
        after = getattr(sink, "failed_posts", None)
        if isinstance(before, int) and isinstance(after, int) and after > before:
            self.metrics.sink_failure(sink.name, after - before)

    @contextlib.asynccontextmanager
    async def idle(self) -> AsyncIterator[None]:
        """Hold the cycle lock: waits for a running cycle, keeps the next from starting."""
        async with self._lock:
            yield

    async def close(self) -> None:
        """Close every sink (each flushes what is pending); errors are logged, not raised."""
        for sink in self.sinks:
            try:
                await sink.close()
            except Exception as exc:
                _log.warning("sink close failed", sink=sink.name, error=repr(exc))


def _order(d: Decision) -> tuple[Tick, str, tuple[tuple[str, str], ...]]:
    return (d.opened_at, d.criterion, d.scope)
