"""Launch reports (warroom, daily, postmortem), the monthly SLA report and Go/No-Go output:
figures computed by the pure core from signals fetched once each, rendered as Markdown or
JSON with times in the launch's zone."""
