"""Address spans in a letter: the petitioner's address and where the matter happened.

Public functions:
- :func:`address_after_cue` — the address span that follows an address cue in one line
  ("Địa chỉ: …", "trú tại …", "ở xóm …"), trimmed to the address alone;
- :func:`extract_incident_location_how` — where the matter happened when the letter says so, and how
  the place resolved.
"""

from __future__ import annotations

import re

from extractors.layout import ABBREVIATIONS, addressee_lines
from extractors.units import resolve_address, resolve_address_how
from models.record import Location
from petitions.text import collapse_spaces, fold, nfc

_LEVEL_WORDS = r"xa|phuong|thi tran|dac khu|huyen|quan|thi xa|thanh pho|tinh"
_LEVEL = r"(?:" + _LEVEL_WORDS + r"|tp|tx|tt|p|x|h|q)"
_NAMED_UNIT = re.compile(r"\b(?:" + _LEVEL_WORDS.replace(" ", r"\s+") + r")\s+\w")


def names_a_unit(span: str) -> bool:
    """The span names an administrative unit in full ("xã Đồng Du", "phường Nam Sơn"), not only a hamlet or
    a street ("tổ tôi", "xóm Chợ")."""
    return bool(_NAMED_UNIT.search(fold(span)))


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
    # "địa chỉ thôn …" (no colon), "nhà số 22 đường …", "cử tri phường …"
    re.compile(r"\b(?:tru|que|o|tai|nguoi\s+dan|cu\s+dan|cu\s+tri|ho\s+dan|(?<!tiep )cong\s+dan|dia\s+chi|nha)\s*:?\s+(?="
               + _STREET + r"\b|" + _LEVEL + r"\b)"),
]

# What ends an address inside a sentence (matched on folded text). One-syllable words that end it
# ("là", "vì", "có", "đã" …) are also syllables of place names once tone marks are gone ("xã La
# Sơn", "phường Vị Khê"): right after a level word they start the name and do not end the address.
_AFTER_LEVEL = "".join(f"(?<!{w} )" for w in ("xa", "xom", "thon", "huyen", "tinh", "phuong", "doi", "to", "tran",
                                                       "quan", "khu", "pho", "ap", "ban", "lang", "khoi",
                                                       r"tt\.", r"p\.", r"x\.", r"tx\.", r"tp\."))
