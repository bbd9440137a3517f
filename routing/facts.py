"""Routing facts: what the routing table's conditions look at, derived from an Extraction + Classification.

Everything here is recognition (which level of government is the accused at, which department does a
text name, where does the matter lie); what to do with those facts is decided by ``table.yaml``.
Text is matched diacritic-insensitively (``petitions.text.fold``) because OCR and typing lose tone marks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict

from extractors.layout import SIGNATURE_LINE, addressee_lines, without_identity
from models.record import Category, Classification, Extraction, Location
from petitions.errors import BadConfigError
from petitions.settings import Settings
from petitions.text import fold
from routing.agencies import (
    DEPARTMENTS,
    communes,
    norm_words,
    office_province,
    resolve_province,
)

AccusedLevel = Literal[
    "none",  # nobody named
    "private",  # a person, household or firm (not an official acting as one)
    "party_member",  # a Party member / Party post, outside the People's Committees
    "police",
    "court",
    "enforcement",  # civil judgment enforcement (chấp hành viên, Thi hành án dân sự)
    "procuracy",
    "former_district",  # a body or official of an abolished district (before 1 July 2025)
    "provincial_chairman",
    "provincial_vice_chairman",
    "provincial_body",  # the provincial People's Committee as a body
    "provincial_other",  # another provincial body (not a department)
    "department_director",  # director or deputy director of a Sở
    "department_staff",
    "department_body",  # the Sở itself, no person named
    "commune_chairman",
    "commune_vice_chairman",
    "commune_staff",
    "commune_body",  # the commune People's Committee (or one of its sections) as a body
    "official_unknown",  # an official whose body or level is not said
]
ACCUSED_LEVELS: tuple[str, ...] = get_args(AccusedLevel)
Scope = Literal["local", "province_wide"]

COMMUNE_LEVELS = frozenset({"commune_chairman", "commune_vice_chairman", "commune_staff", "commune_body"})
LOCAL_LEVELS = COMMUNE_LEVELS | {"private", "former_district"}


class RoutingFacts(BaseModel):
    """The inputs of the routing table's conditions."""

    model_config = ConfigDict(extra="forbid")

    category: Category
    secondary_category: Category | None = None
    complaint_round: Literal[1, 2] | None = None
    domain: str = "khac"
    crime_signs: bool = False
    party_discipline: bool = False
    anonymous: bool = False
    accused_level: AccusedLevel = "none"
    accused_head: bool = False  # heads or deputy heads an agency
    names_accused: bool = False  # identifies the accused: a name, a unique post or a named organisation
    has_evidence: bool = False  # anonymous denunciations: specific enough to be checked
    accused_commune: str | None = None  # current commune named in the accused's body
    accused_department: str | None = None  # so_* kind of the accused's department
    mentioned_department: str | None = None  # so_* kind named in the subject
    department: str | None = None  # competent department: accused's, named, or by domain
    department_known: bool = False
    petitioner_commune: str | None = None
    incident_commune: str | None = None
    scope: Scope = "province_wide"
    matter_province: str | None = None  # current province (no level word) where the matter lies
    other_province: bool = False
    former_district: bool = False
    addressee_commune: str | None = None  # commune whose chairman the letter is addressed to
    body_commune: str | None = None  # current commune named in the letter's body
    scope_scores: tuple[int, int] = (0, 0)  # (province-wide, local) evidence from the text


# ---- text recognition --------------------------------------------------------------------------------

def _rx(*alternatives: str) -> re.Pattern[str]:
    """A word-bounded alternation over phrases given in Vietnamese (folded here)."""
    return re.compile(r"\b(?:" + "|".join(norm_words(a) for a in alternatives) + r")\b")


