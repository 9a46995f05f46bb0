"""Panel and dashboard helpers over grafana-foundation-sdk (Grafana 11.6 variant): every
panel gets a title, a unit, the `$datasource` variable and a grid position; every
dashboard gets the datasource and network variables, decision annotations and links to
the runbooks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import stat, timeseries
from grafana_foundation_sdk.builders.common import GraphThresholdsStyleConfig
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as dm
from grafana_foundation_sdk.models.common import GraphThresholdsStyleMode

from launchguard import names
from launchguard.config.models import LaunchConfig
from launchguard.generate.alert import docs_url, runbook_url

DATASOURCE_VAR = "datasource"
NETWORK_VAR = "network"
DS = dm.DataSourceRef(type_val="prometheus", uid=f"${{{DATASOURCE_VAR}}}")
NET = f'{names.LABEL_NETWORK}=~"${NETWORK_VAR}"'
"""Label matcher of the network variable."""
NET_OR_GLOBAL = f'{names.LABEL_NETWORK}=~"${NETWORK_VAR}|"'
"""Matches the selected networks and series without a network (global scope)."""
WIDTH = 24


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Thresholds:
    """Colour steps: the base colour, then (value, colour) from that value up."""

    base: str
    steps: tuple[tuple[float, str], ...] = ()


@dataclass(frozen=True)
class PanelSpec:
    title: str
    unit: str
    queries: tuple[Query, ...]
    kind: str = "timeseries"  # or "stat"
    description: str = ""
    thresholds: Thresholds | None = None
    width: int = 12
    height: int = 8
    links: tuple[tuple[str, str], ...] = field(default=())  # (title, url)


def _thresholds(t: Thresholds) -> db.ThresholdsConfig:
    steps = [dm.Threshold(value=None, color=t.base)]
    steps += [dm.Threshold(value=v, color=c) for v, c in t.steps]
    return db.ThresholdsConfig().mode(dm.ThresholdsMode.ABSOLUTE).steps(steps)


def _panel(spec: PanelSpec, pid: int, pos: dm.GridPos) -> Any:
    builder: Any = stat.Panel() if spec.kind == "stat" else timeseries.Panel()
    builder = (
        builder.id(pid)
        .title(spec.title)
        .unit(spec.unit)
        .datasource(DS)
        .grid_pos(pos)
        .description(spec.description or spec.title)
    )
    for i, q in enumerate(spec.queries):
        target = Dataquery().expr(q.expr).ref_id(chr(ord("A") + i)).datasource(DS)
        builder = builder.with_target(target.legend_format(q.legend) if q.legend else target)
    if spec.thresholds is not None:
        builder = builder.thresholds(_thresholds(spec.thresholds))
        if spec.kind == "timeseries":
            builder = builder.thresholds_style(
                GraphThresholdsStyleConfig().mode(GraphThresholdsStyleMode.LINE)
            )
    if spec.links:
        builder = builder.links([_link(title, url) for title, url in spec.links])
    return builder


def _link(title: str, url: str) -> db.DashboardLink:
    return (
        db.DashboardLink(title)
        .type(dm.DashboardLinkType.LINK)
        .url(url)
        .target_blank(True)
        .tooltip(title)
    )


def layout(specs: Sequence[PanelSpec]) -> list[tuple[PanelSpec, dm.GridPos]]:
    """Left to right, wrapping at 24 columns; a row is as tall as its tallest panel."""
    out, x, y, row_h = [], 0, 0, 0
    for spec in specs:
        if x + spec.width > WIDTH:
            x, y, row_h = 0, y + row_h, 0
        out.append((spec, dm.GridPos(h=spec.height, w=spec.width, x=x, y=y)))
        x += spec.width
        row_h = max(row_h, spec.height)
    return out


def decision_annotations() -> list[Builder[dm.AnnotationQuery]]:
    """The daemon's open rollback decisions and the fallback alerts, as annotations."""
    fallback = "|".join(sorted(names.FALLBACK_ALERTS.values()))
    rollback = "partial_rollback|full_rollback"
    return [
        db.AnnotationQuery()
        .name("launchguard rollback decisions")
        .datasource(DS)
        .enable(True)
        .icon_color("red")
        .expr(
            f'sum by (kind, criterion, network) ({names.DECISIONS_OPEN}{{kind=~"{rollback}"}}) > 0'
        ),
        db.AnnotationQuery()
        .name("fallback rollback alerts")
        .datasource(DS)
        .enable(True)
        .icon_color("orange")
        .expr(f'ALERTS{{alertstate="firing", alertname=~"{fallback}"}}'),
    ]


def network_query(config: LaunchConfig) -> str:
    return f"label_values({config.metrics.payout_queue_depth}, {names.LABEL_NETWORK})"


def dashboard(
    config: LaunchConfig,
    uid: str,
    title: str,
    description: str,
    specs: Sequence[PanelSpec],
    runbooks: Sequence[str],
) -> dict[str, Any]:
    """The dashboard as Grafana JSON data (plain dicts), built through the SDK."""
    board = (
        db.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["launchguard", "generated"])
        .timezone(config.launch.timezone)
        .time("now-6h", "now")
        .refresh("30s")
        .readonly()
        .with_variable(db.DatasourceVariable(DATASOURCE_VAR).label("Prometheus").type("prometheus"))
        .with_variable(
            db.QueryVariable(NETWORK_VAR)
            .label("Network")
            .datasource(DS)
            .query(network_query(config))
            .multi(True)
            .include_all(True)
            .all_value(".*")
            .refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
        )
        .annotations(decision_annotations())
        .links(
            [
                _link("Rules and dashboards", docs_url(config, "rules-and-dashboards.md")),
                *(_link(f"Runbook: {a}", runbook_url(config, a)) for a in runbooks),
            ]
        )
    )
    for pid, (spec, pos) in enumerate(layout(specs), start=1):
        board = board.with_panel(_panel(spec, pid, pos))
    data: dict[str, Any] = _plain(board.build())
    return data


def _plain(value: Any) -> Any:
    """SDK models → JSON-ready dicts and lists (what `json.dumps(cls=JSONEncoder)` writes)."""
    return json.loads(json.dumps(value, cls=JSONEncoder))


def slo_thresholds(objective: float, comparison: str) -> Thresholds:
    """Green on the right side of the objective, red on the wrong one."""
    if comparison == ">=":
        return Thresholds("red", ((objective, "green"),))
    return Thresholds("green", ((objective, "red"),))
