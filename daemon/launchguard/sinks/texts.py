# ruff: noqa: RUF001 (Russian text: its Cyrillic letters are meant)
"""The `LaunchEvaluationDegraded` alert's texts in English and Russian (decision texts come
from the templates of `launchguard.notify`)."""

from __future__ import annotations

from launchguard.interfaces import Degraded
from launchguard.output.timefmt import rfc3339

_DEGRADED_RU = {
    "prometheus_unreachable": "Prometheus недоступен",
    "inconclusive": "критерии слишком долго не определены (нет данных)",
    "evaluation_error": "цикл оценки завершился ошибкой",
    "delivery_failing": "журнал решений не записывается",
}


def degraded_texts(d: Degraded) -> tuple[str, str, str, str]:
    """(summary EN, description EN, summary RU, description RU) of degraded evaluation."""
    detail = f" ({d.detail})" if d.detail else ""
    since = rfc3339(d.since)
    reason_ru = _DEGRADED_RU.get(d.reason, d.reason)
    return (
        f"launchguard evaluation degraded: {d.reason}",
        f"Since {since}: {d.reason}{detail}. Rollback criteria cannot be trusted; "
        "check Prometheus and the launch dashboards by hand.",
        f"Оценка launchguard деградировала: {reason_ru}",
        f"С {since}: {reason_ru}{detail}. Критериям отката сейчас нельзя доверять; "
        "проверьте Prometheus и дашборды запуска вручную.",
    )
