"""Checks across fields of a parsed config: references resolve, queries render and parse."""

from __future__ import annotations

import string
from pathlib import Path

import promql_parser

from launchguard.config.checklist import checklist_problems
from launchguard.config.models import ESCALATION_CRITERION, ROLLBACK_CRITERIA, LaunchConfig

Problem = tuple[str, str]
"""(field path, message)."""


def problems(config: LaunchConfig) -> list[Problem]:
    """Every cross-field problem of `config`, each with the dotted path of its field."""
    found: list[Problem] = []
    found += _signal_problems(config)
    found += _reference_problems(config)
    found += _launch_problems(config)
    found += _auth_problems(config)
    found += _file_problems(config)
    found += _plan_problems(config)
    found += checklist_problems(config.checklist, config.metric_placeholders())
    return found


def _signal_problems(config: LaunchConfig) -> list[Problem]:
    found: list[Problem] = []
    placeholders = set(config.metrics.model_dump()) | {"window"}
    for name, spec in config.signals.items():
        path = f"signals.{name}"
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(spec.query) if f is not None}
        except ValueError as exc:
            found.append((f"{path}.query", f"bad placeholder syntax: {exc}"))
            continue
        unknown = sorted(fields - placeholders)
        for field in unknown:
            found.append((f"{path}.query", f"unknown placeholder {{{field}}}"))
        if "window" in fields and spec.window is None:
            found.append((f"{path}.window", "the query uses {window} but no window is set"))
            continue
        if unknown:
            continue
        try:
            promql_parser.parse(config.render_query(name))
        except ValueError as exc:
            found.append((f"{path}.query", f"PromQL syntax error: {exc}"))
    return found


def _reference_problems(config: LaunchConfig) -> list[Problem]:
    found: list[Problem] = []
    for name, slo in config.slos.items():
        for field in ("signal", "detail_signal"):
            ref = getattr(slo, field)
            if ref is not None and ref not in config.signals:
                found.append((f"slos.{name}.{field}", f"unknown signal {ref!r}"))
    for crit in ROLLBACK_CRITERIA:
        for field, ref in getattr(config.criteria, crit).model_dump().items():
            if (field.endswith("_signal") or field == "signal") and ref not in config.signals:
                found.append((f"criteria.{crit}.{field}", f"unknown signal {ref!r}"))
    for name in config.slos:
        if name in known_criteria():
            found.append((f"slos.{name}", "an SLO cannot share its name with a criterion"))
    cap = config.launch.volume_cap_signal
    if cap is not None and cap not in config.signals:
        found.append(("launch.volume_cap_signal", f"unknown signal {cap!r}"))
    known = known_criteria()
    for crit in known:
        if crit not in config.actions:
            found.append((f"actions.{crit}", "missing action plan"))
    for crit in config.actions:
        if crit not in known:
            found.append((f"actions.{crit}", "not a rollback criterion"))
    return found


def _plan_problems(config: LaunchConfig) -> list[Problem]:
    """The support and plan sections name existing signals with the scopes they need."""
    support = config.support
    refs: dict[str, tuple[str, tuple[str, ...]]] = {
        "support.created_signal": (support.created_signal, ("ticket", "priority")),
        "support.stage_signal": (support.stage_signal, ("ticket", "stage")),
    }
    refs.update({path: (name, ()) for path, name in config.plan.signal_refs().items()})
    found: list[Problem] = []
    for path, (name, scope) in refs.items():
        spec = config.signals.get(name)
        if spec is None:
            found.append((path, f"unknown signal {name!r}"))
        elif not set(scope) <= set(spec.scope):
            found.append((path, f"signal {name!r} must have the scope labels {list(scope)}"))
    for i, window in enumerate(config.launch.freezes):
        if window.end <= window.start:
            found.append((f"launch.freezes.{i}.end", "a freeze must end after it starts"))
    return found


def _auth_problems(config: LaunchConfig) -> list[Problem]:
    p = config.prometheus
    found: list[Problem] = []
    if p.basic_auth is not None and (p.bearer_token is not None or p.bearer_token_file):
        found.append(("prometheus.basic_auth", "use either basic_auth or a bearer token"))
    return found


def _file_problems(config: LaunchConfig) -> list[Problem]:
    """Every file the config names exists, is a file and can be read."""
    files: dict[str, str | None] = {
        "prometheus.bearer_token_file": config.prometheus.bearer_token_file,
        "prometheus.ca_file": config.prometheus.ca_file,
        "alertmanager.ca_file": config.alertmanager.ca_file,
        "journal.key_file": config.journal.key_file,
    }
    for i, previous in enumerate(config.journal.previous_key_files):
        files[f"journal.previous_key_files.{i}"] = previous
    found: list[Problem] = []
    for field, path in files.items():
        if path and (problem := file_problem(path)) is not None:
            found.append((field, problem))
    return found


def file_problem(path: str) -> str | None:
    """Why the file at `path` cannot be read, or None when it can."""
    file = Path(path)
    if not file.exists():
        return f"no such file {path!r}"
    if not file.is_file():
        return f"{path!r} is not a file"
    try:
        with file.open("rb") as stream:
            stream.read(1)
    except OSError as exc:
        return f"cannot read {path!r}: {exc.strerror}"
    return None


def known_criteria() -> tuple[str, ...]:
    return (*ROLLBACK_CRITERIA, ESCALATION_CRITERION)


def _launch_problems(config: LaunchConfig) -> list[Problem]:
    found: list[Problem] = []
    launch = config.launch
    names = [level.name for level in launch.volume_levels]
    if len(set(names)) != len(names):
        found.append(("launch.volume_levels", "level names must be unique"))
    ratios = [level.ratio for level in launch.volume_levels]
    if ratios != sorted(ratios, reverse=True):
        found.append(("launch.volume_levels", "list levels from the highest ratio to the lowest"))
    for i, phase in enumerate(launch.phases):
        if phase.level not in names:
            found.append((f"launch.phases.{i}.level", f"{phase.level!r} is not a volume level"))
        if phase.start is not None and phase.end is not None and phase.end <= phase.start:
            found.append((f"launch.phases.{i}.end", "a phase must end after it starts"))
    return found
