"""Who wrote the letter: names, ID numbers and address spans of the petitioner(s).

Sources, in order of trust: the writer's self-introduction ("Tôi tên là …", "Họ và tên: …"), the
signature block at the end (the name under "Người làm đơn" / "(Ký, ghi rõ họ tên)"), the list of signers
of a group letter ("Chúng tôi gồm: 1. Ông …"), and for forwarded letters "đơn của ông …". Rules work on
folded text so that unaccented and ALL CAPS letters are read too; names are validated against a list
of Vietnamese family names.

Public functions: :func:`extract_petitioners`; :func:`read_name` (a name at the start of a text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from extractors.address import address_after_cue, address_after_name, names_a_unit
from extractors.layout import SIGNATURE_CUE
from models.record import Petitioner
from petitions.text import collapse_spaces, fold, nfc

_DATA = Path(__file__).parent / "data" / "names.yaml"


@dataclass
class PetitionerResult:
    petitioners: list[Petitioner] = field(default_factory=list)
    signatory_count: int = 0
    anonymous: bool = True
    address: str | None = None  # the (first) petitioner's address as written, also for anonymous writers
    # evidence for the confidence: where the (first) name came from ("intro", "signature", "group",
    # "forwarded") and whether the introduction and the signature agree (None: only one of them)
    source: str = ""
    agreement: bool | None = None


@dataclass(frozen=True)
class _Names:
    surnames: frozenset[str]
    stops: frozenset[str]
    cap_stops: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    honorifics: tuple[str, ...]
    pseudonyms: tuple[str, ...]
    stop_forms: dict[str, frozenset[str]]
    surname_forms: dict[str, frozenset[str]]


@lru_cache(maxsize=1)
def _names() -> _Names:
    d = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    return _Names(
        surnames=frozenset(d["surnames"]),
        stops=frozenset(d["stop_words"]),
        cap_stops=frozenset(d["cap_stop_words"]),
        bigrams=frozenset((a, b) for a, b in d["stop_bigrams"]),
        honorifics=tuple(sorted(d["honorifics"], key=len, reverse=True)),
        pseudonyms=tuple(d["pseudonyms"]),
        stop_forms={k: frozenset(nfc(w) for w in v) for k, v in d["stop_forms"].items()},
        surname_forms={k: frozenset(nfc(w) for w in v) for k, v in d["surname_forms"].items()},
    )


# --- names ------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\s,;:()\[\]{}/|\"“”'‘’<>=+*!?]+|[,;:()\[\]{}/|\"“”'‘’<>=+*!?]|\s{2,}|\t")


def _title(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def _honorific_variants(text: str) -> list[str]:
    """The text with 0, 1, 2, … leading honorifics removed ("Bà Cù Thị Nga" -> …, "Cù Thị Nga", "Thị Nga")."""
    n = _names()
    out = [text]
    while True:
        text = text.lstrip(" :-–.,")
        f = fold(text)
        h = next((h for h in n.honorifics if f.startswith(h + " ") and len(f) == len(text)), None)
        if h is None:
            return out
        text = text[len(h) + 1:]
        out.append(text)


def read_name(tail: str, whole: bool = False, allow_lower: bool = False) -> str | None:
    """Read a person's name at the start of ``tail`` (after an intro cue); None if there is none.

    Mixed-case text: the name is the run of capitalised words. ALL CAPS (or, with ``allow_lower``, all
    lower-case) text: the run ends at a stop word. With ``whole``, the name must be all the text (a
    signature line). Honorifics ("Ông", "Bà") are dropped, but a family name that folds like one
    ("Cù" / "cụ") is kept.
    """
    for variant in reversed(_honorific_variants(nfc(tail).lstrip(" :-–.,"))):
        name = _read(variant, whole, allow_lower)
        if name:
            return name
    return None


def _same_case(tok: str, mode: str) -> bool:
    if mode == "caps":
        return tok.isupper()
    if mode == "cap":
        return tok[0].isupper() and not (tok.isupper() and len(tok) > 1)
    return tok.islower()


def _stop_spelling(tok: str, f: str, accented: bool) -> bool:
    """Is ``tok`` (folded ``f``) spelt like the stop word ``f``? In text written with diacritics only the
    stop word's own spellings count ("Sình", "Nam", "Tâm" are given names, "sinh", "năm", "tạm" are not)."""
    if not accented:
        return True
    forms = _names().stop_forms.get(f)
    return forms is None or tok.lower() in forms


