"""Running Parley in production: health and readiness probes, Prometheus metrics, JSON logs and
the worker heartbeat. See docs/DEPLOYMENT.md."""
