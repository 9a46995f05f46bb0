"""Decision lifecycle: open on a fired verdict, resolve after `clear_for` of unbroken clear.

A decision is keyed by (criterion, scope). Its id is a function of (criterion, scope,
opened_at) only, so a restart or a replay of the same history yields the same ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from launchguard.config.models import ESCALATION_CRITERION, ActionPlan, VolumeLevel
from launchguard.core.actions import Action, plan_actions
from launchguard.core.frames import GLOBAL, ScopeKey, Tick
from launchguard.core.verdicts import State, Verdict

Key = tuple[str, ScopeKey]
ROLLBACK_KINDS = frozenset({"partial_rollback", "full_rollback"})


def decision_id(criterion: str, scope: ScopeKey, opened_at: Tick) -> str:
    """Deterministic id: 16 hex digits of SHA-256 over criterion, scope and opened_at (ms)."""
    labels = ",".join(f"{k}={v}" for k, v in sorted(scope))
    digest = hashlib.sha256(f"{criterion}|{labels}|{opened_at}".encode()).hexdigest()
    return digest[:16]


@dataclass(frozen=True)
class Decision:
    """A recommendation: opened at a time, resolved at a later one (None while open)."""

    id: str
    kind: str
    criterion: str
    scope: ScopeKey
    opened_at: Tick
    resolved_at: Tick | None
    actions: tuple[Action, ...]
    evidence: Verdict
    related: tuple[str, ...] = ()  # for an escalation: the ids of the decisions behind it

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True)
class Transition:
    event: str  # "opened" | "resolved"
    decision: Decision


@dataclass
class DecisionBook:
    """The open and closed decisions, advanced one evaluation time at a time (pure state)."""

    clear_for: Tick
    networks: tuple[str, ...]
    plans: Mapping[str, ActionPlan]
    levels: Sequence[VolumeLevel]
    open: dict[Key, Decision] = field(default_factory=dict)
    closed: list[Decision] = field(default_factory=list)
    clear_since: dict[Key, Tick] = field(default_factory=dict)
    # Decisions whose opened_at and resolved_at are facts (an SLA due time, a stage time),
    # given explicitly: no clear rule applies to them.
    timed: set[Key] = field(default_factory=set)
    timed_ids: set[str] = field(default_factory=set)

    def copy(self) -> DecisionBook:
        """A book advancing independently of this one (the decisions are shared: frozen)."""
        return replace(
            self,
            open=dict(self.open),
            closed=list(self.closed),
            clear_since=dict(self.clear_since),
            timed=set(self.timed),
            timed_ids=set(self.timed_ids),
        )

    def step(
        self,
        t: Tick,
        verdicts: Iterable[Verdict],
        kind_of: Callable[[str], str],
        level: VolumeLevel | None,
    ) -> list[Transition]:
        """Apply the verdicts of time `t`; return the decisions opened and resolved at `t`.

        An open decision with no verdict at `t` counts as inconclusive (it stays open)."""
        by_key = {(v.criterion, v.scope): v for v in verdicts}
        states = {key: v.state for key, v in by_key.items()}
        return self.advance(t, states, by_key.__getitem__, kind_of, lambda: level)

    def advance(
        self,
        t: Tick,
        states: Mapping[Key, State],
        explain: Callable[[Key], Verdict],
        kind_of: Callable[[str], str],
        level: Callable[[], VolumeLevel | None],
    ) -> list[Transition]:
        """Apply the states of time `t`; `explain(key)` gives the evidence of a decision that
        opens, `level()` the volume level in force. Keys absent from `states` are clear,
        except open decisions, which count as inconclusive."""
        out: list[Transition] = []
        for key in list(self.open):
            if key[0] == ESCALATION_CRITERION or key in self.timed:
                continue
            resolved = self._track_clear(key, states.get(key, State.INCONCLUSIVE), t)
            if resolved is not None:
                out.append(Transition("resolved", resolved))
        for key, state in states.items():
            if state is State.FIRED and key not in self.open:
                out.append(
                    Transition("opened", self._open(key, kind_of(key[0]), explain(key), t, level()))
                )
        out.extend(self._escalate(t, level))
        return out

    def open_at(
        self,
        key: Key,
        kind: str,
        evidence: Verdict,
        opened_at: Tick,
        actions: tuple[Action, ...],
    ) -> Decision | None:
        """Open a decision at an explicit time (a fact, not an evaluation time); None when it
        is open already or was opened before (same id), so replaying a span changes nothing."""
        did = decision_id(key[0], key[1], opened_at)
        if key in self.open or did in self.timed_ids:
            return None
        decision = Decision(did, kind, key[0], key[1], opened_at, None, actions, evidence)
        self.open[key] = decision
        self.timed.add(key)
        self.timed_ids.add(did)
        return decision

    def resolve_at(self, key: Key, resolved_at: Tick, evidence: Verdict | None = None) -> Decision:
        """Resolve an open decision at an explicit time, with its final evidence if given."""
        decision = self.open[key]
        final = replace(
            decision,
            resolved_at=max(resolved_at, decision.opened_at),
            evidence=evidence if evidence is not None else decision.evidence,
        )
        del self.open[key]
        self.timed.discard(key)
        self.closed.append(final)
        return final

    def refresh(self, key: Key, evidence: Verdict) -> None:
        """Replace the evidence of an open decision (e.g. "late by" as of a later time)."""
        self.open[key] = replace(self.open[key], evidence=evidence)

    def _track_clear(self, key: Key, state: State, t: Tick) -> Decision | None:
        if state is not State.CLEAR:
            self.clear_since.pop(key, None)
            return None
        since = self.clear_since.setdefault(key, t)
        if t - since < self.clear_for:
            return None
        return self._resolve(key, t)

    def _open(
        self,
        key: Key,
        kind: str,
        evidence: Verdict,
        t: Tick,
        level: VolumeLevel | None,
        related: tuple[str, ...] = (),
    ) -> Decision:
        criterion, scope = key
        plan = self.plans.get(criterion)
        actions = plan_actions(plan, scope, self.networks, self.levels, level) if plan else ()
        decision = Decision(
            decision_id(criterion, scope, t),
            kind,
            criterion,
            scope,
            t,
            None,
            actions,
            evidence,
            related,
        )
        self.open[key] = decision
        return decision

    def _resolve(self, key: Key, t: Tick) -> Decision:
        decision = replace(self.open.pop(key), resolved_at=t)
        self.clear_since.pop(key, None)
        self.closed.append(decision)
        return decision

    def _escalate(self, t: Tick, level: Callable[[], VolumeLevel | None]) -> list[Transition]:
        """Open `all_networks` while every network has a partial rollback open."""
        key: Key = (ESCALATION_CRITERION, GLOBAL)
        partial = {
            dict(d.scope).get("network"): d
            for d in self.open.values()
            if d.kind == "partial_rollback" and d.scope
        }
        covered = all(network in partial for network in self.networks)
        if covered and key not in self.open and ESCALATION_CRITERION in self.plans:
            behind = tuple(sorted(d.id for d in partial.values()))
            evidence = Verdict(
                ESCALATION_CRITERION,
                GLOBAL,
                t,
                State.FIRED,
                detail=tuple(
                    {"network": n, "criterion": partial[n].criterion, "decision_id": partial[n].id}
                    for n in self.networks
                ),
            )
            kind = self.plans[ESCALATION_CRITERION].kind
            return [Transition("opened", self._open(key, kind, evidence, t, level(), behind))]
        if not covered and key in self.open:
            return [Transition("resolved", self._resolve(key, t))]
        return []

    def decisions(self) -> list[Decision]:
        """Closed and open decisions, sorted by opened_at, then criterion and scope."""
        every = [*self.closed, *self.open.values()]
        return sorted(every, key=lambda d: (d.opened_at, d.criterion, d.scope))
