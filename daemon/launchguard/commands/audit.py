"""`launchguard audit verify|export`: check the signed journal, export it as signed JSONL.

Exit codes: 0 the chain is intact, 1 a record is bad (the first one is named by its sequence
number), 2 usage, config, a missing journal or a missing key.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from launchguard.config.journal import JournalSettings
from launchguard.config.loader import ConfigError, load
from launchguard.core.frames import tick
from launchguard.inputs import UsageError, parse_time
from launchguard.sinks.journal_chain import (
    ChainCheck,
    JournalKeyError,
    Keyring,
    MissingKey,
    Stored,
    canonical,
    load_keyring,
    verify,
)
from launchguard.sinks.journal_store import JournalStore

EXIT_OK, EXIT_BAD, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("audit", help="verify or export the signed decision journal")
    actions = p.add_subparsers(dest="audit_command", required=True, metavar="ACTION")

    v = actions.add_parser("verify", help="check every record's MAC and the chain")
    _common(v)
    v.add_argument("--file", metavar="EXPORT", help="verify an exported JSONL file instead")
    v.set_defaults(handler=run_verify)

    e = actions.add_parser("export", help="write the records of a time range as signed JSONL")
    _common(e)
    e.add_argument("--start", metavar="T", required=True, help="first decision event time")
    e.add_argument("--end", metavar="T", required=True, help="last decision event time")
    e.add_argument("--out", metavar="FILE", help="output file (default: stdout)")
    e.set_defaults(handler=run_export)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        metavar="FILE",
        help="launch config YAML (default: $LAUNCHGUARD_CONFIG, else the shipped defaults)",
    )
    p.add_argument("--journal", metavar="PATH", help="journal database (default: journal.path)")


def run_verify(args: argparse.Namespace) -> int:
    settings = load(args.config).config.journal
    keyring = _keyring(settings)
    if args.file:
        return _report(lambda: _verify_export(Path(args.file), keyring), args.file)
    path = args.journal or settings.path
    store = _open(path)
    try:
        return _report(lambda: verify(store.records(), keyring), path)
    finally:
        store.close()


def run_export(args: argparse.Namespace) -> int:
    settings = load(args.config).config.journal
    keyring = _keyring(settings)
    start, end = parse_time(args.start, "--start"), parse_time(args.end, "--end")
    if end < start:
        raise UsageError("--end: before --start")
    path = args.journal or settings.path
    store = _open(path)
    try:
        checked = _checked(lambda: verify(store.records(), keyring))
        if not checked.ok:
            print(_bad_line(path, checked), file=sys.stderr)
            print("launchguard: refusing to export a journal that does not verify", file=sys.stderr)
            return EXIT_BAD
        span = store.seq_span(tick(start), tick(end))
        lines = [] if span is None else list(export_lines(store, *span))
    finally:
        store.close()
    text = "".join(line + "\n" for line in lines)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    print(f"exported {len(lines)} records from {path}", file=sys.stderr)
    return EXIT_OK


def export_lines(store: JournalStore, first: int, last: int) -> Iterator[str]:
    """Each record as one JSON line: the signed fields plus its `mac` (it already carries
    `prev_mac`), so the file verifies on its own."""
    for item in store.records(first, last):
        yield canonical({**json.loads(item.text), "mac": item.mac})


def read_export(path: Path) -> Iterator[Stored]:
    """The records of an export file, as the verifier takes them."""
    with path.open(encoding="utf-8") as lines:
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                mac, seq = str(record.pop("mac")), int(record["seq"])
            except (ValueError, KeyError, TypeError, AttributeError):
                yield Stored(-n, line, "")  # a mangled line: reported by its line number
                continue
            yield Stored(seq, canonical(record), mac)


def _verify_export(path: Path, keyring: Keyring) -> ChainCheck:
    if not path.exists():
        raise UsageError(f"--file: {path}: no such file")
    return verify(read_export(path), keyring, anchored=False)


def _keyring(settings: JournalSettings) -> Keyring:
    try:
        return load_keyring(settings)
    except JournalKeyError as exc:
        raise ConfigError("launch config", [(exc.field, exc.message)]) from None


def _open(path: str) -> JournalStore:
    try:
        return JournalStore(path, readonly=True)
    except FileNotFoundError:
        raise UsageError(f"journal {path}: no such file") from None


def _checked(run: Callable[[], ChainCheck]) -> ChainCheck:
    try:
        return run()
    except MissingKey as exc:
        raise UsageError(str(exc)) from None


def _report(run: Callable[[], ChainCheck], source: str) -> int:
    checked = _checked(run)
    if not checked.ok:
        print(_bad_line(source, checked))
        return EXIT_BAD
    if checked.records == 0:
        print(f"{source}: OK, no records")
    else:
        print(
            f"{source}: OK, {checked.records} records (seq {checked.first_seq}…"
            f"{checked.last_seq}), every MAC and link verified"
        )
    return EXIT_OK


def _bad_line(source: str, checked: ChainCheck) -> str:
    where = (
        f"line {-checked.bad_seq}"
        if checked.bad_seq is not None and checked.bad_seq < 0
        else f"record {checked.bad_seq}"
    )
    return f"{source}: BAD at {where}: {checked.problem}"
