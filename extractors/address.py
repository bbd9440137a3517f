"""Address spans in a letter: the petitioner's address and where the matter happened.

Public functions:
- :func:`address_after_cue` — the address span that follows an address cue in one line
  ("Địa chỉ: …", "trú tại …", "ở xóm …"), trimmed to the address alone;
- :func:`extract_incident_location` — where the matter happened when the letter says so.
"""

from __future__ import annotations

import re

from extractors.units import resolve_address
from models.record import Location
from petitions.text import collapse_spaces, fold, nfc

_LEVEL = r"(?:xa|phuong|thi tran|dac khu|huyen|quan|thi xa|thanh pho|tinh|tp|tx|tt|p|x|h|q)"
_STREET = r"(?:xom|thon|to dan pho|tdp|to|khu pho|khu|ap|ban|so nha|so(?=\s+\d)|duong|ngo|pho|lang|cum|khoi|doi)"

# Cues, tried in order; each is matched on the folded line and the span starts where the cue ends.
_CUES = [
    re.compile(
        r"(?:dia chi(?: thuong tru| cu tru| lien he| lien lac| hien nay| noi o| hien tai| tam tru)?"
        r"|noi (?:cu tru|o hien nay|o hien tai|thuong tru|o|dang ky thuong tru)|cho o hien nay|cho o"
        r"|ho khau thuong tru|ho khau|hktt|tru quan|thuong tru|tam tru|cu tru|(?<!\w)(?:dc|d/c|d\.c))\s*[:\-]\s*"
    ),
    re.compile(
        r"\b(?:hien dang thuong tru|hien thuong tru|thuong tru|tam tru|cu tru|hien cu tru|hien tru|tru|"
        r"hien dang song|dang sinh song|sinh song|song|hien dang o|hien o|dang o|co ho khau)\s+(?:tai|o)\s*:?\s*"
    ),
    re.compile(r"\b(?:tru|que|o|tai|nguoi\s+dan|cu\s+dan|ho\s+dan|cong\s+dan)\s*:?\s+(?=" + _STREET + r"\b|"
               + _LEVEL + r"\b)"),
]

# What ends an address inside a sentence (matched on folded text). One-syllable words that end it
# ("là", "vì", "có", "đã" …) are also syllables of place names once tone marks are gone ("xã La
# Sơn", "phường Vị Khê"): right after a level word they start the name and do not end the address.
_AFTER_LEVEL = "".join(f"(?<!{w} )" for w in ("xa", "xom", "thon", "huyen", "tinh", "phuong", "doi", "to"))
_SHORT_ENDS = ("xin", "kinh", "la", "vi", "toi", "cung", "da", "co", "voi", "va", "gan", "cach", "phia")
_END = re.compile(
    r"\s*(?:[;(|]|\bso dien thoai\b|\bdien thoai\b|\bsdt\b|\bdt\s*[:.]|\bd\.t\b|\bemail\b|\bcccd\b|\bcmnd\b"
    r"|\bcan cuoc\b|\bso cccd\b|\bnay\b(?!\s+(?:la|thuoc)\s+(?:xa|phuong|thi tran|dac khu|tinh|thanh pho)\b)"
    + "".join(rf"|{_AFTER_LEVEL}\b{w}\b" for w in _SHORT_ENDS)
    + r"|\bco don\b|\blam don\b|\bchung toi\b|\bsinh nam\b|\bnam sinh\b|\bnghe nghiep\b|\bdai dien\b"
    r"|\bve viec\b|\bde nghi\b|\bdoi voi\b|\bxin trinh bay\b|\bnoi o\b|\bngay canh\b|\bdoi dien\b"
    r"|,\s*(?:chau\s+(?:toi|la|o|lam|xin|viet|co)|em|nha\s+toi|chong|vo|con\s+(?:toi|trai|gai)|bo\s+toi|me\s+toi|gia\s+dinh"
    r"|hien\s+(?:nay|dang|o)|ngay)\b)"
)
_ABBREV_BEFORE_DOT = re.compile(r"(?:^|[\s,])(?:[a-z]{1,2}|tp|tx|tt|tdp)$")


def _cut(folded: str) -> int:
    """Where the address ends in a folded span: at a terminator or at a full stop that is no abbreviation."""
    end = len(folded)
    m = _END.search(folded)
    if m:
        end = m.start()
    for dot in re.finditer(r"\.(?:\s|$)", folded[:end]):
        if not _ABBREV_BEFORE_DOT.search(folded[: dot.start()]):
            return dot.start()
    return end


def address_after_cue(line: str, next_line: str | None = None) -> str | None:
    """The address that follows an address cue in ``line`` (joined with ``next_line`` if it wraps)."""
    line = nfc(line)
    folded = fold(line)
    if len(folded) != len(line):  # offsets would not map back: work on the folded text only
        line = folded
    labelled = list(_CUES[0].finditer(folded))
    others = sorted((m for cue in _CUES[1:] for m in cue.finditer(folded)), key=lambda m: m.start())
    for m in labelled + others:
        rest, rest_f = line[m.end():], folded[m.end():]
        if next_line and rest.rstrip().endswith((",", "-")):
            nl = nfc(next_line)
            rest, rest_f = rest.rstrip() + " " + nl.strip(), rest_f.rstrip() + " " + fold(nl).strip()
            if len(rest) != len(rest_f):
                rest = rest_f
        end = _cut(rest_f)
        span = collapse_spaces(rest[:end]).strip(" ,.-:")
        if span and (m.re is _CUES[0] or _ADDRESS_WORD.search(rest_f[:end])):
            return span
    return None


_ADDRESS_WORD = re.compile(r"\b(?:" + _STREET + "|" + _LEVEL + r")\b")
_INCIDENT = re.compile(
    r"\b(?:tai|tren dia ban|thuoc|o|khu vuc|dia ban)\s+(?:(?:" + _STREET + r")\s+[\w ]{1,20}?,?\s*)?"
    r"(?=(?:xa|phuong|thi tran|dac khu)\s+\w)"
)


def extract_incident_location(text: str, petitioner: Location | None, home_province: str,
                              skip: str | None = None) -> Location | None:
    """Where the matter happened ("tại xã …", "trên địa bàn phường …"), if it differs from ``petitioner``.

    ``skip`` is the petitioner's address as written: mentions inside it are ignored.
    """
    lines = nfc(text).splitlines()
    skip_f = fold(skip) if skip else None
    for raw in lines:
        line = raw
        folded = fold(line)
        if len(folded) != len(line):
            line = folded
        if folded.lstrip().startswith(("kinh gui", "dong kinh gui", "noi nhan")):
            continue
        for m in _INCIDENT.finditer(folded):
            rest, rest_f = line[m.end():], folded[m.end():]
            span = collapse_spaces(rest[: _cut(rest_f)]).strip(" ,.-:")
            if not span or (skip_f and fold(span) in skip_f):
                continue
            loc = resolve_address(span, home_province)
            if loc is None or loc.commune is None:
                continue
            if petitioner is not None and petitioner.commune_code == loc.commune_code:
                return None
            return loc
    return None
