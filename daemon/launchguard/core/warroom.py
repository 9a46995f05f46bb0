"""Warroom actions: what people do about a decision (acknowledge it, declare the rollback with
the plan's §10 decision template, tick a step of its action plan, add a note) and about the
launch (declare a new attempt, sign off a manual item of the cutover checklist). Pure: a
request body is checked into an action's fields, and the journaled actions are folded into
what the API and the page show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from launchguard.core.frames import Tick

ACK, DECLARE, STEP, NOTE, NEW_ATTEMPT = "ack", "declare", "step", "note", "new_attempt"
SIGNOFF = "signoff"  # a manual item of the cutover checklist signed off
KINDS = (ACK, DECLARE, STEP, NOTE, NEW_ATTEMPT, SIGNOFF)
"""Every action kind; also the journal's event name of its record."""
ON_OPEN_ONLY = frozenset({DECLARE, STEP})
"""Kinds that only an open decision takes (a resolved one has nothing left to roll back)."""
MAX_FIELD = 500
"""Characters a text field may hold; longer is refused, not cut."""

# kind → field → (type, required). `by` is who acted (defaults to the token's role); `when`
# of a declaration is checked by the API (a time; default: now).
_FIELDS: Mapping[str, Mapping[str, tuple[type, bool]]] = {
    ACK: {"by": (str, False), "note": (str, False)},
    DECLARE: {
        "by": (str, True),
        "what": (str, True),
        "scope": (str, True),
        "when": (str, False),
        "rollback_of_rollback": (str, True),
        "note": (str, False),
    },
    STEP: {"by": (str, False), "step": (int, True), "done": (bool, False)},
    NOTE: {"by": (str, False), "text": (str, True)},
    NEW_ATTEMPT: {"by": (str, True), "note": (str, False)},
    SIGNOFF: {"by": (str, False), "note": (str, False)},
}


_TYPE_WORDS = {str: "a string", int: "an integer", bool: "true or false"}


class ActionError(ValueError):
    """A body that does not make an action; the message names the field."""


@dataclass(frozen=True)
class WarroomAction:
    """One action as journaled: `at` when it was recorded (ms), `role` of the token that made
    it, `fields` the checked body (`step` an index into the decision's actions, from 0)."""

    kind: str
    decision_id: str  # "" for a new attempt and a sign-off (its item id is `fields["item"]`)
    at: Tick
    by: str
    role: str
    fields: Mapping[str, Any] = field(default_factory=dict)


def check_body(kind: str, body: object, steps: int | None = None) -> dict[str, Any]:
    """The fields of a `kind` action from a JSON body: only known fields, of their type, the
    required ones present and non-empty, texts up to MAX_FIELD characters, `step` within
    0..steps-1 (`steps`: how many actions the decision has). Raises `ActionError`."""
    spec = _FIELDS[kind]
    if not isinstance(body, dict):
        raise ActionError(f"body: expected a JSON object with {_listed(spec)}")
    unknown = sorted(set(body) - set(spec))
    if unknown:
        raise ActionError(f"body: unknown field {unknown[0]!r} (fields: {_listed(spec)})")
    fields: dict[str, Any] = {}
    for name, (typ, required) in spec.items():
        value = body.get(name)
        if value is None or value == "":
            if required:
                raise ActionError(f"body: {name!r} is required")
            continue
        if type(value) is not typ:  # bool is an int: `step: true` is refused
            raise ActionError(f"body: {name!r} must be {_TYPE_WORDS[typ]}")
        if isinstance(value, str) and len(value) > MAX_FIELD:
            raise ActionError(f"body: {name!r} is {len(value)} characters; at most {MAX_FIELD}")
        fields[name] = value
    if kind == STEP:
        count = steps or 0
        if not 0 <= fields["step"] < count:
            span = f"0..{count - 1}" if count else "none: the decision has no steps"
            raise ActionError(f"body: step {fields['step']} is out of range ({span})")
        fields.setdefault("done", True)
    return fields


def _listed(spec: Mapping[str, Any]) -> str:
    return ", ".join(spec)


@dataclass
class DecisionActions:
    """What the warroom did about one decision."""

    acks: list[WarroomAction] = field(default_factory=list)
    declarations: list[WarroomAction] = field(default_factory=list)
    steps: dict[int, WarroomAction] = field(default_factory=dict)  # ticked steps, latest tick
    notes: list[WarroomAction] = field(default_factory=list)


@dataclass
class WarroomState:
    """The actions folded per decision, in the order they were recorded."""

    decisions: dict[str, DecisionActions] = field(default_factory=dict)
    attempts: list[WarroomAction] = field(default_factory=list)
    signoffs: dict[str, WarroomAction] = field(default_factory=dict)  # checklist item id →

    def apply(self, action: WarroomAction) -> None:
        if action.kind == NEW_ATTEMPT:
            self.attempts.append(action)
            return
        if action.kind == SIGNOFF:
            self.signoffs.setdefault(str(action.fields.get("item", "")), action)
            return
        d = self.decisions.setdefault(action.decision_id, DecisionActions())
        if action.kind == ACK:
            d.acks.append(action)
        elif action.kind == DECLARE:
            d.declarations.append(action)
        elif action.kind == NOTE:
            d.notes.append(action)
        elif action.fields.get("done", True):
            d.steps[int(action.fields["step"])] = action
        else:
            d.steps.pop(int(action.fields["step"]), None)


def fold(actions: Iterable[WarroomAction]) -> WarroomState:
    state = WarroomState()
    for a in sorted(actions, key=lambda a: a.at):
        state.apply(a)
    return state
