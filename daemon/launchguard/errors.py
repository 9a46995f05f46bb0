"""Unexpected exceptions as one line of text (a cycle's `error`, exit 4 of a command)."""

from __future__ import annotations

MAX_CHARS = 300


def one_line(exc: BaseException) -> str:
    """`Type: message` on one line, at most MAX_CHARS characters (a message spread over
    lines, or an empty one, still says what was raised)."""
    text = " ".join(str(exc).split())
    line = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return line if len(line) <= MAX_CHARS else line[: MAX_CHARS - 1] + "…"