def _read(tail: str, whole: bool, allow_lower: bool = False) -> str | None:
    n = _names()
    toks = [m.group() for m in _TOKEN.finditer(tail)]
    accented = not tail[:200].isascii() and fold(tail[:200]) != tail[:200].lower()
    words: list[str] = []
    mode = ""
    for i, tok in enumerate(toks):
        sentence_end = tok.endswith(".") and tok[:-1].isalpha()  # "Hiếu." ends the name and the sentence
        if sentence_end:
            tok = tok[:-1]
        if not tok.isalpha():
            break
        f = fold(tok)
        nxt = fold(toks[i + 1]) if i + 1 < len(toks) and not sentence_end else ""
        nxt = "#" if nxt[:1].isdigit() else nxt
        if not mode:
            mode = "caps" if tok.isupper() and len(tok) > 1 else "cap" if tok[0].isupper() else "lower"
        elif not _same_case(tok, mode):
            break
        if mode == "lower" and not allow_lower:
            return None
        if words and ((f, nxt) in n.bigrams or f in (n.stops if mode != "cap" else n.cap_stops)) \
                and _stop_spelling(tok, f, accented):
            break
        if mode != "cap" and not words and f in n.stops and _stop_spelling(tok, f, accented):
            return None
        if not words and (f, nxt) in n.bigrams and _stop_spelling(tok, f, accented):
            return None  # "CHỦ TỊCH UBND XÃ": a post, not a family name
        words.append(tok)
        if sentence_end or len(words) == 6:
            break
    if not 2 <= len(words) <= 5:
        return None
    if whole and len(words) < len([t for t in toks if t.isalpha()]):
        return None
    first = fold(words[0])
    if first not in n.surnames or (first in n.surname_forms and words[0].lower() not in n.surname_forms[first]):
        return None
    if fold(" ".join(words)).startswith(n.pseudonyms):
        return None
    return " ".join(_title(w) for w in words)


# --- cues -------------------------------------------------------------------------------------------

