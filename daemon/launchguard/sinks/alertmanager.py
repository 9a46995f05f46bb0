"""The Alertmanager sink: every decision POSTed to `/api/v2/alerts` of every Alertmanager.

Open decisions are re-posted every cycle with `endsAt` a few intervals ahead, so an
Alertmanager that stops hearing from the daemon resolves them by itself; a resolved decision
is posted once with `endsAt` = its resolution time. A failed post is never dropped: the
resolved alerts an Alertmanager has not acknowledged stay pending for that Alertmanager and
go out with its next post, after a backoff that doubles per failure. Open decisions need no
such queue: they are in every cycle's report until they resolve.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from launchguard import names
from launchguard.config.alertmanager import AlertmanagerSettings
from launchguard.core.decisions import Decision
from launchguard.core.frames import Tick, tick
from launchguard.http_summary import post_problem
from launchguard.interfaces import CycleReport, Degraded, Delivery, failures
from launchguard.output.timefmt import rfc3339
from launchguard.scrub import NO_SECRETS, Scrubber
from launchguard.sinks.alert_bodies import decision_body, degraded_body
from launchguard.sinks.alertmanager_api import credentials, held_decisions, http_client
from launchguard.sinks.backoff import Backoff

Alert = dict[str, Any]
log = structlog.get_logger("launchguard.sinks.alertmanager")


@dataclass
class Target:
    """One Alertmanager: its pending resolved alerts and its retry state."""

    url: str
    pending: dict[str, Alert] = field(default_factory=dict)  # key → resolved alert
    backoff: Backoff = field(default_factory=Backoff)
    last_success: float | None = None
    last_open_ids: frozenset[str] = frozenset()


class AlertTextError(Exception):
    """Some alerts went out without their texts (their rendering raised)."""


class AlertmanagerSink:
    """Posts decisions and degraded evaluation to every configured Alertmanager."""

    name = "alertmanager"
    first = False

    def __init__(
        self,
        settings: AlertmanagerSettings,
        *,
        interval: float,
        networks: Sequence[str],
        urls: Sequence[str] | None = None,
        clock: Callable[[], float] = time.time,
        transport: httpx.AsyncBaseTransport | None = None,
        scrubber: Scrubber = NO_SECRETS,
    ) -> None:
        chosen = tuple(urls) if urls is not None else settings.urls
        self.scrubber = scrubber + Scrubber.of(credentials(settings))
        self.settings = settings
        self.targets = [Target(u.rstrip("/")) for u in chosen]
        self.networks = tuple(networks)
        self.ahead = settings.ends_at_cycles * interval + settings.resend_interval
        self.clock = clock
        self._degraded: Degraded | None = None
        self._rendered: dict[_TextKey, _Body] = {}  # this cycle's rendered labels and texts
        self._previous: dict[_TextKey, _Body] = {}  # the cycle before's
        self._one_off: dict[str, Decision] = {}  # id → a one-off decision not yet posted
        self._bugs: list[str] = []  # texts that failed to render in this delivery
        self._client = http_client(settings, transport)

    def pending(self) -> int:
        """Resolved alerts not yet acknowledged by some Alertmanager (summed over them)."""
        return sum(len(t.pending) for t in self.targets)

    async def deliver(self, report: CycleReport) -> Delivery:
        """Post this cycle's alerts; an Alertmanager that fails is a failure in the result
        (one per failed post), never an exception. A decision whose texts fail to render is
        posted with plain ones, then `AlertTextError` is raised (a bug, not a target)."""
        now = self.clock()
        # Rendered texts live for one cycle beyond their last use (bounded by what is open).
        self._previous, self._rendered = self._rendered, {}
        open_alerts = [self.decision_alert(d, now) for d in report.open]
        resolved = {
            t.decision.id: self.decision_alert(t.decision, now)
            for t in report.transitions
            if t.event == "resolved"
        }
        open_ids = frozenset(d.id for d in report.open)
        # A one-off decision (a `promote`) opens without staying open and without resolving:
        # kept pending like a resolve until delivered, its `endsAt` a few intervals after
        # the post that delivers it (so a late delivery still fires).
        one_off = {
            t.decision.id: t.decision
            for t in report.transitions
            if t.event == "opened" and t.decision.id not in open_ids | resolved.keys()
        }
        self._one_off.update(one_off)
        open_alerts += self._degraded_alerts(report, now, resolved)
        opened = any(t.event == "opened" for t in report.transitions)
        for target in self.targets:
            target.pending.update(resolved)
            target.pending.update((k, self.decision_alert(d, now)) for k, d in one_off.items())
        problems = await asyncio.gather(
            *(
                self._post(t, open_alerts, open_ids, opened, now, report.rebuilt)
                for t in self.targets
            )
        )
        bugs, self._bugs = self._bugs, []
        if bugs:  # posted anyway; the cycle reports the bug
            raise AlertTextError(f"{len(bugs)} alert(s) without texts; {bugs[0]}")
        return failures([p for p in problems if p])

    async def close(self) -> None:
        """One last attempt at what is pending (backoff ignored), then close the client."""
        now = self.clock()
        await asyncio.gather(
            *(self._send(t, list(t.pending.values()), now) for t in self.targets if t.pending)
        )
        await self._client.aclose()

    def decision_alert(self, d: Decision, now: float) -> Alert:
        """The API v2 alert of a decision: labels and EN/RU annotations of DESIGN §5.

        The labels and texts change only with the decision's evidence or resolution, so they
        are rendered once and reused while the decision is re-posted every cycle (thousands
        of open SLA breaches would otherwise be rendered again each cycle)."""
        key = (d.id, d.evidence.at, d.resolved_at)
        body = self._rendered.get(key) or self._previous.get(key)
        if body is None:
            failed = len(self._bugs)
            body = self._render(d)
            if len(self._bugs) == failed:  # a fallback is rendered again next time
                self._rendered[key] = body
        else:
            self._rendered[key] = body
        labels, annotations = body
        ends = d.resolved_at if d.resolved_at is not None else tick(now + self.ahead)
        return _alert(labels, annotations, d.opened_at, ends)

    def _render(self, d: Decision) -> _Body:
        body, problem = decision_body(d, self.settings.launch)
        if problem:
            self._bugs.append(f"texts of decision {d.id}: {problem}")
        return body

    def _degraded_alerts(
        self, report: CycleReport, now: float, resolved: dict[str, Alert]
    ) -> list[Alert]:
        """The degraded alert while degraded; once it clears, a resolved one (kept pending)."""
        previous, self._degraded = self._degraded, report.degraded
        if report.degraded is not None:
            # A new episode (new `since`) ends the previous one first.
            if previous is not None and previous.since != report.degraded.since:
                resolved[_degraded_key(previous)] = self._degraded_alert(previous, report.at)
            return [self._degraded_alert(report.degraded, tick(now + self.ahead))]
        if previous is not None:
            resolved[_degraded_key(previous)] = self._degraded_alert(previous, report.at)
        return []

    def _degraded_alert(self, d: Degraded, ends: Tick) -> Alert:
        labels, annotations = degraded_body(d, self.settings.launch)
        return _alert(labels, annotations, d.since, max(ends, d.since))

    async def _post(
        self,
        target: Target,
        open_alerts: list[Alert],
        open_ids: frozenset[str],
        opened: bool,
        now: float,
        rebuilt: bool = True,
    ) -> str:
        """Post to one Alertmanager if due; the failure's text, "" when none. Before the
        daemon knows what is open (`rebuilt` false: the rebuild has not succeeded yet), the
        decision alerts the Alertmanager holds are re-posted with a fresh `endsAt`, so a
        restart while Prometheus fails lets no open rollback lapse."""
        if target.backoff.waiting(now):
            return ""  # backing off; what is pending stays pending
        if not rebuilt:
            try:
                held = await held_decisions(self._client, target.url, self.settings.launch)
            except httpx.HTTPError as exc:
                return self._failed(target, now, post_problem(exc))
            except ValueError as exc:
                return self._failed(target, now, f"the alert list: {exc}")
            ends = rfc3339(tick(now + self.ahead))
            open_alerts = open_alerts + [{**a, "endsAt": ends} for a in held]
            opened = True  # nothing is known: always post
        unchanged = not opened and not target.pending and open_ids == target.last_open_ids
        recent = (
            target.last_success is not None
            and now - target.last_success < self.settings.resend_interval
        )
        if unchanged and recent:
            return ""
        pending = [
            self.decision_alert(self._one_off[k], now) if k in self._one_off else a
            for k, a in target.pending.items()
        ]
        batch = open_alerts + pending
        problem = await self._send(target, batch, now) if batch else ""
        if batch and not problem:
            target.last_open_ids = open_ids
        self._one_off = {
            k: d for k, d in self._one_off.items() if any(k in t.pending for t in self.targets)
        }
        return problem

    async def _send(self, target: Target, batch: list[Alert], now: float) -> str:
        """POST one batch; on success drop the resolved alerts it carried from `pending`.
        The failure's text ("" on success)."""
        try:
            response = await self._client.post(f"{target.url}/api/v2/alerts", json=batch)
            ok = response.status_code == 200
            problem = "" if ok else post_problem(response)
        except httpx.HTTPError as exc:
            ok, problem = False, post_problem(exc)
        if ok:
            sent = {_key(a) for a in batch}
            for key in [k for k in target.pending if k in sent]:
                del target.pending[key]
            target.backoff.succeeded()
            target.last_success = now
            return ""
        return self._failed(target, now, problem)

    def _failed(self, target: Target, now: float, problem: str) -> str:
        """Back off from a target that failed; the failure's text, scrubbed."""
        wait = target.backoff.failed(
            now, self.settings.retry_backoff, self.settings.retry_backoff_max
        )
        log.warning(
            "alertmanager_post_failed",
            url=self.scrubber.url(target.url),
            problem=self.scrubber.clean(problem),
            failures=target.backoff.failures,
            pending_resolved=len(target.pending),
            retry_in=round(wait, 3),
        )
        return self.scrubber.clean(f"{self.scrubber.url(target.url)}: {problem}")


_TextKey = tuple[str, Tick, Tick | None]  # decision id, evidence time, resolution time
_Body = tuple[dict[str, str], dict[str, str]]  # labels, annotations


def _alert(
    labels: Mapping[str, str], annotations: Mapping[str, str], start: Tick, end: Tick
) -> Alert:
    return {
        "labels": dict(labels),
        "annotations": dict(annotations),
        "startsAt": rfc3339(start),
        "endsAt": rfc3339(end),
    }


def _key(alert: Alert) -> str:
    labels = alert["labels"]
    if names.LABEL_DECISION_ID in labels:
        return str(labels[names.LABEL_DECISION_ID])
    return f"{labels[names.LABEL_ALERTNAME]}@{alert['startsAt']}"


def _degraded_key(d: Degraded) -> str:
    return f"{names.ALERT_DEGRADED}@{rfc3339(d.since)}"
