"""The labels and annotations of the Alertmanager alerts: a decision's (DESIGN §5, texts
from the `notify` templates) and degraded evaluation's.

A decision whose texts cannot be rendered (a template bug meeting odd evidence) still gets
its alert, with its labels and a plain annotation saying so: an open rollback must keep
being re-posted whatever fails in its texts. The caller reports the failure.
"""

from __future__ import annotations

from launchguard import names, notify
from launchguard.core import sla
from launchguard.core.decisions import Decision
from launchguard.errors import one_line
from launchguard.interfaces import Degraded
from launchguard.sinks import texts

Body = tuple[dict[str, str], dict[str, str]]  # labels, annotations


def decision_body(d: Decision, launch: str) -> tuple[Body, str]:
    """The alert body of a decision, and the rendering failure in one line ("" if none)."""
    labels = {
        **dict(d.scope),
        names.LABEL_ALERTNAME: names.alertname_for(d.kind),
        names.LABEL_CRITERION: d.criterion,
        names.LABEL_KIND: d.kind,
        names.LABEL_SEVERITY: names.severity_for(d.kind),
        names.LABEL_DECISION_ID: d.id,
        names.LABEL_LAUNCH: launch,
        **sla.escalation_labels(d),  # SupportSLABreach: who it goes to
    }
    try:
        en, ru = notify.texts(d, "en"), notify.texts(d, "ru")  # notify/templates/{en,ru}.yaml
    except Exception as exc:  # the alert must go out without its texts
        problem = one_line(exc)
        scope = ", ".join(f"{k}={v}" for k, v in d.scope) or "global"
        fallback = {
            names.ANNOTATION_SUMMARY: f"{d.kind}: {d.criterion} ({scope})",
            names.ANNOTATION_DESCRIPTION: f"The texts of decision {d.id} could not be "
            f"rendered ({problem}); see launchguard's /api/v1/decisions.",
            names.ANNOTATION_SUMMARY_RU: f"{d.kind}: {d.criterion} ({scope})",
            names.ANNOTATION_DESCRIPTION_RU: f"Тексты решения {d.id} не удалось построить; "
            "см. /api/v1/decisions launchguard.",
        }
        return (labels, fallback), problem
    annotations = {
        names.ANNOTATION_SUMMARY: en.headline,
        names.ANNOTATION_DESCRIPTION: en.description,
        names.ANNOTATION_SUMMARY_RU: ru.headline,
        names.ANNOTATION_DESCRIPTION_RU: ru.description,
    }
    if en.partner_notice:
        annotations[names.ANNOTATION_PARTNER_NOTICE] = en.partner_notice
    return (labels, annotations), ""


def degraded_body(d: Degraded, launch: str) -> Body:
    """The `LaunchEvaluationDegraded` alert body of a degraded state."""
    summary_en, description_en, summary_ru, description_ru = texts.degraded_texts(d)
    labels = {
        names.LABEL_ALERTNAME: names.ALERT_DEGRADED,
        names.LABEL_SEVERITY: names.SEVERITY_DEGRADED,
        names.LABEL_LAUNCH: launch,
    }
    annotations = {
        names.ANNOTATION_SUMMARY: summary_en,
        names.ANNOTATION_DESCRIPTION: description_en,
        names.ANNOTATION_SUMMARY_RU: summary_ru,
        names.ANNOTATION_DESCRIPTION_RU: description_ru,
    }
    return labels, annotations
