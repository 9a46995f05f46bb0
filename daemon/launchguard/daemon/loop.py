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

from launchguard import names
from launchguard.config.domain import Launch
from launchguard.core.decisions import Decision, DecisionBook, Transition
from launchguard.core.frames import Tick, seconds, tick
from launchguard.daemon.checklist import with_checklist
from launchguard.daemon.fanout import deliver
from launchguard.daemon.gonogo import ScheduledGonogo
from launchguard.daemon.health import Health
from launchguard.daemon.selfmetrics import SelfMetrics
from launchguard.daemon.snapshot import Evaluation, Snapshot, after_cycle
from launchguard.errors import one_line
from launchguard.evaluate import cycle_times, fetch_times, run_core
from launchguard.interfaces import CycleReport, PrometheusSource, Sink
from launchguard.prometheus import PrometheusError
from launchguard.signals import SignalQueryError

_log = structlog.get_logger("launchguard.daemon")

OK, DEGRADED, FAILED, ERROR = "ok", "degraded", names.CYCLE_FAILED, names.CYCLE_ERROR
TIMEOUT_SHARE = 0.8  # daemon.cycle_timeout null: this share of the interval


@dataclass(frozen=True)
class _Result:
    report: CycleReport
    outcome: str  # ok | degraded | failed | error
    evaluated: Evaluation | None
    error: str = ""
    stage: str = ""  # outcome error: where the exception was raised (fetch | core)