_COURT = _rx("tòa án", "toà án", "tand", "thẩm phán", "chánh án", "thư ký tòa")
_ENFORCEMENT = _rx("thi hành án", "chấp hành viên", "thads", "cục tha", "chi cục tha")
_PROCURACY = _rx("viện kiểm sát", "kiểm sát viên", "vksnd", "viện trưởng vks")
_POLICE = _rx("công an", "cảnh sát", "điều tra viên", "csgt")
_PEOPLES_COMMITTEE = _rx("ubnd", "ủy ban nhân dân", "uỷ ban nhân dân", "hđnd", "hội đồng nhân dân")
_PARTY = _rx("đảng viên", "bí thư", "chi bộ", "đảng bộ", "đảng ủy", "đảng uỷ", "tỉnh ủy", "huyện ủy", "cấp ủy")
_VICE_CHAIR = _rx("phó chủ tịch", "pct")
_CHAIR = _rx("chủ tịch", "ct ubnd")
_DIRECTOR = _rx("giám đốc", "phó giám đốc", "gđ", "pgđ")
# Posts that exist only in a commune's administration (the commune civil-servant titles, the hamlet
# head): "cán bộ địa chính" with no body named is the commune's staff.
_COMMUNE_POST = _rx("địa chính", "tư pháp - hộ tịch", "tư pháp hộ tịch", "hộ tịch", "văn hóa - xã hội",
                    "văn hoá - xã hội", "văn hóa xã hội", "văn hoá xã hội", "tài chính - kế toán",
                    "văn phòng - thống kê", "văn phòng thống kê", "trưởng thôn", "trưởng xóm", "trưởng ấp",
                    "trưởng bản", "tổ trưởng tổ dân phố", "tổ trưởng dân phố", "chỉ huy trưởng quân sự")
# Public service units a department runs (upper-secondary schools and colleges, hospitals and health
# centres): their staff are that department's staff. Kindergartens, primary and lower-secondary
# schools and health stations are the commune's.
_DEPARTMENT_UNITS = (
    (_rx("trung học phổ thông", "thpt", "pt dtnt", "phổ thông dân tộc nội trú", "trường chuyên", "cao đẳng",
         "giáo dục thường xuyên", "gdtx"), "so_giao_duc_dao_tao"),
    (_rx("bệnh viện", "trung tâm y tế", "ttyt", "trung tâm kiểm soát bệnh tật"), "so_y_te"),
    (_rx("văn phòng đăng ký đất đai", "chi nhánh văn phòng đăng ký", "trung tâm phát triển quỹ đất"),
     "so_nong_nghiep_moi_truong"),
    (_rx("trung tâm dịch vụ việc làm"), "so_noi_vu"),
)
_COMMUNE_UNITS = _rx("mầm non", "mẫu giáo", "tiểu học", "trung học cơ sở", "thcs", "trạm y tế")


def department_unit(text: str | None) -> str | None:
    """The department (so_* kind) whose public service unit ``text`` names ("Trường THPT Kim Sơn A")."""
    words = norm_words(text or "")
    return next((kind for pattern, kind in _DEPARTMENT_UNITS if pattern.search(words)), None)


_DEPARTMENT_WORD = re.compile(r"\bso\b(?! \d)")
_HEAD = re.compile(
    r"^(?:nguyen )?(?:pho )?(?:chu tich|giam doc|chanh an|vien truong|thu truong|cuc truong|"
    r"chi cuc truong|truong|chanh van phong|chanh thanh tra)\b"
)
_GENERIC_POSTS = frozenset(
    norm_words(p) for p in ("cán bộ", "công chức", "viên chức", "nhân viên", "lãnh đạo", "một số cán bộ", "cán bộ")
)
# The first administrative-unit word of a body's name gives its level. "xã hội" is not a commune.
_UNIT_WORD = re.compile(
    r"\b(dac khu|thi tran|thi xa|xa(?! hoi)|phuong|huyen|tinh(?! uy)|quan|thanh pho)\b"
)
_COMMUNE_WORDS = frozenset({"xa", "phuong", "dac khu", "thi tran"})
_DISTRICT_WORDS = frozenset({"huyen", "thi xa"})
_FORMER = re.compile(r"\bcu\b")
_PROVINCE_NAMED = re.compile(r"\b(?:tinh|thanh pho|tp)\s+((?:[a-z]+ ?){1,4})")


def _department_in(text: str) -> str | None:
    """The so_* kind of the first department named in ``text`` (current or pre-2025 names)."""
    words = norm_words(text)
    best: tuple[int, int, str] | None = None  # (position, -alias length, kind)
    for kind, (_name, aliases) in DEPARTMENTS.items():
        for alias in aliases:
            for m in re.finditer(r"\b" + re.escape(norm_words(alias)) + r"\b", words):
                cand = (m.start(), -len(m.group(0)), kind)
                if best is None or cand < best:
                    best = cand
    return best[2] if best else None


