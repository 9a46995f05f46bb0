"""What one evaluation says about one criterion (or SLO) in one scope."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from launchguard.core.frames import NoData, Reading, ScopeKey, Tick


class State(enum.Enum):
    FIRED = "fired"
    CLEAR = "clear"
    INCONCLUSIVE = "inconclusive"


class SLOState(enum.Enum):
    MET = "met"
    BREACHED = "breached"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Observation:
    """An operand as read: `signal` in `scope` at `at` (= t - offset seconds)."""

    signal: str
    scope: ScopeKey
    at: Tick
    offset: float
    value: Reading

    @property
    def missing(self) -> bool:
        return isinstance(self.value, NoData)


@dataclass(frozen=True)
class Verdict:
    """A criterion's state in a scope at one time, with the operands that decided it."""

    criterion: str
    scope: ScopeKey
    at: Tick
    state: State
    observations: tuple[Observation, ...] = ()
    thresholds: Mapping[str, float] = field(default_factory=dict)
    detail: tuple[Mapping[str, object], ...] = ()


@dataclass(frozen=True)
class SLOReading:
    """An SLO's value in a scope at one time against its objective."""

    slo: str
    scope: ScopeKey
    at: Tick
    value: Reading
    objective: float
    comparison: str
    state: SLOState
