"""The warroom webhook sink against a real HTTP receiver on loopback: it posts on open and
resolve only, signs with HMAC-SHA256 the way docs/warroom.md tells receivers to verify, keeps
and retries what failed in order, and carries the partner notice of a webhook rollback."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from launchguard.config.warroom import WarroomSettings
from launchguard.core.decisions import Decision, Transition
from launchguard.core.frames import Tick
from launchguard.interfaces import CycleReport, Degraded
from launchguard.sinks.warroom import TIMESTAMP_HEADER, WarroomWebhookSink
from warroom_samples import every_decision

SECRET = b"warroom-test-secret"
SAMPLES = every_decision()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def doc(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.body)
        return result


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1; `fail` answers the next N requests with 503."""

    received: list[Received] = field(default_factory=list)
    fail: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/warroom"

    def accepted(self) -> list[Received]:
        return [r for r in self.received if r.headers.get("x-test-status") == "200"]


def verify(secret: bytes, r: Received, header: str = "X-Launchguard-Signature") -> bool:
    """What a receiver does (docs/warroom.md): HMAC-SHA256 over '<timestamp>.<raw body>'."""
    stamp = r.headers.get(TIMESTAMP_HEADER.lower(), "")
    expected = (
        "sha256=" + hmac.new(secret, stamp.encode() + b"." + r.body, hashlib.sha256).hexdigest()
    )
    return hmac.compare_digest(expected, r.headers.get(header.lower(), ""))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = 503 if rec.fail > 0 else 200
            rec.fail = max(0, rec.fail - 1)
            headers = {k.lower(): v for k, v in self.headers.items()}
            headers["x-test-status"] = str(status)
            rec.received.append(Received(headers, body))
            self.send_response(status)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    rec.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=lambda: rec.server.serve_forever(poll_interval=0.05), daemon=True
    )
    thread.start()
    yield rec
    rec.server.shutdown()
    thread.join()


