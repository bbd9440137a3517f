"""Who the letter is against: the denounced person, or the body whose decision is complained about.

Denunciation: "tố cáo ông Trần Văn B, công chức địa chính xã …" -> name, position, organisation.
Complaint: "Quyết định số 214/QĐ-UBND … của Chủ tịch UBND xã Bình Giang" -> position and organisation of
the decision-maker. Positions and agencies are data (data/accused.yaml), matched on folded text.

Public function: :func:`extract_accused`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from extractors.petitioner import read_name
from models.record import Accused
from petitions.text import collapse_spaces, fold, nfc

_DATA = Path(__file__).parent / "data" / "accused.yaml"
_LEVELS = ("xa", "phuong", "thi tran", "dac khu", "tinh", "huyen", "thanh pho", "thi xa")
_LEVEL_DISPLAY = {"xa": "xã", "phuong": "phường", "thi tran": "thị trấn", "dac khu": "đặc khu", "tinh": "tỉnh",
                  "huyen": "huyện", "thanh pho": "thành phố", "thi xa": "thị xã"}
_NAME_STOP = {"ve", "da", "ngay", "la", "co", "va", "theo", "tai", "trong", "khi", "nam", "so", "cua", "voi",
              "nhung", "vi", "de", "thi", "nay", "do", "duoc", "bi", "khong", "ma", "ra", "lam"}


@dataclass(frozen=True)
class _Data:
    positions: tuple[tuple[re.Pattern[str], str], ...]
    agencies: tuple[tuple[re.Pattern[str], int], ...]


@lru_cache(maxsize=1)
def _data() -> _Data:
    d = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    pos = sorted(d["positions"].items(), key=lambda kv: -len(kv[0]))
    positions = tuple(
        (re.compile(r"\b" + re.escape(k).replace(r"\ ", r"\s+").replace(r"\-", r"\s*-\s*") + r"\b"), v)
        for k, v in pos
    )
    agencies = tuple((re.compile(r"\b(?:" + a["head"] + r")\b"), int(a["words"])) for a in d["agencies"])
    return _Data(positions, agencies)


def _proper_words(raw: str, folded: str, start: int, limit: int) -> int:
    """End offset after up to ``limit`` capitalised words (or numbers) starting at ``start``."""
    end = start
    for n, m in enumerate(re.finditer(r"\S+", raw[start:])):
        tok = m.group().rstrip(",.;:)")
        f = fold(tok)
        if n >= limit or not tok or not (tok[0].isupper() or tok[0].isdigit()) or f in _NAME_STOP:
            break
        if raw[start + m.start() - 1: start + m.start()] not in (" ", ""):
            break
        end = start + m.start() + len(tok)
        if m.group() != tok:  # punctuation ends the name
            break
    return end


def _agency(raw: str, folded: str, lo: int, hi: int) -> tuple[str, int] | None:
    """The first agency named in folded[lo:hi]: (display, start)."""
    best: tuple[str, int] | None = None
    for pat, words in _data().agencies:
        m = pat.search(folded, lo, hi)
        if not m or (best and best[1] <= m.start()):
            continue
        end = _proper_words(raw, folded, m.end() + 1, words) if m.end() < len(raw) else m.end()
        text = collapse_spaces(raw[m.start(): max(end, m.end())])
        text = re.sub(r"(?i)[ủu]ỷ?\s*ban\s+nhân\s+dân|uy ban nhan dan", "UBND", text)
        text = re.sub(r"(?i)^ubnd\b", "UBND", text)
        best = (text[:1].upper() + text[1:], m.start())
    return best


def _position(folded: str, lo: int, hi: int) -> tuple[str, int, int] | None:
    best: tuple[str, int, int] | None = None
    for pat, display in _data().positions:
        m = pat.search(folded, lo, hi)
        if m and (best is None or m.start() < best[1]):
            shown = display
            if display.endswith("UBND"):
                lv = re.match(r"\s+(" + "|".join(_LEVELS) + r")\b", folded[m.end():])
                if lv:
                    shown = f"{display} {_LEVEL_DISPLAY[lv.group(1)]}"
            best = (shown, m.start(), m.end())
    return best


def _texts(text: str) -> tuple[str, str]:
    raw = nfc(text)
    folded = fold(raw)
    return (raw if len(raw) == len(folded) else folded), folded


_DENOUNCE = re.compile(r"\bto\s+cao\s+(?:(?:doi\s+voi|ve)\s+)?(?:hanh\s+vi[^.\n]{0,120}?\bcua\s+)?")
_WRONGDOING = re.compile(
    r"\b(?:viec\s+lam|hanh\s+vi|sai\s+pham|vi\s+pham|trach\s+nhiem|lua\s+dao)\b[^.\n]{0,40}?\bcua\s+(?=(?:ong|ba)\s)"
)
_PERSON = re.compile(r"\b(?:ong|ba|anh|chi|doi tuong)\s+(?=\w)")
_DECISION_OF = re.compile(r"\b(?:quyet\s+dinh|qd|thong\s+bao|ket\s+luan|van\s+ban|cong\s+van)\b[^\n]{0,90}?\bcua\s+")
_ACT_OF = re.compile(r"\bkhieu\s+nai\s+(?:doi\s+voi\s+)?(?:hanh\s+vi|viec)[^.\n]{0,150}?\bcua\s+")


def _denunciation(raw: str, folded: str) -> Accused | None:
    cues = sorted((m for pat in (_DENOUNCE, _WRONGDOING) for m in pat.finditer(folded)), key=lambda m: m.start())
    # a cue followed at once by a person ("tố cáo ông …") is the strongest
    cues.sort(key=lambda m: 0 if _PERSON.match(folded, m.end()) else 1)
    for m in cues:
        line_start = folded.rfind("\n", 0, m.start()) + 1
        line_end = folded.find("\n", m.start())
        line = folded[line_start: line_end if line_end >= 0 else len(folded)].strip()
        head = folded[line_start:m.start()]
        if re.search(r"\bnguoi\s*$|\bdon\s*$|\bbi\s*$", head) or (len(line) < 40 and line.startswith("don ")):
            continue  # a title ("ĐƠN TỐ CÁO") or "người tố cáo", "người bị tố cáo"
        window_end = min(len(folded), m.end() + 400)
        name = None
        pm = _PERSON.search(folded, m.end(), min(window_end, m.end() + 200))
        anchor = m.end()
        if pm:
            name = read_name(raw[pm.end(): pm.end() + 80])
            if name:
                anchor = pm.end() + len(name)
        pos = _position(folded, anchor, min(window_end, anchor + 120))
        org_lo = pos[1] if pos else anchor
        org = _agency(raw, folded, org_lo, min(window_end, org_lo + 160))
        if name or pos:
            return Accused(name=name, position=pos[0] if pos else None, organization=org[0] if org else None)
    return None


def _complaint(raw: str, folded: str) -> Accused | None:
    for pat in (_DECISION_OF, _ACT_OF):
        for m in pat.finditer(folded):
            pos = _position(folded, m.end(), m.end() + 40)
            lo = pos[1] if pos else m.end()
            org = _agency(raw, folded, lo, lo + 80)
            if org and org[1] > m.end() + 40:
                org = None
            if pos or org:
                return Accused(position=pos[0] if pos else None, organization=org[0] if org else None)
    return None


def extract_accused(text: str) -> Accused | None:
    """The accused person/body of a denunciation, else the decision-maker of a complaint; None if unnamed."""
    raw, folded = _texts(text)
    return _denunciation(raw, folded) or _complaint(raw, folded)
