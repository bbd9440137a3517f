"""References to decisions and other documents: "Quyết định số 245/QĐ-UBND ngày 12/3/2026" -> "245/QĐ-UBND".

Public functions: :func:`extract_decision_refs` (distinct strings, in order),
:func:`decision_details` (number, year, type, issuer code and date of each reference, repeats kept),
:func:`extract_decisions` (one entry per distinct reference with the body that issued it) and
:func:`contested_decision` (the decision a complaint contests: its date starts the time limit).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from models.record import Decision
from petitions.text import collapse_spaces, fold, nfc

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
    start: int = 0  # offsets of the reference in the folded text
    end: int = 0  # end of the reference, or of the date that follows it


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(_DATA.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _types() -> tuple[dict[str, str], frozenset[str]]:
    d = _data()
    return {k.upper(): v for k, v in d["decision_types"].items()}, frozenset(d["normative_types"])


@lru_cache(maxsize=1)
def issuer_codes() -> dict[str, str]:
    """Department issuer codes ("SXD") -> the department's name ("Sở Xây dựng")."""
    return {k.upper(): v for k, v in (_data().get("issuer_codes") or {}).items()}


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
        if head in issuer_codes() and head not in types:
            # a công văn numbered by its issuer alone: "1290/SNV-NCC"
            display, doc_type, issuer = code, "CV", code
        elif head in types or code in types:
            display = types.get(code) or "-".join([types[head], *parts[1:]])
            doc_type, issuer = display.split("-")[0], "-".join(parts[1:]) or None
        else:
            continue
        number = m.group(1).upper()
        year = int(m.group(2)) if m.group(2) else None
        ref = f"{number}/{year}/{display}" if year else f"{number}/{display}"
        dm = _DATE_AFTER.match(folded[m.end():])
        date = None
        end = m.end() + (dm.end() if dm else 0)
        if dm:
            try:
                date = dt.date(int(dm.group(3)), int(dm.group(2)), int(dm.group(1)))
            except ValueError:
                date = None
        out.append(DecisionRef(ref, number, year, doc_type, issuer, date, m.start(), end))
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


# --- distinct decisions with their issuer, and the one a complaint contests ------------------------

# "… của Chủ tịch UBND xã X", "… do Sở Nội vụ ban hành": the issuer named right after the reference.
_OF = re.compile(r"[\s,]*(?:\(?\s*sau\s+day\s+goi\s+tat[^)]*\)\s*)?(?:cua|do)\s+")
# A request or complaint aimed at a decision: "khiếu nại (đối với) Quyết định …", "hủy (bỏ) QĐ xử phạt số …",
# "xem xét lại, thu hồi Quyết định số …", "không đồng ý với Quyết định …".
_CONTEST_VERB = (
    r"\b(?:khieu\s+nai|huy(?:\s+bo)?|xem\s+xet\s+lai|thu\s+hoi|dinh\s+chi|bai\s+bo|sua\s+doi|dieu\s+chinh"
    r"|khong\s+(?:dong\s+y|dong\s+tinh|nhat\s+tri|chap\s+nhan)|phan\s+doi)"
    r"(?:\s+(?:lai|bo|toan\s+bo|noi\s+dung|doi\s+voi|voi|cua))*[\s,:]+"
)
_CONTEST = re.compile(
    _CONTEST_VERB
    + r"(?:(?:quyet\s+dinh|qd|thong\s+bao|tb|ket\s+luan|van\s+ban|cong\s+van)\b[^.;\n\d]{0,50}?)?(?:so\s*)?$"
)
# The same aimed at a decision named before: "đề nghị xem xét lại quyết định trên / nêu trên / này".
_CONTEST_ANAPHOR = re.compile(
    _CONTEST_VERB
    + r"(?:cac\s+)?(?:quyet\s+dinh|qd|van\s+ban|thong\s+bao|cong\s+van)\b(?:\s+(?:xu\s+phat|thu\s+hoi\s+dat|ky\s+luat|giai\s+quyet[^.;\n]{0,40}?))?"
    r"\s*(?:so\s+)?(?:neu\s+tren|noi\s+tren|tren|nay|do(?=\s*[,.;\n])|da\s+neu|vua\s+neu)\b"
)
_THEN_BODY = re.compile(r"\s*,\s*")
_COMPLAINT_WORD = re.compile(r"\bkhieu\s+nai\b")
_SENTENCE_START = re.compile(r"[.;!?\n](?=[^.;!?\n]*$)")


