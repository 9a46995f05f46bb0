"""HTTP error answers are summarised in one line: status, the JSON error, else plain text."""

from __future__ import annotations

import json

import pytest

from launchguard.http_summary import SUMMARY_CHARS, summarise

NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@pytest.mark.parametrize(
    ("status", "body", "content_type", "expected"),
    [
        pytest.param(
            422, json.dumps({"errorType": "execution", "error": "too many\nsamples"}),
            "application/json", "HTTP 422: execution: too many samples",
            id="Prometheus' JSON error is shown with its type, on one line",
        ),
        pytest.param(
            502, NGINX_502, "text/html", "HTTP 502: HTML body: 502 Bad Gateway nginx",
            id="an nginx HTML page is reduced to its text",
        ),
        pytest.param(
            503, "<!DOCTYPE html><script>alert(1)</script><p>down &amp; out</p>", "",
            "HTTP 503: HTML body: down & out",
            id="HTML without a content type is recognised; scripts are dropped",
        ),
        pytest.param(
            500, "<html><body></body></html>", "text/html", "HTTP 500: HTML body",
            id="HTML with no text says so",
        ),
        pytest.param(404, "404 page not found\n", "text/plain", "HTTP 404: 404 page not found",
                     id="plain text is kept"),
        pytest.param(500, "", "", "HTTP 500: (empty body)", id="an empty body says so"),
        pytest.param(
            500, "x" * 1000, "text/plain", f"HTTP 500: {'x' * SUMMARY_CHARS}…",
            id="long text is cut at 200 characters",
        ),
    ],
)  # fmt: skip
def test_error_answers_are_summarised_in_one_line(
    status: int, body: str, content_type: str, expected: str
) -> None:
    summary = summarise(status, body.encode(), content_type)
    assert summary == expected
    assert "\n" not in summary and "<" not in summary
