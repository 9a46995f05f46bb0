"""The warroom webhook: a message when a decision opens and when it resolves (never every
cycle), and when evaluation becomes degraded and recovers.

The body is generic JSON (the decision as in DESIGN §5, its texts in every configured
language, the English partner notice where one is due, links) with a Slack/Mattermost
compatible `text` field, so a chat's incoming webhook shows it as is. With a secret in the
environment variable `warroom.secret_env`, each POST carries
`X-Launchguard-Timestamp: <unix seconds>` and
`<signature_header>: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.

Messages are queued in order and sent one by one; a failed POST stays at the head of the
queue and is retried after a backoff that doubles per failure: nothing is dropped, and a
resolve never overtakes its open.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from launchguard.config.warroom import WarroomSettings
from launchguard.http_summary import post_problem
from launchguard.interfaces import CycleReport, Degraded, Delivery, failures
from launchguard.scrub import NO_SECRETS, Scrubber, url_secrets
from launchguard.sinks.backoff import Backoff
from launchguard.sinks.warroom_message import decision_message, degraded_message

TIMESTAMP_HEADER = "X-Launchguard-Timestamp"
log = structlog.get_logger("launchguard.sinks.warroom")


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """'sha256=<hex>' over '<timestamp>.<body>' (what a receiver recomputes to verify)."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass(frozen=True)
class Message:
    event_id: str
    body: bytes


class WarroomWebhookSink:
    """POSTs open/resolve events to the warroom webhook; see the module docstring."""

    name = "warroom"
    first = False

    def __init__(
        self,
        settings: WarroomSettings,
        *,
        timezone: str = "Europe/Warsaw",
        url: str | None = None,
        clock: Callable[[], float] = time.time,
        secret: bytes | None = None,
        scrubber: Scrubber = NO_SECRETS,
    ) -> None:
        chosen = url if url is not None else settings.webhook_url
        if chosen is None:
            raise ValueError("warroom.webhook_url: no webhook URL configured")
        self.settings = settings
        self.url = chosen
        self.timezone = timezone
        self.clock = clock
        env_secret = os.environ.get(settings.secret_env, "")
        self.secret = secret if secret is not None else (env_secret.encode() or None)
        own = self.secret.decode(errors="replace") if self.secret else ""
        self.scrubber = scrubber + Scrubber.of([own, *url_secrets(chosen)])
        self.queue: deque[Message] = deque()
        self.backoff = Backoff()
        self._degraded: Degraded | None = None
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(settings.timeout))

    def pending(self) -> int:
        return len(self.queue)

    async def deliver(self, report: CycleReport) -> Delivery:
        """Queue this cycle's transitions (and degraded changes), then send what is due; a
        failed post is a failure in the result, never an exception."""
        for transition in report.transitions:
            payload = decision_message(
                transition.event, transition.decision, report.at, self.settings, self.timezone
            )
            self._enqueue(payload)
        self._track_degraded(report)
        return failures(await self._flush(self.clock()))

    async def close(self) -> None:
        """One last attempt at the queue (backoff ignored), then close the client."""
        await self._flush(self.clock(), force=True)
        if self.queue:
            log.warning("warroom_undelivered_at_close", pending=len(self.queue))
        await self._client.aclose()

    def _track_degraded(self, report: CycleReport) -> None:
        now, before = report.degraded, self._degraded
        if now == before:
            return
        if before is not None and (now is None or now.since != before.since):
            self._enqueue(
                degraded_message("recovered", before, report.at, self.settings, self.timezone)
            )
        if now is not None and (before is None or now.since != before.since):
            self._enqueue(
                degraded_message("degraded", now, report.at, self.settings, self.timezone)
            )
        self._degraded = now

    def _enqueue(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        self.queue.append(Message(str(payload["event_id"]), body))

    async def _flush(self, now: float, force: bool = False) -> list[str]:
        """Send the queue in order up to the first failure (its text is returned)."""
        if not force and self.backoff.waiting(now):
            return []
        while self.queue:
            problem = await self._send(self.queue[0], now)
            if problem:
                return [problem]
            self.queue.popleft()
        return []

    def headers(self, body: bytes, now: float) -> dict[str, str]:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.secret:
            stamp = str(int(now))
            headers[TIMESTAMP_HEADER] = stamp
            headers[self.settings.signature_header] = signature(self.secret, stamp, body)
        return headers

    async def _send(self, message: Message, now: float) -> str:
        try:
            response = await self._client.post(
                self.url, content=message.body, headers=self.headers(message.body, now)
            )
            ok = 200 <= response.status_code < 300
            problem = "" if ok else post_problem(response)
        except httpx.HTTPError as exc:
            ok, problem = False, post_problem(exc)
        if ok:
            self.backoff.succeeded()
            return ""
        wait = self.backoff.failed(
            now, self.settings.retry_backoff, self.settings.retry_backoff_max
        )
        log.warning(
            "warroom_post_failed",
            event_id=message.event_id,
            problem=self.scrubber.clean(problem),
            failures=self.backoff.failures,
            pending=len(self.queue),
            retry_in=round(wait, 3),
        )
        return self.scrubber.clean(f"event {message.event_id}: {problem}")
