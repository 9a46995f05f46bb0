"""The one check of every URL in the config and the flags: http or https, with a host."""

from __future__ import annotations

from urllib.parse import urlsplit


def url_problem(value: str) -> str | None:
    """Why `value` is not a usable http(s) URL, or None when it is. The message never
    repeats a password from the URL."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    shown = repr(parts._replace(netloc=parts.hostname or "").geturl() if parts.password else value)
    if "://" not in value:
        return f"{shown} has no scheme: write it as http://HOST:PORT or https://HOST:PORT"
    if parts.scheme not in ("http", "https"):
        return f"{shown}: the scheme must be http or https, not {parts.scheme or 'empty'}"
    host = parts.hostname or ""
    if not host or any(c.isspace() for c in parts.netloc):
        return f"{shown} has no valid host"
    return None


def http_url(value: str) -> str:
    """`value` when it is an http(s) URL with a host; ValueError saying why otherwise."""
    problem = url_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value
