"""`launchguard run`: the daemon. The config (and the sinks it names) is loaded and
validated completely before any port is bound, so a bad config exits 2 with nothing bound."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from launchguard import names
from launchguard.commands.options import add_common
from launchguard.config.domain import Launch
from launchguard.config.server import split_listen
from launchguard.core.decisions import ROLLBACK_KINDS
from launchguard.daemon import logsetup
from launchguard.daemon.actionlog import ActionLog
from launchguard.daemon.loop import Daemon
from launchguard.daemon.service import bind, run_service
from launchguard.inputs import UsageError, checked_url, launch_from
from launchguard.interfaces import Sink
from launchguard.prometheus import PrometheusClient
from launchguard.scrub import Scrubber, url_secrets
from launchguard.server import create_app, status_json
from launchguard.sinks import Built, build_sinks
from launchguard.web import warroom_routes


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="the daemon: evaluate on schedule, serve the HTTP API")
    add_common(p)
    p.add_argument("--listen", metavar="HOST:PORT", help="HTTP API address (server.listen)")
    p.add_argument(
        "--alertmanager",
        metavar="URL",
        action="append",
        help="Alertmanager base URL; repeat for several (overrides alertmanager.urls)",
    )
    p.add_argument("--journal", metavar="PATH", help="journal SQLite file (journal.path)")
    p.add_argument(
        "--once",
        action="store_true",
        help="rebuild and evaluate once, deliver to the sinks, print the status JSON, exit "
        "(1: a rollback is open, 3: Prometheus failed, 4: the evaluation failed); no port "
        "is bound",
    )
    p.set_defaults(handler=run)


def _listen(args: argparse.Namespace, launch: Launch) -> tuple[Launch, str, int]:
    text = args.listen or launch.config.server.listen
    try:
        host, port = split_listen(text)
    except ValueError as exc:
        flag = "--listen" if args.listen else "server.listen"
        raise UsageError(f"{flag}: {exc}") from None
    config = launch.config.model_copy(
        update={"server": launch.config.server.model_copy(update={"listen": text})}
    )
    return replace(launch, config=config), host, port


def run(args: argparse.Namespace) -> int:
    """Run until SIGTERM/SIGINT (exit 0); with --once, one evaluation."""
    launch = launch_from(args)
    launch, host, port = _listen(args, launch)
    for url in args.alertmanager or ():
        checked_url(url, "--alertmanager")
        launch = replace(launch, scrubber=launch.scrubber + Scrubber.of(url_secrets(url)))
    built = build_sinks(
        launch.config,
        alertmanager_urls=args.alertmanager,
        journal_path=args.journal,
        scrubber=launch.scrubber,
    )
    token = os.environ.get(launch.config.server.token_env) or None
    if args.once:  # stdout is the status JSON; the logs go to stderr
        logsetup.configure(launch.scrubber, logging.WARNING, sys.stderr)
        return asyncio.run(_once(launch, built))
    logsetup.configure(launch.scrubber)
    try:
        sock = bind(host, port)
    except OSError as exc:
        asyncio.run(_close(built.sinks))
        raise UsageError(f"server.listen: cannot listen on {host}:{port}: {exc.strerror}") from None
    asyncio.run(_serve(launch, built, sock, token))
    return 0


async def _serve(launch: Launch, built: Built, sock: Any, token: str | None) -> None:
    async with PrometheusClient(launch.prometheus, scrubber=launch.scrubber) as client:
        daemon = Daemon(launch, client, built.sinks, announced_open=built.announced_open)
        app = create_app(
            daemon,
            launch.config.server,
            token,
            extra_routes=warroom_routes(daemon),
            actions=ActionLog(built.journal),
            role_tokens=role_tokens(launch.config.warroom.role_tokens),
        )
        await run_service(daemon, app, sock)


async def _once(launch: Launch, built: Built) -> int:
    async with PrometheusClient(launch.prometheus, scrubber=launch.scrubber) as client:
        daemon = Daemon(launch, client, built.sinks, announced_open=built.announced_open)
        await daemon.start()
        await daemon.close()
    snap = daemon.snapshot
    status = status_json(daemon, snap)
    print(json.dumps(status, indent=2, ensure_ascii=False), file=sys.stdout)
    if snap.last_outcome == names.CYCLE_ERROR:
        print(f"launchguard: evaluation failed: {snap.last_error}", file=sys.stderr)
        return 4  # its one line on stderr is that message
    if snap.last_outcome == names.CYCLE_FAILED:
        code = 3
    else:
        code = 1 if any(d.kind in ROLLBACK_KINDS for d in snap.open) else 0
    print(once_summary(status, code), file=sys.stderr)
    return code


def role_tokens(variables: Mapping[str, str]) -> dict[str, str]:
    """role → token, for the roles whose variable (`warroom.role_tokens`) is set."""
    return {role: os.environ[var] for role, var in variables.items() if os.environ.get(var)}


def once_summary(status: Mapping[str, Any], code: int) -> str:
    """The last line of `run --once` (stderr; stdout is the status JSON): the outcome, where
    the data was evaluated to, the open decisions and rollbacks, the error, the exit code."""
    evaluation = status["evaluation"]
    decisions = status["decisions"]
    rollbacks = sum(d["kind"] in ROLLBACK_KINDS for d in decisions)
    parts = [
        f"outcome {evaluation['outcome']}",
        f"evaluated to {evaluation['evaluated_to'] or 'nothing'}",
        f"{len(decisions)} open decision(s), {rollbacks} rollback(s)",
    ]
    if evaluation["error"]:
        parts.append(f"error: {evaluation['error']}")
    return f"launchguard: run --once: {'; '.join(parts)} (exit {code})"


async def _close(sinks: list[Sink]) -> None:
    for sink in sinks:
        await sink.close()
