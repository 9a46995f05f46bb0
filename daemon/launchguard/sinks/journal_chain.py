"""The journal's chain: canonical records, HMAC-SHA256 signatures, keys and verification.

A record is a JSON object; its MAC is HMAC-SHA256(key, canonical JSON of the record), and the
record carries `prev_mac`, the MAC of the record before it (`GENESIS` for the first), so
changing, removing or reordering any record breaks the chain at that record. Each record names
the key that signed it (`key_id`, derived from the key, not the key), so a journal survives a
key rotation when the retired keys are still configured.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launchguard.config.journal import JournalSettings

FORMAT_VERSION = 1
GENESIS = "0" * 64
"""`prev_mac` of the first record of a journal."""


class JournalKeyError(Exception):
    """No usable signing key (missing file or variable, too short): a config error, exit 2."""

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


def canonical(record: Mapping[str, Any]) -> str:
    """The exact text that is signed: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def mac(key: bytes, text: str) -> str:
    """HMAC-SHA256 of the record text, hex."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A public name for a key (16 hex digits of an HMAC under it): says which key, not what."""
    return hmac.new(key, b"launchguard journal key id", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    """The current signing key and the retired ones, by key id; `field` and `source` say
    where the current key came from (for messages: `journal.key_file`, its path)."""

    current: bytes
    keys: Mapping[str, bytes]
    field: str = "journal.key_env"
    source: str = "the configured key"

    @property
    def current_id(self) -> str:
        return key_id(self.current)


def load_keyring(settings: JournalSettings, env: Mapping[str, str] | None = None) -> Keyring:
    """The key from `journal.key_file`, else from the variable `journal.key_env`.

    Raises `JournalKeyError` naming the field when the key is missing or shorter than
    `min_key_bytes`. The key's bytes are never put in a message."""
    env = os.environ if env is None else env
    if settings.key_file is not None:
        current = _read_key(settings.key_file, "journal.key_file", settings.min_key_bytes)
        field, source = "journal.key_file", f"the key file {settings.key_file}"
    else:
        value = env.get(settings.key_env, "").strip()
        if not value:
            raise JournalKeyError(
                "journal.key_env",
                f"the signing key variable {settings.key_env} is not set (set it, or "
                "journal.key_file, or journal.enabled: false)",
            )
        current = value.encode("utf-8")
        _check_length(current, "journal.key_env", settings.min_key_bytes)
        field, source = "journal.key_env", f"the key in ${settings.key_env}"
    keys = {key_id(current): current}
    for i, path in enumerate(settings.previous_key_files):
        old = _read_key(path, f"journal.previous_key_files[{i}]", settings.min_key_bytes)
        keys.setdefault(key_id(old), old)
    return Keyring(current, keys, field, source)


def _read_key(path: str, field: str, min_bytes: int) -> bytes:
    try:
        data = Path(path).read_bytes().strip()
    except FileNotFoundError:
        raise JournalKeyError(field, f"{path}: no such key file") from None
    except OSError as exc:
        raise JournalKeyError(field, f"{path}: cannot read the key file: {exc.strerror}") from None
    _check_length(data, field, min_bytes)
    return data


def _check_length(key: bytes, field: str, min_bytes: int) -> None:
    if len(key) < min_bytes:
        raise JournalKeyError(field, f"the key is {len(key)} bytes; at least {min_bytes} required")


@dataclass(frozen=True)
class Stored:
    """One record as stored or exported: its sequence number, signed text and MAC."""

    seq: int
    text: str
    mac: str


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of a verification: `bad_seq` is the first bad record (None: all good)."""

    records: int
    first_seq: int | None
    last_seq: int | None
    bad_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.bad_seq is None


class MissingKey(Exception):
    """A record is signed by a key that is not configured (exit 2, not "tampered")."""


def verify(stored: Iterable[Stored], keyring: Keyring, *, anchored: bool = True) -> ChainCheck:
    """Check every MAC and every link. `anchored`: the first record must be seq 1 with
    `prev_mac` = GENESIS (a whole journal); else (an export) the first `prev_mac` is taken
    as given and only the links inside the run are checked."""
    count, first, last, prev = 0, None, None, GENESIS if anchored else None
    for item in stored:
        count += 1
        first = item.seq if first is None else first
        problem = _check(item, keyring, prev, last, anchored)
        if problem is not None:
            return ChainCheck(count, first, last, item.seq, problem)
        last, prev = item.seq, item.mac
    return ChainCheck(count, first, last)


def _check(
    item: Stored, keyring: Keyring, prev: str | None, last: int | None, anchored: bool
) -> str | None:
    try:
        record = json.loads(item.text)
    except ValueError:
        return "the record is not valid JSON (altered)"
    if not isinstance(record, dict):
        return "the record is not a JSON object (altered)"
    kid = record.get("key_id")
    if not isinstance(kid, str):
        return "the record names no signing key (altered)"
    key = keyring.keys.get(kid)
    if key is None:
        raise MissingKey(
            f"record {item.seq} is signed with key id {kid}, which no configured key has "
            "(add the retired key to journal.previous_key_files)"
        )
    if not hmac.compare_digest(mac(key, item.text), item.mac):
        return "MAC mismatch: the record or its MAC was altered"
    if record.get("seq") != item.seq:
        return f"the record says seq {record.get('seq')}, stored as {item.seq}"
    expected_seq = last + 1 if last is not None else (1 if anchored else None)
    if expected_seq is not None and item.seq != expected_seq:
        return f"seq {item.seq} follows {last or 0}: records are missing before it"
    if prev is not None and record.get("prev_mac") != prev:
        return "prev_mac does not match the previous record's MAC: the chain is broken here"
    return None
