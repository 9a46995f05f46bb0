"""The sink that delivers nowhere (a daemon with no Alertmanager and no journal)."""

from __future__ import annotations

from launchguard.interfaces import DELIVERED, CycleReport, Delivery


class NullSink:
    """Accepts every report and keeps nothing."""

    name = "null"
    first = False

    def __init__(self) -> None:
        self.delivered = 0

    async def deliver(self, report: CycleReport) -> Delivery:
        self.delivered += 1
        return DELIVERED

    async def close(self) -> None:
        return None