_SHORT_ENDS = ("xin", "kinh", "la", "vi", "toi", "cung", "da", "co", "voi", "va", "gan", "cach", "phia")
_END = re.compile(
    r"\s*(?:[;(|]|\bso dien thoai\b|\bdien thoai\b|\bsdt\b|\bdt\s*[:.]|\bd\.t\b|\bemail\b|\bcccd\b|\bcmnd\b"
    r"|\bcan cuoc\b|\bso cccd\b|\bnay\b(?!\s+(?:la|thuoc)\s+(?:xa|phuong|thi tran|dac khu|tinh|thanh pho)\b)"
    + "".join(rf"|{_AFTER_LEVEL}\b{w}\b" for w in _SHORT_ENDS)
    + r"|\bco don\b|\blam don\b|\bchung toi\b|\bsinh nam\b|\bnam sinh\b|\bnghe nghiep\b|\bdai dien\b"
    r"|\bve viec\b|\bde nghi\b|\bdoi voi\b|\bxin trinh bay\b|\bnoi o\b|\bngay canh\b|\bdoi dien\b"
    r"|\bso\s*:\s*\d"  # a letterhead's "Số: 07/HTX-HN" that a scan put on the address's line
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


def address_after_name(rest: str) -> str | None:
    """An address written straight after the writer's name, with no cue: "Tôi là Vũ Thị Nga, tổ 3 phường
    Châu Sơn." (``rest`` is the line after the name). Only a piece that starts with a street or level
    word counts, after a comma or right after the name."""
    rest = nfc(rest)
    folded = fold(rest)
    if len(folded) != len(rest):
        rest = folded
    m = _AFTER_NAME.search(folded)
    if not m:
        return None
    span = collapse_spaces(rest[m.end():][: _cut(folded[m.end():])]).strip(" ,.-:")
    return span or None


# after a comma ("Vũ Thị Nga, tổ 3 …"), or straight after the name ("luu van phong xom 2 xa vu ban", typed in haste)
_AFTER_NAME = re.compile(r"^(?:[^.;]{0,80}?,\s*|\s+)(?=(?:" + _STREET + "|" + _LEVEL + r")\b\s*\w)")


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
        if next_line and (rest.rstrip().endswith((",", "-")) or not rest.strip(" :")):
            # the address wraps to the next line, or starts there ("địa chỉ:" ends the line)
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
_INCIDENT_CUE = (
    r"\b(?:xay\s+ra\s+(?:tai|o)|tai|tren\s+dia\s+ban|thuoc(?:\s+dia\s+phan)?|o|khu\s+vuc|dia\s+ban|doan\s+(?:di\s+)?qua"
    r"|(?:di|chay|di\s+ngang)\s+qua|nam\s+(?:tren|o|tai))\s+"
)
_INCIDENT = re.compile(
    _INCIDENT_CUE + r"(?:(?:" + _STREET + r"|trung\s+tam|tram|truong|cong\s+truong|khu|cho|nha|benh\s+vien|thua\s+dat"
    r"|manh\s+dat|cong\s+ty|xuong|cua\s+hang|quan)\s+[\w ,]{0,45}?,?\s*)?(?=(?:xa|phuong|thi tran|dac khu)\s+\w)"
)
# "việc xảy ra ở tỉnh Hà Tĩnh": a province alone counts only when it is not the writer's.
_INCIDENT_PROVINCE = re.compile(_INCIDENT_CUE + r"(?=(?:tinh|thanh\s+pho)\s+\w)")
# The writer's (or a co-signer's) own residence: "trú tại", "tôi ở", "sinh sống tại", "quê ở" …
_RESIDENCE_BEFORE = re.compile(
    r"(?:\b(?:tru|song|sinh\s+song|cu\s+tru|thuong\s+tru|tam\s+tru|que|nha|dia\s+chi|toi|chung\s+toi|em|chau"
    r"|gia\s+dinh(?:\s+toi)?|ho\s+khau|dan|nguoi|cong\s+dan|cu\s+dan|ho\s+dan|ba\s+con|nguoi\s+dan)"
    r"(?:\s+(?:hien|hien\s+nay|dang|deu|cung|van))*\s*:?\s*)$"
)
# "(cũ)", "(trước đây)" after an old unit: dropped so that the rest of the address is read.
_FORMER_NOTE = re.compile(r"\s*\((?:cu|truoc\s+day|truoc\s+kia|nay\s+da\s+sap\s+nhap)\)")


_PLACE_WORDS = frozenset({
    "xa", "phuong", "tran", "dac", "khu", "huyen", "quan", "thanh", "pho", "tinh", "tp", "tx", "tt", "p", "x", "h",
    "q", "t", "thon", "xom", "to", "dan", "tdp", "ap", "ban", "so", "nha", "duong", "ngo", "lang", "cum", "khoi",
    "doi", "cu", "nay", "la", "thuoc",
})


def _trim_to_place(span: str) -> str:
    """In mixed-case text, an address ends at the first lower-case word that is no level or street word
    ("phường Hoa Lư thì bị …" -> "phường Hoa Lư"). Text in one case is returned as it is."""
    letters = [c for c in span if c.isalpha()]
    if not any(c.isupper() for c in letters) or all(c.isupper() for c in letters):
        return span
    prev: re.Match[str] | None = None
    for m in re.finditer(r"[^\s,.;:()\-–]+", span):
        tok = m.group()
        f = fold(tok)
        # a full stop after a word that is no abbreviation ("P.", "TP.") ends the sentence, and the place
        if prev is not None and re.match(r"\.\s", span[prev.end():m.start()]) and fold(prev.group()) not in ABBREVIATIONS:
            return span[: prev.end()]
        prev = m
        if f == "thi":  # "thì" ends the place, "thị trấn" / "thị xã" does not
            nxt = fold(span[m.end():].lstrip()[:4])
            if not nxt.startswith(("tran", "xa")):
                return span[: m.start()].rstrip(" ,.-–:")
            continue
        if tok[0].isupper() or tok[0].isdigit() or f in _PLACE_WORDS:
            continue
        return span[: m.start()].rstrip(" ,.-–:")
    return span


def _shortest_place(span: str, home_province: str) -> tuple[Location | None, list[str]]:
    """Text in one case ("PHƯỜNG TÂY HOA LƯ CHẠY MÁY …"): drop words from the end until a commune resolves."""
    words = span.split()
    for n in range(min(len(words) - 1, 8), 1, -1):
        loc, how = resolve_address_how(" ".join(words[:n]), home_province)
        if loc is not None and loc.commune is not None:
            return loc, how
    return None, []


def _without_former_notes(line: str, folded: str) -> tuple[str, str]:
    spans = [m.span() for m in _FORMER_NOTE.finditer(folded)]
    for a, b in reversed(spans):
        line, folded = line[:a] + line[b:], folded[:a] + folded[b:]
    return line, folded


def extract_incident_location_how(text: str, petitioner: Location | None, home_province: str,
                                  skip: str | None = None) -> tuple[Location | None, list[str]]:
    """Where the matter happened, if it differs from ``petitioner``'s place, and how the place resolved
    (the evidence labels of :func:`extractors.units.resolve_address_how`).

    Read from a place cue followed by a commune or ward ("thửa đất tại thôn 2, xã …", "tại công trường ở
    phường …", "trên địa bàn xã …", "đoạn qua xã …", "việc xảy ra ở xã …, huyện … (cũ), tỉnh …"), the span
    resolved like the petitioner's address (old units converted). The writer's residence ("trú tại …",
    "tôi ở …"), the "Kính gửi" block (:func:`extractors.layout.addressee_lines`), the "Nơi nhận" lines and mentions inside ``skip`` (the petitioner's address
    as written) are not incident places; a mention that resolves to the petitioner's own commune is passed
    over. A province alone ("xảy ra tại tỉnh …") counts when it is not the writer's nor the office's.
    """
    lines = nfc(text).splitlines()
    skip_f = fold(skip) if skip else None
    home = resolve_address(home_province, home_province)
    for raw, extent in zip(lines, addressee_lines(lines), strict=True):
        line = raw[extent:]  # the addressee is no place of the matter; the letter may go on after it
        folded = fold(line)
        if len(folded) != len(line):
            line = folded
        if not line.strip() or folded.lstrip(" -+*").startswith("noi nhan"):
            continue
        line, folded = _without_former_notes(line, folded)
        matches = sorted([*_INCIDENT.finditer(folded), *_INCIDENT_PROVINCE.finditer(folded)], key=lambda m: m.start())
        for m in matches:
            if _RESIDENCE_BEFORE.search(folded[max(0, m.start() - 40): m.start()]):
                continue
            rest, rest_f = line[m.end():], folded[m.end():]
            span = _trim_to_place(collapse_spaces(rest[: _cut(rest_f)]).strip(" ,.-:"))
            if not span or (skip_f and fold(span) in skip_f):
                continue
            loc, how = resolve_address_how(span, home_province)
            if (loc is None or loc.commune is None) and m.re is _INCIDENT:
                shorter, shorter_how = _shortest_place(span, home_province)
                if shorter is not None:
                    loc, how = shorter, shorter_how
            if loc is None:
                continue
            if loc.commune is None:
                if m.re is not _INCIDENT_PROVINCE or loc.province_code in {
                        home.province_code if home else None, petitioner.province_code if petitioner else None}:
                    continue
                return loc, how
            if petitioner is not None and petitioner.commune_code == loc.commune_code:
                continue
            return loc, how
    return None, []
