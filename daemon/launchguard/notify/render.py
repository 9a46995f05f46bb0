"""A decision's notification in one language: title, summary, the rule that fired, the
evidence, the actions of the rollback procedure, and the partner notice where one is due.

Works on the decision JSON of DESIGN §5 (`output.jsonout.decision_json`), so the sinks (which
hold `Decision`s) and the warroom page (which holds the status JSON) render the same texts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from launchguard.config.durations import parse_duration
from launchguard.core.decisions import ROLLBACK_KINDS, Decision
from launchguard.interfaces import Degraded
from launchguard.notify import formatting as fmt
from launchguard.notify.catalog import Catalog, catalog, fill, partner_notice
from launchguard.output.jsonout import decision_json

WAIT = "notify_partners_webhooks_degraded"
"""The action step that brings the English partner notice into a decision's texts."""


@dataclass(frozen=True)
class NotificationText:
    """What people read about one decision, in one language."""

    lang: str
    title: str
    kind_name: str
    summary: str
    rule: str
    evidence: tuple[str, ...]
    actions: tuple[str, ...]
    procedure: str | None = None
    partner_notice: str | None = None  # always English (launch plan §9)

    @property
    def headline(self) -> str:
        """'<kind>: <summary>' (Alertmanager's `summary`: the alert state says open or not)."""
        return f"{self.kind_name}: {self.summary}"

    @property
    def description(self) -> str:
        """Rule, evidence and actions as plain text (Alertmanager's `description`)."""
        cat = catalog(self.lang)
        lines = [self.rule, "", *self.evidence]
        if self.actions:
            lines += ["", str(cat.raw("actions", "heading"))]
            lines += [f"{i}. {a}" for i, a in enumerate(self.actions, 1)]
        if self.procedure:
            lines += ["", self.procedure]
        return "\n".join(lines)


def texts(
    decision: Decision | Mapping[str, Any], lang: str, zone: str = "Europe/Warsaw"
) -> NotificationText:
    """The decision's texts in `lang` ('en' or 'ru'); times in `zone` (the launch's)."""
    d = decision_json(decision) if isinstance(decision, Decision) else decision
    cat = catalog(lang)
    values = _values(d, cat, zone)
    criterion = str(d["criterion"])
    entry = ("criteria", criterion) if cat.has("criteria", criterion) else ("fallback",)
    summary = cat.render(*entry, "summary", **values)
    if d.get("resolved_at"):
        opened, resolved = fmt.parse_time(d["opened_at"]), fmt.parse_time(d["resolved_at"])
        summary = cat.render(
            "resolved",
            resolved_at=fmt.local_time(resolved, zone),
            lasted=fmt.duration(resolved - opened, cat),
            summary=summary,
        )
    return NotificationText(
        lang,
        cat.render("title", **values),
        str(values["kind_name"]),
        summary,
        cat.render(*entry, "rule", **values),
        tuple(_evidence(d, cat, zone)),
        tuple(_actions(d, cat)),
        str(cat.raw("procedure")) if d["kind"] in ROLLBACK_KINDS else None,
        _partner_notice(d, zone),
    )


def degraded_texts(
    degraded: Degraded, lang: str, zone: str = "Europe/Warsaw", resolved: bool = False
) -> tuple[str, str]:
    """(title, summary) of degraded evaluation (Prometheus unreachable, inconclusive too long)."""
    cat = catalog(lang)
    status = cat.raw("status", "resolved" if resolved else "open")
    key = degraded.reason if cat.has("degraded", degraded.reason) else "fallback"
    since = fmt.local_time(degraded.since / 1000, zone)
    summary = cat.render(
        "degraded", key, since=since, reason=degraded.reason, detail=degraded.detail
    ).strip()
    return cat.render("degraded", "title", status=status), summary


