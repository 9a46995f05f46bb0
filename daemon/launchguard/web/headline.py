"""The top of the warroom page: one headline for the most severe open decision ("ROLLBACK
RECOMMENDED — network trc20 — since 19:38", or a calm state that says why it is calm) and
the matrix of the five rollback criteria by network as the last evaluation left them
(fired / clear / inconclusive), both from the status JSON."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from launchguard.config.models import ROLLBACK_CRITERIA
from launchguard.notify import formatting as fmt
from launchguard.notify.catalog import Catalog
from launchguard.notify.render import scope_words
from launchguard.web.common import Json, Words

STATES = ("fired", "clear", "inconclusive")


def headline(decisions: Sequence[Json], st: Json, now: float, w: Words) -> str:
    """The banner: `decisions` are the open ones, most severe first (SLA breaches apart)."""
    if decisions:
        top = decisions[0]
        opened = fmt.parse_time(top["opened_at"])

        def line(cat: Catalog) -> str:
            return cat.render(
                "page",
                "headline",
                kind=cat.raw("page", "headline_kinds", top["kind"]),
                scope=scope_words(top["scope"], cat),
                time=w.clock(opened, now),
            )

        more = len(decisions) - 1
        detail = f"{escape(top['criterion'])}" + (
            f" · {w.page('headline_more', count=more)}" if more else ""
        )
        return _banner(f"kind-{top['kind']}", w.each(line), detail, top["id"])
    criteria = [c for c in st.get("criteria", ()) if c["criterion"] in ROLLBACK_CRITERIA]
    inconclusive = sum(1 for c in criteria if c["state"] == "inconclusive")
    if st.get("degraded"):
        detail = w.page("calm_degraded")
    elif not criteria:
        detail = w.page("calm_waiting")
    elif inconclusive:
        detail = w.page("calm_inconclusive", count=inconclusive)
    else:
        detail = w.page("calm_clear", count=len(ROLLBACK_CRITERIA))
    state = "calm" if criteria and not inconclusive and not st.get("degraded") else "unsure"
    return _banner(state, w.page("calm"), detail, "")


def _banner(cls: str, line: str, detail: str, decision_id: str) -> str:
    target = f' href="#d-{escape(decision_id)}"' if decision_id else ""
    tag = "a" if decision_id else "span"
    return (
        f'<section class="headline {cls}" id="headline" data-decision-id="{escape(decision_id)}">'
        f'<p class="line"><{tag} class="main"{target}>{line}</{tag}></p>'
        f'<p class="detail">{detail}</p></section>'
    )


def matrix(st: Json, open_ids: dict[tuple[str, str], str], w: Words) -> str:
    """Criteria (rows) by network (columns); a global criterion spans every network.
    `open_ids` maps (criterion, network or '') to the open decision's id, linked from the
    cell. A criterion the last evaluation did not report is 'not evaluated', never clear."""
    networks = list(st["launch"].get("networks", ()))
    states: dict[tuple[str, str], str] = {}
    for c in st.get("criteria", ()):
        states[(c["criterion"], c["scope"].get("network", ""))] = c["state"]
    head = "".join(f'<th scope="col">{escape(n)}</th>' for n in networks)
    rows = []
    for criterion in ROLLBACK_CRITERIA:
        is_global = (criterion, "") in states or not any((criterion, n) in states for n in networks)
        where = [""] if is_global else networks
        cells = []
        for network in where:
            state = states.get((criterion, network), "not_evaluated")
            words = w.page(state if state in STATES else "not_evaluated")
            did = open_ids.get((criterion, network))
            if did:
                words = f'<a href="#d-{escape(did)}">{words}</a>'
            span = f' colspan="{len(networks)}"' if is_global and networks else ""
            cells.append(
                f'<td class="cell {escape(state)}" data-criterion="{criterion}" '
                f'data-network="{escape(network)}" data-state="{escape(state)}"{span}>'
                f"{words}</td>"
            )
        marker = f'<span class="scope">{w.page("global_scope")}</span>' if is_global else ""
        rows.append(f'<tr><th scope="row">{criterion}{marker}</th>{"".join(cells)}</tr>')
    return (
        f'<section class="matrix" id="criteria-matrix"><h2>{w.page("matrix")}</h2>'
        f'<table class="criteria-matrix"><thead><tr><th scope="col">{w.page("matrix_corner")}'
        f"</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )
