"""Every dashboard panel's query, with Grafana's variables set (network: All) and recording
rules inlined, runs on a real Prometheus serving a backfilled launch day: all parse, none
errors, none is empty (the day writes every series the dashboards read)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from launchguard.config.loader import load
from launchguard.config.models import LaunchConfig
from launchguard.generate import dashboards, rules
from launchguard.harness.servers import PrometheusServer
from rulesday import FROM, TO, grafana_free, inline, serve

pytestmark = pytest.mark.prometheus

CONFIG = load().config
BOARDS = dashboards.build(CONFIG)


def _recorded(config: LaunchConfig) -> dict[str, str]:
    doc = rules.build(config)
    return {r["record"]: r["expr"] for g in doc["groups"] for r in g["rules"] if "record" in r}


@pytest.fixture(scope="module")
def prom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    server = serve(CONFIG, tmp_path_factory.mktemp("dashday"))
    yield server
    server.stop()


def _queries(board: dict[str, Any]) -> list[tuple[str, str]]:
    out = [(p["title"], t["expr"]) for p in board["panels"] for t in p["targets"]]
    return out


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_every_panel_query_returns_data_on_the_launch_day(uid: str, prom: PrometheusServer) -> None:
    recorded = _recorded(CONFIG)
    empty = []
    for title, expr in _queries(BOARDS[uid]):
        result = prom.query_range(inline(grafana_free(expr), recorded), FROM, TO, 300)
        if not result:
            empty.append((title, expr))
    assert not empty


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_annotations_and_the_network_variable_query_evaluate(
    uid: str, prom: PrometheusServer
) -> None:
    for note in BOARDS[uid]["annotations"]["list"]:
        prom.query_range(note["expr"], FROM, TO, 300)  # raises on a bad query
    query = BOARDS[uid]["templating"]["list"][1]["query"]
    metric = query.removeprefix("label_values(").split(",")[0]
    found = prom.query_range(f"count by (network) ({metric})", FROM, TO, 3600)
    assert {s["metric"]["network"] for s in found} == set(CONFIG.launch.networks)