class Clock:
    def __init__(self, now: float = 1_780_279_200.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def sink(
    url: str, clock: Clock, secret: bytes | None = SECRET, **settings: Any
) -> WarroomWebhookSink:
    chosen = WarroomSettings(
        webhook_url=url,
        secret_env="LAUNCHGUARD_TEST_UNSET_SECRET",
        grafana_url="http://grafana.test:3000",
        alertmanager_url="http://alertmanager.test:9093",
        page_url="http://warroom.test/",
        **settings,
    )
    return WarroomWebhookSink(chosen, clock=clock, secret=secret)


def cycle(
    at: Tick,
    *events: tuple[str, Decision],
    open_now: tuple[Decision, ...] = (),
    degraded: Degraded | None = None,
) -> CycleReport:
    return CycleReport(at, tuple(Transition(e, d) for e, d in events), open_now, degraded)


async def test_it_posts_on_open_and_on_resolve_only_signed_and_in_both_languages(
    receiver: Receiver,
) -> None:
    d = SAMPLES["passthrough_rollback"]
    done = replace(d, resolved_at=d.opened_at + 1_200_000)
    s = sink(receiver.url, Clock())
    await s.deliver(cycle(d.opened_at, ("opened", d), open_now=(d,)))
    for k in range(1, 6):  # later cycles with the decision still open: nothing to say
        await s.deliver(cycle(d.opened_at + k * 30_000, open_now=(d,)))
    await s.deliver(cycle(done.resolved_at or 0, ("resolved", done)))
    await s.close()

    assert [r.doc["event"] for r in receiver.received] == ["opened", "resolved"]
    for r in receiver.received:
        assert verify(SECRET, r), "the receiver's HMAC check must pass"
        assert not verify(b"another key", r)
    opened = receiver.received[0].doc
    assert opened["event_id"] == f"{d.id}:opened"
    assert opened["decision"]["id"] == d.id and opened["decision"]["resolved_at"] is None
    assert set(opened["texts"]) == {"ru", "en"}
    assert opened["texts"]["ru"]["actions"][0] == "Safe-mode: заморозка выплат в сети trc20."
    assert opened["texts"]["en"]["actions"][0] == "Safe-mode: freeze payouts on trc20."
    text = opened["text"]
    assert text.index("Рекомендован частичный rollback") < text.index(
        "Partial rollback recommended"
    )
    assert "http://grafana.test:3000/d/launchguard-executive" in text
    assert opened["links"]["alertmanager"] == "http://alertmanager.test:9093"
    assert receiver.received[1].doc["decision"]["resolved_at"] is not None


async def test_a_tampered_body_fails_the_signature_check(receiver: Receiver) -> None:
    s = sink(receiver.url, Clock())
    d = SAMPLES["sev1"]
    await s.deliver(cycle(d.opened_at, ("opened", d), open_now=(d,)))
    await s.close()
    [r] = receiver.received
    assert verify(SECRET, r)
    assert not verify(SECRET, Received(r.headers, r.body.replace(b"sev1", b"sev2")))
    stale = dict(r.headers, **{TIMESTAMP_HEADER.lower(): "1"})
    assert not verify(SECRET, Received(stale, r.body))


async def test_without_a_secret_the_body_goes_unsigned(receiver: Receiver) -> None:
    s = sink(receiver.url, Clock(), secret=None)
    d = SAMPLES["sev1"]
    await s.deliver(cycle(d.opened_at, ("opened", d), open_now=(d,)))
    await s.close()
    [r] = receiver.received
    assert "x-launchguard-signature" not in r.headers and TIMESTAMP_HEADER.lower() not in r.headers


async def test_failed_posts_are_kept_and_retried_in_order_after_a_backoff(
    receiver: Receiver,
) -> None:
    clock = Clock()
    s = sink(receiver.url, clock, retry_backoff=10, retry_backoff_max=40)
    a, b = SAMPLES["passthrough_rollback"], SAMPLES["sev1"]
    receiver.fail = 2
    await s.deliver(cycle(a.opened_at, ("opened", a)))  # attempt 1 fails: retry in 10 s
    assert s.pending() == 1
    clock.now += 5
    await s.deliver(cycle(a.opened_at + 30_000, ("opened", b)))  # backing off: no attempt
    assert len(receiver.received) == 1 and s.pending() == 2
    clock.now += 6
    await s.deliver(cycle(a.opened_at + 60_000))  # attempt 2 fails: retry in 20 s
    assert len(receiver.received) == 2 and s.pending() == 2
    clock.now += 21
    await s.deliver(cycle(a.opened_at + 90_000))  # both go, in order
    assert s.pending() == 0
    assert [r.doc["event_id"] for r in receiver.accepted()] == [f"{a.id}:opened", f"{b.id}:opened"]
    first = [r for r in receiver.received if r.doc["event_id"] == f"{a.id}:opened"]
    assert len({r.body for r in first}) == 1, (
        "a retry sends the same body (receivers dedup by event_id)"
    )
    assert all(verify(SECRET, r) for r in receiver.received)
    await s.close()


async def test_close_makes_a_last_attempt_whatever_the_backoff(receiver: Receiver) -> None:
    clock = Clock()
    s = sink(receiver.url, clock, retry_backoff=3600)
    d = SAMPLES["sev1"]
    receiver.fail = 1
    await s.deliver(cycle(d.opened_at, ("opened", d)))
    assert s.pending() == 1
    await s.close()
    assert s.pending() == 0 and [r.doc["event"] for r in receiver.accepted()] == ["opened"]


async def test_the_webhook_rollback_message_carries_the_english_partner_notice(
    receiver: Receiver,
) -> None:
    s = sink(receiver.url, Clock())
    d = SAMPLES["webhook_rollback"]
    await s.deliver(cycle(d.opened_at, ("opened", d)))
    await s.close()
    doc = receiver.received[0].doc
    assert doc["partner_notice"].startswith("Subject: ClubGate webhooks degraded")
    assert "Replay" in doc["partner_notice"]
    assert "Уведомление партнёрам (на английском" in doc["text"]


async def test_degraded_evaluation_is_announced_when_it_starts_and_when_it_ends(
    receiver: Receiver,
) -> None:
    s = sink(receiver.url, Clock())
    t = SAMPLES["sev1"].opened_at
    down = Degraded("prometheus_unreachable", t, "unreachable: connection refused")
    await s.deliver(cycle(t, degraded=down))
    await s.deliver(cycle(t + 30_000, degraded=down))
    await s.deliver(cycle(t + 60_000, degraded=down))
    await s.deliver(cycle(t + 90_000))
    await s.close()
    docs = [r.doc for r in receiver.received]
    assert [d["event"] for d in docs] == ["degraded", "recovered"]
    assert "Prometheus недоступен" in docs[0]["texts"]["ru"]["summary"]
