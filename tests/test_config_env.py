"""`LAUNCHGUARD_<SECTION>__<FIELD>` environment variables: every section of the config takes
them, over the file, and a problem with a value one of them set names the variable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from launchguard.config.domain import Launch
from launchguard.config.loader import ConfigError, load


def _get(launch: Launch, path: str) -> Any:
    value: Any = launch.config
    for part in path.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


@pytest.mark.parametrize(
    ("variable", "value", "field", "want"),
    [
        pytest.param("LAUNCHGUARD_EVALUATION__CLEAR_FOR", "20m", "evaluation.clear_for", 1200.0,
                     id="an evaluation field"),
        pytest.param("LAUNCHGUARD_CRITERIA__SEV1__THRESHOLD", "2", "criteria.sev1.threshold", 2.0,
                     id="a criterion's threshold"),
        pytest.param("LAUNCHGUARD_SIGNALS__PASSTHROUGH_P95__WINDOW", "10m",
                     "signals.passthrough_p95.window", 600.0, id="a signal's window"),
        pytest.param("LAUNCHGUARD_PLAN__GONOGO__MIN_MET_SHARE", "0.99",
                     "plan.gonogo.min_met_share", 0.99, id="a nested plan field"),
        pytest.param("launchguard_rules__group_interval", "1m", "rules.group_interval", 60.0,
                     id="a variable in lower case"),
    ],
)  # fmt: skip
def test_every_section_takes_environment_variables_over_the_file(
    variable: str, value: str, field: str, want: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _get(load(), field) != want  # the shipped default is another value
    monkeypatch.setenv(variable, value)
    assert _get(load(), field) == want


@pytest.mark.parametrize(
    ("variable", "value", "field"),
    [
        pytest.param("LAUNCHGUARD_EVALUATION__INTERVAL", "-5s", "evaluation.interval",
                     id="a value the schema refuses names its variable"),
        pytest.param("LAUNCHGUARD_CRITERIA__SEV1__THRESHOLD", "many", "criteria.sev1.threshold",
                     id="a value of a section that used to ignore variables names its variable"),
        pytest.param("LAUNCHGUARD_PROMETHEUS__BASIC_AUTH", '{"username": "x", "pw": 1}',
                     "prometheus.basic_auth", id="a problem below the field set names it too"),
    ],
)  # fmt: skip
def test_a_bad_environment_value_names_the_variable_not_the_file(
    variable: str, value: str, field: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "launch.yaml"
    file.write_text("evaluation:\n  lookback: 2h\n")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load(file)
    [line] = caught.value.lines()
    assert line.startswith(f"{variable}: {field}"), line
    assert str(file) not in line and "shipped" not in line


def test_a_bad_file_value_still_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "launch.yaml"
    file.write_text("evaluation:\n  lookback: soon\n")
    monkeypatch.setenv("LAUNCHGUARD_EVALUATION__INTERVAL", "1m")
    with pytest.raises(ConfigError) as caught:
        load(file)
    assert caught.value.lines() == [f"{file}: evaluation.lookback: " + caught.value.problems[0][1]]