_Error = tuple[str, str]  # (stage, one line): an exception that ended a cycle


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
        self.cycle_timeout = settings.cycle_timeout or TIMEOUT_SHARE * launch.interval
        self.health = Health(tick(settings.degraded_after))
        self.book: DecisionBook | None = None
        self.evaluated_to: Tick | None = None  # the last grid time evaluated successfully
        self.snapshot = Snapshot()
        self._lock = asyncio.Lock()
        # The checklist's signed-off manual items (the warroom's sign-offs; `create_app`
        # hands its action log's here): none until then.
        self.signed_off: Callable[[], frozenset[str]] = frozenset

    def grid_time(self, now: float) -> Tick:
        """`now` (unix seconds) rounded down to the evaluation grid."""
        return tick(now) // self.step * self.step

    async def start(self, now: float | None = None) -> CycleReport:
        """Rebuild the open decisions from the lookback horizon, then hand the open set to
        the sinks. No opening is announced (it happened before this start); the only
        transitions are the resolves of decisions a previous run announced as open
        (`announced_open`) that the rebuild finds resolved within the lookback. A rebuild
        that fails is retried by every following cycle."""
        report = await self.cycle(now)
        assert report is not None  # nothing evaluated yet, so the grid time is new
        return report

    async def cycle(self, now: float | None = None) -> CycleReport | None:
        """Evaluate the grid times since the last evaluated one up to `now` (default: the
        clock) and deliver the report; None when no grid time is new.

        Never raises: an exception anywhere (fetch, core, recording, a sink, the Go/No-Go)
        ends the cycle as `error`, and the open decisions still go to the sinks. Fetch, core
        and Go/No-Go run under one deadline, `daemon.cycle_timeout` from the cycle's start;
        each sink then gets up to that long again to take the report."""
        async with self._lock:
            at = self.grid_time(self.clock() if now is None else now)
            last = self.evaluated_to
            if last is not None and at <= last:
                return None
            began = time.monotonic()
            deadline = asyncio.get_running_loop().time() + self.cycle_timeout
            result = await self._evaluate(at, last, deadline)
            duration = time.monotonic() - began
            errors = [(result.stage, result.error)] if result.outcome == ERROR else []
            errors += self._record(result, duration)
            errors += await self._deliver(result.report)
            if result.evaluated is not None:
                self.snapshot = await with_checklist(self, at, deadline, self.signed_off())
            if result.evaluated is not None and self.gonogo.due(at, started=last is None):
                errors += await self._scheduled_gonogo(result.report, deadline)
            self._conclude(result, duration, errors)
            return result.report

    async def _scheduled_gonogo(self, report: CycleReport, deadline: float) -> list[_Error]:
        """Assess the plan's Go/No-Go (after the cycle's own delivery, within the cycle's
        deadline); a promote goes to the sinks as a report of its own."""
        try:
            async with asyncio.timeout_at(deadline):
                promote = await self.gonogo.assess(self.source, self.launch)
        except (PrometheusError, SignalQueryError, TimeoutError) as exc:
            _log.warning("gonogo assessment failed; retrying next cycle", error=one_line(exc))
            return []
        except Exception as exc:
            return [("gonogo", self._line(exc))]
        self.snapshot = replace(self.snapshot, gonogo=self.gonogo.assessment)
        if promote is None:
            return []
        return await self._deliver(replace(report, transitions=(Transition("opened", promote),)))

    async def _evaluate(self, at: Tick, last: Tick | None, deadline: float) -> _Result:
        rebuilding = self.book is None or last is None
        times = cycle_times(self.launch, at, None if rebuilding else last)
        try:
            async with asyncio.timeout_at(deadline):
                fetched = await fetch_times(self.source, self.launch, times)
        except (PrometheusError, SignalQueryError, TimeoutError) as exc:
            kind = _error_kind(exc)
            self.metrics.query_error(kind)
            error = f"{kind}: {exc}" if str(exc) else kind
            self.health.failed(at, error)
            return _Result(self._report(at, ()), FAILED, None, error)
        except Exception as exc:
            return self._errored(at, "fetch", exc)
        try:
            # A replay reports inconclusive runs over the whole lookback, so a criterion
            # that was inconclusive before the start keeps its true start. The core advances
            # a copy: a cycle it raises in leaves the book as it was (no transition lost).
            book = None if rebuilding or self.book is None else self.book.copy()
            out = run_core(self.launch, fetched, times, times[0], book)
            self.metrics.invalid_samples(out.invalid)
            if rebuilding:
                transitions = self._late_resolves(out.book)
            else:
                transitions = tuple(t for _, t in out.transitions)
            self._keep_recent(out.book, at)
            self.book, self.evaluated_to = out.book, at
            if rebuilding:
                self._announced_open = frozenset()
            self.health.evaluated(times[0], at, out.inconclusive)
        except Exception as exc:
            return self._errored(at, "core", exc)
        report = self._report(at, transitions)
        outcome = DEGRADED if report.degraded is not None else OK
        return _Result(report, outcome, Evaluation(out, fetched.frames, self.clock()))

    def _errored(self, at: Tick, stage: str, exc: Exception) -> _Result:
        """An exception in the evaluation: nothing evaluated, the book as it was, degraded
        at once."""
        error = self._line(exc)
        self.health.errored(at, f"{stage}: {error}", sticky=False)
        return _Result(self._report(at, ()), ERROR, None, error, stage)

    def _line(self, exc: BaseException) -> str:
        """An exception as the one line the log, status and alerts show (secrets scrubbed)."""
        return self.launch.scrubber.clean(one_line(exc))

    def _late_resolves(self, book: DecisionBook | None) -> tuple[Transition, ...]:
        """Resolves the previous run announced no more (announced once: the first rebuild
        that succeeds forgets `announced_open`)."""
        if book is None:
            return ()
        return tuple(Transition("resolved", d) for d in book.closed if d.id in self._announced_open)

    def _report(self, at: Tick, transitions: Sequence[Transition]) -> CycleReport:
        open_now = sorted(self.book.open.values(), key=_order) if self.book else []
        degraded = self.health.degraded(at)
        return CycleReport(at, tuple(transitions), tuple(open_now), degraded, self.book is not None)

    def _keep_recent(self, book: DecisionBook | None, at: Tick) -> None:
        """Forget resolved decisions older than `daemon.keep_resolved` (bounded memory)."""
        if book is None:
            return
        horizon = at - tick(self.launch.config.daemon.keep_resolved)
        closed = book.closed
        if any((d.resolved_at or at) < horizon for d in closed[:1]):
            closed[:] = [d for d in closed if (d.resolved_at or at) >= horizon]

    def _record(self, result: _Result, duration: float) -> list[_Error]:
        """The snapshot and the gauges of the state after the evaluation."""
        previous, report, book = self.snapshot, result.report, self.book
        try:
            self.snapshot = after_cycle(
                self.launch,
                previous,
                report,
                result.evaluated,
                evaluated_to=self.evaluated_to,
                resolved=tuple(book.closed) if book else (),
                duration=duration,
                outcome=result.outcome,
                error=result.error,
            )
            self.metrics.state(self.snapshot, result.evaluated is not None)
        except Exception as exc:
            # What the API must show whatever failed: this cycle, its open set and health.
            self.snapshot = replace(
                previous,
                evaluated_to=self.evaluated_to,
                last_cycle_at=report.at,
                degraded=report.degraded,
                open=tuple(report.open),
            )
            return [("record", self._line(exc))]
        return []

    def _conclude(self, result: _Result, duration: float, errors: list[_Error]) -> None:
        """Count and log the cycle; an error degrades evaluation until a cycle ends clean
        (an error after the report was built shows in the next cycle's report)."""
        report, outcome, error = result.report, result.outcome, result.error
        if errors:
            outcome, error = ERROR, "; ".join(f"{stage}: {e}" for stage, e in errors)
            after = any(stage not in ("fetch", "core") for stage, _ in errors)
            self.health.errored(report.at, error, sticky=after)
        else:
            self.health.clean()
        self.snapshot = replace(self.snapshot, last_outcome=outcome, last_error=error)
        degraded = self.health.degraded(report.at) is not None
        self.metrics.counted(outcome, duration, degraded, [stage for stage, _ in errors])
        log = _log.error if errors else _log.info
        log(
            "cycle",
            at=seconds(report.at),
            duration_seconds=round(duration, 4),
            outcome=outcome,
            opened=sum(1 for t in report.transitions if t.event == "opened"),
            resolved=sum(1 for t in report.transitions if t.event == "resolved"),
            open=len(report.open),
            degraded=report.degraded.reason if report.degraded else None,
            error=error or None,
        )

    async def _deliver(self, report: CycleReport) -> list[_Error]:
        """The report to every sink (`fanout.deliver`); a sink that raised is an error."""
        errors = await deliver(
            self.sinks, report, self.cycle_timeout, self.metrics, self.health, self.launch.scrubber
        )
        return [("sink", e) for e in errors]

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
                _log.warning("sink close failed", sink=sink.name, error=one_line(exc))


def _order(d: Decision) -> tuple[Tick, str, tuple[tuple[str, str], ...]]:
    return (d.opened_at, d.criterion, d.scope)
