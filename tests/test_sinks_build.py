"""`build_sinks` builds what the config asks for, and refuses a journal without a usable
key naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchguard.config.alertmanager import AlertmanagerSettings
from launchguard.config.loader import ConfigError
from launchguard.config.models import LaunchConfig
from launchguard.sinks import AlertmanagerSink, build_sinks
from sink_factories import KEY

from factories import DEFAULT


def config(**sections: object) -> LaunchConfig:
    return DEFAULT.config.model_copy(update=sections)


def test_no_alertmanager_and_no_journal_gives_the_null_sink() -> None:
    sinks = build_sinks(
        config(journal=DEFAULT.config.journal.model_copy(update={"enabled": False}))
    ).sinks
    assert [s.name for s in sinks] == ["null"]


def test_urls_on_the_command_line_win_over_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAUNCHGUARD_JOURNAL_KEY", KEY)
    am = AlertmanagerSettings(urls=("http://127.0.0.1:1",))
    sinks = build_sinks(
        config(alertmanager=am),
        alertmanager_urls=["http://127.0.0.1:2", "http://127.0.0.1:3"],
        journal_path=tmp_path / "j.sqlite",
    ).sinks
    assert [s.name for s in sinks] == ["alertmanager", "journal"]
    assert isinstance(sinks[0], AlertmanagerSink)
    assert [t.url for t in sinks[0].targets] == ["http://127.0.0.1:2", "http://127.0.0.1:3"]
    assert (tmp_path / "j.sqlite").exists()


@pytest.mark.parametrize(
    ("journal", "env", "field", "message"),
    [
        pytest.param({}, {}, "journal.key_env", "LAUNCHGUARD_JOURNAL_KEY is not set", id="no-key"),
        pytest.param(
            {}, {"LAUNCHGUARD_JOURNAL_KEY": "short"}, "journal.key_env", "5 bytes", id="short-key"
        ),
        pytest.param(
            {"key_file": "/nonexistent/key"},
            {},
            "journal.key_file",
            "no such key file",
            id="missing-key-file",
        ),
    ],
)
def test_a_journal_without_a_usable_key_is_a_config_error_naming_the_field(
    journal: dict[str, object],
    env: dict[str, str],
    field: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("LAUNCHGUARD_JOURNAL_KEY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = DEFAULT.config.journal.model_copy(update=journal)
    with pytest.raises(ConfigError) as caught:
        build_sinks(config(journal=settings), journal_path=tmp_path / "j.sqlite")
    [(path, text)] = caught.value.problems
    assert path == field
    assert message in text
    for secret in env.values():
        assert secret not in text  # the key itself is never in a message
