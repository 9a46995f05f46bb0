"""Turn a scenario anchored at a start time into METRICS.md series, streamed.

`families(scenario, start)` lists every family with its series (labels + a factory of
per-sample steps, see `sim.streams`); nothing is computed until a series is iterated.
`samples(...)` yields one series' samples over any ascending times (a finite grid for the
history file, an endless one for the live exporter): gauges as values, counters as running
totals (restarting at `counter_reset` events), histograms as cumulative points; None at
times inside a `gap` event. `write_history` streams a whole history into an
`OpenMetricsWriter`, one series at a time: memory does not grow with its length.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from launchguard.sim import families as f
from launchguard.sim.events import CounterReset, Gap
from launchguard.sim.openmetrics import HistogramPoint, OpenMetricsWriter
from launchguard.sim.partners import LaunchModel, PartnerModel
from launchguard.sim.platform import NetworkModel
from launchguard.sim.scenario import Scenario
from launchguard.sim.streams import Factory, Window, constant, first_at
from launchguard.sim.timeline import Histogram
from launchguard.sim.trust import TrustModel

Value = float | HistogramPoint


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    make: Factory
    gaps: tuple[Window, ...] = ()
    resets: tuple[float, ...] = ()  # unix times the counter restarts (first sample at or after)


@dataclass(frozen=True)
class Family:
    name: str
    kind: f.Kind
    help: str
    series: list[Series] = field(default_factory=list)
    buckets: tuple[float, ...] = ()


def grid_start(end: float, duration: float, step: float) -> float:
    """The start of a scenario of `duration` whose last sample is at or before `end`, on a
    `step` grid (so histories written for the same end line up with the live exporter)."""
    return (end // step) * step - duration


def times(start: float, end: float, step: float) -> Iterator[float]:
    """start, start + step, … ≤ end; end None: endless."""
    for i in itertools.count():
        t = start + i * step
        if end is not None and t > end + 1e-9:
            return
        yield t


def families(s: Scenario, start: float) -> list[Family]:
    """Every family of the scenario's history, series in a stable order."""
    nets = [NetworkModel(s, spec, start) for spec in s.baseline.networks]
    trust = TrustModel(s, start)
    partners = PartnerModel(s, start)
    launch = LaunchModel(s, start)
    out: dict[str, list[tuple[dict[str, str], Factory]]] = {name: [] for name in f.FAMILIES}

    def add(name: str, labels: dict[str, str], make: Factory) -> None:
        out[name].append((labels, make))

    for n in nets:
        net = n.spec.name
        for asset in n.shares:
            add(f.PASSTHROUGH, {"network": net, "asset": asset}, n.passthrough(asset))
            add(f.VOLUME, {"network": net, "asset": asset}, n.volume(asset))
        add(f.QUEUE, {"network": net}, n.queue())
        add(f.COMPLETED, {"network": net}, n.completed())
        add(f.STUCK, {"network": net}, n.stuck_transactions())
        add(f.EOD, {"network": net}, trust.observations(net))
        for outcome in ("full", "partial", "t_plus_1"):
            add(f.SETTLEMENTS, {"network": net, "outcome": outcome},
                trust.settlement_count(net, outcome))  # fmt: skip
        add(f.GAS, {"network": net}, n.reserve(n.spec.gas_reserve.level, "gas"))
        add(f.GAS_MIN, {"network": net}, constant(n.spec.gas_reserve.min))
        for w in n.spec.wallets:
            labels = {"network": net, "asset": w.asset, "wallet": w.name}
            add(f.HOT, labels, n.reserve(w.balance, w.name))
            add(f.HOT_MIN, labels, constant(w.min))
    for p in trust.pairs:
        labels = {"network": p.network, "pair": p.name}
        add(f.UNSETTLED, labels, trust.unsettled(p))
        add(f.CUTOFF, labels, trust.cutoff(p))
    for partner in partners.names:
        for outcome in ("success", "failure"):
            add(f.DELIVERIES, {"partner": partner, "outcome": outcome},
                partners.deliveries(partner, outcome))  # fmt: skip
        add(f.DEAD_LETTER, {"partner": partner}, partners.dead_letter(partner))
        add(f.OFFERS, {"partner": partner}, partners.business(partner, "offers"))
        add(f.DEALS, {"partner": partner}, partners.business(partner, "deals"))
        add(f.CANCELLED, {"partner": partner}, partners.business(partner, "cancelled"))
    for severity in ("sev1", "sev2", "sev3"):
        add(f.INCIDENTS_OPEN, {"severity": severity}, launch.incidents_open(severity))
        add(f.INCIDENTS, {"severity": severity}, launch.incidents_declared(severity))
    if s.baseline.volume_cap is not None or launch.caps:
        add(f.CAP, {}, launch.volume_cap())
    if s.baseline.daily_target_usd is not None:
        add(f.TARGET, {}, constant(s.baseline.daily_target_usd))
    for tk in s.baseline.tickets:
        add(f.CREATED, {"ticket": tk.ticket, "priority": tk.priority},
            first_at(start + tk.created, start + tk.created))  # fmt: skip
        for stage in ("responded", "workaround", "resolved"):
            at = getattr(tk, stage)
            if at is not None:
                add(f.STAGE, {"ticket": tk.ticket, "stage": stage},
                    first_at(start + at, start + at))  # fmt: skip
    gaps = [e for e in s.events if isinstance(e, Gap)]
    resets = [e for e in s.events if isinstance(e, CounterReset)]
    result = []
    for name, entries in out.items():
        if not entries:
            continue
        kind, help = f.FAMILIES[name]
        series = []
        for labels, make in entries:
            series_net = labels.get("network")
            my_gaps = tuple(
                Window(start + g.at, start + g.until)
                for g in gaps
                if (g.network is None or g.network == series_net)
                and (g.families is None or name in g.families)
            )
            my_resets = tuple(
                sorted(start + r.at for r in resets if r.network is None or r.network == series_net)
            )
            series.append(Series(labels, make, my_gaps, my_resets if kind != "gauge" else ()))
        result.append(Family(name, kind, help, series, f.BUCKETS.get(name, ())))
    return result


