"""Small factories for sink tests: decisions with real action plans and evidence, reports.

Times are unix seconds (`at_s`); decisions built here look like the core's: the action plan
comes from the shipped config, the evidence has observations and thresholds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from launchguard.core.actions import plan_actions
from launchguard.core.decisions import Decision, Transition, decision_id
from launchguard.core.frames import GLOBAL, ScopeKey, tick
from launchguard.core.verdicts import Observation, State, Verdict
from launchguard.interfaces import CycleReport, Degraded

from factories import DEFAULT

KEY = "k" * 32  # a journal key long enough for the shipped min_key_bytes


def evidence(criterion: str, scope: ScopeKey, at_s: float, p95: float = 2400.0) -> Verdict:
    at = tick(at_s)
    observations = (
        Observation("passthrough_p95", scope, at, 0.0, p95),
        Observation("passthrough_p95", scope, at - 900_000, 900.0, 2100.0),
        Observation("payout_queue", scope, at, 0.0, 140.0),
        Observation("payout_queue", scope, at - 1_800_000, 1800.0, 60.0),
    )
    return Verdict(criterion, scope, at, State.FIRED, observations, {"p95_threshold": 1800.0})


def decision(
    opened_s: float,
    *,
    criterion: str = "passthrough_rollback",
    network: str | None = "trc20",
    resolved_s: float | None = None,
) -> Decision:
    """A decision of the shipped action plan for `criterion` (kind from the config)."""
    scope: ScopeKey = (("network", network),) if network else GLOBAL
    plan = DEFAULT.actions[criterion]
    actions = plan_actions(plan, scope, DEFAULT.networks, DEFAULT.levels, DEFAULT.levels[0])
    opened = tick(opened_s)
    return Decision(
        decision_id(criterion, scope, opened),
        plan.kind,
        criterion,
        scope,
        opened,
        tick(resolved_s) if resolved_s is not None else None,
        actions,
        evidence(criterion, scope, opened_s),
    )


def resolved(d: Decision, at_s: float) -> Decision:
    return replace(d, resolved_at=tick(at_s))


def refreshed(d: Decision, at_s: float, p95: float) -> Decision:
    """The same open decision with newer evidence (as `DecisionBook.refresh` gives)."""
    return replace(d, evidence=evidence(d.criterion, d.scope, at_s, p95))


def report(
    at_s: float,
    *,
    opened: Sequence[Decision] = (),
    resolved_now: Sequence[Decision] = (),
    open_: Sequence[Decision] = (),
    degraded: Degraded | None = None,
) -> CycleReport:
    """A cycle at `at_s`: `opened` are also open unless listed as resolved; `open_` are open
    from before."""
    transitions = [Transition("opened", d) for d in opened]
    transitions += [Transition("resolved", d) for d in resolved_now]
    gone = {d.id for d in resolved_now}
    still = [d for d in [*open_, *opened] if d.id not in gone]
    return CycleReport(tick(at_s), transitions, still, degraded)


def degraded(since_s: float, reason: str = "prometheus_unreachable") -> Degraded:
    return Degraded(reason, tick(since_s), "connection refused")


def journal_records(path: Path) -> int:
    """Committed journal records in the SQLite file (0 while the file or its schema does not
    exist yet); read-only, so a writer being killed is never disturbed."""
    if not path.exists():
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    try:
        return int(db.execute("SELECT COUNT(*) FROM records").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()
