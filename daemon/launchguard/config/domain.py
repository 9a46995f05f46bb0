"""The frozen domain model the code works with, mapped once from the validated config."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from launchguard.config.checklist import ChecklistItem, checklist_items
from launchguard.config.models import (
    ActionPlan,
    Criteria,
    LaunchConfig,
    SLOSpec,
    VolumeLevel,
)
from launchguard.config.prometheus_settings import PrometheusSettings
from launchguard.config.urls import http_url
from launchguard.config.valuedomains import ValueDomain, value_domain
from launchguard.scrub import NO_SECRETS, Scrubber, prometheus_scrubber, scrubber_for


@dataclass(frozen=True)
class Signal:
    """A named PromQL query whose series are keyed by the `scope` labels; samples outside
    `domain` are invalid."""

    name: str
    query: str
    scope: tuple[str, ...]
    window: float | None
    domain: ValueDomain


@dataclass(frozen=True)
class PhaseSpan:
    """A launch phase in unix seconds (None: open on that side)."""

    name: str
    start: float | None
    end: float | None
    level: str


@dataclass(frozen=True)
class FreezeSpan:
    """A change freeze in unix seconds: [start, end)."""

    name: str
    start: float
    end: float
    note: str


@dataclass(frozen=True)
class Launch:
    """Everything the evaluation needs, with times in seconds and T0 resolved to UTC."""

    config: LaunchConfig
    prometheus: PrometheusSettings
    signals: Mapping[str, Signal]
    networks: tuple[str, ...]
    interval: float
    lookback: float
    clear_for: float
    slos: Mapping[str, SLOSpec]
    criteria: Criteria
    actions: Mapping[str, ActionPlan]
    levels: tuple[VolumeLevel, ...]
    phases: tuple[PhaseSpan, ...]
    timezone: str
    t0: float | None
    freezes: tuple[FreezeSpan, ...] = ()
    scrubber: Scrubber = NO_SECRETS  # every error text and URL shown passes through it
    checklist: tuple[ChecklistItem, ...] = ()  # none without T0


def to_domain(config: LaunchConfig) -> Launch:
    """Map a validated config into the domain model."""
    signals = {
        name: Signal(
            name,
            config.render_query(name),
            spec.scope,
            spec.window,
            value_domain(spec.domain, config.domains),
        )
        for name, spec in config.signals.items()
    }
    t0, phases = _phase_spans(config)
    return Launch(
        config=config,
        prometheus=config.prometheus,
        signals=MappingProxyType(signals),
        networks=config.launch.networks,
        interval=config.evaluation.interval,
        lookback=config.evaluation.lookback,
        clear_for=config.evaluation.clear_for,
        slos=MappingProxyType(dict(config.slos)),
        criteria=config.criteria,
        actions=MappingProxyType(dict(config.actions)),
        levels=config.launch.volume_levels,
        phases=phases,
        timezone=config.launch.timezone,
        t0=t0,
        freezes=_freeze_spans(config),
        scrubber=scrubber_for(config),
        checklist=_checklist(config),
    )


def with_prometheus_url(launch: Launch, url: str) -> Launch:
    """`launch` against another Prometheus (e.g. `--prometheus`), its scrubber knowing the
    new URL's password. ValueError saying why when `url` is not an http(s) URL with a host."""
    settings = launch.prometheus.model_copy(update={"url": http_url(url)})
    return replace(
        launch, prometheus=settings, scrubber=launch.scrubber + prometheus_scrubber(settings)
    )


def _t0_clock(config: LaunchConfig) -> tuple[float, Callable[[float], float]] | None:
    """T0 in unix seconds and offset (seconds, relative to T0) → unix seconds; None without T0."""
    launch = config.launch
    if launch.t0 is None:
        return None
    zone = ZoneInfo(launch.timezone)
    local_t0 = launch.t0.replace(tzinfo=zone) if launch.t0.tzinfo is None else launch.t0
    local_t0 = local_t0.astimezone(zone)

    def at(offset: float) -> float:
        # Wall-clock arithmetic in the launch's zone: "T-14 days" keeps the local time across DST.
        return (local_t0 + timedelta(seconds=offset)).astimezone(zone).timestamp()

    return local_t0.timestamp(), at


def _phase_spans(config: LaunchConfig) -> tuple[float | None, tuple[PhaseSpan, ...]]:
    clock = _t0_clock(config)
    if clock is None:
        return None, ()
    t0, at = clock
    spans = tuple(
        PhaseSpan(
            p.name,
            None if p.start is None else at(p.start),
            None if p.end is None else at(p.end),
            p.level,
        )
        for p in config.launch.phases
    )
    return t0, spans


def _freeze_spans(config: LaunchConfig) -> tuple[FreezeSpan, ...]:
    """Freeze windows, with the same wall-clock arithmetic as the phases."""
    clock = _t0_clock(config)
    if clock is None:
        return ()
    _, at = clock
    return tuple(FreezeSpan(w.name, at(w.start), at(w.end), w.note) for w in config.launch.freezes)


def _checklist(config: LaunchConfig) -> tuple[ChecklistItem, ...]:
    """The cutover checklist's items, their moments placed like the phases; none without T0."""
    clock = _t0_clock(config)
    if clock is None:
        return ()
    return checklist_items(config.checklist, config.metric_placeholders(), clock[1])
