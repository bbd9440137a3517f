"""The agency directory: every queue a letter can end in, for the configured province.

Commune-level queues (``chu_tich_ubnd_xa:<slug>``) come from the official 2025 two-level units in the
``vietnam_provinces`` package (xã, phường, đặc khu). Provincial queues (departments, police, the Party
inspection committee, court, enforcement, procuracy, the provincial chairman) and guidance queues for
the other provinces (``ngoai_tinh:<slug>``) complete it. Former provinces (before the 2025 merger) are
resolved to their successor with the old-to-new mapping shipped by ``underthesea``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict
from vietnam_provinces import Province, VietNamDivisionType, Ward

from petitions.settings import Settings, default_settings
from petitions.text import collapse_spaces, fold, nfc, slug

DEPARTMENT_KINDS: tuple[str, ...] = (
    "so_nong_nghiep_moi_truong",
    "so_xay_dung",
    "so_noi_vu",
    "so_y_te",
    "so_giao_duc_dao_tao",
    "so_tai_chinh",
    "so_cong_thuong",
    "so_van_hoa_the_thao_du_lich",
    "so_tu_phap",
)
PROVINCIAL_KINDS: tuple[str, ...] = (
    "chu_tich_ubnd_tinh",
    *DEPARTMENT_KINDS,
    "cong_an_tinh",
    "uy_ban_kiem_tra_tinh_uy",
    "toa_an",
    "thi_hanh_an",
    "vien_kiem_sat",
    "luu_don",
)
COMMUNE_KIND = "chu_tich_ubnd_xa"
OTHER_PROVINCE_KIND = "ngoai_tinh"
# The vocabulary of ../shared/domain/petitions-vn.md: a route's agency_kind is always one of these.
AGENCY_KINDS: tuple[str, ...] = (COMMUNE_KIND, *PROVINCIAL_KINDS, OTHER_PROVINCE_KIND)

Level = Literal["commune", "province", "other_province"]

# Department display names (2025 names) and the names people still write (pre-2025 departments
# merged into them). Aliases are matched on folded text, with "&" read as "va".
DEPARTMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "so_nong_nghiep_moi_truong": (
        "Sở Nông nghiệp và Môi trường",
        (
            "sở nông nghiệp và môi trường", "sở nn và mt", "sở nnmt", "sở tài nguyên và môi trường",
            "sở tn và mt", "sở tnmt", "sở nông nghiệp và phát triển nông thôn", "sở nn và ptnt",
            "sở nnptnt",
        ),
    ),
    "so_xay_dung": (
        "Sở Xây dựng",
        ("sở xây dựng", "sở giao thông vận tải", "sở giao thông", "sở gtvt"),
    ),
    "so_noi_vu": (
        "Sở Nội vụ",
        (
            "sở nội vụ", "sở lao động thương binh và xã hội", "sở lao động thương binh xã hội",
            "sở ldtb và xh", "sở ldtbxh",
        ),
    ),
    "so_y_te": ("Sở Y tế", ("sở y tế",)),
    "so_giao_duc_dao_tao": (
        "Sở Giáo dục và Đào tạo",
        ("sở giáo dục và đào tạo", "sở giáo dục", "sở gd và đt", "sở gdđt"),
    ),
    "so_tai_chinh": ("Sở Tài chính", ("sở tài chính", "sở kế hoạch và đầu tư", "sở kh và đt", "sở khđt")),
    "so_cong_thuong": ("Sở Công Thương", ("sở công thương",)),
    "so_van_hoa_the_thao_du_lich": (
        "Sở Văn hóa, Thể thao và Du lịch",
        (
            "sở văn hóa thể thao và du lịch", "sở văn hóa thể thao du lịch", "sở vh tt và dl",
            "sở vhttdl", "sở du lịch", "sở văn hóa",
        ),
    ),
    "so_tu_phap": ("Sở Tư pháp", ("sở tư pháp",)),
}

# Display-name templates of the other provincial agencies. {province} is "tỉnh Ninh Bình" (or
# "thành phố Hà Nội"), {party_committee} is "Tỉnh ủy Ninh Bình" (or "Thành ủy Hà Nội").
_PROVINCIAL_NAMES: dict[str, str] = {
    "chu_tich_ubnd_tinh": "Chủ tịch UBND {province}",
    "cong_an_tinh": "Công an {province}",
    "uy_ban_kiem_tra_tinh_uy": "Ủy ban Kiểm tra {party_committee}",
    "toa_an": "Tòa án nhân dân {province}",
    "thi_hanh_an": "Thi hành án dân sự {province}",
    "vien_kiem_sat": "Viện kiểm sát nhân dân {province}",
    "luu_don": "Lưu đơn (Ban Tiếp công dân {province})",
}
_OTHER_PROVINCE_NAME = "Cơ quan có thẩm quyền {province} (hướng dẫn người viết đơn)"

_LEVEL_PREFIX = re.compile(r"^\s*(tỉnh|thành phố|tp\.?|xã|phường|đặc khu|thị trấn)\s+", re.IGNORECASE)


class Agency(BaseModel):
    """One queue a letter can be routed to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str  # "<agency_kind>:<slug of unit>"
    kind: str
    unit: str  # commune (no level word) for commune queues, province otherwise
    name: str  # Vietnamese display name
    level: Level
    division: str  # xã | phường | đặc khu | tỉnh | thành phố
    code: str | None = None  # official 2025 unit code (commune or province)


