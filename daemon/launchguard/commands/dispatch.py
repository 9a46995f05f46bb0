"""Running a parsed command line: the command's handler, and every failure as its exit code
with one line on stderr (0 ok, 1 rollback recommended, 2 bad config or usage, 3 Prometheus
unreachable, 4 evaluation failed: never a traceback). `cli.main` runs the `launchguard`
command line through it, and `demo --replay` the backtest it shows."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from launchguard import logs
from launchguard.config.loader import ConfigError
from launchguard.coverage import NoData
from launchguard.errors import one_line
from launchguard.harness.servers import ComponentError
from launchguard.inputs import UsageError
from launchguard.prometheus import PrometheusError
from launchguard.scrub import NO_SECRETS
from launchguard.signals import SignalQueryError

EXIT_OK, EXIT_ROLLBACK, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_FAILED = 0, 1, 2, 3, 4

Handler = Callable[[argparse.Namespace], int]
Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def run_line(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse `argv` with `parser`, set up logging (-v) and run the chosen command."""
    args = parser.parse_args(argv)
    logs.configure(logging.INFO if getattr(args, "verbose", False) else logging.ERROR)
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    """`args.handler(args)`, every exception it raises turned into its exit code."""
    handler: Handler = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        for line in exc.lines():
            print(f"launchguard: config error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"launchguard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SignalQueryError as exc:
        print(f"launchguard: config error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ComponentError as exc:
        print(f"launchguard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PrometheusError as exc:
        print(
            f"launchguard: Prometheus unreachable or failing ({exc.kind}): {exc}", file=sys.stderr
        )
        return EXIT_UNREACHABLE
    except NoData as exc:  # nothing to evaluate: the evaluation failed (DESIGN §5)
        print(f"launchguard: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # anything else: the evaluation failed (DESIGN §5)
        # No config at hand here: the generic patterns (URL userinfo, credential echoes).
        print(f"launchguard: evaluation failed: {NO_SECRETS.clean(one_line(exc))}", file=sys.stderr)
        return EXIT_FAILED
