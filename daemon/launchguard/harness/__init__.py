"""Real servers on loopback, shared by the demo, the tests and the benchmarks.

`process` starts an executable on a free port and waits until it is ready, `servers` runs
promtool and Prometheus, `alertmanager_server` a real Alertmanager with a webhook receiver,
and `faultserver` an HTTP server that answers the ways a broken Prometheus does.
Failures raise `process.ComponentError`.
"""
