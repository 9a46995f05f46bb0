"""tests/victoria.py: our OpenMetrics history into VictoriaMetrics' import API."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from launchguard.harness.servers import ComponentError
from launchguard.sim.openmetrics import OpenMetricsWriter, write_openmetrics

from victoria import VictoriaMetricsServer, exposition_lines, retention_seconds


def lines_of(tmp_path: Path, text: str, **options: float) -> list[str]:
    path = tmp_path / "h.om"
    path.write_text(text)
    return list(exposition_lines(path, **options))


@pytest.mark.parametrize(
    ("openmetrics", "exposition"),
    [
        pytest.param(
            '# HELP g x\n# TYPE g gauge\ng{a="1"} 2.5 1700000000\n# EOF\n',
            ['g{a="1"} 2.5 1700000000000\n'],
            id="metadata and EOF are dropped and seconds become milliseconds",
        ),
        pytest.param(
            "g 1 1700000000.25\n", ["g 1 1700000000250\n"], id="decimal seconds keep their ms"
        ),
        pytest.param(
            'g{a="x} y z"} NaN 1700000000\n',
            ['g{a="x} y z"} NaN 1700000000000\n'],
            id="a label value with spaces and braces survives",
        ),
        pytest.param("g +Inf 1\n", ["g +Inf 1000\n"], id="infinities pass through"),
    ],
)
def test_exposition_lines(tmp_path: Path, openmetrics: str, exposition: list[str]) -> None:
    assert lines_of(tmp_path, openmetrics) == exposition


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        pytest.param("g 1\n", "expected `series value timestamp`", id="no timestamp is refused"),
        pytest.param('g{a="b c"} 1\n', "bad value or timestamp", id="a shifted line is refused"),
        pytest.param("g one 1700000000\n", "bad value", id="a value that is no number is refused"),
        pytest.param("g 1 1600000000\n", "older than the retention", id="too old is refused"),
    ],
)
def test_bad_lines_name_the_file_and_line(tmp_path: Path, line: str, fragment: str) -> None:
    with pytest.raises(ComponentError, match=fragment) as caught:
        lines_of(tmp_path, "# TYPE g gauge\n" + line, not_before=1_650_000_000)
    assert f"{tmp_path / 'h.om'}:2:" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        pytest.param("100y", 100 * 365 * 86400, id="years"),
        pytest.param("2w", 14 * 86400, id="weeks"),
        pytest.param("36h", 36 * 3600, id="hours"),
        pytest.param("1", 31 * 86400, id="a bare number is months"),
    ],
)
def test_retention_seconds(text: str, seconds: float) -> None:
    assert retention_seconds(text) == seconds


def test_a_bad_retention_is_refused_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ComponentError, match="bad retention"):
        VictoriaMetricsServer(tmp_path, retention="forever")


@pytest.mark.victoriametrics
def test_history_older_than_the_retention_is_refused_not_dropped(tmp_path: Path) -> None:
    t0 = time.time() - 3 * 86400

    def write(w: OpenMetricsWriter) -> None:
        w.gauge("lg_old", "old", [({}, [(t0 + 30 * k, 1.0) for k in range(10)])])

    history = write_openmetrics(tmp_path / "h.om", write)
    short = VictoriaMetricsServer(tmp_path / "short", retention="1d")
    with short, pytest.raises(ComponentError, match="older than the retention"):
        short.import_openmetrics(history)
    with VictoriaMetricsServer(tmp_path / "long", retention="7d") as long:
        assert long.import_openmetrics(history) == 10
        result = long.query_range("lg_old", t0, t0 + 270, 30)
    assert [float(v) for _, v in result[0]["values"]] == [1.0] * 10


@pytest.mark.victoriametrics
def test_a_taken_port_fails_with_the_servers_log(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = VictoriaMetricsServer(tmp_path / "data", port=port, ready_timeout=10)
        with pytest.raises(ComponentError, match="victoria-metrics log"):
            server.start()
    server.stop()  # idempotent after a failed start
