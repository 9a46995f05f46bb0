"""Options and helpers shared by the commands: the config, Prometheus and format flags, and
Prometheus calls (the flags' values are parsed by `launchguard.inputs`)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from launchguard.config.domain import Launch
from launchguard.prometheus import PrometheusClient

__all__ = ["add_common", "add_format", "with_prometheus"]

T = TypeVar("T")


def add_common(p: argparse.ArgumentParser, prometheus: bool = True) -> None:
    """--config (and --prometheus), as every command takes them (DESIGN §5)."""
    p.add_argument(
        "--config",
        metavar="FILE",
        help="launch config YAML (default: $LAUNCHGUARD_CONFIG, else the shipped defaults)",
    )
    if prometheus:
        p.add_argument(
            "--prometheus",
            metavar="URL",
            help="Prometheus base URL (default: $LAUNCHGUARD_PROMETHEUS_URL, else "
            "prometheus.url of the config)",
        )


FORMATS = {"table": "for people", "markdown": "for people", "json": "for tools"}


def add_format(p: argparse.ArgumentParser, choices: tuple[str, ...] = ("table", "json")) -> None:
    """--format, the first choice the default."""
    p.add_argument(
        "--format",
        choices=choices,
        default=choices[0],
        help="output format: " + ", ".join(f"{c} {FORMATS[c]}" for c in choices),
    )


def with_prometheus(launch: Launch, work: Callable[[PrometheusClient], Awaitable[T]]) -> T:
    """Run `work(client)` against the launch's Prometheus and close the client."""

    async def go() -> T:
        async with PrometheusClient(launch.prometheus, scrubber=launch.scrubber) as client:
            return await work(client)

    return asyncio.run(go())
