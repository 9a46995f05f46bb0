"""The scenario library, for the `demo` and `sim` commands.

`scenario` loads a scenario's YAML, `generator` turns it into metric histories,
`openmetrics` writes them as OpenMetrics text that promtool backfills, `timeline` builds
histories by hand on an explicit time grid, and `exporter` serves a scenario live. The real
servers that load and serve them are in `launchguard.harness`.
"""

from launchguard.sim.openmetrics import OpenMetricsWriter, write_openmetrics

__all__ = ["OpenMetricsWriter", "write_openmetrics"]
