"""The pure evaluation core: series in, verdicts and decisions out. No clock, no I/O."""
