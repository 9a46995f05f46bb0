"""The sink that delivers nowhere (a daemon with no Alertmanager and no journal)."""

from __future__ import annotations

from launchguard.interfaces import CycleReport


class NullSink:
    """Accepts every report and keeps nothing."""

    name = "null"

    def __init__(self) -> None:
        self.delivered = 0

    async def deliver(self, report: CycleReport) -> None:
        self.delivered += 1

    async def close(self) -> None:
        return None
