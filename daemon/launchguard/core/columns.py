"""The one evaluation path of criteria and SLOs: a rule's operands read as columns over a span
of evaluation times, one state per time. A one-time evaluation is a span of one, and its
evidence is read from the cells that decided its state.

A rule with any operand absent, NaN or invalid (screened out of the frames by
`core.domains`) at a time is INCONCLUSIVE there: missing data is never health and never a
rollback. A per-pair rule is judged per network: FIRED if any pair fires, else INCONCLUSIVE
if any pair is inconclusive or no pair reports at that time, else CLEAR.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
from typing import NamedTuple

from launchguard.core.frames import ABSENT, GLOBAL, Frames, Reading, ScopeKey, Tick, tick
from launchguard.core.verdicts import Observation, State, Verdict

FIRED, CLEAR, INCONCLUSIVE = State.FIRED, State.CLEAR, State.INCONCLUSIVE
NAN = math.nan

Column = list[float]
"""A signal's values in one scope, one per evaluation time; NaN where nothing valid is read."""


class Read(NamedTuple):
    """An operand: `signal` read `offset` seconds before the evaluation time."""

    signal: str
    offset: float


@dataclass(frozen=True)
class Rule:
    """A criterion or SLO: its operands, its test, and its scopes: "network" (each configured
    network), "global", "pair" (judged per network over its pairs) or "seen" (every scope the
    first operand's frame holds).

    `reads` is a NamedTuple of `Read`, one field per operand; `fires` takes the operand values
    (all finite numbers) as parameters of the same names, in the same order, then the
    evaluation time, so the test reads `queue_now > queue_before`, never `v[3] > v[2]`
    (tests/test_core_columns.py holds every rule to it)."""

    name: str
    scope: str
    reads: tuple[Read, ...]
    fires: Callable[..., bool]
    thresholds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What every rule reads: the frames, the configured networks, the pair index."""

    frames: Frames
    networks: tuple[str, ...]
    pairs: Mapping[str, tuple[ScopeKey, ...]]  # network → pair scope keys seen in the frames
    explain: bool = False  # evidence for clear verdicts too (check's last time, not backtest)

    def scopes(self, rule: Rule) -> list[ScopeKey]:
        if rule.scope == "global":
            return [GLOBAL]
        if rule.scope == "seen":
            frame = self.frames.get(rule.reads[0].signal)
            return sorted(frame.scopes()) if frame is not None else []
        return [network_key(n) for n in self.networks]

    def parts(self, rule: Rule, key: ScopeKey) -> tuple[ScopeKey, ...]:
        """The scopes whose operands decide `key`: its pairs for a per-pair rule, else itself."""
        if rule.scope == "pair":
            return self.pairs.get(dict(key).get("network", ""), ())
        return (key,)

    def column(self, read: Read, key: ScopeKey, times: Sequence[Tick]) -> Column:
        """`read`'s signal in `key` at each of `times` minus its offset (NaN: nothing read)."""
        frame = self.frames.get(read.signal)
        series = frame.values.get(key) if frame is not None else None
        if not series:
            return [NAN] * len(times)
        off, get = tick(read.offset), series.get
        return [get(t - off, NAN) for t in times]

    def reading(self, read: Read, key: ScopeKey, t: Tick, cell: float) -> Reading:
        """A column's cell as evidence: the number, or why nothing was read (absent, NaN, or
        invalid with the reason)."""
        if cell == cell:
            return cell
        frame = self.frames.get(read.signal)
        return frame.at(key, t - tick(read.offset)) if frame is not None else ABSENT


def network_key(network: str) -> ScopeKey:
    return (("network", network),)


def pair_index(frames: Frames, signals: Sequence[str]) -> dict[str, tuple[ScopeKey, ...]]:
    """network → the (network, pair) scope keys that any of `signals` reports."""
    found: dict[str, set[ScopeKey]] = {}
    for name in signals:
        frame = frames.get(name)
        if frame is None:
            continue
        for key in frame.scopes():
            network = dict(key).get("network", "")
            found.setdefault(network, set()).add(key)
    return {net: tuple(sorted(keys)) for net, keys in found.items()}


_BY_RANK = (INCONCLUSIVE, CLEAR, INCONCLUSIVE, FIRED)
"""States by rank, the order in which a network's pairs decide it; rank 0: no pair reports."""