def _issuer_after(raw: str, folded: str, at: int) -> str | None:
    from extractors.accused import find_agency, find_position

    m = _OF.match(folded, at)
    if not m:
        # "Theo QĐ số 22/QĐ-UBND ngày …, UBND xã X thu hồi …": the body acting on it right after
        m = _THEN_BODY.match(folded, at)
        if not m:
            return None
        org = find_agency(raw, folded, m.end(), min(len(folded), m.end() + 80))
        return org[0] if org and org[1] == m.end() else None
    lo = m.end()
    hi = min(len(folded), lo + 120)
    stop = re.compile(r"[.;\n]|\bve\s+viec\b|\bthi\b").search(folded, lo, hi)
    hi = stop.start() if stop else hi
    pos = find_position(folded, lo, min(hi, lo + 40))
    org = find_agency(raw, folded, lo, hi)
    if org and org[1] > lo + 40:
        org = None
    if pos and pos[1] != lo:
        pos = None
    if org and pos and pos[1] < org[1]:
        head = collapse_spaces(raw[pos[1]:org[1]])
        return f"{head[:1].upper()}{head[1:]} {org[0]}" if head else org[0]
    if org and org[1] == lo:
        return org[0]
    return pos[0] if pos else None


def _issuer_before(raw: str, folded: str, at: int) -> str | None:
    from extractors.accused import find_agency

    sm = _SENTENCE_START.search(folded, 0, at)
    lo = sm.end() if sm else max(0, at - 200)
    lo = max(lo, at - 200)
    best: tuple[str, int] | None = None
    pos = lo
    while pos < at:
        org = find_agency(raw, folded, pos, at)
        if org is None:
            break
        best = org
        pos = org[1] + 1
    if best is None:
        return None
    # the agency's own end is not known here: the verb must follow somewhere before the reference
    tail = folded[best[1]: at]
    if not re.search(r"\b(?:(?:ra|ban\s+hanh|ky|gui)\s+|giai\s+quyet\b[^.;\n]{0,40}?\bbang\s+)"
                     r"(?:quyet\s+dinh|qd|thong\s+bao|van\s+ban|cong\s+van|ket\s+luan)\b", tail):
        return None
    return best[0]


def _raw_and_folded(text: str) -> tuple[str, str]:
    raw = nfc(text)
    folded = fold(raw)
    return (raw if len(raw) == len(folded) else folded), folded


def extract_decisions(text: str) -> list[Decision]:
    """One entry per distinct reference, in order of first appearance.

    The date and the issuer are taken from whichever mention gives them ("Quyết định số 58/QĐ-UBND ngày
    20/12/2025 của Chủ tịch UBND xã Gia Viễn" … "đề nghị hủy Quyết định số 58/QĐ-UBND"). The issuer is
    the body written with the reference; ``issuer_code`` the issuer part of the number itself.
    """
    raw, folded = _raw_and_folded(text)
    out: dict[str, Decision] = {}
    for r in _parse(text):
        issuer = (_issuer_after(raw, folded, r.end) or _issuer_before(raw, folded, r.start)
                  or issuer_codes().get((r.issuer or "").split("-")[0]))
        found = out.get(r.ref)
        if found is None:
            out[r.ref] = Decision(number=r.ref, doc_type=r.doc_type, issuer=issuer, issuer_code=r.issuer,
                                  date=r.date)
            continue
        update = {}
        if found.date is None and r.date is not None:
            update["date"] = r.date
        if found.issuer is None and issuer:
            update["issuer"] = issuer
        if update:
            out[r.ref] = found.model_copy(update=update)
    return list(out.values())


def contested_decision(text: str, decisions: list[Decision] | None = None) -> Decision | None:
    """The decision a complaint contests, or None.

    A reference that a complaint or a request is aimed at ("khiếu nại Quyết định số …", "đề nghị hủy
    Quyết định xử phạt số …", "không đồng ý với Quyết định …") wins; the first one in the letter is
    taken. Then a request aimed at "quyết định trên / nêu trên / này": the last decision named before it.
    Otherwise, in a letter that says "khiếu nại" and refers to exactly one decision (QĐ…), that one.
    """
    decisions = extract_decisions(text) if decisions is None else decisions
    by_ref = {d.number: d for d in decisions}
    folded = fold(nfc(text))
    refs = _parse(text)
    for r in refs:
        lo = max(0, r.start - 120)
        window = folded[lo: r.start]
        sm = _SENTENCE_START.search(window)
        if sm:
            window = window[sm.end():]
        if _CONTEST.search(window) and r.ref in by_ref:
            return by_ref[r.ref]
    for m in _CONTEST_ANAPHOR.finditer(folded):
        before = [r for r in refs if r.start < m.start() and r.ref in by_ref]
        named = [r for r in before if r.doc_type.startswith("QĐ")] or before
        if named:
            return by_ref[named[-1].ref]
    if _COMPLAINT_WORD.search(folded):
        qd = [d for d in decisions if (d.doc_type or "").startswith("QĐ")]
        if len(qd) == 1:
            return qd[0]
    return None
