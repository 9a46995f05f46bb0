"""The OpenMetrics writer and timeline helpers, alone and through real promtool + Prometheus."""

from __future__ import annotations

import io
import math
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from launchguard.harness.servers import ComponentError, PrometheusServer, backfill, free_port
from launchguard.promtext import format_le
from launchguard.sim.openmetrics import OpenMetricsWriter, Point
from launchguard.sim.timeline import (
    bucket_quantile,
    counter_points,
    grid,
    histogram_points,
    piecewise,
    sample,
)

MakePrometheus = Callable[..., PrometheusServer]
STEP = 30
BOUNDS = [60.0, 300.0, 900.0, 1800.0, 3600.0]


def _text(write: Callable[[OpenMetricsWriter], None]) -> str:
    out = io.StringIO()
    writer = OpenMetricsWriter(out)
    write(writer)
    writer.close()
    return out.getvalue()


def _history_end(hours_before_now: float = 2) -> int:
    """A grid-aligned end of history safely older than Prometheus' start."""
    end = int(time.time() - hours_before_now * 3600)
    return end - end % STEP


def _values(result: list[dict[str, object]]) -> dict[float, float]:
    assert len(result) == 1, result
    values = result[0]["values"]
    assert isinstance(values, list)
    return {float(t): float(v) for t, v in values}


# --- the text the writer produces ------------------------------------------------


def test_the_text_has_one_header_per_family_and_ends_with_eof() -> None:
    text = _text(
        lambda w: w.histogram(
            "lg_seconds",
            "pass-through",
            [900, 1800],
            [({"network": "trc20"}, [(100, (1, 2, 3), 2500.5, 3), (130.5, (1, 2, 4), 9000, 4)])],
        )
    )
    assert text == (
        "# HELP lg_seconds pass-through\n# TYPE lg_seconds histogram\n"
        'lg_seconds_bucket{network="trc20",le="900.0"} 1.0 100\n'
        'lg_seconds_bucket{network="trc20",le="1800.0"} 2.0 100\n'
        'lg_seconds_bucket{network="trc20",le="+Inf"} 3.0 100\n'
        'lg_seconds_count{network="trc20"} 3.0 100\n'
        'lg_seconds_sum{network="trc20"} 2500.5 100\n'
        'lg_seconds_bucket{network="trc20",le="900.0"} 1.0 130.5\n'
        'lg_seconds_bucket{network="trc20",le="1800.0"} 2.0 130.5\n'
        'lg_seconds_bucket{network="trc20",le="+Inf"} 4.0 130.5\n'
        'lg_seconds_count{network="trc20"} 4.0 130.5\n'
        'lg_seconds_sum{network="trc20"} 9000.0 130.5\n'
        "# EOF\n"
    )


def test_counters_are_written_as_name_total_and_special_values_as_openmetrics_spells_them() -> None:
    def write(w: OpenMetricsWriter) -> None:
        w.counter("lg_done_total", "done", [({}, [(1, 0.5), (2, math.nan)])])
        w.gauge("lg_g", "g", [({}, [(1, math.inf), (2, -math.inf)])])

    text = _text(write)
    assert "# TYPE lg_done counter\nlg_done_total 0.5 1\nlg_done_total NaN 2\n" in text
    assert "lg_g +Inf 1\nlg_g -Inf 2\n" in text


def test_label_values_are_escaped_and_labels_sorted() -> None:
    text = _text(lambda w: w.gauge("lg_g", "a\\b\nc", [({"z": 'q"\\\n', "a": "x"}, [(1, 1)])]))
    assert "# HELP lg_g a\\\\b\\nc\n" in text
    assert 'lg_g{a="x",z="q\\"\\\\\\n"} 1.0 1\n' in text


@pytest.mark.parametrize(
    ("bound", "expected"),
    [(900, "900.0"), (0.005, "0.005"), (2.5, "2.5"), (1e6, "1e+06"), (1234567.0, "1.234567e+06")],
    ids=lambda v: str(v),
)
def test_bucket_bounds_are_written_as_prometheus_client_writes_them(
    bound: float, expected: str
) -> None:
    assert format_le(bound) == expected