def strip_level_word(name: str) -> str:
    """"Xã Liêm Hà" -> "Liêm Hà"; "Thành phố Hà Nội" -> "Hà Nội"."""
    return collapse_spaces(_LEVEL_PREFIX.sub("", nfc(name).strip()))


def agency_id(kind: str, unit: str) -> str:
    return f"{kind}:{slug(unit)}"


def norm_words(text: str) -> str:
    """Folded, punctuation-free text with "&" read as "va": the form aliases are matched in."""
    folded = fold(nfc(text)).replace("&", " va ")
    return " ".join(re.findall(r"[a-z0-9]+", folded))


# ---- provinces -------------------------------------------------------------------------------------


class ProvinceInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str  # without the level word
    code: str
    city: bool  # centrally-run city (thành phố) rather than tỉnh

    @property
    def full_name(self) -> str:
        return f"{'thành phố' if self.city else 'tỉnh'} {self.name}"

    @property
    def party_committee(self) -> str:
        return f"{'Thành ủy' if self.city else 'Tỉnh ủy'} {self.name}"


@lru_cache(maxsize=1)
def current_provinces() -> dict[str, ProvinceInfo]:
    """The 34 provinces since 1 July 2025, keyed by slug of the name without level word."""
    out: dict[str, ProvinceInfo] = {}
    for p in Province.iter_all():
        name = strip_level_word(p.name)
        info = ProvinceInfo(
            name=name,
            code=f"{int(p.code):02d}",
            city=p.division_type == VietNamDivisionType.THANH_PHO_TRUNG_UONG,
        )
        out[slug(name)] = info
    return out


@lru_cache(maxsize=1)
def _legacy_province_map() -> dict[str, str]:
    """Slug of a pre-2025 province name -> slug of its successor (from underthesea's mapping data)."""
    try:
        path = resources.files("underthesea.address").joinpath("data/mapping.json")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError):
        return {}
    new_names = {k: strip_level_word(v["name"]) for k, v in data.get("province_names", {}).items()}
    out: dict[str, str] = {}
    for old_key, info in data.get("old_province_names", {}).items():
        new_key = data.get("province_mapping", {}).get(old_key)
        if new_key in new_names:
            out[slug(strip_level_word(info["name"]))] = slug(new_names[new_key])
    return out


def resolve_province(name: str | None) -> ProvinceInfo | None:
    """A province name as written (current or pre-2025, with or without level word) -> current province."""
    if not name or not name.strip():
        return None
    key = slug(strip_level_word(name))
    key = {"tp-ho-chi-minh": "ho-chi-minh", "tp-hcm": "ho-chi-minh", "hcm": "ho-chi-minh"}.get(key, key)
    provinces = current_provinces()
    if key in provinces:
        return provinces[key]
    successor = _legacy_province_map().get(key)
    return provinces.get(successor) if successor else None


def same_province(a: str | None, b: str | None) -> bool:
    pa, pb = resolve_province(a), resolve_province(b)
    return pa is not None and pb is not None and pa.code == pb.code


def office_province(settings: Settings) -> ProvinceInfo:
    info = resolve_province(settings.province)
    if info is None:
        raise ValueError(f"unknown province in settings: {settings.province!r}")
    return info


# ---- the directory ----------------------------------------------------------------------------------


def commune_agency_name(division: str, unit: str) -> str:
    return f"Chủ tịch UBND {division} {unit}"