def department_mentioned(text: str | None) -> str | None:
    """Which department (so_* kind) a text names, e.g. "Sở Lao động - TB&XH" -> "so_noi_vu"."""
    return _department_in(text) if text else None


def _first_unit_word(text: str) -> str | None:
    m = _UNIT_WORD.search(text)
    if not m:
        return None
    word = m.group(1)
    if word in {"quan", "thanh pho"}:
        # "quận"/"thành phố" (district-level) only when the text says the body is a former one;
        # "quan" is also "quán" (a shop), "thành phố" also the name of a centrally-run city.
        rest = text[m.end():]
        return "huyen" if _FORMER.search(rest) else None
    return word


def accused_level(position: str | None, organization: str | None, name: str | None = None) -> AccusedLevel:
    """The level of government (or kind of person) of the accused, from position + organisation."""
    pos = norm_words(position or "")
    org = norm_words(organization or "")
    both = f"{pos} ; {org}".strip(" ;")
    if not both:
        return "private" if name and name.strip() else "none"
    for level, pattern in (
        ("court", _COURT), ("enforcement", _ENFORCEMENT), ("procuracy", _PROCURACY), ("police", _POLICE),
    ):
        if pattern.search(both):
            return level  # type: ignore[return-value]
    named_department = _department_in(both)
    if _COMMUNE_UNITS.search(both) and not named_department:
        return "commune_staff"
    if department_unit(both) and not named_department:
        return "department_staff"
    if named_department or (_DIRECTOR.search(pos) and _DEPARTMENT_WORD.search(both)):
        if _DIRECTOR.search(pos):
            return "department_director"
        return "department_staff" if pos or (name and name.strip()) else "department_body"
    government = bool(_PEOPLES_COMMITTEE.search(both))
    unit = _first_unit_word(org) or _first_unit_word(pos)
    if _PARTY.search(both) and not government:
        return "party_member"
    if unit in _DISTRICT_WORDS:
        return "former_district"
    if unit == "tinh":
        if _VICE_CHAIR.search(pos):
            return "provincial_vice_chairman"
        if _CHAIR.search(pos):
            return "provincial_chairman"
        return "provincial_body" if government else "provincial_other"
    if unit in _COMMUNE_WORDS:
        if _VICE_CHAIR.search(pos) and (government or _UNIT_WORD.search(pos)):
            return "commune_vice_chairman"
        if _CHAIR.search(pos) and (government or _UNIT_WORD.search(pos)):
            return "commune_chairman"
        if government or re.search(r"\b(can bo|cong chuc|vien chuc|nhan vien|chuyen vien)\b", pos):
            return "commune_staff" if pos or (name and name.strip()) else "commune_body"
    if unit is None and _COMMUNE_POST.search(pos):
        return "commune_staff"
    if re.search(r"\b(can bo|cong chuc|vien chuc|chuyen vien|lanh dao|chu tich|giam doc|hieu truong|pho hieu truong"
                 r"|giao vien|bac si|truong khoa)\b", pos):
        return "official_unknown"
    return "private"


def accused_is_head(position: str | None) -> bool:
    """True when the post heads (or deputises for the head of) an agency: it then leads that agency."""
    return bool(_HEAD.search(norm_words(position or "")))


def _commune_named(text: str | None, settings: Settings) -> str | None:
    """The current commune (canonical name) that ``text`` names with its level word ("UBND xã Liêm Hà")."""
    if not text:
        return None
    words = norm_words(text)
    best: tuple[int, int, str] | None = None
    for agency in communes(settings):
        unit_words = norm_words(agency.unit)
        division = norm_words(agency.division)
        pattern = rf"\b(?:{division}|xa|phuong|dac khu)\s+{re.escape(unit_words)}\b"
        for m in re.finditer(pattern, words):
            # Prefer the earliest mention; at the same place, the longest name ("Nam Hoa Lư" > "Hoa Lư").
            cand = (m.start(), -len(unit_words), agency.unit)
            if best is None or cand < best:
                best = cand
    return best[2] if best else None