@pytest.mark.parametrize(
    "points",
    [
        pytest.param([(10, 1), (5, 2)], id="an out-of-order timestamp raises"),
        pytest.param([(10, 1), (10, 2)], id="a duplicate timestamp raises"),
        pytest.param([(1_700_000_000_000, 1)], id="a millisecond timestamp raises"),
        pytest.param([(math.nan, 1)], id="a NaN timestamp raises"),
    ],
)
@pytest.mark.parametrize("kind", ["gauge", "counter", "histogram"])
def test_a_series_that_promtool_would_silently_mangle_raises(
    kind: str, points: list[tuple[float, float]]
) -> None:
    writer = OpenMetricsWriter(io.StringIO())
    with pytest.raises(ValueError, match="timestamp"):
        if kind == "histogram":
            writer.histogram("lg_h", "h", [1], [({}, [(t, (0, v), 0, v) for t, v in points])])
        else:
            getattr(writer, kind)("lg_x", "x", [({}, points)])


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda w: (w.gauge("lg_a", "a", []), w.counter("lg_a_total", "a", [])),
            id="a family written twice raises (families cannot interleave)",
        ),
        pytest.param(
            lambda w: (w.gauge("lg_a_total", "a", []), w.counter("lg_a", "a", [])),
            id="a gauge and a counter writing the same sample name raise",
        ),
        pytest.param(
            lambda w: w.gauge("lg_a", "a", [({"n": "1"}, []), ({"n": "1"}, [])]),
            id="the same series twice in a family raises",
        ),
        pytest.param(
            lambda w: w.histogram("lg_h", "h", [1, 2], [({}, [(1, (0, 1), 1, 1)])]),
            id="a histogram point with too few bucket counts raises",
        ),
        pytest.param(
            lambda w: w.histogram("lg_h", "h", [1], [({}, [(1, (0, 1), 1, 2)])]),
            id="a histogram count that differs from the +Inf bucket raises",
        ),
        pytest.param(
            lambda w: w.histogram("lg_h", "h", [1], [({"le": "1"}, [])]),
            id="a histogram series labelled le raises",
        ),
        pytest.param(lambda w: w.gauge("lg-a", "a", []), id="an invalid metric name raises"),
        pytest.param(lambda w: w.gauge("lg_a", "a", [({"a-b": "1"}, [])]), id="a bad label raises"),
    ],
)
def test_malformed_families_raise(write: Callable[[OpenMetricsWriter], None]) -> None:
    with pytest.raises(ValueError):
        write(OpenMetricsWriter(io.StringIO()))


def test_samples_are_written_while_the_series_is_still_being_generated() -> None:
    out = io.StringIO()
    seen_while_generating: list[int] = []

    def points() -> Iterator[Point]:
        for i in range(10_000):
            if i == 9_000:
                seen_while_generating.append(out.getvalue().count("\n"))
            yield (i + 1, float(i))

    OpenMetricsWriter(out).gauge("lg_g", "g", [({}, points())])
    assert seen_while_generating[0] > 4_000


# --- timeline helpers ------------------------------------------------------------


def test_grid_includes_the_end_when_it_is_on_the_grid_and_stays_integer() -> None:
    assert grid(0, 90, 30) == [0, 30, 60, 90]
    assert grid(0, 100, 30) == [0, 30, 60, 90]


def test_piecewise_holds_each_value_until_the_next_point_and_refuses_earlier_times() -> None:
    value = piecewise([(10, 1.0), (20, 5.0)])
    assert [value(t) for t in (10, 19.9, 20, 1e9)] == [1.0, 1.0, 5.0, 5.0]
    with pytest.raises(ValueError):
        value(9)


def test_a_counter_restarts_from_zero_at_a_reset_then_keeps_counting() -> None:
    points = list(counter_points([0, 30, 60, 90], lambda t: 2.0, resets={60}))
    assert points == [(0, 2.0), (30, 4.0), (60, 2.0), (90, 4.0)]


