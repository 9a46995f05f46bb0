"""The `checklist` section: the launch plan's cutover checklist (seed 002 §8), per moment
relative to T0 (T-7d … T+7d). Each item has an owner role and either an automated check (a
PromQL condition launchguard evaluates while the item is due) or a manual sign-off.

Every number (moments, how long an item stays due, thresholds, windows) is config: the
shipped defaults are the plan's items.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import promql_parser
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from launchguard.config.durations import Duration, SignedDuration, format_duration

Comparison = Literal["<=", ">=", "<", ">", "=="]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckSpec(_Strict):
    """An automated check: `query` answers one series per scope; the item is done when every
    series' value satisfies `value <comparison> threshold` (and every expected scope
    answered), failing when one does not, unknown when data is missing or invalid."""

    query: str = Field(
        min_length=1,
        description="PromQL; {name} placeholders from `metrics` and `rules.extra_metrics`, "
        "{window} from `window`; aggregate `by` the scope labels",
    )
    window: Duration | None = Field(default=None, description="fills {window}, seconds")
    scope: tuple[str, ...] = Field(default=(), description="labels of each answered series")
    every_network: bool = Field(
        default=False, description="each of launch.networks must answer, else unknown"
    )
    comparison: Comparison
    threshold: float

    @model_validator(mode="after")
    def _network_scoped(self) -> CheckSpec:
        if self.every_network and "network" not in self.scope:
            raise ValueError("every_network needs 'network' among the scope labels")
        return self


class ItemSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.+-]*$", description="stable id (sign-off key)")
    owner: str = Field(min_length=1, description="the role who owns the item (seed 002 §2)")
    text: dict[str, str] = Field(min_length=1, description="language → the item's text")
    check: CheckSpec | None = Field(default=None, description="null: manual sign-off")


class MomentSpec(_Strict):
    name: str | None = Field(default=None, description="e.g. 'T+24h'; default from `at`")
    at: SignedDuration = Field(description="relative to T0 (wall clock in the launch's zone)")
    due_for: Duration = Field(gt=0, description="how long its items stay due, seconds")
    items: tuple[ItemSpec, ...] = Field(min_length=1)


BlockingState = Literal["failing", "unknown", "pending_signoff", "overdue", "due"]


class ChecklistSettings(_Strict):
    """The `checklist` section; no moments: no checklist (the Go/No-Go as before)."""

    moments: tuple[MomentSpec, ...] = ()
    gonogo_blocking: tuple[BlockingState, ...] = Field(
        default=("failing", "overdue"),
        description="states of a due item that make the Go/No-Go a No-Go (a reason each)",
    )

    @field_validator("moments")
    @classmethod
    def _unique_ids(cls, value: tuple[MomentSpec, ...]) -> tuple[MomentSpec, ...]:
        ids = [item.id for moment in value for item in moment.items]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"item ids must be unique: {', '.join(repeated)} repeated")
        return value


def moment_name(at: float) -> str:
    """'T-7d', 'T-30m', 'T0', 'T+1h' for an offset (seconds) from T0."""
    if at == 0:
        return "T0"
    return ("T-" if at < 0 else "T+") + format_duration(abs(at))


def render_check(check: CheckSpec, placeholders: dict[str, str]) -> str:
    """The check's PromQL with metric names and its window filled in."""
    values = dict(placeholders)
    if check.window is not None:
        values["window"] = format_duration(check.window)
    return check.query.format(**values)


def checklist_problems(
    settings: ChecklistSettings, placeholders: dict[str, str]
) -> list[tuple[str, str]]:
    """(field path, message) for each check whose query does not render or parse."""
    found: list[tuple[str, str]] = []
    for m, moment in enumerate(settings.moments):
        for i, item in enumerate(moment.items):
            if item.check is None:
                continue
            path = f"checklist.moments.{m}.items.{i}.check"
            try:
                fields = {
                    f for _, f, _, _ in string.Formatter().parse(item.check.query) if f is not None
                }
            except ValueError as exc:
                found.append((f"{path}.query", f"bad placeholder syntax: {exc}"))
                continue
            unknown = sorted(fields - set(placeholders) - {"window"})
            found += [(f"{path}.query", f"unknown placeholder {{{f}}}") for f in unknown]
            if "window" in fields and item.check.window is None:
                found.append((f"{path}.window", "the query uses {window} but no window is set"))
                continue
            if unknown:
                continue
            try:
                promql_parser.parse(render_check(item.check, placeholders))
            except ValueError as exc:
                found.append((f"{path}.query", f"PromQL syntax error: {exc}"))
    return found


@dataclass(frozen=True)
class Check:
    """An automated check in the domain model: `query` rendered."""

    query: str
    scope: tuple[str, ...]
    every_network: bool
    comparison: Comparison
    threshold: float


@dataclass(frozen=True)
class ChecklistItem:
    """An item with its due span in unix seconds: due from `due_from`, overdue after
    `due_until` unless done by then."""

    id: str
    moment: str
    owner: str
    text: Mapping[str, str]
    due_from: float
    due_until: float
    check: Check | None  # None: manual sign-off


def checklist_items(
    settings: ChecklistSettings, placeholders: dict[str, str], at: Callable[[float], float]
) -> tuple[ChecklistItem, ...]:
    """The items with their spans; `at` maps an offset from T0 (seconds) to unix seconds."""
    items = []
    for moment in settings.moments:
        start = at(moment.at)
        for item in moment.items:
            check = item.check
            items.append(
                ChecklistItem(
                    item.id,
                    moment.name or moment_name(moment.at),
                    item.owner,
                    MappingProxyType(dict(item.text)),
                    start,
                    at(moment.at + moment.due_for),
                    None
                    if check is None
                    else Check(
                        render_check(check, placeholders),
                        check.scope,
                        check.every_network,
                        check.comparison,
                        check.threshold,
                    ),
                )
            )
    return tuple(sorted(items, key=lambda i: i.due_from))
