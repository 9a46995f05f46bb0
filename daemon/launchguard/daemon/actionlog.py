"""The warroom's actions as the daemon keeps them: read from the journal at start, appended
to it before they are shown (without a journal: in memory only, lost on restart)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from launchguard.core.decisions import Decision
from launchguard.core.warroom import WarroomAction, WarroomState, fold
from launchguard.output.jsonout import decision_json
from launchguard.sinks.journal_actions import action_json


class ActionJournal(Protocol):
    """Where actions are made durable (the journal sink)."""

    def actions(self) -> list[WarroomAction]: ...

    async def append_action(self, action: WarroomAction) -> None: ...

    async def records(self, start: int | None = None) -> list[dict[str, Any]]: ...


class ActionLog:
    """The actions so far and their fold; `record` journals first, so an action the journal
    refused is not shown either."""

    def __init__(self, journal: ActionJournal | None = None) -> None:
        self.journal = journal
        self.items: list[WarroomAction] = journal.actions() if journal is not None else []
        self.state: WarroomState = fold(self.items)

    async def records(
        self, decisions: Sequence[Decision], start: int | None = None
    ) -> list[dict[str, Any]]:
        """The journal's records (with `at_ms`) for the timeline from `start` (ms; None: all);
        without a journal, records made of `decisions` (the daemon's, open and recently
        resolved) and the actions (the caller cuts them to its range)."""
        if self.journal is not None:
            return await self.journal.records(start)
        made: list[dict[str, Any]] = []
        for d in decisions:
            made.append({"event": "opened", "at_ms": d.opened_at, "decision": decision_json(d)})
            if d.resolved_at is not None:
                made.append(
                    {"event": "resolved", "at_ms": d.resolved_at, "decision": decision_json(d)}
                )
        made += [{"event": a.kind, "at_ms": a.at, "action": action_json(a)} for a in self.items]
        return made

    def signed_off(self) -> frozenset[str]:
        """Ids of the checklist's manual items signed off (the daemon's checklist hook)."""
        return frozenset(self.state.signoffs)

    async def record(self, action: WarroomAction) -> None:
        if self.journal is not None:
            await self.journal.append_action(action)
        self.items.append(action)
        self.state.apply(action)


def state_json(state: WarroomState) -> dict[str, Any]:
    """`{decisions: {id: {acks, declarations, steps: {index: action}, notes}}, attempts}`,
    each action as `action_json`."""
    return {
        "decisions": {
            did: {
                "acks": [action_json(a) for a in d.acks],
                "declarations": [action_json(a) for a in d.declarations],
                "steps": {str(i): action_json(a) for i, a in sorted(d.steps.items())},
                "notes": [action_json(a) for a in d.notes],
            }
            for did, d in state.decisions.items()
        },
        "attempts": [action_json(a) for a in state.attempts],
        "signoffs": {item: action_json(a) for item, a in sorted(state.signoffs.items())},
    }


def acks_json(state: WarroomState) -> dict[str, Any]:
    """The latest acknowledgement per decision (the status' `acks`)."""
    return {
        did: {k: v for k, v in action_json(d.acks[-1]).items() if k != "kind"}
        for did, d in state.decisions.items()
        if d.acks
    }
