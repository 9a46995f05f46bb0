"""An answer of the Prometheus HTTP API (status, body bytes) → series, or the client's error.

Pure: no I/O. Parsing frees each raw item once converted, so a large answer is not held
twice (raw JSON objects and series) at its peak.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from launchguard.http_summary import api_error, summarise
from launchguard.prometheus_errors import (
    PrometheusBadQuery,
    PrometheusBadResponse,
    PrometheusHTTPError,
)

_BAD_QUERY_STATUSES = frozenset({400, 422})


@dataclass(frozen=True)
class Series:
    """One time series: all its labels as returned (``__name__`` included when present)
    and its points as (unix seconds, value) sorted by time; values may be nan or ±inf."""

    labels: Mapping[str, str]
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class QueryResult:
    """The series of one query and the API's warnings and infos, deduplicated, in order."""

    series: tuple[Series, ...]
    warnings: tuple[str, ...]


def read_answer(path: str, status: int, body: bytearray, content_type: str) -> QueryResult:
    """The result of a complete answer; raises the client's error for a failed one.
    Empties ``body``: a successful answer's bytes go before its JSON is parsed."""
    if status in _BAD_QUERY_STATUSES:
        document = _json_or_none(bytes(body))
        if isinstance(document, dict) and isinstance(document.get("error"), str):
            raise PrometheusBadQuery(str(document.get("errorType")), document["error"])
        raise PrometheusBadQuery(f"HTTP {status}", summarise(status, bytes(body), content_type))
    if not 200 <= status < 300:
        raise PrometheusHTTPError(status, f"{path}: {summarise(status, bytes(body), content_type)}")
    head = bytes(body[:4096])
    text = body.decode("utf-8", errors="replace")
    del body[:]  # the peak of a parse is its text and its objects, not the bytes as well
    document = _json_or_none(text)
    del text
    if not isinstance(document, dict):
        raise PrometheusBadResponse(
            f"{path}: not a JSON object: {summarise(status, head, content_type)}"
        )
    if document.get("status") != "success":
        error = api_error(document) or "no error given"
        raise PrometheusBadResponse(f"{path}: status {str(document.get('status'))[:50]!r}: {error}")
    data = document.pop("data", None)
    notes = [*(document.get("warnings") or ()), *(document.get("infos") or ())]
    if not isinstance(data, dict) or not all(isinstance(note, str) for note in notes):
        raise PrometheusBadResponse(f"{path}: unexpected response shape")
    return QueryResult(tuple(_parse_result(data)), tuple(dict.fromkeys(notes)))


def _json_or_none(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _parse_result(data: dict[str, Any]) -> list[Series]:
    kind, result = data.get("resultType"), data.get("result", ())
    try:
        if kind == "matrix":
            out = []
            for i, item in enumerate(result):
                # float() reads Prometheus' "NaN", "+Inf" and "-Inf" as nan, inf and -inf.
                points = tuple([(float(t), float(v)) for t, v in item["values"]])
                out.append(Series(_labels(item["metric"]), points))
                result[i] = None  # the raw item's memory goes back before the next is built
            return out
        if kind == "vector":
            return [Series(_labels(item["metric"]), (_point(item["value"]),)) for item in result]
        if kind == "scalar":
            return [Series({}, (_point(result),))]
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise PrometheusBadResponse(f"malformed {kind} result: {type(exc).__name__}") from None
    raise PrometheusBadResponse(f"unexpected resultType {str(kind)[:50]!r}")


def _labels(metric: Any) -> dict[str, str]:
    return {str(name): str(value) for name, value in metric.items()}


def _point(raw: Any) -> tuple[float, float]:
    timestamp, value = raw
    # float() reads Prometheus' "NaN", "+Inf" and "-Inf" as nan, inf and -inf.
    return float(timestamp), float(value)


def merge(chunks: list[QueryResult]) -> QueryResult:
    """The results of a range's chunks as one: series merged by label set, points in time
    order, series sorted by label set as Prometheus orders a matrix."""
    merged: dict[tuple[tuple[str, str], ...], tuple[Mapping[str, str], list[tuple[float, float]]]]
    merged = {}
    for chunk in chunks:
        for series in chunk.series:
            key = tuple(sorted(series.labels.items()))
            merged.setdefault(key, (series.labels, []))[1].extend(series.points)
    return QueryResult(
        series=tuple(
            Series(labels, tuple(sorted(points, key=lambda p: p[0])))
            for labels, points in (merged[key] for key in sorted(merged))
        ),
        warnings=tuple(dict.fromkeys(w for chunk in chunks for w in chunk.warnings)),
    )
