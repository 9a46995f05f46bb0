"""The scenario format: a launch day over the METRICS.md series, as validated YAML.

A scenario is a baseline (healthy traffic per network, asset, trust pair and partner) and
timed events (see `sim.events`). Every time in a scenario is an offset from its start
("2h15m"); the generator anchors the start to a unix time. `load_scenario` accepts a name
from the shipped library (`sim/scenarios/NAME.yaml`) or a path, and raises `ConfigError`
naming the file and the field of every problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from launchguard.config.durations import Duration
from launchguard.config.loader import ConfigError
from launchguard.config.models import Strict
from launchguard.sim.events import (
    EodStuck,
    Event,
    Gap,
    PassthroughDegradation,
    WebhookOutage,
)
from launchguard.sim.families import FAMILIES

LIBRARY = "sim/scenarios"


class Passthrough(Strict):
    """Pass-through of completed payouts: log-normal with this median, spread = sigma of log."""

    median: Duration = Field(default=240.0, gt=0, description="median pass-through, seconds")
    spread: float = Field(default=0.4, ge=0, le=3, description="sigma of ln(pass-through)")


class Queue(Strict):
    depth: float = Field(default=12.0, ge=0, description="payouts waiting, baseline")
    noise: float = Field(default=2.0, ge=0, description="std-dev of the depth, payouts")


class Reserve(Strict):
    level: float = Field(default=40.0, ge=0, description="gas/energy reserve, token units")
    min: float = Field(default=5.0, ge=0, description="its threshold")


class Wallet(Strict):
    name: str = Field(min_length=1, description="wallet label value")
    asset: str = Field(description="usdt or usdc")
    balance: float = Field(default=250_000.0, ge=0, description="hot balance, token units")
    min: float = Field(default=50_000.0, ge=0, description="min_hot_balance threshold")


class Eod(Strict):
    settlement: Duration = Field(default=1500.0, gt=0, description="cut-off to settlement")


class NetworkSpec(Strict):
    name: str = Field(pattern=r"^[a-z0-9_]+$", description="network label value")
    assets: dict[str, float] = Field(
        default_factory=lambda: {"usdt": 0.7, "usdc": 0.3},
        description="asset → share of payouts (shares are normalised)",
    )
    payouts_per_minute: float = Field(default=30.0, ge=0, description="completions, all assets")
    passthrough: Passthrough = Field(default_factory=Passthrough, description="baseline")
    usd_per_payout: float = Field(default=300.0, ge=0, description="average payout, USD")
    queue: Queue = Field(default_factory=Queue, description="payout queue depth")
    stuck_transactions: float = Field(default=0.0, ge=0, description="stuck payouts, baseline")
    gas_reserve: Reserve = Field(default_factory=Reserve, description="gas reserve")
    wallets: list[Wallet] = Field(default_factory=list, description="hot wallets")


class PairGroup(Strict):
    """Trust pairs of one network with a daily cut-off `cutoff` after the scenario start
    (repeating every 24 h; the one before is 24 h earlier), settled `settle_after` later."""

    network: str = Field(description="network of these pairs")
    count: int = Field(default=2, ge=1, le=10_000, description="pairs (named NETWORK-club-NN)")
    names: list[str] | None = Field(default=None, description="explicit pair names")
    cutoff: Duration = Field(default=1800.0, description="first cut-off, offset")
    settle_after: Duration = Field(default=1500.0, gt=0, description="cut-off to settlement")
    sessions: int = Field(default=3, ge=1, description="sessions closed at each cut-off")

    def pair_names(self) -> list[str]:
        if self.names:
            return list(self.names)
        return [f"{self.network}-club-{i:02d}" for i in range(1, self.count + 1)]


class Partners(Strict):
    count: int = Field(default=4, ge=1, le=100_000, description="partners (partner-NN)")
    names: list[str] | None = Field(default=None, description="explicit partner names")
    deliveries_per_minute: float = Field(default=20.0, ge=0, description="per partner")
    failure_ratio: float = Field(default=0.002, ge=0, le=1, description="baseline failures")
    dead_letter: float = Field(default=1.0, ge=0, description="dead-letter depth, per partner")
    offers_per_hour: float = Field(default=40.0, ge=0, description="per partner")
    deal_ratio: float = Field(default=0.35, ge=0, le=1, description="deals per offer")
    cancel_ratio: float = Field(default=0.05, ge=0, le=1, description="cancellations per deal")

    def partner_names(self) -> list[str]:
        if self.names:
            return list(self.names)
        return [f"partner-{i:02d}" for i in range(1, self.count + 1)]


class TicketSpec(Strict):
    """A support ticket: registration and the stages it reached, as offsets."""

    ticket: str = Field(min_length=1)
    priority: Literal["p1", "p2", "p3", "p4"]
    created: Duration
    responded: Duration | None = None
    workaround: Duration | None = None
    resolved: Duration | None = None


def _default_networks() -> list[NetworkSpec]:
    return [NetworkSpec(name="erc20"), NetworkSpec(name="trc20")]


def _default_pairs() -> list[PairGroup]:
    return [PairGroup(network="erc20"), PairGroup(network="trc20")]


class Baseline(Strict):
    networks: list[NetworkSpec] = Field(default_factory=_default_networks, min_length=1)
    pairs: list[PairGroup] = Field(default_factory=_default_pairs)
    partners: Partners = Field(default_factory=Partners)
    tickets: list[TicketSpec] = Field(default_factory=list)
    volume_cap: float | None = Field(default=0.3, ge=0, le=1, description="None: series absent")
    daily_target_usd: float | None = Field(default=100_000_000.0, ge=0, description="USD")


class Scenario(Strict):
    description: str = Field(min_length=1, description="one line for `sim list`")
    seed: int = Field(default=1, description="makes the noise deterministic")
    duration: Duration = Field(gt=0, description="length of the written history")
    step: Duration = Field(default=30.0, ge=1, description="sample interval, seconds")
    backtest_from: Duration = Field(default=3600.0, description="acceptance backtest start")
    demo_at: Duration | None = Field(default=None, description="offset the demo puts at now")
    baseline: Baseline = Field(default_factory=Baseline)
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _times(self) -> Scenario:
        if self.backtest_from >= self.duration:
            raise ValueError("backtest_from must be before the end (duration)")
        return self

    @property
    def networks(self) -> list[str]:
        return [n.name for n in self.baseline.networks]


def library_dir() -> Path:
    return Path(str(resources.files("launchguard").joinpath(LIBRARY)))


def list_scenarios() -> list[tuple[str, str]]:
    """(name, description) of every scenario of the shipped library, sorted by name."""
    out = []
    for file in sorted(library_dir().glob("*.yaml")):
        if file.name.endswith(".expected.yaml"):
            continue
        out.append((file.stem, load_scenario(str(file)).description))
    return out


def scenario_path(name_or_path: str) -> Path:
    """A library name (`passthrough_rollback`) or a path to a YAML file."""
    if name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path:
        return Path(name_or_path)
    path = library_dir() / f"{name_or_path}.yaml"
    if not path.exists():
        names = ", ".join(name for name, _ in list_scenarios())
        problem = f"{name_or_path}: no such scenario; the library has: {names}"
        raise ConfigError("--scenario", [("", problem)])
    return path


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), [("", "no such file")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(str(path), [("", f"YAML syntax error: {where}{exc}")]) from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), [("", "the top level must be a mapping")])
    return data


def problem_of(err: Mapping[str, Any]) -> tuple[str, str]:
    """A pydantic error as (field path, message)."""
    path = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return path, "unknown key"
    if err["type"] == "missing":
        return path, "required field is missing"
    return path, str(err["msg"]).removeprefix("Value error, ")


def load_scenario(name_or_path: str) -> Scenario:
    """The validated scenario; `ConfigError` (file, field, message) when it is not usable."""
    path = scenario_path(name_or_path)
    raw = read_yaml(path)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(str(path), [problem_of(e) for e in exc.errors()]) from None
    found = reference_problems(scenario)
    if found:
        raise ConfigError(str(path), found)
    return scenario


def reference_problems(s: Scenario) -> list[tuple[str, str]]:
    """Events naming a network, pair, partner or family the baseline does not have."""
    networks = set(s.networks)
    pairs = {g.network: set(g.pair_names()) for g in s.baseline.pairs}
    partners = set(s.baseline.partners.partner_names())
    found: list[tuple[str, str]] = []
    for i, g in enumerate(s.baseline.pairs):
        if g.network not in networks:
            found.append((f"baseline.pairs.{i}.network", f"unknown network {g.network!r}"))
    for i, e in enumerate(s.events):
        where = f"events.{i}"
        network = getattr(e, "network", None)
        if network is not None and network not in networks:
            found.append((f"{where}.network", f"unknown network {network!r}"))
        if isinstance(e, EodStuck):
            unknown = sorted(set(e.pairs or ()) - pairs.get(e.network, set()))
            if unknown:
                found.append((f"{where}.pairs", f"unknown pairs of {e.network}: {unknown}"))
        if isinstance(e, WebhookOutage):
            unknown = sorted(set(e.partners or ()) - partners)
            if unknown:
                found.append((f"{where}.partners", f"unknown partners: {unknown}"))
        if isinstance(e, Gap):
            unknown = sorted(set(e.families or ()) - set(FAMILIES))
            if unknown:
                found.append((f"{where}.families", f"unknown metric families: {unknown}"))
        if isinstance(e, PassthroughDegradation) and network in networks:
            assets = next(n.assets for n in s.baseline.networks if n.name == network)
            unknown = sorted(set(e.assets or ()) - set(assets))
            if unknown:
                found.append((f"{where}.assets", f"unknown assets of {network}: {unknown}"))
    return found
