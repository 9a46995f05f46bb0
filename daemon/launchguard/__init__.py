"""launchguard: evaluates a staged launch's rollback criteria on Prometheus data."""

__version__ = "0.1.0"
