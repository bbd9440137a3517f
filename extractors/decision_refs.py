"""References to decisions and other documents: "Quyết định số 245/QĐ-UBND ngày 12/3/2026" -> "245/QĐ-UBND".

Public functions: :func:`extract_decision_refs` (distinct strings, in order) and
:func:`decision_details` (number, year, type, issuer and date of each reference).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from petitions.text import fold, nfc

_DATA = Path(__file__).parent / "data" / "document_types.yaml"

# number [/ year] / TYPE[-ISSUER[-...]]; spaces around separators tolerated (OCR)
_REF = re.compile(
    r"(?<![\w/.])(\d{1,6}[a-z]?)\s*/\s*(?:((?:19|20)\d{2})\s*/\s*)?"
    r"([a-z]{1,10}(?:\s?-\s?[a-z0-9]{1,15}){0,3})(?![\w])"
)
_DATE_AFTER = re.compile(
    r"^[\s,]*(?:ngay|ky ngay|ban hanh ngay)\s*(\d{1,2})\s*(?:[/.\-]|\s*thang\s*)(\d{1,2})"
    r"\s*(?:[/.\-]|\s*nam\s*)(\d{4})"
)


@dataclass(frozen=True)
class DecisionRef:
    ref: str  # "245/QĐ-UBND"
    number: str  # "245"
    year: int | None  # 2024 in "12/2024/QĐ-UBND"
    doc_type: str  # "QĐ"
    issuer: str | None  # "UBND"
    date: dt.date | None  # the "ngày …" that follows the reference


@lru_cache(maxsize=1)
def _types() -> tuple[dict[str, str], frozenset[str]]:
    d = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    return {k.upper(): v for k, v in d["decision_types"].items()}, frozenset(d["normative_types"])


def _parse(text: str) -> list[DecisionRef]:
    types, normative = _types()
    folded = fold(nfc(text))
    out: list[DecisionRef] = []
    for m in _REF.finditer(folded):
        code = re.sub(r"\s+", "", m.group(3)).upper()
        parts = code.split("-")
        head = parts[0]
        if head in normative:
            continue
        if head not in types and code not in types:
            continue
        display = types.get(code) or "-".join([types[head], *parts[1:]])
        number = m.group(1).upper()
        year = int(m.group(2)) if m.group(2) else None
        ref = f"{number}/{year}/{display}" if year else f"{number}/{display}"
        dm = _DATE_AFTER.match(folded[m.end():])
        date = None
        if dm:
            try:
                date = dt.date(int(dm.group(3)), int(dm.group(2)), int(dm.group(1)))
            except ValueError:
                date = None
        issuer = "-".join(parts[1:]) or None
        out.append(DecisionRef(ref, number, year, display.split("-")[0], issuer, date))
    return out


def decision_details(text: str) -> list[DecisionRef]:
    """Every document reference with its parts, in order of appearance (repeats kept)."""
    return _parse(text)


def extract_decision_refs(text: str) -> list[str]:
    """Distinct document references ("245/QĐ-UBND"), in order of first appearance."""
    seen: dict[str, None] = {}
    for r in _parse(text):
        seen.setdefault(r.ref, None)
    return list(seen)
