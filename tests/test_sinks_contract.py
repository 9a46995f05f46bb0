"""One behavioural contract for every `interfaces.Sink` (STYLE 9), each against its real
target: Alertmanager (a real `prometheus-alertmanager`), the journal (its SQLite file), the
warroom webhook (a receiver on loopback), and the null sink (no target).

Every sink delivers an opened and a resolved decision to its target; a failing target is a
counted failure in the `Delivery`, never an exception; what failed reaches the target once
it recovers; `close` flushes what is still pending. Each target says how to break it.
"""

from __future__ import annotations

import inspect
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol

import pytest

from launchguard.config.alertmanager import AlertmanagerSettings
from launchguard.config.warroom import WarroomSettings
from launchguard.core.decisions import Decision
from launchguard.harness.alertmanager_server import (
    AlertmanagerServer,
    WebhookReceiver,
    webhook_config,
)
from launchguard.interfaces import CycleReport, Delivery, Sink
from launchguard.sinks import AlertmanagerSink, JournalSink, NullSink, WarroomWebhookSink
from launchguard.sinks.journal_chain import Keyring, key_id
from sink_factories import KEY, decision, report, resolved

from factories import DEFAULT


class Clock:
    """Settable unix seconds, ahead of the wall clock (Alertmanager lists a resolved alert
    while its endsAt is in its future)."""

    def __init__(self) -> None:
        self.now = time.time() + 600

    def __call__(self) -> float:
        return self.now


class Target(Protocol):
    """A sink's real target, and the ways to break and repair it."""

    can_fail: bool

    def sink(self, clock: Clock) -> Sink: ...
    def fail(self) -> None: ...
    def recover(self) -> None: ...
    def holds(self, d: Decision, event: str) -> bool:
        """Whether the target has the decision's `event` (opened | resolved)."""
        ...


class AlertmanagerTarget:
    can_fail = True

    def __init__(self) -> None:
        self.receiver = WebhookReceiver().start()
        self.server = AlertmanagerServer(webhook_config(self.receiver.url)).start()

    def sink(self, clock: Clock) -> Sink:
        settings = AlertmanagerSettings(retry_backoff=5.0)
        return AlertmanagerSink(
            settings, interval=30, networks=DEFAULT.networks, urls=[self.server.url], clock=clock
        )

    def fail(self) -> None:
        self.server.stop()

    def recover(self) -> None:
        self.server.start()  # same port, empty

    def holds(self, d: Decision, event: str) -> bool:
        alerts = self.server.alerts(decision_id=d.id)
        if event == "opened":
            return bool(alerts)
        assert d.resolved_at is not None
        return any(unix(a["endsAt"]) == d.resolved_at / 1000 for a in alerts)

    def close(self) -> None:
        self.server.stop()
        self.receiver.stop()


class JournalTarget:
    can_fail = True

    def __init__(self, path: Path) -> None:
        self.path = path
        self.other: sqlite3.Connection | None = None

    def sink(self, clock: Clock) -> Sink:
        key = KEY.encode()
        return JournalSink(
            self.path, Keyring(key, {key_id(key): key}), clock=clock, busy_timeout=0.05
        )

    def fail(self) -> None:  # another writer holds the file's lock
        self.other = sqlite3.connect(self.path, isolation_level=None)
        self.other.execute("BEGIN IMMEDIATE")

    def recover(self) -> None:
        assert self.other is not None
        self.other.execute("ROLLBACK")
        self.other.close()

    def holds(self, d: Decision, event: str) -> bool:
        with sqlite3.connect(self.path) as db:
            query = "SELECT 1 FROM records WHERE decision_id = ? AND event = ?"
            return db.execute(query, (d.id, event)).fetchone() is not None

    def close(self) -> None:
        return None


class WarroomTarget:
    can_fail = True

    def __init__(self) -> None:
        self.receiver = WebhookReceiver().start()

    def sink(self, clock: Clock) -> Sink:
        settings = WarroomSettings(webhook_url=self.receiver.url, retry_backoff=5.0)
        return WarroomWebhookSink(settings, clock=clock, secret=b"contract-secret")

    def fail(self) -> None:
        self.receiver.failing = True  # 503

    def recover(self) -> None:
        self.receiver.failing = False

    def holds(self, d: Decision, event: str) -> bool:
        return any(n.get("event_id") == f"{d.id}:{event}" for n in self.receiver.notifications)

    def close(self) -> None:
        self.receiver.stop()


class NullTarget:
    """Nowhere: nothing to break, nothing to look at."""

    can_fail = False

    def sink(self, clock: Clock) -> Sink:
        return NullSink()

    def fail(self) -> None:
        return None

    def recover(self) -> None:
        return None

    def holds(self, d: Decision, event: str) -> bool:
        return True

    def close(self) -> None:
        return None


def unix(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@pytest.fixture(params=["alertmanager", "journal", "warroom", "null"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    made = {
        "alertmanager": AlertmanagerTarget,
        "journal": lambda: JournalTarget(tmp_path / "journal.sqlite"),
        "warroom": WarroomTarget,
        "null": NullTarget,
    }[request.param]()
    yield made
    made.close()


def opened_and_resolved(clock: Clock) -> tuple[Decision, Decision, CycleReport]:
    """A decision opened and another resolved in one report at the clock's time."""
    a = decision(time.time() - 300, network="erc20")
    b = resolved(decision(time.time() - 240), clock.now)
    return a, b, report(clock.now, opened=[a, b], resolved_now=[b])


async def test_a_sink_names_itself_and_only_the_journal_is_the_sink_of_record(
    target: Target,
) -> None:
    sink = target.sink(Clock())
    assert isinstance(sink.name, str) and sink.name
    assert sink.first is (sink.name == "journal")
    assert inspect.iscoroutinefunction(sink.deliver) and inspect.iscoroutinefunction(sink.close)
    await sink.close()


async def test_a_sink_delivers_opened_and_resolved_decisions(target: Target) -> None:
    clock = Clock()
    sink = target.sink(clock)
    a, b, both = opened_and_resolved(clock)
    delivery = await sink.deliver(both)
    assert delivery == Delivery()
    assert target.holds(a, "opened") and target.holds(b, "resolved")
    clock.now += 30
    assert (await sink.deliver(report(clock.now, open_=[a]))).ok
    await sink.close()


async def test_a_failing_target_is_a_counted_failure_never_an_exception(target: Target) -> None:
    clock = Clock()
    sink = target.sink(clock)
    target.fail()
    delivery = await sink.deliver(opened_and_resolved(clock)[2])
    target.recover()
    assert delivery.failures == (1 if target.can_fail else 0)
    assert bool(delivery.problem) is target.can_fail and "\n" not in delivery.problem
    await sink.close()


async def test_what_failed_reaches_the_target_once_it_recovers(target: Target) -> None:
    clock = Clock()
    sink = target.sink(clock)
    target.fail()
    a, b, both = opened_and_resolved(clock)
    assert (await sink.deliver(both)).failures == (1 if target.can_fail else 0)
    target.recover()
    clock.now += 3600  # past any backoff
    assert (await sink.deliver(report(clock.now, open_=[a]))).ok
    assert target.holds(a, "opened") and target.holds(b, "resolved")
    await sink.close()


async def test_close_flushes_what_is_pending(target: Target) -> None:
    clock = Clock()
    sink = target.sink(clock)
    target.fail()
    _, b, both = opened_and_resolved(clock)
    await sink.deliver(both)
    target.recover()
    await sink.close()  # within the backoff: close makes the last attempt anyway
    assert target.holds(b, "resolved")
