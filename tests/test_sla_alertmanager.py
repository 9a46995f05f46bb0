"""SupportSLABreach alerts on a real Alertmanager: the escalation is a label (so routes can
send a missed reaction to the support coordinator and a p1/p2 past its workaround time to
the CTO and R&D) and text in both languages."""

from __future__ import annotations

import time

from launchguard import names
from launchguard.config.alertmanager import AlertmanagerSettings
from launchguard.core import sla
from launchguard.core.engine import evaluate_span, grid
from launchguard.core.frames import frame_from_points, tick
from launchguard.harness.alertmanager_server import (
    AlertmanagerServer,
)
from launchguard.sinks.alertmanager import AlertmanagerSink
from sink_factories import report

from factories import DEFAULT


async def test_sla_breaches_carry_their_escalation_as_a_label_and_in_both_languages(
    alertmanager: AlertmanagerServer,
) -> None:
    now = time.time() // 30 * 30
    created = now - 5 * 3600 + 120  # a p1 nobody answered: reaction and workaround missed
    frames = {
        "ticket_created": frame_from_points(
            "ticket_created",
            ("ticket", "priority"),
            [({"ticket": "HD-7", "priority": "p1"}, [(now, created)])],
        ),
        "ticket_stage": frame_from_points("ticket_stage", ("ticket", "stage"), []),
    }
    out = evaluate_span(DEFAULT, frames, grid(now - 60, now, 30), tick(now - 60))
    breaches = {d.criterion: d for d in out.decisions if d.kind == sla.KIND}
    assert set(breaches) == {"sla_reaction", "sla_workaround"}

    sink = AlertmanagerSink(
        AlertmanagerSettings(),
        interval=DEFAULT.interval,
        networks=DEFAULT.networks,
        urls=(alertmanager.url,),
    )
    await sink.deliver(report(now, opened=list(breaches.values())))
    await sink.close()

    expected = {"sla_reaction": "support coordinator", "sla_workaround": "CTO and R&D"}
    for criterion, to in expected.items():
        [alert] = alertmanager.alerts(decision_id=breaches[criterion].id)
        labels = alert["labels"]
        assert labels[names.LABEL_ALERTNAME] == "SupportSLABreach"
        assert labels[names.LABEL_ESCALATE_TO] == to
        assert (labels["ticket"], labels["priority"], labels["kind"]) == (
            "HD-7",
            "p1",
            "sla_breach",
        )
        assert to in alert["annotations"]["description"]
        assert alert["annotations"]["description_ru"]
    # Routing by the label finds exactly one alert per escalation target.
    assert len(alertmanager.alerts(escalate_to="CTO and R&D")) == 1
