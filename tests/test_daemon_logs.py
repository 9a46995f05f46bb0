"""The daemon's JSON logs never carry a secret: secret-looking fields are replaced whole and
known secret values are scrubbed from every string."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import structlog

from launchguard.daemon.logsetup import REDACTED, Redactor, configure
from launchguard.scrub import Scrubber

SECRET = "tok-3f9a0c77d2"


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        pytest.param({"token": "abc"}, {"token": REDACTED}, id="a token field is replaced"),
        pytest.param(
            {"basic_auth_password": "x"},
            {"basic_auth_password": REDACTED},
            id="a password field is replaced",
        ),
        pytest.param(
            {"headers": {"Authorization": "Bearer x"}},
            {"headers": {"Authorization": REDACTED}},
            id="nested authorization headers are replaced",
        ),
        pytest.param(
            {"error": f"cannot reach http://u:{SECRET}@host/api"},
            {"error": "cannot reach http://host/api"},
            id="a URL's userinfo is scrubbed from a message",
        ),
        pytest.param(
            {"items": [SECRET, "fine"]},
            {"items": [REDACTED, "fine"]},
            id="a known secret is scrubbed from lists",
        ),
        pytest.param(
            {"decision_id": "ab12", "token": None},
            {"decision_id": "ab12", "token": None},
            id="ordinary fields and empty secrets stay",
        ),
    ],
)
def test_redactor(event: dict[str, Any], expected: dict[str, Any]) -> None:
    assert Redactor(Scrubber.of([SECRET, ""]))(None, "info", event) == expected


def test_configured_logs_are_json_lines_with_secrets_scrubbed() -> None:
    out = io.StringIO()
    configure(Scrubber.of([SECRET]), stream=out)
    structlog.get_logger("t").info("cycle", outcome="ok", error=f"x {SECRET} y")
    line = json.loads(out.getvalue())
    assert line["event"] == "cycle" and line["outcome"] == "ok"
    assert SECRET not in out.getvalue()
