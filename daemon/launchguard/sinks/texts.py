# ruff: noqa: RUF001 (Russian text: its Cyrillic letters are meant)
"""Alert texts in English and Russian: a decision's headline, its evidence and its actions.

The evidence summary comes from `core.explain` (operands, values and thresholds are the same
in both languages); the headlines and action steps are translated here, by step id, so the
Russian text never depends on parsing the English one.
"""

from __future__ import annotations

from collections.abc import Sequence

from launchguard.core.actions import Action
from launchguard.core.decisions import Decision
from launchguard.core.explain import summary
from launchguard.core.frames import ScopeKey
from launchguard.interfaces import Degraded
from launchguard.output.timefmt import rfc3339

_KIND_EN = {
    "partial_rollback": "Partial rollback recommended",
    "full_rollback": "Full rollback recommended",
    "slo_breach": "SLO breached",
    "sla_breach": "Support SLA breached",
    "volume_guardrail": "Volume guardrail exceeded",
    "promote": "Promotion to the next volume level recommended",
}
_KIND_RU = {
    "partial_rollback": "Рекомендован частичный откат",
    "full_rollback": "Рекомендован полный откат",
    "slo_breach": "Нарушен SLO",
    "sla_breach": "Нарушен SLA поддержки",
    "volume_guardrail": "Превышен ограничитель объёма",
    "promote": "Рекомендован переход на следующий уровень объёма",
}
_DEGRADED_RU = {
    "prometheus_unreachable": "Prometheus недоступен",
    "inconclusive": "критерии слишком долго не определены (нет данных)",
}


def scope_text(scope: ScopeKey, everything: str) -> str:
    """'network=trc20', or `everything` for the global scope."""
    return ", ".join(f"{k}={v}" for k, v in scope) or everything


def summary_en(d: Decision) -> str:
    return f"{_KIND_EN.get(d.kind, d.kind)}: {d.criterion} ({scope_text(d.scope, 'global')})"


def summary_ru(d: Decision) -> str:
    kind = _KIND_RU.get(d.kind, d.kind)
    return f"{kind}: {d.criterion} ({scope_text(d.scope, 'весь запуск')})"


def description_en(d: Decision) -> str:
    lines = [
        f"Evidence at {rfc3339(d.evidence.at)}: {summary(d.evidence)}",
        f"Opened at {rfc3339(d.opened_at)}"
        + (f", resolved at {rfc3339(d.resolved_at)}" if d.resolved_at is not None else ""),
        f"Decision id: {d.id}",
    ]
    if d.actions:
        lines.append("Actions:")
        lines += [f"{i}. {a.text}" for i, a in enumerate(d.actions, 1)]
    return "\n".join(lines)


def description_ru(d: Decision, networks: Sequence[str]) -> str:
    lines = [
        f"Основание на {rfc3339(d.evidence.at)}: {summary(d.evidence)}",
        f"Открыто {rfc3339(d.opened_at)}"
        + (f", закрыто {rfc3339(d.resolved_at)}" if d.resolved_at is not None else ""),
        f"Идентификатор решения: {d.id}",
    ]
    if d.actions:
        lines.append("Действия:")
        lines += [f"{i}. {action_ru(a, networks)}" for i, a in enumerate(d.actions, 1)]
    return "\n".join(lines)


def action_ru(a: Action, networks: Sequence[str]) -> str:
    """The Russian text of one action step (the English text for an unknown step)."""
    if a.step == "freeze_payouts":
        return f"Safe-mode: заморозить выплаты в сети {a.network}."
    if a.step == "eod_off":
        return f"Safe-mode: отключить EOD-расчёт в сети {a.network}."
    if a.step == "safe_mode_all_networks":
        return f"Safe-mode во всех сетях ({', '.join(networks)}): EOD отключён, выплаты заморожены."
    if a.step == "notify_partners_webhooks_degraded":
        return (
            "Уведомить партнёров (на английском), что доставка вебхуков деградировала, "
            "с инструкцией по повторной доставке пропущенных."
        )
    if a.step == "volume_step_down":
        if a.from_level is None:
            return (
                "Снизить объём на один уровень (текущий уровень неизвестен: нет метрики "
                "лимита объёма и календаря фаз)."
            )
        current = f"{a.from_level.name} ({a.from_level.ratio:.0%})"
        if a.to_level is None:
            return f"Объём остаётся {current}: ниже уровня нет."
        lower = f"{a.to_level.name} ({a.to_level.ratio:.0%})"
        return f"Снизить объём на один уровень: {current} → {lower}."
    return a.text


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
