"""Administrative units: resolve an address span to the 2025 units (province and commune/ward).

Two gazetteers, both keyed by folded names without the level word:
- the current (since 1 July 2025) provinces and communes/wards/special zones with their official
  codes, from the ``vietnam_provinces`` package;
- the old 3-level units (63 provinces, districts, communes) with the new commune each one became, from
  the mapping that ``underthesea.convert_address`` uses (read once, indexed so that an address without
  a province or without level words still resolves).

Public function: :func:`resolve_address`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from models.record import LegacyUnits, Location
from petitions.text import collapse_spaces, fold, nfc

_DATA = Path(__file__).parent / "data"
_LEVEL_PREFIX = re.compile(
    r"^(?:thanh pho|tinh|huyen|quan|thi xa|thi tran|xa|phuong|dac khu)\s+", re.IGNORECASE
)


def _strip_level(name: str) -> str:
    """'Thành phố Hà Nội' -> 'Hà Nội', 'Xã Liêm Hà' -> 'Liêm Hà' (works on accented names)."""
    name = collapse_spaces(nfc(name))
    m = _LEVEL_PREFIX.match(fold(name))
    return name[m.end():] if m and len(fold(name)) == len(name) else name


def _key(name: str) -> str:
    """Folded name without level word, punctuation or extra spaces: the lookup key."""
    k = re.sub(r"[^a-z0-9 ]+", " ", fold(name))
    k = collapse_spaces(k)
    m = _LEVEL_PREFIX.match(k)
    if m and len(k) > m.end():
        k = k[m.end():]
    # "Quận 01" and "Quận 1" are the same unit
    return re.sub(r"\b0+(\d)", r"\1", k)


@dataclass(frozen=True)
class _NewUnit:
    name: str  # without level word
    code: str
    kind: str  # xa | phuong | dac khu
    province_code: str


@dataclass(frozen=True)
class _NewProvince:
    name: str
    code: str


@dataclass(frozen=True)
class _OldRecord:
    province: str  # old names without level word
    district: str
    district_kind: str
    commune: str
    commune_kind: str
    new_province_key: str
    new_commune_key: str
    is_default: bool


@dataclass
class _Gazetteer:
    provinces: dict[str, _NewProvince] = field(default_factory=dict)
    communes: dict[tuple[str, str], list[_NewUnit]] = field(default_factory=lambda: defaultdict(list))
    communes_any: dict[str, list[_NewUnit]] = field(default_factory=lambda: defaultdict(list))
    old_provinces: dict[str, str] = field(default_factory=dict)  # key -> old name
    old_to_new_province: dict[str, str] = field(default_factory=dict)  # old key -> new key
    old_by_commune: dict[str, list[_OldRecord]] = field(default_factory=lambda: defaultdict(list))
    old_districts: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # key -> old prov keys


def _kind(name: str) -> str:
    f = fold(name)
    for k in ("thanh pho", "thi tran", "thi xa", "dac khu", "phuong", "huyen", "quan", "tinh", "xa"):
        if f.startswith(k + " "):
            return k
    return ""


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    from vietnam_provinces import Province, Ward

    g = _Gazetteer()
    for p in Province.iter_all():
        g.provinces[_key(p.name)] = _NewProvince(_strip_level(p.name), f"{int(p.code):02d}")
    for w in Ward.iter_all():
        unit = _NewUnit(_strip_level(w.name), f"{int(w.code):05d}", fold(w.division_type.value),
                        f"{int(w.province_code):02d}")
        g.communes[(unit.province_code, _key(w.name))].append(unit)
        g.communes_any[_key(w.name)].append(unit)

    path = resources.files("underthesea.address") / "data" / "mapping.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    new_names = {k: _key(v["name"]) for k, v in data["province_names"].items()}
    for key, info in data["old_province_names"].items():
        g.old_provinces[_key(info["name"])] = _strip_level(info["name"])
        g.old_to_new_province[_key(info["name"])] = new_names.get(data["province_mapping"].get(key, ""), "")
    for r in data["ward_mapping"]:
        rec = _OldRecord(
            province=_strip_level(r["old_province"]),
            district=_strip_level(r["old_district"]),
            district_kind=_kind(r["old_district"]),
            commune=_strip_level(r["old_ward"]),
            commune_kind=_kind(r["old_ward"]),
            new_province_key=_key(r["new_province"]),
            new_commune_key=_key(r["new_ward"]),
            is_default=bool(r.get("is_default")),
        )
        g.old_by_commune[_key(r["old_ward"])].append(rec)
        g.old_districts[_key(r["old_district"])].add(_key(r["old_province"]))
    return g


# --- parsing an address span ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _words() -> dict:
    return yaml.safe_load((_DATA / "address_words.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _abbrev_patterns() -> list[tuple[re.Pattern[str], str]]:
    w = _words()["abbreviations"]
    pats: list[tuple[re.Pattern[str], str]] = []
    for abbr, full in sorted(w["dotted"].items(), key=lambda kv: -len(kv[0])):
        pats.append((re.compile(rf"(?<![\w.]){re.escape(abbr)}\.\s*(?=\w)", re.IGNORECASE), full + " "))
    for abbr, full in w["bare"].items():
        pats.append((re.compile(rf"(?<![\w.]){re.escape(abbr)}\s+(?=[A-ZĐ])", re.IGNORECASE), full + " "))
    for abbr, full in (w.get("bare_piece") or {}).items():
        pats.append((re.compile(rf"(?:^|(?<=,))(\s*){re.escape(abbr)}\s+(?=[A-ZĐ][^\W\d_A-ZĐ])"), r"\g<1>" + full + " "))
    return pats


def _expand(span: str) -> str:
    for pat, full in _abbrev_patterns():
        span = pat.sub(full, span)
    return span


_LEVEL_WORDS = ("thanh pho", "thi tran", "thi xa", "dac khu", "phuong", "huyen", "quan", "tinh", "xa")


@dataclass
class _Part:
    level: str  # one of _LEVEL_WORDS, "street" or "" (unknown)
    key: str


def _parts(span: str) -> list[_Part]:
    """Split a folded, abbreviation-expanded address into its parts, left to right."""
    street_words = tuple(_words()["street"])
    out: list[_Part] = []
    for chunk in re.split(r"[,;\-–—/()]|\.\s", fold(_expand(span))):
        tokens = re.sub(r"[^a-z0-9 ]+", " ", chunk).split()
        cur_level, cur_tokens = "", []
        i = 0
        while i < len(tokens):
            matched = ""
            for lw in _LEVEL_WORDS:
                n = len(lw.split())
                # a level word must be followed by a name ("Hà Tĩnh": the last "tinh" is a name)
                if tokens[i:i + n] == lw.split() and i + n < len(tokens):
                    matched = lw
                    break
            if matched:
                if cur_tokens or cur_level:
                    out.append(_Part(cur_level, " ".join(cur_tokens)))
                cur_level, cur_tokens = matched, []
                i += len(matched.split())
                continue
            if not cur_tokens and not cur_level and tokens[i] in street_words:
                cur_level = "street"
            cur_tokens.append(tokens[i])
            i += 1
        if cur_tokens:
            out.append(_Part(cur_level, " ".join(cur_tokens)))
    return _split_compound([p for p in out if p.key])


def _split_compound(parts: list[_Part]) -> list[_Part]:
    """'xóm 10 Trực Thái' -> street + 'Trực Thái'; 'Trực Ninh Nam Định' -> 'Trực Ninh' + province."""
    g = _gazetteer()
    out: list[_Part] = []
    for p in parts:
        if p.level == "street":
            m = re.match(r"^(\D+?\s\d+[a-z]?)\s+([a-z].*)$", p.key)
            if m:
                out.extend([_Part("street", m.group(1)), _Part("", m.group(2))])
                continue
        if p.level == "":
            toks = p.key.split()
            for n in (3, 2):
                tail = " ".join(toks[-n:])
                if len(toks) > n and (tail in g.provinces or tail in g.old_provinces):
                    out.extend([_Part("", " ".join(toks[:-n])), _Part("", tail)])
                    break
            else:
                out.append(p)
            continue
        out.append(p)
    return out


def _prefixes(key: str) -> list[str]:
    """The key, then shorter and shorter prefixes of it ("yen dinh cu" -> "yen dinh" -> "yen")."""
    toks = key.split()
    return [" ".join(toks[:n]) for n in range(len(toks), 0, -1)]


# --- resolution ---------------------------------------------------------------------------------------


def _province_key(g: _Gazetteer, key: str) -> tuple[str | None, str | None]:
    """(new province key, old province key) for a province name, either may be None."""
    new = key if key in g.provinces else None
    old = key if key in g.old_provinces else None
    return new, old


def _pick_new(cands: list[_NewUnit], kind: str) -> _NewUnit | None:
    if kind in ("xa", "phuong", "dac khu"):
        same = [c for c in cands if c.kind == kind]
        if same:
            cands = same
    return cands[0] if len(cands) == 1 else None


def _location(g: _Gazetteer, unit: _NewUnit, as_written: str, legacy: LegacyUnits | None) -> Location:
    prov = next(p for p in g.provinces.values() if p.code == unit.province_code)
    return Location(as_written=as_written, province=prov.name, commune=unit.name, province_code=prov.code,
                    commune_code=unit.code, legacy=legacy)


def _province_only(g: _Gazetteer, new_key: str, as_written: str, legacy: LegacyUnits | None) -> Location:
    prov = g.provinces[new_key]
    return Location(as_written=as_written, province=prov.name, province_code=prov.code, legacy=legacy)


def _resolve_new(g: _Gazetteer, commune: _Part, prov_key: str | None, home_key: str,
                 how: list[str] | None = None) -> _NewUnit | None:
    for n, key in enumerate(_prefixes(commune.key)[:3]):
        found = _resolve_new_key(g, _Part(commune.level, key), prov_key, home_key)
        if found:
            if how is not None and n:
                how.append("prefix")
            return found
    found = _resolve_misread(g, commune, prov_key or home_key, province_written=prov_key is not None)
    if found and how is not None:
        how.append("fuzzy")
    return found


def _resolve_misread(g: _Gazetteer, commune: _Part, prov_key: str, province_written: bool) -> _NewUnit | None:
    """A commune name one letter off a current commune of the province, and off no other ("xã Nam Tý"
    read by OCR for "xã Nam Lý"): names of two words or more only, where one letter cannot make another
    real name by chance as easily. With no province written, a name that exists elsewhere in the
    country is taken for that one (by the caller), not for a misreading."""
    from rapidfuzz.distance import Levenshtein

    prov = g.provinces.get(prov_key)
    words = commune.key.split()
    if prov is None or len(words) < 2 or len(commune.key) < 6:
        return None
    if not province_written and g.communes_any.get(commune.key):
        return None
    near = [units for (code, key), units in g.communes.items()
            if code == prov.code and len(key.split()) == len(words) and Levenshtein.distance(key, commune.key) == 1]
    return _pick_new(near[0], commune.level) if len(near) == 1 else None


def _resolve_new_key(g: _Gazetteer, commune: _Part, prov_key: str | None, home_key: str) -> _NewUnit | None:
    if prov_key:
        code = g.provinces[prov_key].code
        return _pick_new(g.communes.get((code, commune.key), []), commune.level)
    home = g.provinces.get(home_key)
    if home:
        return _pick_new(g.communes.get((home.code, commune.key), []), commune.level)
    return None


def _resolve_anywhere(g: _Gazetteer, commune: _Part) -> _NewUnit | None:
    """A commune named without province and unknown in the home province: unique in the country?"""
    for key in _prefixes(commune.key)[:1]:
        found = _pick_new(g.communes_any.get(key, []), commune.level)
        if found:
            return found
    return None


def _resolve_old(g: _Gazetteer, commune: _Part, district: _Part | None, old_prov: str | None,
                 new_prov: str | None, home_key: str, how: list[str] | None = None) -> _OldRecord | None:
    for n, key in enumerate(_prefixes(commune.key)[:3]):
        found = _resolve_old_key(g, _Part(commune.level, key), district, old_prov, new_prov, home_key)
        if found:
            if how is not None and n:
                how.append("prefix")
            return found
    return None


def _known_district(g: _Gazetteer, key: str) -> bool:
    return key in g.old_districts or any(" ".join(key.split()[:n]) in g.old_districts
                                         for n in range(1, len(key.split())))


def _resolve_old_key(g: _Gazetteer, commune: _Part, district: _Part | None, old_prov: str | None,
                     new_prov: str | None, home_key: str) -> _OldRecord | None:
    recs = g.old_by_commune.get(commune.key, [])
    if old_prov:
        recs = [r for r in recs if _key(r.province) == old_prov]
    elif new_prov:
        recs = [r for r in recs if r.new_province_key == new_prov]
    if district:
        by_d = [r for r in recs if _key(r.district) == district.key or district.key.startswith(_key(r.district) + " ")]
        if not by_d and (not old_prov and not new_prov or _known_district(g, district.key)):
            # the written district has no commune of that name: another district's namesake would be a
            # wrong guess (only a district name the gazetteer does not know, a misspelling, is passed over)
            return None
        recs = by_d or recs
    if not old_prov and not new_prov and not district:
        recs = [r for r in recs if r.new_province_key == home_key]
    if commune.level in ("xa", "phuong", "thi tran"):
        same = [r for r in recs if r.commune_kind == commune.level]
        recs = same or recs
    if not recs:
        return None
    if len({(r.province, r.district, r.commune) for r in recs}) > 1:
        return None  # same commune name in several districts: ambiguous
    defaults = [r for r in recs if r.is_default]
    return (defaults or recs)[0]


def _classify(g: _Gazetteer, parts: list[_Part]) -> tuple[_Part | None, _Part | None, _Part | None]:
    """Pick the province, district and commune parts (by level word, else by position and gazetteer)."""
    province = district = commune = None
    # whatever follows a province written with its level word is not part of the address
    idx = next((i for i, p in enumerate(parts) if p.level == "tinh"), None)
    if idx is None:
        idx = next((i for i, p in enumerate(parts) if i > 0 and p.level == ""
                    and (p.key in g.provinces or p.key in g.old_provinces)), None)
    if idx is not None:
        parts = parts[: idx + 1]
    for p in reversed(parts):
        if p.level == "tinh" and province is None:
            province = p
        elif p.level == "thanh pho":
            if province is None and (p.key in g.provinces or p.key in g.old_provinces) and p is parts[-1]:
                province = p
            elif district is None:
                district = _Part("thanh pho", p.key)
        elif p.level in ("huyen", "quan", "thi xa") and district is None:
            district = p
        elif p.level in ("xa", "phuong", "thi tran", "dac khu") and commune is None:
            commune = p
    # parts written without level words ("Thanh Hà - Thanh Liêm - Hà Nam"): right to left
    bare = [p for p in parts if p.level == ""]
    if province is None and bare and (bare[-1].key in g.provinces or bare[-1].key in g.old_provinces) \
            and bare[-1] is parts[-1]:
        province = bare.pop()
    if commune is None and bare:
        if district is None and len(bare) >= 2 and bare[-1].key in g.old_districts:
            district = bare.pop()
        commune = bare.pop()
    return province, district, commune


def _legacy_units(rec: _OldRecord) -> LegacyUnits:
    return LegacyUnits(province=rec.province, district=rec.district, commune=rec.commune)


def resolve_address(span: str, home_province: str = "Ninh Bình") -> Location | None:
    return resolve_address_how(span, home_province)[0]


def resolve_address_how(span: str, home_province: str = "Ninh Bình") -> tuple[Location | None, list[str]]:
    """Resolve an address as written to the current province and commune (with codes).

    ``home_province`` (the office's province) is assumed when the address names no province and the
    commune is found there. Old-form addresses (with a district, or an abolished province) are
    converted and keep their old units in ``legacy``. Returns None when nothing resolves.

    :func:`resolve_address_how` also says how: a list of evidence labels, among "new" (a current commune
    found in the named province), "home" (no province written: the office's province assumed),
    "anywhere" (no province: a commune name unique in the country), "old" (an old 3-level address
    converted), "old_default" (converted where the old commune was split: the main successor taken),
    "prefix" (only a shorter prefix of the written name matched), "province_only", "written_new" (the
    new unit written out after "nay là").
    """
    how: list[str] = []
    as_written = collapse_spaces(nfc(span)).strip(" ,.;:-")
    if not as_written:
        return None, how
    now = _NOW.search(fold(as_written))
    if now and len(fold(as_written)) == len(as_written):
        # "thị trấn X cũ, nay là xã Y": the new unit is written out; the old one is the legacy
        new = _resolve(as_written[now.end():], home_province, how)
        if new is not None and new.commune:
            old = _resolve(as_written[: now.start()], home_province)
            legacy = old.legacy if old is not None else None
            how.append("written_new")
            return new.model_copy(update={"as_written": as_written, "legacy": legacy}), how
        how.clear()
    loc = _resolve(as_written, home_province, how)
    return (loc.model_copy(update={"as_written": as_written}) if loc else None), how


_NOW = re.compile(r"[\s,(]*\b(?:cu\b\s*[,)]?\s*)?(?:nay|hien nay|bay gio)\s+(?:la|thuoc)\b\s*")


def _resolve(as_written: str, home_province: str, how: list[str] | None = None) -> Location | None:
    how = [] if how is None else how
    g = _gazetteer()
    home_key = _key(home_province)
    province, district, commune = _classify(g, _parts(as_written))
    new_prov, old_prov = _province_key(g, province.key) if province else (None, None)
    if province and not new_prov and not old_prov:
        return None  # a named province we do not know: leave it to review

    old_form = district is not None or (old_prov is not None and new_prov is None)
    if commune is not None:
        if not old_form:
            unit = _resolve_new(g, commune, new_prov, home_key, how)
            if unit:
                how.extend(["new"] if new_prov else ["new", "home"])
                return _location(g, unit, as_written, None)
        rec = _resolve_old(g, commune, district, old_prov, new_prov, home_key, how)
        if rec:
            cands = g.communes.get((g.provinces[rec.new_province_key].code, rec.new_commune_key), [])
            if cands:
                split = sum(1 for r in g.old_by_commune.get(_key(rec.commune), [])
                            if (r.province, r.district, r.commune) == (rec.province, rec.district, rec.commune))
                how.append("old" if split <= 1 else "old_default")
                if not (old_prov or new_prov):
                    how.append("home")
                return _location(g, cands[0], as_written, _legacy_units(rec))
        if old_form:
            unit = _resolve_new(g, commune, new_prov, home_key, how)
            if unit:
                how.extend(["new"] if new_prov else ["new", "home"])
                return _location(g, unit, as_written, None)
        if not new_prov and not old_prov and not district:
            unit = _resolve_anywhere(g, commune)
            if unit:
                how.append("anywhere")
                return _location(g, unit, as_written, None)
    if new_prov:
        how.append("province_only")
        return _province_only(g, new_prov, as_written, None)
    if old_prov and g.old_to_new_province.get(old_prov) in g.provinces:
        how.append("province_only")
        legacy = LegacyUnits(province=g.old_provinces[old_prov])
        return _province_only(g, g.old_to_new_province[old_prov], as_written, legacy)
    return None
