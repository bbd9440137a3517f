"""Shared helpers of the routing tests: our own letters run through the real pipeline (text run)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from models.record import LetterRecord, PageText, ReadResult
from petitions.pipeline import analyse
from petitions.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
RECEIVED = dt.date(2026, 11, 25)


def fixture_letters() -> list[dict[str, Any]]:
    out = []
    for name in ("generated.jsonl", "handwritten.jsonl"):
        path = ROOT / "fixtures" / "letters" / name
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def letter(letter_id: str) -> dict[str, Any]:
    return next(x for x in fixture_letters() if x["id"] == letter_id)


def analysed(x: dict[str, Any], settings: Settings, received: dt.date = RECEIVED,
             letter_id: str | None = None) -> LetterRecord:
    read = ReadResult(pages=[PageText(number=1, text=x["text"], source="text_layer")])
    return analyse(read, settings, letter_id=letter_id or x["id"], source=x["id"], received=received)