def provincial_agency(kind: str, province: ProvinceInfo) -> Agency:
    if kind in DEPARTMENTS:
        name = f"{DEPARTMENTS[kind][0]} {province.full_name}"
    else:
        name = _PROVINCIAL_NAMES[kind].format(
            province=province.full_name, party_committee=province.party_committee
        )
    return Agency(
        id=agency_id(kind, province.name),
        kind=kind,
        unit=province.name,
        name=name,
        level="province",
        division="thành phố" if province.city else "tỉnh",
        code=province.code,
    )


def other_province_agency(province: ProvinceInfo) -> Agency:
    return Agency(
        id=agency_id(OTHER_PROVINCE_KIND, province.name),
        kind=OTHER_PROVINCE_KIND,
        unit=province.name,
        name=_OTHER_PROVINCE_NAME.format(province=province.full_name),
        level="other_province",
        division="thành phố" if province.city else "tỉnh",
        code=province.code,
    )


def _commune_agencies(province: ProvinceInfo) -> Iterable[Agency]:
    wards = list(Ward.iter_by_province(int(province.code)))  # type: ignore[arg-type]
    slugs = [slug(strip_level_word(w.name)) for w in wards]
    for ward, unit_slug in zip(wards, slugs, strict=True):
        unit = strip_level_word(ward.name)
        division = ward.division_type.value
        code = f"{int(ward.code):05d}"
        # Names that differ only by tone marks ("Cẩm Giang", "Cẩm Giàng") get the unit code in their id.
        ident = agency_id(COMMUNE_KIND, unit)
        if slugs.count(unit_slug) > 1:
            ident = f"{ident}-{code}"
        yield Agency(
            id=ident,
            kind=COMMUNE_KIND,
            unit=unit,
            name=commune_agency_name(division, unit),
            level="commune",
            division=division,
            code=code,
        )


@lru_cache(maxsize=8)
def _directory(province_name: str) -> tuple[Agency, ...]:
    province = resolve_province(province_name)
    if province is None:
        raise ValueError(f"unknown province: {province_name!r}")
    agencies: list[Agency] = sorted(_commune_agencies(province), key=lambda a: a.id)
    agencies += [provincial_agency(kind, province) for kind in PROVINCIAL_KINDS]
    agencies += [
        other_province_agency(p)
        for p in sorted(current_provinces().values(), key=lambda p: p.code)
        if p.code != province.code
    ]
    ids = [a.id for a in agencies]
    if len(ids) != len(set(ids)):  # two units with the same name would share a queue id
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate agency ids in the directory of {province.name}: {dupes}")
    return tuple(agencies)


def directory(settings: Settings | None = None) -> list[Agency]:
    """Every agency queue for the configured province (cached per province)."""
    settings = settings or default_settings()
    return list(_directory(settings.province))


@lru_cache(maxsize=8)
def _index(province_name: str) -> dict[str, Agency]:
    return {a.id: a for a in _directory(province_name)}


def find_agency(agency_id: str, settings: Settings | None = None) -> Agency | None:
    """The agency with this id in the configured province's directory, or None."""
    settings = settings or default_settings()
    return _index(settings.province).get(agency_id)


@lru_cache(maxsize=8)
def _communes_by_name(province_name: str) -> tuple[dict[str, Agency], dict[str, list[Agency]]]:
    exact: dict[str, Agency] = {}
    by_slug: dict[str, list[Agency]] = {}
    for a in _directory(province_name):
        if a.kind == COMMUNE_KIND:
            exact[nfc(a.unit).casefold()] = a
            by_slug.setdefault(slug(a.unit), []).append(a)
    return exact, by_slug


def find_commune(name: str | None, settings: Settings | None = None) -> Agency | None:
    """The commune-level queue of the current unit ``name`` (level word optional; tone marks optional
    unless two units differ only by them), or None."""
    if not name or not name.strip():
        return None
    settings = settings or default_settings()
    unit = strip_level_word(name)
    exact, by_slug = _communes_by_name(settings.province)
    # NFC alone does not unify old/new tone placement ("Hoà"/"Hòa"); the slug does.
    found = exact.get(nfc(unit).casefold())
    if found:
        return found
    candidates = by_slug.get(slug(unit), [])
    return candidates[0] if len(candidates) == 1 else None


def communes(settings: Settings | None = None) -> list[Agency]:
    return [a for a in directory(settings) if a.kind == COMMUNE_KIND]