_INTRO = [
    re.compile(r"\b(?:toi|em|chau)\s+(?:ten\s+)?la\b\s*[:\-]?\s*"),
    re.compile(r"\b(?:ten\s+toi\s+la\b|(?:toi|em|chau)\s+ten\b(?!\s+la\b))\s*[:\-]?\s*"),
    re.compile(
        r"\bho\s*(?:va\s+)?ten(?:\s+(?:nguoi\s+(?:viet|lam|gui|dung)\s+don"
        r"|nguoi\s+(?:to cao|khieu nai|kien nghi|phan anh|de nghi)|chu ho))?\s*[:\-]\s*"
    ),
    re.compile(r"\bnguoi\s+(?:viet|lam|gui|dung)\s+don\s*(?:la\s*)?[:\-]\s*"),
    re.compile(r"\bnguoi\s+(?:to cao|khieu nai|kien nghi|phan anh|de nghi)\s*(?:la\s*)?[:\-]\s*"),
    re.compile(r"^\s*toi\s*[,:]\s*"),
    # "Tôi Đặng Thị Thơm, thôn An Tập, …": a name right after the pronoun, ended by a comma
    re.compile(r"^\s*(?:toi|em|chau)\s+(?!(?:la|ten|xin|cam|cung|da|van|co|khong|muon|rat)\b)(?=[^,.;:\n]{4,40},)"),
    re.compile(r"\b(?:nguoi\s+)?dai\s+dien(?:\s+(?:lien\s+he|cac\s+ho|nhom))?\s*(?:la\s*)?[:\-]\s*"),
]
_FORWARDED = re.compile(r"\b(?:don(?:\s+thu)?|thu)\s+(?:cua|do)\s+(?=(?:ong|ba|anh|chi|cong dan)\s)")
_SIG_NOISE = re.compile(
    r"\(?\s*\b(?:da\s+ky(?:\s+ten)?|ky(?:\s*,?\s*(?:va\s+)?ghi\s+ro\s+ho\s*(?:va\s*)?ten)?|ky\s+ten|chu\s+ky"
    r"|dau\s+van\s+tay|(?:da\s+)?diem\s+chi)\b\s*\)?\s*[:.]?"
)
# A line that introduces the list of signers at the end ("Các hộ cùng ký tên:", "Những người cùng kiến nghị:")
_LIST_INTRO = re.compile(
    r"^\s*(?:nhung\s+nguoi|cac\s+ho|cac\s+cong\s+dan|dai\s+dien|danh\s+sach|cac\s+thanh\s+vien|chung\s+toi"
    r"|nguoi|ho\s+dan|cac\s+ba\s+con|tap\s+the)\b[^:\n]{0,60}:\s*$"
)
# A label that puts the signers on its own line ("Ký tên: A, B, C", "Đại diện: A (ký), B (ký)", "Thay mặt: …")
_SIGNERS_LABEL = re.compile(
    r"^\W*(?:(?:cac\s+ho\s+|nhung\s+nguoi\s+)?(?:cung\s+|dong\s+)?ky\s+ten|dai\s+dien|thay\s+mat|nguoi\s+ky)"
    r"[^:\n]{0,40}:\s*(?=\S)"
)
_DATE_LINE = re.compile(r"ngay\s*\d{1,2}\s*thang\s*\d{1,2}\s*nam\s*\d{4}")
_GROUP = re.compile(
    r"\bchung\s+toi\s+(?:gom|gom\s+co|ten\s+la|ky\s+ten\s+duoi\s+day|co\s+ten\s+duoi\s+day|la\s+cac|la\s+nhung"
    r"|gom\s+cac|gom\s+nhung|la\s*:)|\bnhung\s+nguoi\s+(?:ky\s+ten|lam\s+don|viet\s+don|dung\s+don|co\s+ten)"
    r"|\bdanh\s+sach\s+(?:cac\s+)?(?:ho\b(?!\s+(?:tro|so|ngheo|can\s+ngheo|khau|duoc|bi))|nguoi|cong\s+dan)|\bdong\s+ky\s+ten\b|\bcac\s+ho\s+dan\s+ky\s+ten"
    r"|\bcac\s+ho\s+(?:dan\s+)?gom\b|\bnguoi\s+ky\s+ten\b|\bho\s+ten\s+va\s+chu\s+ky\b"
    r"|\bchung\s+toi\s*,?\s*(?:la\s+)?(?:nhung\s+nguoi|cac\s+ho|cac\s+cong\s+dan)"
)
# "." alone: a scan whose item numbers OCR lost (". Ông Đoàn Văn Khải, sinh năm 1960")
_ITEM = re.compile(r"^\s*\|?\s*(?:\d{1,3}\s*[.)/:\-|]?|[-•+*–]|\.(?=\s))\s*\|?\s*(?=\S)")
_COUNT = re.compile(r"\b(\d{1,3})\s+(?:nguoi|ho|cong dan|ho dan|chu ky)\b[^.\n]{0,30}\bky\b")
_ID = re.compile(
    r"\b(?:so\s+)?(?:cccd|cmnd|cmtnd|cmt|can\s+cuoc(?:\s+cong\s+dan)?|chung\s+minh\s+(?:nhan\s+dan|thu)"
    r"|(?:so\s+)?dinh\s+danh(?:\s+ca\s+nhan)?)\b[^0-9\n]{0,25}?(\d[\d .]{7,16}\d)"
)