def ranks(rule: Rule, columns: Sequence[Column], times: Sequence[Tick]) -> list[int]:
    """The rule's state at each time from its operand columns, as a rank: INCONCLUSIVE (2)
    where an operand is not a finite number, else the test's FIRED (3) or CLEAR (1); the
    test sees finite rows only."""
    finite = list(map(math.isfinite, columns[0]))
    for column in columns[1:]:
        finite = list(map(operator.and_, finite, map(math.isfinite, column)))
    rows = [compress(column, finite) for column in columns]
    fired = map(rule.fires, *rows, compress(times, finite))
    return [(3 if next(fired) else 1) if ok else 2 for ok in finite]


def reporting(columns: Sequence[Column]) -> list[bool]:
    """At each time, whether any operand has a value (a pair that does not report is not yet
    created, retired, or has nothing valid)."""
    present = list(map(operator.eq, columns[0], columns[0]))  # NaN != NaN
    for column in columns[1:]:
        present = list(map(operator.or_, present, map(operator.eq, column, column)))
    return present


def pair_ranks(rule: Rule, columns: Sequence[Column], times: Sequence[Tick]) -> list[int]:
    """A pair's ranks, 0 where it does not report."""
    return list(map(operator.mul, ranks(rule, columns, times), reporting(columns)))


def network_ranks(pairs: Iterable[Sequence[int]], n: int) -> list[int]:
    """A network's ranks at `n` times from its pairs' ranks: the highest (0 where no pair
    reports: INCONCLUSIVE)."""
    out = [0] * n
    for pair in pairs:
        out = list(map(max, out, pair))
    return out


def _part(ctx: Context, rule: Rule, key: ScopeKey, times: Sequence[Tick]) -> list[Column]:
    return [ctx.column(read, key, times) for read in rule.reads]


Judged = list[tuple[ScopeKey, list[Column], list[int]]]
"""Parts of a scope as judged: (part, its operand columns, its ranks)."""


def scope_ranks(
    ctx: Context, rule: Rule, key: ScopeKey, times: Sequence[Tick], keep: Judged | None = None
) -> list[int]:
    """The rule's ranks in `key` at each of `times`; each part's columns and ranks are kept
    in `keep` when given (a span of one keeps them for its evidence; a long span does not,
    so a network's pairs are read one after another)."""
    if rule.scope != "pair":
        cells = _part(ctx, rule, key, times)
        out = ranks(rule, cells, times)
        if keep is not None:
            keep.append((key, cells, out))
        return out

    def each_pair() -> Iterator[list[int]]:
        for pair in ctx.parts(rule, key):
            cells = _part(ctx, rule, pair, times)
            pair_out = pair_ranks(rule, cells, times)
            if keep is not None:
                keep.append((pair, cells, pair_out))
            yield pair_out

    return network_ranks(each_pair(), len(times))


def states(ctx: Context, rule: Rule, times: Sequence[Tick]) -> dict[ScopeKey, list[State]]:
    """The rule's state in each of its scopes at each of `times`."""
    return {
        key: [_BY_RANK[r] for r in scope_ranks(ctx, rule, key, times)] for key in ctx.scopes(rule)
    }


def verdict_at(ctx: Context, rule: Rule, key: ScopeKey, t: Tick) -> Verdict:
    """The rule's verdict in `key` at `t`: `scope_ranks` over the span of one time.

    The evidence is the operands, read from the same cells, of the parts that decided it
    (the scope itself, or the pairs of a per-pair rule in the verdict's state): built for
    fired and inconclusive verdicts, for a clear scope only when the context explains, for
    a clear network's pairs never."""
    judged: Judged = []
    (rank,) = scope_ranks(ctx, rule, key, [t], judged)
    state = _BY_RANK[rank]
    shown = [(part, cells) for part, cells, r in judged if r[0] == rank and rank]
    pairwise = rule.scope == "pair"
    if state is CLEAR and (pairwise or not ctx.explain):
        shown = []
    obs = tuple(
        Observation(read.signal, part, t - tick(read.offset), read.offset, reading)
        for part, cells in shown
        for read, column in zip(rule.reads, cells, strict=True)
        for reading in [ctx.reading(read, part, t, column[0])]
    )
    detail = tuple({"pair": dict(part).get("pair", "")} for part, _ in shown) if pairwise else ()
    return Verdict(rule.name, key, t, state, obs, rule.thresholds, detail)
