"""The JSON of DESIGN §5: decisions and inconclusive spans, times in RFC 3339 UTC."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from launchguard.config.durations import format_duration
from launchguard.core.actions import Action
from launchguard.core.calendar import FreezeState
from launchguard.core.decisions import Decision
from launchguard.core.engine import InconclusiveSpan
from launchguard.core.explain import summary
from launchguard.core.frames import NoData, ScopeKey, tick
from launchguard.core.verdicts import Observation, SLOReading, Verdict
from launchguard.coverage import Coverage
from launchguard.interfaces import Degraded
from launchguard.output.timefmt import json_number, rfc3339


def scope_json(scope: ScopeKey) -> dict[str, str]:
    return dict(scope)


def observation_json(o: Observation) -> dict[str, Any]:
    value: Any
    if isinstance(o.value, NoData):
        value, missing = None, o.value.reason
    else:
        value, missing = json_number(o.value), None
    out: dict[str, Any] = {
        "signal": o.signal,
        "scope": scope_json(o.scope),
        "at": rfc3339(o.at),
        "offset": format_duration(o.offset),
        "value": value,
    }
    if missing is not None:
        out["missing"] = missing
    if isinstance(o.value, NoData) and o.value.detail:
        out["invalid"] = o.value.detail  # which value, outside which domain
    return out


def evidence_json(v: Verdict) -> dict[str, Any]:
    out: dict[str, Any] = {
        "at": rfc3339(v.at),
        "summary": summary(v),
        "observations": [observation_json(o) for o in v.observations],
        "thresholds": {k: json_number(x) for k, x in v.thresholds.items()},
    }
    if v.detail:
        out["detail"] = [dict(d) for d in v.detail]
    return out


def action_json(a: Action) -> dict[str, Any]:
    out: dict[str, Any] = {"step": a.step, "text": a.text}
    if a.network is not None:
        out["network"] = a.network
    if a.from_level is not None:
        out["from"] = {"level": a.from_level.name, "ratio": a.from_level.ratio}
    if a.to_level is not None:
        out["to"] = {"level": a.to_level.name, "ratio": a.to_level.ratio}
    return out


def decision_json(d: Decision) -> dict[str, Any]:
    """Exactly the keys of DESIGN §5."""
    return {
        "id": d.id,
        "kind": d.kind,
        "criterion": d.criterion,
        "scope": scope_json(d.scope),
        "opened_at": rfc3339(d.opened_at),
        "resolved_at": rfc3339(d.resolved_at) if d.resolved_at is not None else None,
        "actions": [action_json(a) for a in d.actions],
        "evidence": evidence_json(d.evidence),
    }


def span_json(s: InconclusiveSpan) -> dict[str, Any]:
    return {
        "criterion": s.criterion,
        "scope": scope_json(s.scope),
        "from": rfc3339(s.start),
        "to": rfc3339(s.end),
    }


def slo_json(r: SLOReading) -> dict[str, Any]:
    value = None if isinstance(r.value, NoData) else json_number(r.value)
    return {
        "slo": r.slo,
        "scope": scope_json(r.scope),
        "value": value,
        "objective": r.objective,
        "comparison": r.comparison,
        "state": r.state.value,
    }


def verdict_json(v: Verdict) -> dict[str, Any]:
    return {
        "criterion": v.criterion,
        "scope": scope_json(v.scope),
        "state": v.state.value,
        "evidence": evidence_json(v),
    }


def freeze_json(f: FreezeState) -> dict[str, Any]:
    """A freeze in force or to come: `{name, from, to, active, note}`, times RFC 3339 UTC."""
    return {
        "name": f.name,
        "from": rfc3339(tick(f.start)),
        "to": rfc3339(tick(f.end)),
        "active": f.active,
        "note": f.note,
    }


def degraded_json(d: Degraded) -> dict[str, Any]:
    """Degraded evaluation: `{reason, since, detail}`, `since` RFC 3339 UTC."""
    return {"reason": d.reason, "since": rfc3339(d.since), "detail": d.detail}


def utc(t: float) -> str:
    """Unix seconds as RFC 3339 UTC."""
    return rfc3339(tick(t))


def coverage_json(c: Coverage | None, when: Callable[[float], str | None] = utc) -> dict[str, Any]:
    """`evaluated_to` (the last evaluation time), `data_end` (the newest sample) and
    `without_data` ({from, to}: the part of the range past the data, null when none), times
    by `when`; empty when the range was not measured."""
    if c is None:
        return {}
    gap = c.without_data
    return {
        "evaluated_to": None if c.evaluated_to is None else when(c.evaluated_to),
        "data_end": None if c.data_end is None else when(c.data_end),
        "without_data": None if gap is None else {"from": when(gap[0]), "to": when(gap[1])},
    }
