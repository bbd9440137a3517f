"""The parts of a letter's layout that several readers must leave out.

- :func:`addressee_lines` — which lines make the "Kính gửi" block: the bodies written to are
  neither the accused, nor the matter's place, nor words of the matter;
- :data:`SIGNATURE_CUE` — the words that open the writer's signature block ("Người làm đơn", "Kính
  đơn", "(Ký, ghi rõ họ tên)"): the letter's matter ends there and the signers' names follow;
- :func:`without_identity` — a line without the sentences that give the writer's identity
  (:data:`IDENTITY`), split by :func:`sentences` (an address abbreviation's stop ends none).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from petitions.text import fold

# Address abbreviations written with a full stop ("P. Hoa Lư", "TP. Nam Định", "TDP. 3"): that stop ends
# no sentence.
ABBREVIATIONS = frozenset({"p", "x", "q", "h", "t", "tp", "tx", "tt", "tdp", "kp", "st"})
_STOP = re.compile(r"(\w+)([.!?])\s+")


def sentences(text: str) -> list[str]:
    """``text`` split after each full stop (or ! ?) that ends a sentence, not an abbreviation's."""
    out: list[str] = []
    start = 0
    for m in _STOP.finditer(text):
        if m.group(2) == "." and fold(m.group(1)) in ABBREVIATIONS:
            continue
        out.append(text[start:m.end()].rstrip())
        start = m.end()
    out.append(text[start:])
    return [s for s in out if s]


# A sentence that gives the writer's identity: name, birth year, ID card, address, phone, occupation
# (matched on folded text).
IDENTITY = re.compile(
    r"\b(?:cccd|cmnd|can cuoc|sinh nam|nam sinh|sn|dia chi|dc|tru tai|cu tru|thuong tru|tam tru|dien thoai|sdt"
    r"|ho va ten|ho ten|toi ten|toi la|chau ten|chau la|em ten|em la|chung toi la|nghe nghiep)\b"
)


def without_identity(line: str) -> str:
    """``line`` without the sentences that give the writer's identity (a scan's paragraph may join
    the matter's first sentences to them); folded or not, as given."""
    if not IDENTITY.search(fold(line)):
        return line
    return " ".join(s for s in sentences(line) if not IDENTITY.search(fold(s)))


ADDRESSEE_CUE = re.compile(r"^\W*(?:kinh\s+gui|dong\s+kinh\s+gui|kg)\b")  # on a folded line
# On folded text, anywhere in a line: a signature line may carry a date or a name before or after it.
SIGNATURE_CUE = re.compile(
    r"\b(?:nguoi\s+(?:viet|lam|gui|dung|to\s*cao)\s+don|nhung\s+nguoi\s+(?:lam|viet)\s+don|kinh\s+don"
    r"|nguoi\s+(?:to\s+cao|khieu\s+nai|kien\s+nghi|phan\s+anh|de\s+nghi|trinh\s+bay)"
    r"|ky\s*(?:,|va)?\s*(?:ghi\s*ro|ro\s+ho)|da\s+ky|(?:nguoi\s+)?ky\s+ten)\b"
)
# A line that opens with it; "Người khiếu nại: Hà Văn T" with the name on the line is an identity label.
SIGNATURE_LINE = re.compile(r"(?m)^[ \t\W]*(?:" + SIGNATURE_CUE.pattern + r")(?!\s*:\s*\w)")
_LIST_ITEM = re.compile(r"^\s*(?:[-+•*–]|\d{1,2}[.)])\s*")
_CARRIED_ON = 80  # a line this short after a one-line cue still names the addressee ("UBND xã …")


def addressee_lines(lines: Sequence[str]) -> list[int]:
    """For each line of a letter (as written or folded), how many of its first characters belong to
    the "Kính gửi" block (0: none). The block is the cue line ("Kính gửi:", "Đồng kính gửi:", "KG:"),
    then the list items under it ("- Chủ tịch UBND xã …"), or one short line that carries a lone cue
    line on and gives no identity. A blank line or any other line ends it, and so does a cue line
    that goes on to the writer's identity or past a full stop ("Kính gửi UBND xã X, tôi tên là …":
    the letter written on the cue's line)."""
    out: list[int] = []
    block = 0  # lines in the current block
    for raw in lines:
        line = " ".join(fold(raw).split())
        extent = len(raw)
        if not line:
            block = 0
        elif ADDRESSEE_CUE.match(line):
            block = 1
            extent = _cue_line_end(raw)
        elif block and (_LIST_ITEM.match(raw) or block == 1 and len(line) < _CARRIED_ON and not IDENTITY.search(line)):
            block += 1
        else:
            block = 0
        out.append(extent if block else 0)
        if block and extent < len(raw):
            block = 0
    return out


def _cue_line_end(raw: str) -> int:
    """Where the addressee of a cue line ends: at its first full stop (not an abbreviation's, "TP. Nam
    Định"), or before the writer's identity (at the comma before it), or at the end of the line."""
    end = len(sentences(raw)[0]) if raw.strip() else len(raw)
    folded = fold(raw[:end])
    ident = IDENTITY.search(folded if len(folded) == end else raw[:end].lower())
    if ident is None:
        return end
    comma = raw.rfind(",", 0, ident.start())
    return comma + 1 if comma >= 0 else ident.start()