def test_bucket_quantile_interpolates_inside_the_bucket_and_caps_at_the_top_bound() -> None:
    assert bucket_quantile(0.95, BOUNDS, [0, 19, 20, 20, 20, 20]) == 300.0
    assert bucket_quantile(0.95, BOUNDS, [0, 10, 10, 10, 20, 20]) == 3420.0
    assert bucket_quantile(0.5, BOUNDS, [0, 0, 0, 0, 0, 4]) == 3600.0
    assert math.isnan(bucket_quantile(0.5, BOUNDS, [0] * 6))


# --- through real promtool and Prometheus ----------------------------------------


def _observations(rise: float) -> Callable[[float], list[tuple[float, float]]]:
    """Per 30 s step: 19 payouts at 100 s and 1 at 500 s; from `rise` on, 10 at 2,400 s."""
    return lambda t: [(100.0, 19), (500.0, 1)] if t < rise else [(100.0, 10), (2400.0, 10)]


@pytest.mark.prometheus
def test_backfilled_gauges_come_back_exactly_at_every_grid_point_including_nan_and_inf(
    make_prometheus: MakePrometheus,
) -> None:
    end = _history_end()
    times = grid(end - 3600, end, STEP)
    queue = piecewise([(times[0], 3.0), (times[60], 41.5), (times[100], 0.25)])
    odd = [math.nan, math.inf, -1e-9, 1e15]
    label = 'a "quoted\\ value"'

    prometheus = make_prometheus(
        lambda w: w.gauge(
            "lg_test_queue_depth",
            "queue",
            [
                ({"network": "trc20"}, sample(times, queue)),
                ({"network": label}, ((t, odd[i % 4]) for i, t in enumerate(times))),
            ],
        )
    )
    trc20 = prometheus.query_range(
        'lg_test_queue_depth{network="trc20"}', times[0], times[-1], STEP
    )
    assert _values(trc20) == {t: queue(t) for t in times}
    odd_result = prometheus.query_range(
        'lg_test_queue_depth{network!="trc20"}', times[0], times[-1], STEP
    )
    assert odd_result[0]["metric"]["network"] == label
    got = _values(odd_result)
    for i, t in enumerate(times):
        expected = odd[i % 4]
        assert math.isnan(got[t]) if math.isnan(expected) else got[t] == expected


@pytest.mark.prometheus
def test_increase_counts_across_a_counter_reset_as_prometheus_does(
    make_prometheus: MakePrometheus,
) -> None:
    end = _history_end()
    times = grid(end - 7200, end, STEP)
    reset_at = times[120]
    points = list(counter_points(times, lambda t: 2.0, resets={reset_at}))
    prometheus = make_prometheus(
        lambda w: w.counter("lg_test_completed", "completed", [({"network": "trc20"}, points)])
    )

    raw = prometheus.query_range("lg_test_completed_total", times[0], times[-1], STEP)
    assert _values(raw) == dict(points)
    assert raw[0]["metric"]["__name__"] == "lg_test_completed_total"
    # Every 5-minute window holds 10 steps of +2, whether or not it spans the reset.
    increase = prometheus.query_range(
        "increase(lg_test_completed_total[5m])", times[10], times[-1], STEP
    )
    assert _values(increase) == pytest.approx(dict.fromkeys(times[10:], 20.0))
    whole = prometheus.query_range(
        "increase(lg_test_completed_total[2h]) and resets(lg_test_completed_total[2h]) == 1",
        end,
        end,
        STEP,
    )
    assert _values(whole) == pytest.approx({end: 2.0 * (len(times) - 1)})


