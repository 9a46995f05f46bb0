"""`validate` refuses every malformed URL and every referenced file that cannot be read,
naming the field (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from launchguard.cli import main


def write_config(tmp_path: Path, sections: dict[str, Any]) -> Path:
    path = tmp_path / "launch.yaml"
    path.write_text(yaml.safe_dump(sections))
    return path


@pytest.mark.parametrize(
    ("sections", "field", "fragment"),
    [
        pytest.param(
            {"prometheus": {"url": "not a url"}}, "prometheus.url", "has no scheme",
            id="a Prometheus URL that is not a URL",
        ),
        pytest.param(
            {"prometheus": {"url": "ftp://prom:9090"}}, "prometheus.url", "must be http or https",
            id="a Prometheus URL with another scheme",
        ),
        pytest.param(
            {"prometheus": {"url": "http://"}}, "prometheus.url", "has no valid host",
            id="a Prometheus URL without host",
        ),
        pytest.param(
            {"alertmanager": {"urls": ["http://am:9093", "notaurl"]}}, "alertmanager.urls",
            "'notaurl' has no scheme", id="one Alertmanager URL without scheme",
        ),
        pytest.param(
            {"warroom": {"webhook_url": "hooks.example/x"}}, "warroom.webhook_url",
            "has no scheme", id="a warroom webhook URL without scheme",
        ),
        pytest.param(
            {"journal": {"key_file": "MISSING"}}, "journal.key_file", "no such file",
            id="a missing journal key file",
        ),
        pytest.param(
            {"journal": {"key_file": "KEY", "previous_key_files": ["KEY", "MISSING"]}},
            "journal.previous_key_files.1", "no such file",
            id="a missing previous key file, by its index",
        ),
        pytest.param(
            {"prometheus": {"bearer_token_file": "MISSING"}}, "prometheus.bearer_token_file",
            "no such file", id="a missing bearer token file",
        ),
        pytest.param(
            {"prometheus": {"ca_file": "DIR"}}, "prometheus.ca_file", "is not a file",
            id="a CA file that is a directory",
        ),
        pytest.param(
            {"alertmanager": {"ca_file": "MISSING"}}, "alertmanager.ca_file", "no such file",
            id="a missing Alertmanager CA file",
        ),
    ],
)  # fmt: skip
def test_validate_names_the_field_of_a_bad_url_or_file(
    tmp_path: Path,
    sections: dict[str, Any],
    field: str,
    fragment: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "KEY").write_text("k" * 32)
    (tmp_path / "DIR").mkdir()
    names = {"KEY": tmp_path / "KEY", "DIR": tmp_path / "DIR", "MISSING": tmp_path / "nope"}
    text = yaml.safe_dump(sections)
    for name, path in names.items():
        text = text.replace(name, str(path))
    config = write_config(tmp_path, yaml.safe_load(text))
    assert main(["validate", str(config)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert f"{config}: {field}: " in lines[0] and fragment in lines[0]


def test_a_config_whose_urls_and_files_are_good_is_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "key"
    key.write_text("k" * 32)
    sections = {
        "prometheus": {"url": "https://reader:pw@prom.example:9090"},
        "alertmanager": {"urls": ["http://127.0.0.1:9093", "https://am.example"]},
        "journal": {"key_file": str(key), "previous_key_files": [str(key)]},
    }
    assert main(["validate", str(write_config(tmp_path, sections))]) == 0
    assert "ok" in capsys.readouterr().out
