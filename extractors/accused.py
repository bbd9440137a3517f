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

from extractors.layout import addressee_lines
from extractors.petitioner import read_name
from models.record import Accused, Decision
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
    sections: str


@lru_cache(maxsize=1)
def _data() -> _Data:
    d = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    pos = sorted(d["positions"].items(), key=lambda kv: -len(kv[0]))
    positions = tuple(
        (re.compile(r"\b" + re.escape(k).replace(r"\ ", r"\s+").replace(r"\-", r"\s*-\s*") + r"\b"), v)
        for k, v in pos
    )
    agencies = tuple((re.compile(r"\b(?:" + a["head"] + r")\b"), int(a["words"])) for a in d["agencies"])
    return _Data(positions, agencies, d["sections"])


def _proper_words(raw: str, folded: str, start: int, limit: int) -> int:
    """End offset after up to ``limit`` capitalised words (or numbers) starting at ``start``."""
    end = start
    for n, m in enumerate(re.finditer(r"\S+", raw[start:])):
        tok = m.group().rstrip(",.;:)")
        f = fold(tok)
        if n >= limit or not tok or not (tok[0].isupper() or tok[0].isdigit()):
            break
        # "Nam", "Lâm", "Ra" are also place-name words: a Title-case word is a name; only in text
        # written in capitals (where every word is capitalised) do the stop words end the name.
        if f in _NAME_STOP and (tok.isupper() or not tok[0].isupper()):
            break
        if raw[start + m.start() - 1: start + m.start()] not in (" ", ""):
            break
        end = start + m.start() + len(tok)
        if m.group() != tok:  # punctuation ends the name
            break
    return end


def _name_end(raw: str, folded: str, head_end: int, limit: int) -> int:
    """The end of a body's name: its head ("UBND xã", "Sở") ends at ``head_end``, followed after one space
    by up to ``limit`` capitalised words; a head followed by anything else ("bệnh viện.") ends there."""
    if raw[head_end: head_end + 1] != " ":
        return head_end
    return max(head_end, _proper_words(raw, folded, head_end + 1, limit))


def _agency(raw: str, folded: str, lo: int, hi: int) -> tuple[str, int] | None:
    """The first agency named in folded[lo:hi]: (display, start)."""
    best: tuple[str, int] | None = None
    for pat, words in _data().agencies:
        m = pat.search(folded, lo, hi)
        if not m or (best and best[1] <= m.start()):
            continue
        end = _name_end(raw, folded, m.end(), words)
        parent = re.search(r"\s(?:ubnd|uy ban nhan dan|dang bo|dang uy)\b", folded[m.end():end])
        if parent:
            end = m.end() + parent.start()
        # A section of a body: "Phòng Kinh tế UBND xã X", "Văn phòng … thuộc UBND xã X".
        nxt = re.match(r"[\s,]*(?:thuoc\s+|cua\s+)?(?=(?:uy ban nhan dan|ubnd)\s)", folded[end:])
        people_committee, pc_words = _data().agencies[0]  # data/accused.yaml lists "UBND <level>" first
        if nxt and pat is not people_committee:
            m2 = people_committee.match(folded, end + nxt.end())
            if m2:
                end = max(m2.end(), _proper_words(raw, folded, m2.end() + 1, pc_words))
        text = collapse_spaces(raw[m.start(): end])
        text = re.sub(r"(?i)(?:ủy|uỷ|uy)\s*ban\s+nhân\s+dân|uy ban nhan dan", "UBND", text)
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
    r"\b(?:viec\s+lam|hanh\s+vi|sai\s+pham|vi\s+pham|trach\s+nhiem|lua\s+dao)\b[^.\n]{0,40}?\bcua\s+"
)
_PERSON = re.compile(r"\b(?:ong|ba|anh|chi|doi tuong)\s+(?=\w)")
_DECISION_OF = re.compile(
    r"\b(?:quyet\s+dinh|qd|thong\s+bao|ket\s+luan|van\s+ban|cong\s+van|ban\s+an)\b[^\n]{0,90}?\b(?:cua|do)\s+"
)
_ACT_OF = re.compile(r"\bkhieu\s+nai\s+(?:doi\s+voi\s+)?(?:hanh\s+vi|viec)[^.\n]{0,150}?\bcua\s+")


