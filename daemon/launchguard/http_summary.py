"""An HTTP error answer in one line, for messages and logs (Prometheus, Alertmanager, the
warroom webhook): the status, the JSON `error` field when there is one, else the start of
the text; HTML is never shown as markup."""

from __future__ import annotations

import html
import json
import re

import httpx

SUMMARY_CHARS = 200  # characters of a non-JSON error body shown

_TAGS = re.compile(r"<[^>]*>?")
_HIDDEN = re.compile(r"(?is)<(script|style|head)\b.*?</\1\s*>")
_SPACE = re.compile(r"\s+")


def summarise(status: int, body: bytes, content_type: str = "") -> str:
    """An HTTP error answer in one line: ``HTTP <status>: <detail>``. The detail is
    Prometheus' ``errorType: error`` when the body is its JSON; else the body's first
    200 characters of text, tags stripped from HTML (never printed as markup)."""
    return f"HTTP {status}: {_detail(body, content_type)}"


def _detail(body: bytes, content_type: str) -> str:
    if not body.strip():
        return "(empty body)"
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if (error := api_error(document)) is not None:
        return error
    text = body.decode("utf-8", errors="replace")
    if "html" in content_type.lower() or _looks_like_html(text):
        words = _one_line(_TAGS.sub(" ", html.unescape(_TAGS.sub(" ", _HIDDEN.sub(" ", text)))))
        return f"HTML body: {_cut(words)}" if words else "HTML body"
    return _cut(_one_line(text))


def api_error(document: object) -> str | None:
    """Prometheus' ``errorType: error`` of a JSON answer, on one line and cut; None when
    the answer carries no error."""
    if not isinstance(document, dict) or document.get("error") is None:
        return None
    error_type, error = document.get("errorType"), _cut(_one_line(str(document["error"])))
    return f"{error_type}: {error}" if error_type else error


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith("<") and ("<html" in head or "<!doctype" in head or "</" in head)


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", "".join(c if c.isprintable() else " " for c in text)).strip()


def _cut(text: str) -> str:
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "…"


def post_problem(outcome: httpx.Response | httpx.HTTPError) -> str:
    """Why a POST failed, in one line: the summarised answer, or the transport error
    (not yet scrubbed: pass it through the sink's `Scrubber`)."""
    if isinstance(outcome, httpx.Response):
        content_type = outcome.headers.get("content-type", "")
        return summarise(outcome.status_code, outcome.content[:65536], content_type)
    return _one_line(f"{type(outcome).__name__}: {outcome}")