@pytest.mark.prometheus
def test_histogram_quantile_of_the_backfill_matches_the_quantile_of_the_observations(
    make_prometheus: MakePrometheus,
) -> None:
    end = _history_end()
    times = grid(end - 7200, end, STEP)
    rise = times[120]
    observations = _observations(rise)
    labels = {"network": "trc20", "asset": "usdt"}
    prometheus = make_prometheus(
        lambda w: w.histogram(
            "lg_test_passthrough_seconds",
            "pass-through",
            BOUNDS,
            [(labels, histogram_points(times, BOUNDS, observations))],
        )
    )

    les = prometheus.query_range(
        "count by (le) (lg_test_passthrough_seconds_bucket)", end, end, STEP
    )
    expected_les = {"60.0", "300.0", "900.0", "1800.0", "3600.0", "+Inf"}
    assert {r["metric"]["le"] for r in les} == expected_les
    p95 = _values(
        prometheus.query_range(
            "histogram_quantile(0.95, sum by (le) (rate(lg_test_passthrough_seconds_bucket[15m])))",
            times[30],
            times[-1],
            STEP,
        )
    )

    def by_hand(t: float) -> float:
        """Buckets of the events observed in the window (t - 15m, t]."""
        counts = [0.0] * (len(BOUNDS) + 1)
        for step_time in grid(t - 900 + STEP, t, STEP):
            for value, n in observations(step_time):
                counts[next((i for i, b in enumerate(BOUNDS) if value <= b), len(BOUNDS))] += n
        cumulative = [sum(counts[: i + 1]) for i in range(len(counts))]
        return bucket_quantile(0.95, BOUNDS, cumulative)

    assert p95 == pytest.approx({t: by_hand(t) for t in times[30:]})
    assert p95[rise - STEP] == pytest.approx(300.0)
    assert p95[rise + 900] == pytest.approx(3420.0)


@pytest.mark.prometheus
def test_a_three_day_history_backfills_into_day_blocks_and_is_queryable_end_to_end(
    make_prometheus: MakePrometheus,
) -> None:
    end = _history_end()
    times = grid(end - 3 * 86400 + STEP, end, STEP)
    networks = ["erc20", "trc20", "tron", "eth"]

    prometheus = make_prometheus(
        lambda w: w.gauge(
            "lg_test_step_index",
            "index of the grid step",
            [({"network": n}, ((t, float(i)) for i, t in enumerate(times))) for n in networks],
        )
    )
    blocks = [p for p in prometheus.data_dir.iterdir() if (p / "meta.json").exists()]
    assert 3 <= len(blocks) <= 5
    first_hour = prometheus.query_range("lg_test_step_index", times[0], times[120], STEP)
    last_hour = prometheus.query_range("lg_test_step_index", times[-121], times[-1], STEP)
    for result, span in ((first_hour, range(0, 121)), (last_hour, range(-121, 0))):
        assert len(result) == len(networks)
        for series in result:
            assert _values([series]) == {times[i]: float(i % len(times)) for i in span}
    # Off-grid evaluation times: each one-day window holds exactly 2,880 samples.
    daily = prometheus.query_range(
        "count_over_time(lg_test_step_index[1d])", times[2880] + 15, end, 3600
    )
    assert len(daily) == len(networks)
    assert {v for series in daily for _, v in series["values"]} == {"2880"}


@pytest.mark.prometheus
def test_a_backfill_promtool_rejects_fails_with_promtool_s_message(tmp_path: Path) -> None:
    history = tmp_path / "no-eof.om"
    history.write_text("# TYPE lg_g gauge\nlg_g 1 1700000000\n")
    with pytest.raises(ComponentError, match="does not end with # EOF"):
        backfill(history, tmp_path / "data")


@pytest.mark.prometheus
def test_a_prometheus_that_cannot_bind_its_port_fails_start_with_its_log(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = PrometheusServer(tmp_path / "data", port=taken.getsockname()[1])
        with pytest.raises(ComponentError, match="address already in use"):
            server.start()


@pytest.mark.prometheus
def test_a_stopped_prometheus_no_longer_answers(tmp_path: Path) -> None:
    with PrometheusServer(tmp_path / "data", port=free_port()) as server:
        assert httpx.get(f"{server.url}/-/ready", trust_env=False).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/-/ready", trust_env=False)