@dataclass
class _Line:
    raw: str
    folded: str


def _lines(text: str) -> list[_Line]:
    out = []
    for raw in nfc(text).splitlines():
        f = fold(raw)
        out.append(_Line(raw if len(raw) == len(f) else f, f))
    return out


def _id_in(lines: list[_Line]) -> str | None:
    for ln in lines:
        m = _ID.search(ln.folded)
        if m:
            digits = re.sub(r"\D", "", m.group(1))
            if len(digits) in (9, 12):
                return digits
    return None


def _address_near(lines: list[_Line], start: int, stop: int) -> str | None:
    for i in range(start, min(stop, len(lines))):
        nxt = lines[i + 1].raw if i + 1 < len(lines) else None
        span = address_after_cue(lines[i].raw, nxt)
        if span:
            return span
    return None


def _intro(lines: list[_Line]) -> tuple[str, int] | None:
    for i, ln in enumerate(lines):
        found: list[str] = []
        for cue in _INTRO:
            for m in cue.finditer(ln.folded):
                starts = [m.end()]
                # "Tôi tên Lã Văn An" folds like "tôi tên là …": the cue's last word may be the surname
                la = re.search(r"\bla\s*[:\-]?\s*$", ln.folded[m.start():m.end()])
                la_tok = ln.raw[m.start() + la.start(): m.start() + la.start() + 2] if la else ""
                if la and (la_tok.lower() == "lã" or la_tok == "La"):
                    starts.append(m.start() + la.start())
                for st in starts:
                    lower = not re.search(r"[A-ZĐÀ-Ỹ]", ln.raw[st:])  # a letter typed all in lower case
                    nm = read_name(ln.raw[st:], allow_lower=lower)
                    if nm:
                        found.append(nm)
        if found:
            return max(found, key=lambda nm: len(nm.split())), i
    return None


def _signature(lines: list[_Line]) -> str | None:
    start = max(0, len(lines) - 25)
    marks = [i for i in range(start, len(lines)) if SIGNATURE_CUE.search(lines[i].folded)]
    for mark in reversed(marks):
        for j in range(mark, min(mark + 6, len(lines))):
            ln = lines[j]
            cleaned = _SIG_NOISE.sub(" ", ln.folded)
            if j == mark:
                cleaned = SIGNATURE_CUE.sub(" ", cleaned)
            if not cleaned.strip(" .:-()"):
                continue
            # map the cleaned folded text back onto the raw line by keeping only its surviving words
            raw_words = [w for w, f in zip(ln.raw.split(), ln.folded.split(), strict=False)
                         if f.strip("().:,-") in cleaned.split()]
            name = read_name(" ".join(raw_words), whole=True)
            if name:
                return name
    # no marker: a name alone on the last non-empty line
    tail = [ln for ln in lines if ln.raw.strip()][-1:]
    if tail:
        return read_name(_SIG_NOISE.sub(" ", tail[0].raw) if tail[0].raw == tail[0].folded else tail[0].raw,
                          whole=True)
    return None


# Where a second item starts on the same line: a list laid out in columns ("1. Ông A   2. Bà B") or run on
# one line ("1. Ông A; 2. Bà B").
# columns: wide spaces, or the single space OCR leaves after "(đã ký)" or before "2. Trần …"
_NEXT_ITEM = re.compile(
    r"(?:\s{2,}|\t|\s*[,;|]\s*|(?<=\))\s+|\s+(?=\d{1,3}\.\s+[A-ZĐ]))(?=\d{1,3}\s*[.)]\s*[^\d\s.,])"
)
# "do ông Trần Văn B (và bà …) làm đại diện", "gồm ông …", "là bà …": a person inside a longer piece
_PERSON_IN_PIECE = re.compile(r"\b(?:do|gom|la)\s+(?=(?:ong|ba|anh|chi)\s+\S)")


