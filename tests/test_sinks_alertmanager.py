"""The Alertmanager sink against a real Alertmanager and a webhook receiver on loopback."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from launchguard import names
from launchguard.config.alertmanager import AlertmanagerSettings
from launchguard.core.decisions import Transition
from launchguard.core.frames import tick
from launchguard.harness.alertmanager_server import (
    AlertmanagerServer,
    Notification,
    WebhookReceiver,
    webhook_config,
)
from launchguard.interfaces import CycleReport
from launchguard.output.timefmt import rfc3339
from launchguard.sinks.alertmanager import AlertmanagerSink
from sink_factories import decision, degraded, report, resolved

from factories import DEFAULT


class Clock:
    """A settable clock (unix seconds) so backoff is driven by the test, not by sleeps."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def sink(*urls: str, clock: Clock | None = None, **settings: Any) -> AlertmanagerSink:
    return AlertmanagerSink(
        AlertmanagerSettings(**settings),
        interval=DEFAULT.interval,
        networks=DEFAULT.networks,
        urls=urls,
        clock=clock or time.time,
    )


def received(decision_id: str, status: str) -> Any:
    def check(notifications: list[Notification]) -> bool:
        return any(
            a["labels"].get(names.LABEL_DECISION_ID) == decision_id and a["status"] == status
            for n in notifications
            for a in n["alerts"]
        )

    return check


async def test_an_opened_rollback_is_visible_in_alertmanager_with_every_label_and_both_languages(
    alertmanager: AlertmanagerServer, receiver: WebhookReceiver
) -> None:
    now = time.time()
    d = decision(now - 60)
    s = sink(alertmanager.url)
    await s.deliver(report(now, opened=[d]))
    await s.close()

    [alert] = alertmanager.alerts(decision_id=d.id)
    assert alert["labels"] == {
        "alertname": "LaunchRollbackRecommended",
        "criterion": "passthrough_rollback",
        "kind": "partial_rollback",
        "severity": "critical",
        "network": "trc20",
        "decision_id": d.id,
        "launch": "clubgate",
    }
    assert alert["status"]["state"] == "active"
    notes = alert["annotations"]
    # The texts come from notify/templates/{en,ru}.yaml (tests/test_warroom_notify.py).
    assert notes["summary"].startswith("Partial rollback recommended: p95 pass-through above")
    assert "passthrough_p95: 40 min (now)" in notes["description"]
    assert "1. Safe-mode: freeze payouts on trc20." in notes["description"]
    assert notes["summary_ru"].startswith("Рекомендован частичный rollback")
    assert "Safe-mode: заморозка выплат в сети trc20." in notes["description_ru"]
    step_down = "Снизить объём до предыдущего уровня: full (100 %) → canary (30 %)."
    assert step_down in notes["description_ru"]
    receiver.wait_for(received(d.id, "firing"))


async def test_a_resolved_decision_sends_the_resolved_notification(
    alertmanager: AlertmanagerServer, receiver: WebhookReceiver
) -> None:
    now = time.time()
    d = decision(now - 120)
    s = sink(alertmanager.url)
    await s.deliver(report(now - 1, opened=[d]))
    receiver.wait_for(received(d.id, "firing"))
    await s.deliver(report(now, resolved_now=[resolved(d, now)]))
    receiver.wait_for(received(d.id, "resolved"))
    assert s.pending() == 0
    await s.close()