def _commune_in_name(text: str | None, settings: Settings) -> str | None:
    """A current commune whose name ends a body's name ("Trường Tiểu học Nhân Hà" -> "Nhân Hà")."""
    if not text:
        return None
    words = norm_words(text)
    best: tuple[int, str] | None = None
    for agency in communes(settings):
        unit_words = norm_words(agency.unit)
        if words.endswith(" " + unit_words) and (best is None or len(unit_words) > best[0]):
            best = (len(unit_words), agency.unit)
    return best[1] if best else None


def _province_named(text: str | None) -> str | None:
    """A province named with its level word ("tỉnh Hưng Yên"), resolved to the current province."""
    if not text:
        return None
    for m in _PROVINCE_NAMED.finditer(norm_words(text)):
        words = m.group(1).split()
        for n in range(len(words), 0, -1):  # "hung yen cu" -> "hung yen"
            info = resolve_province(" ".join(words[:n]))
            if info:
                return info.name
    return None


def _commune_province_elsewhere(text: str | None, settings: Settings) -> str | None:
    """The province of a commune that ``text`` names with its level word ("UBND phường Phố Hiến") when
    that commune is not the office province's and exists, unambiguously, in one other province."""
    if not text or not re.search(r"\b(?:xa|phuong|dac khu)\s+\w", norm_words(text)):
        return None
    from extractors.units import resolve_address

    loc = resolve_address(text, settings.province)
    if loc is None or not loc.province or not loc.commune:
        return None
    own = office_province(settings)
    info = resolve_province(loc.province)
    return info.name if info and info.code != own.code else None


def _commune(loc: Location | None) -> str | None:
    return loc.commune.strip() if loc and loc.commune and loc.commune.strip() else None


def _province(loc: Location | None) -> str | None:
    if loc and loc.province:
        info = resolve_province(loc.province)
        return info.name if info else loc.province.strip() or None
    return None


def _names_accused(level: AccusedLevel, name: str | None, position: str | None, organization: str | None) -> bool:
    if name and name.strip():
        return True
    if level in {"none", "official_unknown"}:
        return False
    if level in {"commune_chairman", "commune_vice_chairman", "department_director", "provincial_chairman",
                 "provincial_vice_chairman"}:
        return True
    pos = norm_words(position or "")
    pos = _UNIT_WORD.sub(" ", pos)
    pos = " ".join(pos.split())
    if level == "private":
        return bool(organization and organization.strip()) or bool(pos and pos not in _GENERIC_POSTS)
    return bool(pos) and pos not in _GENERIC_POSTS


# ---- the letter's body: scope, places and judicial matters ------------------------------------------

SIGNALS_FILE = Path(__file__).with_name("signals.yaml")
_JUDICIAL_LEVELS = ("court", "enforcement", "procuracy")


@dataclass(frozen=True)
class _Signals:
    province_wide: tuple[tuple[re.Pattern[str], int], ...]
    local: tuple[tuple[re.Pattern[str], int], ...]
    addressee: Mapping[str, int]
    incident_overruled_by: int | None
    judicial: tuple[tuple[str, re.Pattern[str]], ...]
    judicial_context: re.Pattern[str]


def _weighted(raw: Mapping[str, int]) -> tuple[tuple[re.Pattern[str], int], ...]:
    return tuple((_rx(phrase), int(weight)) for phrase, weight in raw.items())