def _without_noise(ln: _Line) -> str:
    """The raw line with signature noise ("(đã ký)", "ký tên", "điểm chỉ") blanked out."""
    raw = ln.raw
    for m in reversed(list(_SIG_NOISE.finditer(ln.folded))):
        raw = raw[: m.start()] + " " * (m.end() - m.start()) + raw[m.end():]
    return raw


def _names_in_row(raw: str) -> list[str] | None:
    """A row of a signers' list that holds names only ("Lê Văn A, Trần Thị B", "Lê Văn A      Trần Thị B"):
    the names, or None when some piece of the row is no name."""
    pieces = [p.strip(" .:-–") for p in re.split(r"[,;|\t]|\s{2,}|\s[-–]\s", raw)]
    pieces = [p for p in pieces if p]
    names = [read_name(p, whole=True) for p in pieces]
    return names if names and all(names) else None  # type: ignore[return-value]


def _item_names(lines: list[_Line], start: int, limit: int = 60, loose: bool = False) -> list[tuple[str, int]]:
    """Names in a numbered/bulleted list (or a comma list on the cue line) starting at line ``start``.

    Several numbered items on one line (columns) are all read. With ``loose`` (the signers' list at the
    end, after "Người làm đơn" or "Các hộ ký tên:"), unnumbered rows that hold only names count too: one
    name a line ("Bùi Văn Đức (đã ký)"), or several separated by commas or wide spaces.
    """
    found: list[tuple[str, int]] = []
    misses = 0
    for i in range(start, min(start + limit, len(lines))):
        ln = lines[i]
        names: list[str] = []
        m = _ITEM.match(ln.raw)
        if m:
            for k, seg in enumerate(_NEXT_ITEM.split(ln.raw[m.end():])):
                body = seg if k == 0 else seg[_ITEM.match(seg).end():] if _ITEM.match(seg) else seg
                name = read_name(body)
                if name:
                    names.append(name)
        elif i == start:
            g = _GROUP.search(ln.folded) or _SIGNERS_LABEL.match(ln.folded)
            tail = (_without_noise(ln) if loose else ln.raw)[g.end():] if g else ""
            for piece in re.split(r"[,;]|\bvà\b|\bva\b", tail):
                piece = piece.strip(" :-")
                name = read_name(piece)
                if name is None:  # "do ông Trần Văn B làm đại diện"
                    p = _PERSON_IN_PIECE.search(fold(piece))
                    name = read_name(piece[p.end():]) if p and len(fold(piece)) == len(piece) else None
                if name:
                    names.append(name)
        elif loose and ln.raw.strip():
            row = _without_noise(ln)
            if not row.strip(" .:-()"):
                continue  # "(Ký, ghi rõ họ tên)"
            names = _names_in_row(row) or []
        if names:
            found.extend((nm, i) for nm in names)
            misses = 0
        elif i > start and ln.raw.strip():
            is_detail = address_after_cue(ln.raw) is not None or _ID.search(ln.folded)
            if not is_detail:
                misses += 1
                if misses >= 3 or (found and misses >= 2) or (loose and found and not any(
                        _ITEM.match(lines[j].raw) for j in range(start, i))):
                    break
    return found


def _group(lines: list[_Line]) -> list[tuple[str, int]]:
    members: list[tuple[str, int]] = []
    for i, ln in enumerate(lines):
        if _GROUP.search(ln.folded):
            members.extend(_item_names(lines, i))
    # the signers' list at the end: after a signature mark, a list intro or the date line
    tail_start = max(0, len(lines) - 40)
    for i in range(tail_start, len(lines)):
        f = lines[i].folded
        if SIGNATURE_CUE.search(f) or _LIST_INTRO.match(f) or _SIGNERS_LABEL.match(f):
            members.extend(_item_names(lines, i, loose=True))
        elif _DATE_LINE.search(f):
            members.extend(_item_names(lines, i))
    seen: set[str] = set()
    out = []
    for name, i in members:
        if fold(name) not in seen:
            seen.add(fold(name))
            out.append((name, i))
    return out


def _is_group_letter(lines: list[_Line]) -> bool:
    return any(_GROUP.search(ln.folded) for ln in lines)


