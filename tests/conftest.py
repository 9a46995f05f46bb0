"""Shared fixtures: one per real component (tests/components.py), on every backend
(tests/backends.py), and structlog's defaults restored around each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backends import backend, make_backend  # noqa: F401  (fixtures: every backend)
from components import (  # noqa: F401  (fixtures: one per real component)
    HistoryWriter,
    MakePrometheus,
    alertmanager,
    browser,
    make_prometheus,
    receiver,
)


@pytest.fixture(autouse=True)
def _structlog_defaults() -> Iterator[None]:
    """CLI tests configure structlog globally; every test starts from its defaults."""
    import structlog

    structlog.reset_defaults()
    yield
    structlog.reset_defaults()