# "đề nghị … xử lý (nghiêm) Công ty X", "buộc hộ ông X": the request names who did wrong.
_SANCTION = re.compile(
    r"\b(?:xu\s+ly(?:\s+nghiem)?|xu\s+phat|buoc|dinh\s+chi(?:\s+hoat\s+dong)?)\s+(?:(?:doi\s+voi|hanh\s+vi\s+cua)\s+)?"
    r"(?=(?:ho\s+)?(?:ong|ba|cong\s+ty|htx|hop\s+tac\s+xa|doanh\s+nghiep|co\s+so|chu\s+)\b)"
)
# A sentence that starts with a person and their post: "Bà Bùi Thị Y, Hiệu trưởng Trường …, đã …".
_SUBJECT_PERSON = re.compile(r"(?:^|(?<=[.\n]))\s*(?=(?:ong|ba)\s+\w+[^,\n]{0,40},\s*\w)")
# A body that issued the act complained about: "UBND xã X (đã) ra văn bản từ chối …".
_ISSUED = re.compile(
    r"\s*(?:da\s+|lai\s+)?(?:ra|ban\s+hanh|ky|co|gui)\s+(?:quyet\s+dinh|qd|van\s+ban|thong\s+bao|cong\s+van|ket\s+luan)\b"
)
# A sentence that opens on a person's house or business: "Nhà ông X ở xóm Đoài tổ chức đánh bạc", "Cơ sở sản
# xuất của bà Y làm thịt lợn bơm nước", "Công trình kênh tưới do ông Z làm chủ đầu tư".
_PLACE_OF_PERSON = re.compile(
    r"(?:^|(?<=[.\n!]))\s*(?:nha|co\s+so(?:\s+san\s+xuat|\s+kinh\s+doanh)?|quan|xuong|cua\s+hang|trang\s+trai"
    r"|cong\s+trinh[^.\n]{0,40}?|lo\s+\w+|bai\s+\w+)\s+(?:cua\s+|do\s+)?(?:ho\s+)?(?:ong|ba|anh|chi)\s+(?=\w)"
)
_SENTENCE_END = re.compile(r"\.(?:\s|$)|\n\s*\n|;|\n(?=\s*(?:[-+•*]|\d{1,2}[.)])\s)")


def _sentence_end(folded: str, start: int, limit: int) -> int:
    m = _SENTENCE_END.search(folded, start, limit)
    return m.start() if m else limit


def _addressee_span(folded: str) -> tuple[int, int]:
    """Offsets of the first "Kính gửi" block (:func:`extractors.layout.addressee_lines`): the addressee is
    never taken for the accused."""
    lo = hi = offset = 0
    for line, extent in zip(lines := folded.split("\n"), addressee_lines(lines), strict=True):
        if extent:
            lo, hi = (offset if hi == 0 else lo), offset + extent
        elif hi:
            break
        offset += len(line) + 1
    return lo, hi


_LABELLED = re.compile(
    r"(?m)^\W*(?:nguoi|doi\s+tuong|co\s+quan|don\s+vi|to\s+chuc)\s+bi\s+(?:to\s+cao|khieu\s+nai)\s*(?:la)?\s*[:\-]\s*"
)
_UNIT_AFTER_POST = re.compile(r"\s*,?\s*(?:ubnd\s+|uy\s+ban\s+nhan\s+dan\s+)?(xa|phuong|thi\s+tran|dac\s+khu)\s+(?=\w)")


# Words that cannot belong to a post or a section named between the post and its body.
_NOT_POST = re.compile(
    r"\b(?:da|dang|nhan|la|co|khong|duoc|bi|ma|nguoi|ong|ba|ngay|nam|thang|nhieu|lai|con|vay|cung|nen|roi"
    r"|khi|vao|tai|o|ve|voi|hay|hoac|thi|de|cho|gay|lam|ra|len|xuong|chiem|lay|an|nhung)\b"
)
_TRAILING_LINK = re.compile(r"[\s,;:\-–]*(?:\b(?:thuoc|cua|tai|o)\s*)?$")


def _split_section(raw_org: str) -> tuple[str | None, str]:
    """ "Phòng Kinh tế UBND xã Y" -> ("Phòng Kinh tế", "UBND xã Y"); a body without a section -> (None, org)."""
    f = fold(raw_org)
    if len(f) != len(raw_org) or not re.match(_data().sections, f):
        return None, raw_org
    m = re.search(r"[\s,]*(?:\bthuoc\s+|\bcua\s+)?\b(?=(?:ubnd|uy ban nhan dan|dang bo|dang uy)\s)", f)
    if not m or m.start() == 0:
        return None, raw_org
    return raw_org[: m.start()].strip(" ,"), raw_org[m.end():]


