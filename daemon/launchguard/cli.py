"""The `launchguard` command. Exit codes: 0 ok, 1 rollback recommended (check),
2 bad config or usage, 3 Prometheus unreachable, 4 evaluation failed (any other error: one
line on stderr, never a traceback)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from launchguard import __version__, logs
from launchguard.commands import audit, demo, evaluation, gonogo, report, run, sla, validate
from launchguard.commands import render as render_cmd
from launchguard.commands import sim as sim_cmd
from launchguard.commands.options import add_common, add_format
from launchguard.config.loader import ConfigError
from launchguard.coverage import NoData
from launchguard.errors import one_line
from launchguard.inputs import UsageError
from launchguard.prometheus import PrometheusError
from launchguard.scrub import NO_SECRETS
from launchguard.signals import SignalQueryError
from launchguard.sim.servers import ComponentError

EXIT_OK, EXIT_ROLLBACK, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_FAILED = 0, 1, 2, 3, 4

Handler = Callable[[argparse.Namespace], int]
Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

# Commands that register themselves: each module has `register(sub)`, adding its parser with
# `set_defaults(handler=...)`. One line per module.
REGISTRARS: tuple[Registrar, ...] = (
    gonogo.register,
    report.register,
    sla.register,
    audit.register,
    run.register,
    render_cmd.register,
    sim_cmd.register,
    demo.register,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="launchguard",
        description="Evaluate a staged launch's SLOs and rollback criteria on Prometheus data.",
        epilog="Times are RFC 3339 (2026-11-22T10:00:00Z) or unix seconds. Exit codes: 0 ok, "
        "1 a rollback is recommended (check), 2 bad config or usage, 3 Prometheus "
        "unreachable, 4 evaluation failed (e.g. no data in the range).",
    )
    parser.add_argument("--version", action="version", version=f"launchguard {__version__}")
    _global_flags(parser, default=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="one evaluation: SLOs, criteria and open decisions")
    add_common(p)
    p.add_argument("--at", metavar="T", help="evaluation time (default: now, in whole seconds)")
    add_format(p)
    p.set_defaults(handler=evaluation.check)

    p = sub.add_parser("backtest", help="the decisions launchguard takes over a past range")
    add_common(p)
    p.add_argument("--start", metavar="T", required=True, help="first evaluation time")
    p.add_argument(
        "--end",
        metavar="T",
        required=True,
        help="last evaluation time (inclusive; not before --start); a range past the data is"
        " evaluated up to where the data ends, stated as evaluated_to",
    )
    p.add_argument(
        "--step",
        metavar="DURATION",
        help="time between evaluations, e.g. 30s (default: evaluation.interval)",
    )
    add_format(p)
    p.set_defaults(handler=evaluation.backtest)

    p = sub.add_parser("validate", help="check a config file; print every problem")
    p.add_argument("file", nargs="?", metavar="FILE", help="config file (or use --config)")
    add_common(p, prometheus=False)
    p.set_defaults(handler=validate.run)
    for register in REGISTRARS:
        register(sub)
    _global_flags_after_commands(parser)
    return parser


def _global_flags(p: argparse.ArgumentParser, default: object) -> None:
    """The flags every command takes before or after its name (`-v`)."""
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="log retries and other events to stderr",
    )


def _global_flags_after_commands(parser: argparse.ArgumentParser) -> None:
    """Every (sub)command accepts the global flags too. Their default there is SUPPRESS, so
    a flag given before the command is not reset by the subcommand's parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                _global_flags(command, default=argparse.SUPPRESS)
                _global_flags_after_commands(command)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure(logging.INFO if args.verbose else logging.ERROR)
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


if __name__ == "__main__":
    sys.exit(main())
