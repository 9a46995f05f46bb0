"""The one scrubber: every configured secret, credential echo and URL userinfo leaves no text."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml

from launchguard.config.domain import to_domain
from launchguard.config.loader import deep_merge, default_text, parse
from launchguard.scrub import REDACTED, Scrubber, scrubber_for, strip_userinfo

TOKEN = "tok-9f3e2b7c1d"
FILE_TOKEN = "filetok-77aa31c0"
PASSWORD = "pw-Qx8!long"
AM_TOKEN = "amtok-5521ee"
AM_PASSWORD = "ampw-0c1d2e"
WEBHOOK_SECRET = "hmac-4b4b4b4b"
JOURNAL_KEY = "journal-key-0123456789abcdef"
API_TOKEN = "api-token-31337"
URL_PASSWORD = "urlpass!x1y2"
URL_PASSWORD_ENCODED = "urlpass%21x1y2"  # as written in the URL


def b64(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def config_with(overrides: dict[str, Any]) -> Any:
    raw = deep_merge(yaml.safe_load(default_text()), overrides)
    return parse(raw, "<test>")


ENV = {
    "AM_TOKEN": AM_TOKEN,
    "AM_PASSWORD": AM_PASSWORD,
    "LAUNCHGUARD_WARROOM_SECRET": WEBHOOK_SECRET,
    "LAUNCHGUARD_JOURNAL_KEY": JOURNAL_KEY,
    "LAUNCHGUARD_API_TOKEN": API_TOKEN,
}


@pytest.fixture
def full_scrubber(tmp_path: Path) -> Scrubber:
    """A scrubber from a config naming a secret of every kind (inline, file, environment)."""
    token_file = tmp_path / "token"
    token_file.write_text(FILE_TOKEN + "\n")
    config = config_with(
        {
            "prometheus": {
                "url": f"https://reader:{URL_PASSWORD_ENCODED}@prom.example:9090",
                "basic_auth": {"username": "prom", "password": PASSWORD},
                "headers": {"X-Api-Key": "hdr-key-123456", "X-Scope-OrgID": "tenant-a"},
            },
            "alertmanager": {
                "urls": ["http://127.0.0.1:9093"],
                "auth": {"username": "am", "password_env": "AM_PASSWORD"},
            },
            "server": {"token_env": "LAUNCHGUARD_API_TOKEN"},
        }
    )
    other = config_with({"prometheus": {"bearer_token_file": str(token_file)}})
    am_token = config_with({"alertmanager": {"auth": {"bearer_token_env": "AM_TOKEN"}}})
    inline = config_with({"prometheus": {"bearer_token": TOKEN}})
    env = ENV
    return (
        scrubber_for(config, env)
        + scrubber_for(other, env)
        + scrubber_for(am_token, env)
        + scrubber_for(inline, env)
    )


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        pytest.param(f"upstream said Bearer {TOKEN}", TOKEN, id="an inline bearer token"),
        pytest.param(f"echo: {FILE_TOKEN}", FILE_TOKEN, id="a token read from bearer_token_file"),
        pytest.param(f"password={PASSWORD}", PASSWORD, id="the basic-auth password"),
        pytest.param(
            f"got {b64('prom', PASSWORD)} back", b64("prom", PASSWORD),
            id="the base64 user:pass pair of basic auth",
        ),
        pytest.param(f"x {AM_TOKEN} y", AM_TOKEN, id="the Alertmanager token from the environment"),
        pytest.param(
            f"x {b64('am', AM_PASSWORD)}", b64("am", AM_PASSWORD),
            id="the Alertmanager basic-auth pair from the environment",
        ),
        pytest.param(f"sig {WEBHOOK_SECRET}", WEBHOOK_SECRET, id="the warroom HMAC secret"),
        pytest.param(f"key {JOURNAL_KEY}", JOURNAL_KEY, id="the journal key from the environment"),
        pytest.param(f"auth {API_TOKEN}", API_TOKEN, id="the daemon's API token"),
        pytest.param("hdr-key-123456 echoed", "hdr-key-123456", id="a credential header's value"),
        pytest.param(
            f"pw {URL_PASSWORD_ENCODED}", URL_PASSWORD_ENCODED,
            id="a URL password, percent-encoded",
        ),
        pytest.param(f"pw {URL_PASSWORD}", URL_PASSWORD, id="a URL password"),
    ],
)  # fmt: skip
def test_every_configured_secret_is_removed(full_scrubber: Scrubber, text: str, gone: str) -> None:
    cleaned = full_scrubber.clean(text)
    assert gone not in cleaned
    assert REDACTED in cleaned


def test_a_header_that_is_not_a_credential_stays(full_scrubber: Scrubber) -> None:
    assert full_scrubber.clean("tenant-a") == "tenant-a"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Authorization: Bearer whatever-token-1", f"Authorization: {REDACTED}",
            id="an echoed Authorization header line",
        ),
        pytest.param(
            '{"headers": {"Authorization": "Basic dTpw", "Accept": "*/*"}}',
            f'{{"headers": {{"Authorization": "{REDACTED}", "Accept": "*/*"}}}}',
            id="an Authorization header echoed in JSON",
        ),
        pytest.param(
            "map[Authorization:[Bearer abcdefgh12] Accept:[*/*]]",
            f"map[Authorization:[{REDACTED}] Accept:[*/*]]",
            id="an Authorization header in a Go header dump",
        ),
        pytest.param(
            "{'authorization': 'Bearer abcdefgh12'}", f"{{'authorization': '{REDACTED}'}}",
            id="an authorization header in a Python dict repr",
        ),
        pytest.param(
            "rejected Authorization: Bearer abcdefgh12 Host: prom:9090",
            f"rejected Authorization: {REDACTED} Host: prom:9090",
            id="an echo folded onto one line loses only the credential",
        ),
        pytest.param(
            "Cookie: session=abc; csrf=def\nAccept: */*", f"Cookie: {REDACTED}\nAccept: */*",
            id="an echoed cookie loses its whole value",
        ),
        pytest.param(
            "upstream: bearer abcdefgh12345", f"upstream: bearer {REDACTED}",
            id="a bearer credential anywhere",
        ),
        pytest.param(
            f"sent Basic {b64('someone', 'secret')}", f"sent Basic {REDACTED}",
            id="a basic credential anywhere",
        ),
        pytest.param(
            "Basic authentication failed", "Basic authentication failed",
            id="the words basic authentication stay",
        ),
        pytest.param(
            "cannot reach http://user:pa55@host:9093/api/v2/alerts: refused",
            "cannot reach http://host:9093/api/v2/alerts: refused",
            id="a URL loses its userinfo",
        ),
        pytest.param(
            "see https://example.com/a@b", "see https://example.com/a@b",
            id="an @ in a URL path is not userinfo",
        ),
    ],
)  # fmt: skip
def test_credential_patterns_are_removed_whatever_the_secret(text: str, expected: str) -> None:
    assert Scrubber().clean(text) == expected


def test_a_secret_inside_another_is_replaced_whole() -> None:
    scrubber = Scrubber.of(["abcd", "abcdefgh"])
    assert scrubber.clean("x abcdefgh y abcd") == f"x {REDACTED} y {REDACTED}"


def test_a_secret_that_is_part_of_the_redaction_mark_does_not_mangle_it() -> None:
    assert Scrubber.of(["dact", TOKEN]).clean(f"{TOKEN} dact") == f"{REDACTED} {REDACTED}"


def test_urls_are_shown_without_userinfo() -> None:
    assert strip_userinfo("https://u:p@prom:9090/x") == "https://prom:9090/x"
    assert strip_userinfo("http://prom:9090") == "http://prom:9090"


def test_the_domain_model_carries_the_configs_scrubber(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAUNCHGUARD_JOURNAL_KEY", JOURNAL_KEY)
    launch = to_domain(config_with({"prometheus": {"bearer_token": TOKEN}}))
    assert launch.scrubber.clean(f"{TOKEN} {JOURNAL_KEY}") == f"{REDACTED} {REDACTED}"
