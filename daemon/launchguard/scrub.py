"""One scrubber for every text that leaves the process: upstream error bodies, URLs and
exception messages pass through `Scrubber.clean` before any log line, API body, page,
annotation or webhook.

It removes every configured secret (inline, read from files, read from the environment,
their percent-encoded forms and the base64 `user:pass` pair of basic auth),
`Authorization`-style header echoes whatever the secret, and the userinfo of URLs. It is
built once from the config (`scrubber_for`) and is a frozen value.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

if TYPE_CHECKING:
    from launchguard.config.models import LaunchConfig
    from launchguard.config.prometheus_settings import PrometheusSettings

REDACTED = "[redacted]"

# scheme://user:password@host → scheme://host (the userinfo ends at the first @ of the
# authority; a raw / ? # or whitespace ends the authority first).
_USERINFO = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s@'\"<>]*@")
# A header that carries a credential, echoed as a header line, JSON, a Python or Go dump:
# the credential is its scheme word and one token (`Bearer abc`), or a cookie's whole value.
_QUOTE_OR_BRACKET = r"[\"']?\s*[:=]\s*\[?[\"']?"
_AUTH_ECHO = re.compile(
    r"(?i)([\"']?\b(?:(?:proxy-)?authorization|x-api-key|api-key|x-auth-token"
    rf"|x-launchguard-signature))({_QUOTE_OR_BRACKET})(?:[A-Za-z]+\s+)?[^\s\"'\],}}]+"
)
_COOKIE_ECHO = re.compile(rf"(?i)(\b(?:set-)?cookie)({_QUOTE_OR_BRACKET})[^\"'\]\r\n}}]+")
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}")
_BASIC = re.compile(r"\b(Basic)\s+([A-Za-z0-9+/]{4,}={0,2})")
# Header names whose configured values are secrets (prometheus.headers).
_SENSITIVE_NAME = re.compile(r"(?i)auth|token|key|secret|password|cookie|signature")


@dataclass(frozen=True)
class Scrubber:
    """Removes `secrets` (longest first) and credential patterns from text."""

    secrets: tuple[str, ...] = ()
    _pattern: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, secrets: Iterable[str]) -> Scrubber:
        """A scrubber of these secrets and their encoded forms (empty ones ignored)."""
        found = {form for secret in secrets if secret for form in _forms(secret)}
        ordered = tuple(sorted(found, key=lambda s: (-len(s), s)))
        # One pass, longest first: a secret inside another, or inside REDACTED, stays whole.
        pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        return cls(ordered, pattern)

    def __add__(self, other: Scrubber) -> Scrubber:
        return Scrubber.of((*self.secrets, *other.secrets))

    def clean(self, text: str) -> str:
        """`text` with every secret, credential echo and URL userinfo replaced."""
        text = _USERINFO.sub(r"\1", text)
        text = _AUTH_ECHO.sub(rf"\1\2{REDACTED}", text)
        text = _COOKIE_ECHO.sub(rf"\1\2{REDACTED}", text)
        text = _BEARER.sub(rf"\1 {REDACTED}", text)
        text = _BASIC.sub(_basic_pair, text)
        return self._pattern.sub(REDACTED, text) if self._pattern is not None else text

    def url(self, url: str) -> str:
        """A URL for display: without userinfo, and cleaned."""
        return self.clean(strip_userinfo(url))


NO_SECRETS = Scrubber()


def strip_userinfo(url: str) -> str:
    """`url` without its `user:password@` part (unchanged when it has none)."""
    return _USERINFO.sub(r"\1", url)


def scrubber_for(config: LaunchConfig, env: Mapping[str, str] | None = None) -> Scrubber:
    """The scrubber of every secret the config names: Prometheus' token (inline or file),
    basic-auth password and credential headers; the variables of the Alertmanager token
    and password, the warroom HMAC secret and the API token; the journal keys (file,
    variable, previous files); the userinfo of every configured URL. Unreadable files are
    skipped (`validate` reports them)."""
    env = os.environ if env is None else env
    am, warroom, journal = config.alertmanager, config.warroom, config.journal
    secrets = [*_prometheus_secrets(config.prometheus)]
    variables = (am.auth.bearer_token_env, am.auth.password_env, warroom.secret_env)
    secrets += [env.get(name, "") for name in variables if name]
    if am.auth.username is not None and am.auth.password_env:
        secrets.append(_pair(am.auth.username, env.get(am.auth.password_env, "")))
    secrets += [env.get(journal.key_env, ""), env.get(config.server.token_env, "")]
    secrets += [_read(p) for p in (journal.key_file, *journal.previous_key_files)]
    urls = (*am.urls, warroom.webhook_url, warroom.grafana_url, warroom.alertmanager_url)
    secrets += [s for u in (*urls, warroom.page_url) if u for s in url_secrets(u)]
    return Scrubber.of(secrets)


def prometheus_scrubber(settings: PrometheusSettings) -> Scrubber:
    """The scrubber of what the Prometheus client sends: all an upstream can echo."""
    return Scrubber.of(_prometheus_secrets(settings))


def _prometheus_secrets(settings: PrometheusSettings) -> Iterator[str]:
    if settings.bearer_token is not None:
        yield settings.bearer_token.get_secret_value()
    yield _read(settings.bearer_token_file)
    if settings.basic_auth is not None:
        password = settings.basic_auth.password.get_secret_value()
        yield password
        yield _pair(settings.basic_auth.username, password)
    for name, value in settings.headers.items():
        if _SENSITIVE_NAME.search(name):
            yield value
            # "Bearer x" / "Basic x": the credential alone is the secret too.
            yield value.partition(" ")[2].strip()
    yield from url_secrets(settings.url)


def url_secrets(url: str) -> list[str]:
    """The password of a URL's userinfo and its base64 `user:password` pair."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    if not parts.password:
        return []
    user, password = unquote(parts.username or ""), unquote(parts.password)
    return [password, _pair(user, password)]


def _pair(user: str, password: str) -> str:
    """The base64 `user:password` of basic auth (empty when there is no password)."""
    if not password:
        return ""
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def _forms(secret: str) -> set[str]:
    """The secret as configured, stripped, and as it appears in a URL or form body."""
    forms = {secret, secret.strip(), quote(secret, safe=""), quote(secret, safe="/:")}
    return {f for f in forms if f}


def _read(path: str | None) -> str:
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _basic_pair(match: re.Match[str]) -> str:
    """`Basic <base64 of user:pass>` loses its credential; "Basic authentication" stays."""
    token = match.group(2)
    try:
        decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
    except (binascii.Error, ValueError):
        return match.group(0)
    return f"{match.group(1)} {REDACTED}" if b":" in decoded else match.group(0)