def _post_with_section(raw: str, folded: str, pos: tuple[str, int, int], org: tuple[str, int] | None,
                       stop: int) -> tuple[str, str | None]:
    """The position as written up to its body, and the body: "công chức địa chính, Phòng Kinh tế" +
    "UBND xã Y"; "đảng viên chi bộ thôn 4" + "Đảng bộ xã Y"; "Chủ tịch UBND xã" + "UBND xã Y"."""
    display, p_start, p_end = pos
    if org is None:
        # a post followed by a short qualifier and no body ("đảng viên chi bộ thôn 4")
        m = re.match(r"[ \t]+((?:chi\s+bo|to|doi|thon|xom|ban)\s+[\w ]{1,20}?)(?=\s*(?:[,.;\n]|$))",
                     folded[p_end:stop])
        if m and not _NOT_POST.search(m.group(1)):
            extra = collapse_spaces(raw[p_end + m.start(1): p_end + m.end(1)])
            return f"{display} {extra}", None
        return display, None
    org_text, org_start = org
    if org_start < p_end:  # "Chủ tịch UBND xã Y": the post names its body
        return display, org_text
    section, parent = _split_section(org_text)
    gap_f = folded[p_end:org_start]
    if len(gap_f) > 60 or _NOT_POST.search(gap_f) or re.search(r"[.;\n]", gap_f):
        return display, org_text
    gap = collapse_spaces(_TRAILING_LINK.sub("", raw[p_end:org_start]))
    position = f"{display} {gap}" if gap else display
    if section:
        comma = "," if "," in raw[p_end:org_start] else ""
        return f"{position}{comma} {section}", parent
    return position, org_text


def _is_commune_after_level(folded: str, at: int, cand: str) -> bool:
    """``cand`` (read as a name at ``at``) follows a commune level word and is that commune's name."""
    level = re.search(r"\b(xa|phuong|thi tran|dac khu|tinh)\s+$", folded[max(0, at - 12): at])
    if not level:
        return False
    from extractors.units import resolve_address

    loc = resolve_address(f"{level.group(1)} {cand}")
    if loc is None:
        return False
    if level.group(1) == "tinh":
        units = [loc.province, loc.legacy.province if loc.legacy else None]
    else:  # a current commune, or one abolished in 2025 ("phường Châu Cầu")
        units = [loc.commune, loc.legacy.commune if loc.legacy else None]
    return any(u is not None and fold(u) == fold(cand) for u in units)


def _person_at(raw: str, folded: str, start: int, window_end: int) -> Accused | None:
    """The accused person read at ``start``: name, then post and body in the same sentence.

    A post written before the name ("công chức tư pháp Trần Văn B của UBND xã Y") is read too.
    """
    pm = _PERSON.match(folded, start)
    at = pm.end() if pm else start
    name = read_name(raw[at: at + 80])
    pre_pos = None
    if not name and not pm:
        pre_pos = _position(folded, at, min(window_end, at + 60))
        if pre_pos and pre_pos[1] > at + 3:
            pre_pos = None
        if pre_pos:
            # the post first, then the name: "cán bộ địa chính xã Trần Văn B", "trưởng thôn Lê Văn C"
            for nm in re.finditer(r"\S+", raw[pre_pos[2]: min(len(raw), pre_pos[2] + 60)]):
                cand = read_name(raw[pre_pos[2] + nm.start(): pre_pos[2] + nm.start() + 80])
                if cand and _is_commune_after_level(folded, pre_pos[2] + nm.start(), cand):
                    break  # "cán bộ xã Ninh Giang": the commune, not a person
                if cand:
                    name, at = cand, pre_pos[2] + nm.start()
                    break
                if _NOT_POST.search(fold(nm.group())):
                    break
    anchor = at + len(name) if name else start
    stop = _sentence_end(folded, anchor, min(window_end, anchor + 160))
    # a post written before the name: what lies between the name and the body is not part of the post
    pos = (pre_pos[0], pre_pos[1], anchor) if pre_pos and name else _position(folded, anchor, min(stop, anchor + 120))
    org_lo = pos[1] if pos else anchor
    org = _agency(raw, folded, max(org_lo, anchor) if pre_pos and name else org_lo, stop)
    if pos:
        position, organization = _post_with_section(raw, folded, pos, org, stop)
    else:
        position, organization = None, (org[0] if org else None)
        if organization:
            section, parent = _split_section(organization)
            organization = parent if section else organization
            position = section
    if pos and organization is None:
        # "công chức tư pháp xã Nam Sơn": the post's unit without "UBND".
        um = _UNIT_AFTER_POST.match(folded, pos[2])
        if um:
            end = _proper_words(raw, folded, um.end(), 4)
            if end > um.end():
                unit = collapse_spaces(raw[um.start(1): end])
                organization = "UBND " + unit[:1].lower() + unit[1:]
    if not (name or pos):
        return None
    return Accused(name=name, position=position, organization=organization)


