"""Prometheus rules, promtool tests, Grafana dashboards and runbooks from the launch config."""
