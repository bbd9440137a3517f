"""Pure helpers for the store's write path: NFC normalisation and audit diffs."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any


def nfc_json(value: Any) -> Any:
    """The same JSON value with every string (keys included) in Unicode NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc_json(k): nfc_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc_json(v) for v in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Top-level fields whose values differ: (old values, new values)."""
    keys = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def digest(value: Any) -> str:
    """A short stable fingerprint of a JSON value (audits page changes without copying the text)."""
    raw = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def stored_summary(record: dict[str, Any]) -> dict[str, Any]:
    """What the audit keeps about a newly stored letter: routing facts, no personal data."""
    route = record.get("route") or {}
    return {
        "status": record.get("status"),
        "category": record.get("category"),
        "agency_id": route.get("agency_id"),
        "needs_review": record.get("needs_review"),
    }
