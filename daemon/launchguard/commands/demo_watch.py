"""The demo's watcher: poll the daemon's API and print decisions as they open and resolve.

Times are shown in UTC and as the scenario offset (`+2h45m30s` after its start), so what
the demo prints can be read against the scenario file.
"""

from __future__ import annotations

import subprocess
import time
from typing import Any

import httpx

from launchguard.config.durations import format_duration
from launchguard.harness.servers import ComponentError
from launchguard.inputs import parse_time

POLL = 1.0  # seconds between polls of the daemon's API


def _offset(text: str, start: float) -> str:
    return "+" + format_duration(parse_time(text, "time") - start)


def describe(d: dict[str, Any], event: str, start: float) -> list[str]:
    """The lines printed for one decision transition (evidence and actions when opened)."""
    scope = ", ".join(f"{k}={v}" for k, v in sorted(d["scope"].items())) or "global"
    at = d["opened_at"] if event == "OPENED" else d["resolved_at"]
    head = f"[{at} {_offset(at, start)}] {event} {d['kind']}: {d['criterion']} ({scope})"
    if event != "OPENED":
        return [head]
    lines = [head, f"    evidence: {d['evidence']['summary']}"]
    for o in d["evidence"].get("observations", []):
        value = o["value"] if o["value"] is not None else o.get("missing", "absent")
        lines.append(f"      {o['signal']} @ t-{o['offset']} = {value}")
    for extra in d["evidence"].get("detail", []):
        lines.append(f"      {extra}")
    lines += [f"    action: {a['text']}" for a in d["actions"]]
    lines.append(f"    decision id {d['id']}")
    return lines


def watch(base: str, daemon: subprocess.Popen[bytes], start: float) -> None:
    """Poll until interrupted; raises `ComponentError` if the daemon exits."""
    seen_open: set[str] = set()
    seen_resolved: set[str] = set()
    ready = False
    with httpx.Client(trust_env=False, timeout=5.0) as client:
        while True:
            code = daemon.poll()
            if code is not None:
                raise ComponentError(f"the daemon exited with code {code} (see its log)")
            try:
                status = client.get(f"{base}/api/v1/status").json()
                found = client.get(f"{base}/api/v1/decisions", params={"state": "all"}).json()
            except (httpx.HTTPError, ValueError):
                time.sleep(POLL)  # not listening yet
                continue
            if not ready and status.get("ready"):
                ready = True
                evaluated = status["evaluation"].get("evaluated_to") or status["evaluation"]["at"]
                print(f"demo: daemon ready, evaluated up to {evaluated}", flush=True)
            for d in found.get("decisions", []):
                if d["id"] not in seen_open:
                    seen_open.add(d["id"])
                    print("\n".join(describe(d, "OPENED", start)), flush=True)
                if d["resolved_at"] is not None and d["id"] not in seen_resolved:
                    seen_resolved.add(d["id"])
                    print("\n".join(describe(d, "RESOLVED", start)), flush=True)
            time.sleep(POLL)