def _denunciation(raw: str, folded: str, labelled_only: bool = False) -> Accused | None:
    for m in _LABELLED.finditer(folded):
        found = _person_at(raw, folded, m.end(), min(len(folded), m.end() + 300))
        if found:
            return found
        # a body labelled as the accused ("Người bị khiếu nại: Chi nhánh Văn phòng Đăng ký đất đai …")
        line_end = folded.find("\n", m.end())
        org = _agency(raw, folded, m.end(), line_end if line_end >= 0 else len(folded))
        if org:
            return Accused(organization=org[0])
    if labelled_only:
        return None
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
        if m.re is _WRONGDOING and not _PERSON.match(folded, m.end()) and not read_name(raw[m.end(): m.end() + 80]):
            continue  # "hành vi … của" + neither "ông/bà" nor a name: a body, read elsewhere
        pm = _PERSON.search(folded, m.end(), min(window_end, m.end() + 200))
        start = m.end()
        if pm and read_name(raw[pm.end(): pm.end() + 80]):
            start = pm.start()
        # The post and body follow the name in the same sentence ("ông X, công chức địa chính xã Y");
        # the next sentence ("Đề nghị Chủ tịch UBND xã Y …") names who should act, not the accused.
        found = _person_at(raw, folded, start, window_end)
        if found:
            return found
    return None


def _wrongdoer(raw: str, folded: str) -> Accused | None:
    """No "tố cáo" cue: the person or firm the letter asks to sanction, a sentence that starts with a
    person and their post ("Bà X, Hiệu trưởng Trường Tiểu học Y, đã thu …"), or one that starts with a
    person's house or business ("Nhà ông X ở xóm Đoài tổ chức đánh bạc …")."""
    lo, hi = _addressee_span(folded)
    for m in _SUBJECT_PERSON.finditer(folded):
        if lo <= m.start() < hi:
            continue
        pm = _PERSON.match(folded, m.end())
        if not pm:
            continue
        name = read_name(raw[pm.end(): pm.end() + 80])
        if not name:
            continue
        anchor = pm.end() + len(name)
        stop = _sentence_end(folded, anchor, min(len(folded), anchor + 160))
        pos = _position(folded, anchor, min(stop, anchor + 60))
        if pos is None or pos[1] > anchor + 3:
            continue
        # read like a denounced person: the post's section and unit ("cán bộ địa chính xã Y") included
        found = _person_at(raw, folded, m.end(), min(len(folded), stop + 1))
        if found and found.name == name:
            return found
        org = _agency(raw, folded, pos[1], stop)
        return Accused(name=name, position=pos[0], organization=org[0] if org else None)
    for m in _SANCTION.finditer(folded):
        if lo <= m.start() < hi:
            continue
        stop = _sentence_end(folded, m.end(), min(len(folded), m.end() + 120))
        hm = re.match(r"(?:ho\s+)?(?:ong|ba)\s+", folded[m.end():])
        if hm:
            at = m.end() + hm.end()
            name = read_name(raw[at: at + 80])
            if name:
                return Accused(name=name)
        org = _agency(raw, folded, m.end(), stop)
        if org and org[1] == m.end():
            return Accused(organization=org[0])
    at = _name_after(raw, folded, _PLACE_OF_PERSON, lo, hi)
    return None if at is None else _person_at(raw, folded, at, min(len(folded), at + 300))


def _name_after(raw: str, folded: str, cue: re.Pattern[str], lo: int, hi: int) -> int | None:
    """Where a name starts right after the first ``cue`` outside ``folded[lo:hi]`` (the addressee)."""
    for m in cue.finditer(folded):
        if lo <= m.start() < hi:
            continue
        if read_name(raw[m.end(): m.end() + 80]):
            return m.end()
    return None


_TARGET = re.compile(r"\b(?:doi\s+tuong|ke)\s+(?=\w)")


