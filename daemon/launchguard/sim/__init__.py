"""Scenario histories for tests and the demo.

`openmetrics` writes metric histories as OpenMetrics text that promtool backfills,
`timeline` builds those histories by hand on an explicit time grid, and `servers`
runs real promtool and Prometheus on loopback to load and serve them.
"""

from launchguard.sim.openmetrics import OpenMetricsWriter, write_openmetrics

__all__ = ["OpenMetricsWriter", "write_openmetrics"]
