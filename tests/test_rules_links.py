"""What the generated rules and dashboards point people to: runbook links that work where
they are read (absolute once `rules.runbook_base_url` is set, a one-line warning from
`render` while it is not), runbooks that read as prose (no alert templating left in, no
"below" pointing up), and recording rules that never sum raw counters across series."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
import yaml

from launchguard import names
from launchguard.cli import main
from launchguard.generate.queries import raw_counter_sums

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://git.example.com/payments/launch/blob/main/docs/runbooks"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _config(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "launch.yaml"
    path.write_text(f"rules:\n  runbook_base_url: {base}\n")
    return path


def test_with_a_base_url_every_runbook_link_is_absolute_and_render_does_not_warn(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    code, _, err = _run("render", "--config", str(_config(tmp_path, BASE)), "--out", str(out))
    assert code == 0 and err == ""
    doc = yaml.safe_load((out / "rules" / "launchguard.rules.yml").read_text())
    alerts = [r for g in doc["groups"] for r in g["rules"] if "alert" in r]
    assert alerts
    for a in alerts:
        assert a["annotations"][names.ANNOTATION_RUNBOOK] == f"{BASE}/{a['alert']}.md"
    boards = sorted((out / "dashboards").glob("*.json"))
    assert boards
    for path in boards:
        links = [link["url"] for link in json.loads(path.read_text())["links"]]
        assert any(url.startswith(f"{BASE}/") for url in links), path.name
        assert all(url.startswith("https://") for url in links), (path.name, links)
        assert f"{BASE.removesuffix('/runbooks')}/rules-and-dashboards.md" in links


def test_without_a_base_url_render_warns_in_one_line_on_stderr(tmp_path: Path) -> None:
    code, out, err = _run("render", "--out", str(tmp_path))
    assert code == 0 and "files generated" in out
    assert err.count("\n") == 1
    assert "rules.runbook_base_url is not set" in err and "relative" in err


@pytest.mark.parametrize(
    "base",
    ["docs/runbooks", "git.example.com/runbooks", "ftp://example.com/runbooks"],
    ids=["a repository path", "a host without scheme", "another scheme"],
)
def test_a_base_url_that_is_not_absolute_http_is_a_config_error(tmp_path: Path, base: str) -> None:
    code, _, err = _run("render", "--config", str(_config(tmp_path, base)), "--out", str(tmp_path))
    assert code == 2
    assert "runbook_base_url" in err and "absolute" in err


def test_the_runbooks_have_no_alert_templating_left_and_no_query_said_to_be_below() -> None:
    pages = sorted((ROOT / "docs" / "runbooks").glob("*.md"))
    assert len(pages) >= 17
    for page in pages:
        text = page.read_text()
        assert "{{" not in text and "$labels" not in text, page.name
        assert "query below" not in text, page.name
        if '"How to confirm" above' in text:
            assert text.index("## How to confirm") < text.index('"How to confirm" above')
    summary = (ROOT / "docs/runbooks/LaunchFallbackEodUnsettled.md").read_text()
    assert "met on `<network>` on `<pair>`" in summary
    assert "`<network>`, `<pair>`: the firing alert's labels." in summary


@pytest.mark.parametrize(
    ("query", "summed"),
    [
        ("sum by (partner) (clubgate_deals_total)", ["clubgate_deals_total"]),
        ("sum by (network, le) (x_seconds_bucket)", ["x_seconds_bucket"]),
        ("sum(rate(x_total[5m])) / sum(rate(x_count[5m]))", []),
        ("sum by (network) (increase(x_total[30m]) and count_over_time(x_total[30m]) > 1)", []),
        ("max by (network) (x_total)", []),
        ("sum(queue_depth)", []),
        ("1 - (sum(clamp_min(x_total, 0)))", ["x_total"]),
    ],
    ids=[
        "a sum of a counter is found",
        "a sum of histogram buckets is found",
        "a sum of rates is fine",
        "a sum of increases is fine",
        "a max is not a sum",
        "a sum of a gauge is fine",
        "a counter under a function inside a sum is found",
    ],
)
def test_raw_counter_sums_are_recognised(query: str, summed: list[str]) -> None:
    assert raw_counter_sums(query) == summed


def test_no_recording_rule_sums_raw_counters_across_series() -> None:
    doc = yaml.safe_load((ROOT / "rules" / "launchguard.rules.yml").read_text())
    rules = [r for g in doc["groups"] for r in g["rules"]]
    records = [r for r in rules if "record" in r]
    assert len(records) >= 20
    assert [r["record"] for r in records if raw_counter_sums(r["expr"])] == []
    used = " ".join(r["expr"] for r in rules) + " ".join(
        p.read_text() for p in (ROOT / "dashboards").glob("*.json")
    )
    assert not re.search(r"launchguard:(deals|offers|webhook_outcomes|eod_settlements)\b", used)
