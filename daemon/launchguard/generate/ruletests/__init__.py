"""promtool unit tests (`rules/tests/*.yml`) generated with the rules, from the same config:
every alert fires on the right series and stays silent on the wrong ones, no data and
draining queues included. One file per topic."""

from __future__ import annotations

from typing import Any

from launchguard.config.models import LaunchConfig
from launchguard.generate.alert import runbook_url
from launchguard.generate.queries import window
from launchguard.generate.ruletests import fallback, selfmon, slo
from launchguard.generate.ruletests.series import Case, test_doc

TEST_EVALUATION_INTERVAL = 60.0
"""promtool evaluates every rule at this step (seconds). The cases are on a 1-minute grid;
the rule file's own 30 s would double the run time for no extra coverage."""


def build(config: LaunchConfig, rule_file: str) -> dict[str, dict[str, Any]]:
    """File stem → promtool test file data, `rule_file` relative to the tests folder."""
    topics: dict[str, list[Case]] = {
        "fallback": fallback.cases(config),
        "slo": slo.cases(config),
        "self": selfmon.cases(config),
        "absent": selfmon.absent_cases(config),
    }
    return {
        stem: {
            "rule_files": [rule_file],
            "evaluation_interval": window(TEST_EVALUATION_INTERVAL),
            "tests": [test_doc(case, lambda a: runbook_url(config, a)) for case in found],
        }
        for stem, found in topics.items()
    }
