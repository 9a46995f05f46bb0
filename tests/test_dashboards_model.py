"""The generated dashboards: every panel has a title, a unit, the datasource variable and a
place in the grid no other panel takes; each dashboard has the datasource and network
variables, decision annotations and runbook links; the JSON round-trips through the SDK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as dm

from launchguard.config.loader import load
from launchguard.generate import dashboards

ROOT = Path(__file__).resolve().parents[1]
BOARDS = sorted((ROOT / "dashboards").glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_the_five_dashboards_are_checked_in() -> None:
    assert (
        {p.stem for p in BOARDS}
        == set(dashboards.BUILDERS)
        == {
            "launchguard-executive",
            "launchguard-treasury",
            "launchguard-trust",
            "launchguard-webhooks",
            "launchguard-self",
        }
    )


@pytest.mark.parametrize("path", BOARDS, ids=lambda p: p.stem)
def test_every_panel_has_a_title_a_unit_and_the_datasource_variable(path: Path) -> None:
    board = _load(path)
    assert len(board["panels"]) >= 5
    for panel in board["panels"]:
        assert panel["title"], panel
        assert panel["fieldConfig"]["defaults"]["unit"], panel["title"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"] and all(t["expr"] and t["refId"] for t in panel["targets"])


@pytest.mark.parametrize("path", BOARDS, ids=lambda p: p.stem)
def test_no_two_panels_overlap_in_the_grid(path: Path) -> None:
    cells: dict[tuple[int, int], str] = {}
    for panel in _load(path)["panels"]:
        g = panel["gridPos"]
        assert g["x"] >= 0 and g["x"] + g["w"] <= 24, panel["title"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, (panel["title"], cells.get((x, y)))
                cells[(x, y)] = panel["title"]


@pytest.mark.parametrize("path", BOARDS, ids=lambda p: p.stem)
def test_variables_annotations_and_runbook_links(path: Path) -> None:
    board = _load(path)
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["network"]["type"] == "query"
    assert "network" in variables["network"]["query"]
    notes = board["annotations"]["list"]
    assert any("launchguard_decisions_open" in n["expr"] for n in notes)
    assert any("ALERTS" in n["expr"] for n in notes)
    runbooks = [link["url"] for link in board["links"] if link["url"].startswith("docs/runbooks/")]
    assert runbooks and all((ROOT / url).exists() for url in runbooks)


@pytest.mark.parametrize("path", BOARDS, ids=lambda p: p.stem)
def test_the_json_round_trips_through_the_sdk_models(path: Path) -> None:
    board = _load(path)
    model = dm.Dashboard.from_json(board)
    again = json.loads(json.dumps(model, cls=JSONEncoder))
    assert again == board
    assert board["schemaVersion"] == 41


def test_thresholds_come_from_the_config() -> None:
    config = load().config
    trust = dashboards.build(config)["launchguard-trust"]
    panel = next(p for p in trust["panels"] if p["title"] == "Time since cut-off per pair")
    steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps[-1]["value"] == config.criteria.eod_unsettled.min_since_cutoff