def samples(family: Family, series: Series, at: Iterable[float]) -> Iterator[Value | None]:
    """One value per time of `at`: None inside a gap or where the gauge has no sample."""
    step = series.make()
    gaps, resets = series.gaps, list(series.resets)
    next_reset = resets.pop(0) if resets else None
    if family.kind == "gauge":
        for t in at:
            v = step(t)
            yield None if gaps and any(g.holds(t) for g in gaps) else v  # type: ignore[misc]
        return
    hist = Histogram(family.buckets) if family.kind == "histogram" else None
    total = 0.0
    for t in at:
        if next_reset is not None and t >= next_reset:
            total = 0.0
            if hist is not None:
                hist.reset()
            next_reset = resets.pop(0) if resets else None
        got = step(t)
        if hist is not None:
            for value in got:  # type: ignore[attr-defined]
                hist.observe(value)
        else:
            total += got  # type: ignore[operator]
        if gaps and any(g.holds(t) for g in gaps):
            yield None
        elif hist is not None:
            yield hist.point(t)
        else:
            yield total


def _points(family: Family, series: Series, grid: Sequence[float]) -> Iterator[object]:
    if family.kind == "gauge" and not series.gaps:
        return _gauge_points(series, grid)
    if family.kind == "histogram":
        return (v for v in samples(family, series, grid) if v is not None)
    values = samples(family, series, grid)
    return ((t, v) for t, v in zip(grid, values, strict=True) if v is not None)


def _gauge_points(series: Series, grid: Sequence[float]) -> Iterator[tuple[float, float]]:
    """The common case, kept to one generator: a gauge with no gap."""
    step = series.make()
    for t in grid:
        v = step(t)
        if v is not None:
            yield t, v  # type: ignore[misc]


def write_history(
    s: Scenario,
    start: float,
    end: float,
    w: OpenMetricsWriter,
    target_labels: Mapping[str, str] | None = None,
) -> None:
    """The scenario anchored at `start`, sampled every `step` up to `end` (unix seconds).

    `target_labels` are added to every series: give the `job` and `instance` labels that
    Prometheus adds when it scrapes the live exporter continuing this history, so that the
    history and the scraped samples are one series (else every sum counts both)."""
    grid = _Grid(start, end, s.step)
    extra = dict(target_labels or {})
    for fam in families(s, start):
        series = (({**x.labels, **extra}, _points(fam, x, grid)) for x in fam.series)
        if fam.kind == "gauge":
            w.gauge(fam.name, fam.help, series)  # type: ignore[arg-type]
        elif fam.kind == "counter":
            w.counter(fam.name, fam.help, series)  # type: ignore[arg-type]
        else:
            w.histogram(fam.name, fam.help, fam.buckets, series)  # type: ignore[arg-type]


class _Grid(Sequence[float]):
    """start, start + step, … ≤ end, computed on access (no list of a week of times)."""

    def __init__(self, start: float, end: float, step: float) -> None:
        self.start, self.step = start, step
        self.n = int((end - start) // step) + 1 if end >= start else 0

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> float:  # type: ignore[override]
        if not 0 <= i < self.n:
            raise IndexError(i)
        return self.start + i * self.step

    def __iter__(self) -> Iterator[float]:
        start, step = self.start, self.step
        if float(start).is_integer() and float(step).is_integer():
            # Whole seconds as ints: the writer formats them fastest.
            first, every = int(start), int(step)
            return iter(range(first, first + every * self.n, every))
        return (start + i * step for i in range(self.n))
