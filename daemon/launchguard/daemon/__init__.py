"""The live daemon: the evaluation cycle (`loop`), its health (`health`), the schedule
and process lifecycle (`service`)."""

from launchguard.daemon.loop import Daemon
from launchguard.daemon.snapshot import Snapshot

__all__ = ["Daemon", "Snapshot"]