def scope_words(scope: Mapping[str, str], cat: Catalog) -> str:
    """A scope in a language's words: 'network trc20', 'all networks (global)'."""
    if not scope:
        return str(cat.raw("scope", "global"))
    labels = cat.raw("scope", "labels")
    return ", ".join(
        cat.render("scope", "item", label=labels.get(k, k), value=v)
        for k, v in sorted(scope.items())
    )


def _values(d: Mapping[str, Any], cat: Catalog, zone: str) -> dict[str, object]:
    """Every placeholder a summary, rule or title may use for this decision."""
    criterion, ev = str(d["criterion"]), d["evidence"]
    status = "resolved" if d.get("resolved_at") else "open"
    out: dict[str, object] = {
        "criterion": criterion,
        "kind": d["kind"],
        "kind_name": cat.raw("kinds", d["kind"]) if cat.has("kinds", d["kind"]) else d["kind"],
        "scope": scope_words(d["scope"], cat),
        "status": cat.raw("status", status),
        "id": d["id"],
        "opened_at": fmt.local_time(fmt.parse_time(d["opened_at"]), zone),
    }
    out.update({k: v for k, v in d["scope"].items()})
    for name, raw in ev.get("thresholds", {}).items():
        out[name] = fmt.value(criterion if name == "objective" else name, raw, cat, zone)
    observations = ev.get("observations", [])
    if observations:
        out["value"] = fmt.value(criterion, observations[0].get("value"), cat, zone)
    detail = ev.get("detail") or [{}]
    for key in ("ticket", "priority"):
        if key in detail[0]:
            out[key] = detail[0][key]
    return out


def _when(offset: str, cat: Catalog) -> str:
    seconds = parse_duration(offset)
    if seconds == 0:
        return str(cat.raw("evidence", "now"))
    return cat.render("evidence", "ago", minutes=fmt.number(round(seconds / 60), cat))


def _evidence(d: Mapping[str, Any], cat: Catalog, zone: str) -> list[str]:
    ev, criterion = d["evidence"], str(d["criterion"])
    lines = [cat.render("evidence", "heading", at=fmt.local_time(fmt.parse_time(ev["at"]), zone))]
    for o in ev.get("observations", []):
        extra = {k: v for k, v in o["scope"].items() if d["scope"].get(k) != v}
        where = (
            " [" + ", ".join(f"{k}={v}" for k, v in sorted(extra.items())) + "]" if extra else ""
        )
        shown = (
            cat.render("evidence", "missing", reason=o["missing"])
            if "missing" in o
            else fmt.value(o["signal"], o["value"], cat, zone)
        )
        lines.append(
            cat.render(
                "evidence",
                "observation",
                signal=o["signal"],
                scope=where,
                value=shown,
                when=_when(o["offset"], cat),
            )
        )
    thresholds = ev.get("thresholds", {})
    if thresholds:
        items = ", ".join(
            f"{k} {fmt.value(criterion if k == 'objective' else k, v, cat, zone)}"
            for k, v in thresholds.items()
        )
        lines.append(cat.render("evidence", "thresholds", items=items))
    lines += _detail(criterion, ev.get("detail") or [], cat, zone)
    return lines


def _detail(criterion: str, detail: list[Mapping[str, Any]], cat: Catalog, zone: str) -> list[str]:
    if not detail:
        return []
    first = detail[0]
    if criterion == "all_networks":
        return [cat.render("evidence", "all_networks", **item) for item in detail]
    if criterion == "eod_unsettled":
        return [cat.render("evidence", "pairs", pairs=", ".join(str(i["pair"]) for i in detail))]
    if "ticket" in first and "due" in first:
        return _sla(first, cat, zone)
    if "paid_today_usd" in first:
        unknown = cat.raw("evidence", "unknown")
        share, cap = first.get("share"), first.get("cap")
        return [
            cat.render(
                "evidence",
                "guardrail",
                paid=fmt.value("payout_volume", first.get("paid_today_usd"), cat, zone),
                target=fmt.value("daily_target", first.get("daily_target_usd"), cat, zone),
                share=fmt.percent(share, cat) if isinstance(share, float) else unknown,
                cap=fmt.percent(cap, cat) if isinstance(cap, float) else unknown,
                cap_source=first.get("cap_source") or unknown,
            )
        ]
    if "window" in first and "from" in first:
        return [
            cat.render(
                "evidence",
                "gonogo",
                window=first["window"],
                from_level=first["from"],
                to_level=first["to"],
            )
        ]
    return []


