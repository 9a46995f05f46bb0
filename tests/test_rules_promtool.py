"""The generated rule file passes `promtool check rules`, its generated unit tests pass
`promtool test rules`, and every alert carries what on-call needs."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import promql_parser
import pytest
import yaml

from launchguard import names
from launchguard.config.loader import load
from launchguard.generate import queries, rules

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "launchguard.rules.yml"
TESTS = sorted((ROOT / "rules" / "tests").glob("*.yml"))


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["promtool", *args], capture_output=True, text=True, check=False, timeout=300, cwd=ROOT
    )


def test_the_rule_file_passes_promtool_check() -> None:
    proc = _promtool("check", "rules", str(RULES))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_every_generated_unit_test_passes_promtool_test() -> None:
    assert {p.stem for p in TESTS} == {"absent", "fallback", "self", "slo"}
    with ThreadPoolExecutor(max_workers=len(TESTS)) as pool:
        results = list(pool.map(lambda p: _promtool("test", "rules", str(p)), TESTS))
    failed = [r.stdout + r.stderr for r in results if r.returncode != 0]
    assert not failed, "\n".join(failed)


def test_every_alert_is_exercised_by_a_unit_test_that_fires_it_and_one_that_does_not() -> None:
    fired: set[str] = set()
    silent: set[str] = set()
    for path in TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case["alert_rule_test"]:
                (fired if check["exp_alerts"] else silent).add(check["alertname"])
    alerts = {a.name for a in rules.alerts(load().config)}
    assert alerts - fired == set()
    assert alerts - silent == set()


def test_every_alert_has_severity_summary_description_and_an_existing_runbook() -> None:
    doc = yaml.safe_load(RULES.read_text())
    alerts = [r for g in doc["groups"] for r in g["rules"] if "alert" in r]
    assert len({a["alert"] for a in alerts}) >= 17
    for a in alerts:
        assert a["labels"][names.LABEL_SEVERITY] in {"critical", "warning", "info"}, a
        assert a["annotations"]["summary"] and a["annotations"]["description"], a
        url = a["annotations"][names.ANNOTATION_RUNBOOK]
        assert url == f"docs/runbooks/{a['alert']}.md"
        page = (ROOT / url).read_text()
        assert page.startswith(f"# {a['alert']}\n") and "## How to confirm" in page


def test_no_recording_rule_name_or_alert_name_is_spelled_twice() -> None:
    doc = yaml.safe_load(RULES.read_text())
    records = [r["record"] for g in doc["groups"] for r in g["rules"] if "record" in r]
    assert len(records) == len(set(records))
    assert all(r.startswith(names.RECORDING_PREFIX) for r in records)


def _selectors(node: object) -> list[object]:
    kind = type(node).__name__
    if kind == "VectorSelector":
        return [node]
    if kind == "MatrixSelector":
        return [node.vector_selector]  # type: ignore[attr-defined]
    found: list[object] = []
    for attr in ("expr", "lhs", "rhs", "param"):
        child = getattr(node, attr, None)
        if child is not None and not isinstance(child, (str, int, float)):
            found += _selectors(child)
    for arg in getattr(node, "args", None) or []:
        found += _selectors(arg)
    return found


@pytest.mark.parametrize(
    "signal",
    ["passthrough_p95", "payout_queue", "eod_unsettled", "dead_letter", "webhook_success"],
)
def test_a_shifted_signal_reads_every_selector_at_the_offset(signal: str) -> None:
    config = load().config
    plain = promql_parser.parse(queries.signal(config, signal))
    shifted = promql_parser.parse(queries.shifted(config, signal, 900))
    before, after = _selectors(plain), _selectors(shifted)
    assert before and len(before) == len(after)
    assert all(s.offset is None for s in before)  # type: ignore[attr-defined]
    assert all(s.offset.total_seconds() == 900 for s in after)  # type: ignore[attr-defined]