@lru_cache(maxsize=1)
def _signals() -> _Signals:
    try:
        d = yaml.safe_load(SIGNALS_FILE.read_text(encoding="utf-8"))
        judicial = tuple((level, _rx(*d["judicial"][level])) for level in _JUDICIAL_LEVELS)
        return _Signals(
            province_wide=_weighted(d["scope"]["province_wide"]),
            local=_weighted(d["scope"]["local"]),
            addressee={k: int(v) for k, v in (d["scope"].get("addressee") or {}).items()},
            incident_overruled_by=d["scope"].get("incident_overruled_by"),
            judicial=judicial,
            judicial_context=_rx(*d["judicial_context"]),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise BadConfigError(f"cannot read the routing signals {SIGNALS_FILE}: {exc}") from exc


_PROVINCIAL_ADDRESSEE = re.compile(r"\b(?:tinh|so)\b")
_HEADER = re.compile(r"^\W*(?:cong hoa|doc lap|don\b|v/v|ve viec|[^,]{0,30},?\s*ngay\s+\d)")
_CLOSING = re.compile(r"^\W*(?:tai lieu kem theo|noi nhan|xac nhan cua|dai dien)\b")  # or a SIGNATURE_LINE


def letter_parts(text: str) -> tuple[str, str]:
    """(addressee block, body) of a letter, both folded: the body leaves out the national header, the
    title, the writer's identity and address lines and everything from the signature on."""
    addressee: list[str] = []
    body: list[str] = []
    raw_lines = text.splitlines()
    for raw, extent in zip(raw_lines, addressee_lines(raw_lines), strict=True):
        if extent:
            addressee.append(norm_line(raw[:extent]))
            raw = raw[extent:]  # the letter may go on on the cue's line
        line = norm_line(raw)
        if not line:
            continue
        if (_CLOSING.match(line) or SIGNATURE_LINE.match(line)) and body:
            break
        if _HEADER.match(line):
            continue
        line = without_identity(line)
        if not line:
            continue
        body.append(line)
    return "\n".join(addressee), "\n".join(body)


def norm_line(line: str) -> str:
    """One line folded, keeping the punctuation that ends sentences (for the body's phrases)."""
    return " ".join(fold(line).replace("&", " va ").split())


def scope_scores(body: str) -> tuple[int, int]:
    """(province-wide, local) evidence in a folded body: each phrase counts once, by its weight."""
    words = norm_words(body)
    sig = _signals()
    pw = sum(w for pat, w in sig.province_wide if pat.search(words))
    local = sum(w for pat, w in sig.local if pat.search(words))
    return pw, local


_REQUEST_CUE = re.compile(r"\b(?:de nghi|kien nghi|yeu cau|mong|xin|kinh de nghi|kinh mong)\b")


def judicial_body(body: str, requested_only: bool = False) -> AccusedLevel | None:
    """The court, enforcement office or procuracy a letter about a judicial matter concerns, or None
    (with ``requested_only``: only one the writer asks to act)."""
    words = norm_words(body)
    sig = _signals()
    if not sig.judicial_context.search(words):
        return None
    # The body the writer asks to act wins ("đề nghị Viện kiểm sát … kháng nghị bản án").
    for sentence in re.split(r"[.!?\n;]+", body):
        m = _REQUEST_CUE.search(sentence)
        if not m:
            continue
        request = norm_words(sentence[m.end():])
        found = [(pat.search(request), level) for level, pat in sig.judicial]
        hits = sorted((hit.start(), level) for hit, level in found if hit)
        if hits:
            return hits[0][1]  # type: ignore[return-value]
    if requested_only:
        return None
    hits = sorted((hit.start(), level) for level, pat in sig.judicial if (hit := pat.search(words)))
    return hits[0][1] if hits else None  # type: ignore[return-value]


def derive_facts(
    extraction: Extraction,
    classification: Classification,
    settings: Settings,
    domain_departments: Mapping[str, str] | None = None,
    text: str | None = None,
) -> RoutingFacts:
    """Compute the routing facts. ``domain_departments`` (from the routing table) maps a field to its Sở.

    ``text`` is the letter's text: with it, the scope (local or province-wide), the commune the matter
    lies in and judicial matters are read from the letter's body; without it, from the subject only.
    """
    accused = extraction.accused
    name = accused.name if accused else None
    position = accused.position if accused else None
    organization = accused.organization if accused else None
    level = accused_level(position, organization, name)

    addressee, body = letter_parts(text) if text else ("", norm_line(extraction.subject or ""))
    if level in {"none", "private", "official_unknown"}:
        judicial = judicial_body(body)
        if judicial is not None:
            level = judicial
    elif level in _JUDICIAL_LEVELS:
        # the court that gave a judgment, but the writer asks the procuracy to protest it: the procuracy
        level = judicial_body(body, requested_only=True) or level
    unit_department = None
    if level == "official_unknown" and not organization:
        # "của Hiệu trưởng" with the school named elsewhere in the letter (often where the writer says
        # who he is: "Tôi là giáo viên Trường THPT …"): that unit's staff
        whole = norm_words(text or extraction.subject or "")
        if _COMMUNE_UNITS.search(whole):
            level = "commune_staff"
        elif unit_department := department_unit(whole):
            level = "department_staff"

    accused_commune = None
    if level in COMMUNE_LEVELS | {"former_district", "party_member", "police", "private"}:
        accused_commune = _commune_named(organization, settings) or _commune_named(position, settings)
        if accused_commune is None and level == "private":
            accused_commune = _commune_in_name(organization, settings)
    if level == "commune_staff" and accused_commune is None:
        accused_commune = _commune_in_name(organization, settings)
    accused_department = None
    if level.startswith("department_"):
        post = f"{position or ''} ; {organization or ''}"
        accused_department = department_mentioned(post) or department_unit(post) or unit_department
    addressee_department = department_mentioned(addressee) if addressee else None
    mentioned = department_mentioned(extraction.subject) or department_mentioned(body) or addressee_department
    by_domain = (domain_departments or {}).get(classification.domain)
    # A letter about a department's own work goes to that department and no other: when the accused's
    # post does not name it ("Giám đốc Sở"), the department the letter names elsewhere; else it stays
    # unknown (review) rather than falling back to the field.
    department = (accused_department or mentioned) if level.startswith("department_") else (mentioned or by_domain)

    petitioner_commune = _commune(extraction.location)
    addressee_commune = _commune_named(addressee, settings) if addressee else None
    body_commune = _commune_named(body, settings) if text else None
    incident_commune = _commune(extraction.incident_location)
    pw, local_score = scope_scores(body)
    # Whom the writer addressed is evidence too: a department (a sector matter) or a commune chairman.
    weights = _signals().addressee
    pw += weights.get("department", 0) if addressee_department else 0
    # (a commune among provincial addressees is only a copy: no evidence either way)
    if addressee_commune and not _PROVINCIAL_ADDRESSEE.search(addressee):
        local_score += weights.get("commune", 0)
    # Ties go to local when the writer's commune is known (most letters are about the writer's own
    # place); from the subject alone (no text), only positive local evidence counts.
    if text is not None:
        local_text = local_score > pw or (local_score == pw and petitioner_commune is not None)
    else:
        local_text = local_score > pw
    margin = _signals().incident_overruled_by
    named_place = bool(incident_commune) and (margin is None or pw - local_score < margin)
    local = named_place or level in LOCAL_LEVELS or bool(accused_commune) or (
        local_text and bool(body_commune or addressee_commune or petitioner_commune)
    )
    if local and incident_commune is None:
        # Where a local matter lies: a commune named in the letter's body, else the commune whose
        # chairman it is addressed to, else the writer's own commune (the engine's fallback).
        incident_commune = body_commune or addressee_commune

    own = office_province(settings)
    accused_province = _province_named(organization)
    if accused_province is None and accused_commune is None and level in COMMUNE_LEVELS:
        accused_province = _commune_province_elsewhere(organization, settings)
    matter_province = (
        _province(extraction.incident_location)
        or accused_province
        or (own.name if accused_commune or (incident_commune and not extraction.incident_location) else None)
        or _province(extraction.location)
    )
    matter_info = resolve_province(matter_province)
    other = matter_info is not None and matter_info.code != own.code

    names = _names_accused(level, name, position, organization)
    no_evidence = any(s.strip().lower() in {"no_evidence", "evidence:none"} for s in classification.signals)

    return RoutingFacts(
        category=classification.category,
        secondary_category=classification.secondary_category,
        complaint_round=classification.complaint_round,
        domain=classification.domain,
        crime_signs=classification.crime_signs,
        party_discipline=classification.party_discipline,
        anonymous=extraction.anonymous,
        accused_level=level,
        accused_head=accused_is_head(position),
        names_accused=names,
        has_evidence=names and not no_evidence,
        accused_commune=accused_commune,
        accused_department=accused_department,
        mentioned_department=mentioned,
        department=department,
        department_known=department is not None,
        petitioner_commune=petitioner_commune,
        incident_commune=incident_commune,
        scope="local" if local else "province_wide",
        matter_province=matter_province,
        other_province=other,
        former_district=level == "former_district",
        addressee_commune=addressee_commune,
        body_commune=body_commune,
        scope_scores=(pw, local_score),
    )