def _named_anywhere(raw: str, folded: str) -> Accused | None:
    """Last resort: "đối tượng Lương Văn H", or a post followed by a name ("trưởng thôn Lê Văn C") in the body."""
    lo, hi = _addressee_span(folded)
    at = _name_after(raw, folded, _TARGET, lo, hi)
    if at is not None:
        return _person_at(raw, folded, at, min(len(folded), at + 300))
    body = folded.find("\n\n", hi) if hi else 0
    hits: list[tuple[int, Accused]] = []
    for pat, _display in _data().positions:
        for m in pat.finditer(folded, max(body, 0)):
            found = _person_at(raw, folded, m.start(), min(len(folded), m.start() + 300))
            if found and found.name:
                hits.append((m.start(), found))
                break
    return min(hits, key=lambda h: h[0])[1] if hits else None


def _issuer(raw: str, folded: str) -> Accused | None:
    """ "UBND tỉnh Ninh Bình ban hành Quyết định số …", "Chủ tịch UBND xã X ký quyết định …"."""
    lo, hi = _addressee_span(folded)
    for pat, _words in _data().agencies:
        for m in pat.finditer(folded):
            if lo <= m.start() < hi:
                continue
            org = _agency(raw, folded, m.start(), m.end() + 80)
            if org is None or org[1] != m.start():
                continue
            end = _name_end(raw, folded, m.end(), _words)
            if not _ISSUED.match(folded, end):
                continue
            pos = _position(folded, max(0, m.start() - 30), m.start())
            position = pos[0] if pos and pos[2] >= m.start() - 2 else None
            return Accused(position=position, organization=org[0])
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


def _introduced(raw: str, folded: str, found: Accused) -> Accused:
    """A person denounced by name alone ("hành vi … của ông X") whose post and body the letter gave
    where it first named him ("Hồ sơ do ông X, chuyên viên Văn phòng …, thụ lý"): read them there."""
    if not found.name or found.position or found.organization:
        return found
    key = fold(found.name)
    lo, hi = _addressee_span(folded)
    for m in re.finditer(re.escape(key), folded):
        if lo <= m.start() < hi:
            continue
        other = _person_at(raw, folded, m.start(), min(len(folded), m.start() + 300))
        if other and other.name == found.name and (other.position or other.organization):
            return other
    return found


def _body(issuer: str | None) -> Accused | None:
    """An issuer as written with its decision ("Chủ tịch UBND xã Gia Viễn", "Sở Xây dựng") as post and body."""
    if not issuer:
        return None
    raw, folded = _texts(issuer)
    org = _agency(raw, folded, 0, len(folded))
    pos = _position(folded, 0, len(folded))
    if org is None and pos is None:
        return None
    position = pos[0] if pos and (org is None or pos[1] < org[1]) else None
    return Accused(position=position, organization=org[0] if org else None)


def extract_accused(text: str, contested: Decision | None = None) -> Accused | None:
    """The accused person/body of a denunciation, else the decision-maker of a complaint; None if unnamed."""
    return extract_accused_how(text, contested)[0]


def extract_accused_how(text: str, contested: Decision | None = None) -> tuple[Accused | None, str]:
    """:func:`extract_accused` and which rule found it: "labelled" ("Người bị tố cáo: …"), "denounced"
    (after "tố cáo" / "hành vi … của"), "contested_issuer" (the body written with the decision a
    complaint contests, ``contested`` from extractors.decision_refs), "decision_maker" (after
    "quyết định … của"), "issuer" ("UBND … ban hành …"), "wrongdoer" (the person to sanction, a sentence
    opening on a person and post), "mentioned" (a post and a name, or "đối tượng …", anywhere); "" when
    none."""
    raw, folded = _texts(text)
    found = _denunciation(raw, folded, labelled_only=True)
    if found:
        return _introduced(raw, folded, found), "labelled"
    found = _denunciation(raw, folded)
    if found:
        return _introduced(raw, folded, found), "denounced"
    found = _body(contested.issuer if contested else None)
    if found:
        return found, "contested_issuer"
    for rule, fn in (("decision_maker", _complaint), ("issuer", _issuer),
                     ("wrongdoer", _wrongdoer), ("mentioned", _named_anywhere)):
        found = fn(raw, folded)
        if found:
            return found, rule
    return None, ""


def find_agency(raw: str, folded: str, lo: int, hi: int) -> tuple[str, int] | None:
    """The first agency named in ``folded[lo:hi]``: (display form, start offset). ``raw`` has the same length."""
    return _agency(raw, folded, lo, hi)


def find_position(folded: str, lo: int, hi: int) -> tuple[str, int, int] | None:
    """The first position named in ``folded[lo:hi]``: (display form, start, end)."""
    return _position(folded, lo, hi)
