"""Signed reports: an HMAC-SHA256 over the report, keyed by a secret file, so a report
passed around the warroom can be checked to be the one launchguard produced.

JSON: a top-level `signature` over the canonical JSON of the rest (sorted keys, no spaces,
UTF-8). Markdown: a last line `<!-- launchguard-signature hmac-sha256:<hex> -->` over every
byte before it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

_MARK = "<!-- launchguard-signature hmac-sha256:"


def read_key(path: str) -> bytes:
    """The key file's bytes, surrounding whitespace removed; ValueError when empty."""
    key = Path(path).read_bytes().strip()
    if not key:
        raise ValueError(f"{path}: empty key")
    return key


def _mac(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def canonical(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_json(doc: dict[str, Any], key: bytes) -> dict[str, Any]:
    body = {k: v for k, v in doc.items() if k != "signature"}
    return {**body, "signature": {"algorithm": "HMAC-SHA256", "value": _mac(key, canonical(body))}}


def verify_json(doc: dict[str, Any], key: bytes) -> bool:
    given = doc.get("signature", {}).get("value", "")
    body = {k: v for k, v in doc.items() if k != "signature"}
    return hmac.compare_digest(str(given), _mac(key, canonical(body)))


def sign_markdown(text: str, key: bytes) -> str:
    return f"{text}{_MARK}{_mac(key, text.encode())} -->\n"


def verify_markdown(text: str, key: bytes) -> bool:
    head, sep, tail = text.rpartition(_MARK)
    if not sep:
        return False
    return hmac.compare_digest(
        tail.removesuffix("\n").removesuffix(" -->"), _mac(key, head.encode())
    )


def verify_text(text: str, key: bytes) -> bool:
    """A report file's signature: JSON when it parses as a JSON object, else Markdown."""
    try:
        doc = json.loads(text)
    except ValueError:
        return verify_markdown(text, key)
    return isinstance(doc, dict) and verify_json(doc, key)