def _sla(d: Mapping[str, Any], cat: Catalog, zone: str) -> list[str]:
    late = fmt.duration(float(d.get("late_by") or 0.0), cat)
    reached = (
        cat.render(
            "evidence", "sla_reached", reached=fmt.local_time(d["reached"], zone), late_by=late
        )
        if isinstance(d.get("reached"), int | float)
        else cat.render("evidence", "sla_missing", late_by=late)
    )
    lines = [
        cat.render(
            "evidence",
            "sla",
            created=fmt.local_time(d["created"], zone),
            stage=d["stage"],
            due=fmt.local_time(d["due"], zone),
            reached=reached,
        )
    ]
    if d.get("escalate_to"):
        lines.append(cat.render("evidence", "sla_escalate", to=", ".join(d["escalate_to"])))
    return lines


def _actions(d: Mapping[str, Any], cat: Catalog) -> list[str]:
    detail = (d["evidence"].get("detail") or [{}])[0]
    escalate_to = list(detail.get("escalate_to") or [])
    out = []
    for a in d["actions"]:
        step = str(a["step"])
        values: dict[str, object] = {"text": a["text"], "network": a.get("network", "")}
        values["from_level"] = fmt.level(a.get("from"), cat)
        values["to_level"] = fmt.level(a.get("to"), cat)
        key = step
        if step == "volume_step_down" and "to" not in a:
            key = "volume_step_down_bottom" if "from" in a else "volume_step_down_unknown"
        if step == "safe_mode_all_networks":
            values["networks"] = _networks(a["text"])
        if step == "escalate":
            values.update(
                to=escalate_to.pop(0) if escalate_to else cat.raw("evidence", "unknown"),
                ticket=detail.get("ticket", ""),
                priority=detail.get("priority", ""),
                stage=_stage(d, cat),
                target=fmt.value(
                    "target", d["evidence"].get("thresholds", {}).get("target"), cat, ""
                ),
            )
        out.append(cat.render("actions", key if cat.has("actions", key) else "fallback", **values))
    return out


def _networks(text: str) -> str:
    """The network list of the engine's safe-mode text ('… every network (a, b): …')."""
    start, end = text.find("("), text.find(")")
    return text[start + 1 : end] if 0 <= start < end else ""


def _stage(d: Mapping[str, Any], cat: Catalog) -> str:
    name = str(d["criterion"]).removeprefix("sla_")
    stages = cat.raw("stages") if cat.has("stages") else {}
    return str(stages.get(name, name))


def _partner_notice(d: Mapping[str, Any], zone: str) -> str | None:
    if not any(a["step"] == WAIT for a in d["actions"]):
        return None
    en = catalog("en")
    opened = fmt.parse_time(d["opened_at"])
    observations = d["evidence"].get("observations", [])
    success = next((o.get("value") for o in observations if o["offset"] in ("0s", "0")), None)
    values: dict[str, object] = {
        "since": fmt.local_time(opened, zone),
        "since_utc": fmt.utc_time(opened),
        "success": fmt.value("webhook_success", success, en, zone),
        "decision_id": d["id"],
    }
    if not d.get("resolved_at"):
        return fill(partner_notice("partner_webhooks_degraded"), "partner notice", values)
    resolved = fmt.parse_time(d["resolved_at"])
    values.update(resolved_at=fmt.local_time(resolved, zone), resolved_utc=fmt.utc_time(resolved))
    return fill(partner_notice("partner_webhooks_recovered"), "partner notice", values)