def _after_name(line: _Line, name: str) -> str | None:
    """An address written right after the name on the introduction line ("Tôi là A, tổ 3 phường B")."""
    words = fold(name).split()
    m = re.search(r"\b" + r"\s+".join(map(re.escape, words)) + r"\b", line.folded)
    return address_after_name(line.raw[m.end():]) if m else None


_WE_ARE = re.compile(r"\bchung\s+toi\s+(?:la|gom)\b")


def _we_are_address(lines: list[_Line]) -> str | None:
    """The place a group or anonymous writers give in their introduction, with no cue: "Chúng tôi là các
    hộ nông dân xóm 11, xã Hải Nam, huyện Hải Hậu, …"."""
    for ln in lines:
        m = _WE_ARE.search(ln.folded)
        if m:
            return address_after_name(ln.raw[m.end():])
    return None


def _member(lines: list[_Line], name: str, i: int) -> Petitioner:
    nxt = i + 1 if i + 1 < len(lines) and not _ITEM.match(lines[i + 1].raw) else i
    return Petitioner(name=name, id_number=_id_in(lines[i:nxt + 1]), address=_address_near(lines, i, nxt + 1))


def extract_petitioners(text: str) -> PetitionerResult:
    """Find the writer(s) of a letter; anonymous when no real name is given."""
    lines = _lines(text)
    intro = _intro(lines)
    sig = _signature(lines)
    group = _group(lines) if _is_group_letter(lines) or not intro else []

    if len(group) >= 2:
        petitioners = [_member(lines, n, i) for n, i in group]
        if intro and fold(intro[0]) not in {fold(p.name or "") for p in petitioners}:
            petitioners.insert(0, _member(lines, intro[0], intro[1]))
        if petitioners[0].address is None:  # "Cùng trú tại: …" may follow a long list of signers
            petitioners[0].address = (_we_are_address(lines) or _address_near(lines, 0, len(lines) // 2 + 1)
                                      or _address_near(lines, 0, len(lines)))
        declared = max((int(m.group(1)) for ln in lines for m in _COUNT.finditer(ln.folded)), default=0)
        count = max(len(petitioners), declared if declared < 500 else 0)
        listed = {fold(p.name or "") for p in petitioners}
        agree = (fold(sig) in listed) if sig else None
        return PetitionerResult(petitioners, count, False, petitioners[0].address, "group", agree)

    name, at = (intro[0], intro[1]) if intro else (sig, None) if sig else (None, None)
    source = "intro" if intro else "signature" if sig else ""
    if name is None:
        fwd = next(((i, m) for i, ln in enumerate(lines) for m in _FORWARDED.finditer(ln.folded)), None)
        if fwd:
            name = read_name(lines[fwd[0]].raw[fwd[1].end():])
            at = fwd[0] if name else None
            source = "forwarded" if name else ""
    if name and sig and fold(name) == fold(sig) and fold(name) == name.lower() and fold(sig) != sig.lower():
        name = sig  # the signature kept the diacritics the introduction lacks
    if name is None:
        return PetitionerResult([], 0, True, _we_are_address(lines) or _address_near(lines, 0, len(lines)))

    start = at if at is not None else 0
    stop = start + 8 if at is not None else len(lines)
    cued = _address_near(lines, start, start + 1)
    after_name = _after_name(lines[at], name) if at is not None else None
    if cued and after_name and names_a_unit(after_name) and not names_a_unit(cued):
        cued = None  # "Tôi là A, tổ dân phố 6, phường B. … ngập ở tổ tôi": the place that names a commune
    address = cued or after_name or _address_near(lines, start, stop) or _address_near(lines, 0, len(lines))
    ident = _id_in(lines[start:stop])
    agree = fold(intro[0]) == fold(sig) if intro and sig else None
    return PetitionerResult([Petitioner(name=collapse_spaces(name), id_number=ident, address=address)], 1,
                            False, address, source, agree)
