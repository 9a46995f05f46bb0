"""The cutover checklist in the live daemon: re-evaluated after each cycle that evaluated,
within the cycle's deadline, and kept in the snapshot for `/api/v1/status` and the page.

`signed` is the hook of the warroom's sign-off actions: the ids of the manual items
signed off (empty until those actions feed it)."""

from __future__ import annotations

import asyncio
from collections.abc import Set
from dataclasses import replace
from typing import Protocol

import structlog

from launchguard.checklist_eval import checklist_status
from launchguard.config.domain import Launch
from launchguard.core.frames import Tick, seconds
from launchguard.daemon.snapshot import Snapshot
from launchguard.errors import one_line
from launchguard.interfaces import PrometheusSource
from launchguard.prometheus import PrometheusError
from launchguard.signals import SignalQueryError

_log = structlog.get_logger("launchguard.daemon")


class _Daemon(Protocol):
    launch: Launch
    source: PrometheusSource
    snapshot: Snapshot


async def with_checklist(
    daemon: _Daemon, at: Tick, deadline: float, signed: Set[str] = frozenset()
) -> Snapshot:
    """The daemon's snapshot with the checklist at `at` (one request per due automated item,
    before the event loop's `deadline`); unchanged without checklist items, or when
    Prometheus fails (logged; the previous checklist stays, with its own time)."""
    launch, source, snapshot = daemon.launch, daemon.source, daemon.snapshot
    if not launch.checklist:
        return snapshot
    try:
        async with asyncio.timeout_at(deadline):
            statuses = await checklist_status(source, launch, seconds(at), signed)
    except (PrometheusError, SignalQueryError, TimeoutError) as exc:
        _log.warning("checklist evaluation failed; retrying next cycle", error=one_line(exc))
        return snapshot
    return replace(snapshot, checklist=statuses, checklist_at=at)