async def test_alertmanager_down_keeps_posts_and_delivers_them_when_it_returns(
    alertmanager: AlertmanagerServer, receiver: WebhookReceiver
) -> None:
    clock = Clock()
    still_open = decision(clock.now - 300, network="erc20")
    gone = decision(clock.now - 200)
    s = sink(alertmanager.url, clock=clock, retry_backoff=5.0)
    alertmanager.stop()

    delivery = await s.deliver(report(clock.now, opened=[still_open, gone]))  # must not raise
    assert (delivery.failures, s.pending()) == (1, 0)
    assert alertmanager.url in delivery.problem
    clock.now += 3  # inside the 5 s backoff: no attempt, the resolved one is kept
    resolved_at = clock.now
    delivery = await s.deliver(
        report(clock.now, open_=[still_open], resolved_now=[resolved(gone, resolved_at)])
    )
    assert (delivery.failures, s.pending()) == (0, 1)
    clock.now += 7  # backoff over, still down: the delay doubles to 10 s
    delivery = await s.deliver(report(clock.now, open_=[still_open]))
    assert (delivery.failures, s.pending()) == (1, 1)

    alertmanager.start()  # same port, fresh state
    clock.now += 5  # inside the 10 s backoff even though it is back
    await s.deliver(report(clock.now, open_=[still_open]))
    assert alertmanager.alerts(alertname=names.ALERT_ROLLBACK) == []
    clock.now += 6
    delivery = await s.deliver(report(clock.now, open_=[still_open]))
    assert (delivery.failures, s.pending()) == (0, 0)
    # The resolved one arrived with endsAt = its resolution time (the test clock runs ahead
    # of Alertmanager's, so Alertmanager still lists it).
    [late] = alertmanager.alerts(decision_id=gone.id)
    assert late["endsAt"] == rfc3339(tick(resolved_at))
    assert alertmanager.alerts(decision_id=still_open.id)[0]["status"]["state"] == "active"
    receiver.wait_for(received(still_open.id, "firing"))
    await s.close()


async def test_every_configured_alertmanager_gets_every_alert(receiver: WebhookReceiver) -> None:
    with (
        AlertmanagerServer(webhook_config(receiver.url)) as first,
        AlertmanagerServer(webhook_config(receiver.url)) as second,
    ):
        now = time.time()
        d = decision(now - 60)
        s = sink(first.url, second.url)
        await s.deliver(report(now, opened=[d]))
        await s.close()
        assert len(first.alerts(decision_id=d.id)) == 1
        assert len(second.alerts(decision_id=d.id)) == 1


async def test_degraded_evaluation_is_an_alert_until_it_clears(
    alertmanager: AlertmanagerServer, receiver: WebhookReceiver
) -> None:
    now = time.time()
    s = sink(alertmanager.url)
    await s.deliver(report(now - 1, degraded=degraded(now - 60)))
    [alert] = alertmanager.alerts(alertname=names.ALERT_DEGRADED)
    assert alert["labels"] == {
        "alertname": "LaunchEvaluationDegraded",
        "severity": "critical",
        "launch": "clubgate",
    }
    assert "prometheus_unreachable" in alert["annotations"]["summary"]
    assert "Prometheus недоступен" in alert["annotations"]["summary_ru"]

    def degraded_is(status: str) -> Any:
        return lambda ns: any(
            a["labels"]["alertname"] == names.ALERT_DEGRADED and a["status"] == status
            for n in ns
            for a in n["alerts"]
        )

    receiver.wait_for(degraded_is("firing"))
    await s.deliver(report(now))
    receiver.wait_for(degraded_is("resolved"))
    await s.close()


async def test_a_one_off_opened_decision_is_posted_once_even_when_alertmanager_was_down(
    receiver: WebhookReceiver,
) -> None:
    # A `promote` opens without staying open (it is not in the report's open set): it must
    # still reach Alertmanager, and a failed post must be kept until one succeeds.
    clock = Clock()
    am = AlertmanagerServer(webhook_config(receiver.url)).start()
    port = am.port
    am.stop()
    d = decision(clock.now - 30, criterion="sev1", network=None)
    one_off = CycleReport(tick(clock.now), [Transition("opened", d)], [], None)
    s = sink(f"http://127.0.0.1:{port}", clock=clock)
    await s.deliver(one_off)
    assert s.pending() == 1
    with AlertmanagerServer(webhook_config(receiver.url), port=port) as back:
        clock.now += 600  # past the backoff, and past the endsAt the first try had
        await s.deliver(report(clock.now))
        await s.close()
        [alert] = back.alerts()
    assert alert["labels"][names.LABEL_DECISION_ID] == d.id
    # Its endsAt runs from the post that delivered it, so a late delivery still fires.
    assert alert["status"]["state"] == "active"
    assert datetime.fromisoformat(alert["endsAt"]).timestamp() > clock.now
    assert s.pending() == 0
