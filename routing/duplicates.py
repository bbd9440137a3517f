"""Duplicate letters: the same writer sending substantially the same content again.

Exact duplicates (the same file's bytes) already share one id, hence one stored row. Near-duplicates
(a re-typed or re-scanned letter, a new date, a few words changed) are found with MinHash over
3-word shingles of the folded text, banded into an LSH index, then confirmed by the estimated
Jaccard similarity and by the writer's name (rapidfuzz). A duplicate is linked to the earlier letter
(``duplicate_of``) and is not forwarded twice: its route becomes the filing action (engine step
``DUP``, documented in routing/table.yaml), so it lands in the office's ``luu_don`` queue.

    index = DuplicateIndex.from_store(store)      # or DuplicateIndex() and add() as letters come
    original = index.find(record)                 # id of the earlier letter, or None
    if original:
        record = mark_duplicate(record, original, settings)
    index.add(record)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import fuzz

from models.record import LetterRecord, Route
from petitions.settings import Settings
from petitions.text import fold
from routing import agencies

if TYPE_CHECKING:
    from models.store import Store

DUPLICATE_RULE = "DUP"
NUM_PERM = 128
BANDS = 16  # 16 bands of 8 rows: a pair with Jaccard 0.8 becomes a candidate 95% of the time, 0.5: 6%
ROWS = NUM_PERM // BANDS
SHINGLE = 3
_rng = np.random.default_rng(20260701)  # fixed: signatures are comparable across runs and processes
# Multiply-shift hashing: h(x) = ((a*x + b) mod 2^64) >> 32 with odd random 64-bit a (wrapping uint64).
_A = _rng.integers(0, np.iinfo(np.uint64).max, size=NUM_PERM, dtype=np.uint64, endpoint=True) | np.uint64(1)
_B = _rng.integers(0, np.iinfo(np.uint64).max, size=NUM_PERM, dtype=np.uint64, endpoint=True)
_SHIFT = np.uint64(32)
_WORD = re.compile(r"[a-z0-9]+")
# What changes between two sendings of the same letter (or is in every letter): the national header
# and dates. Matched on the folded word stream.
_VOLATILE = re.compile(
    r"\bcong hoa xa hoi chu nghia viet nam\b|\bdoc lap tu do hanh phuc\b"
    r"|\bngay \d{1,2}(?: thang)? \d{1,2}(?: nam)? \d{2,4}\b|\b\d{1,2} \d{1,2} \d{4}\b"
)


@dataclass(frozen=True)
class DuplicateSettings:
    """Thresholds: estimated Jaccard of the content, and writer-name similarity (0-100)."""

    content: float = 0.7
    content_anonymous: float = 0.9  # no writer to compare: the content must match more closely
    name: float = 90.0


# petitions.text.fold, as one str.translate table over Latin letters with diacritics (fast on long texts).
_FOLD = str.maketrans({chr(c): fold(chr(c)) for c in range(0xC0, 0x1F00) if len(fold(chr(c))) == 1})


def content_words(text: str) -> list[str]:
    """Folded words of a letter, without what changes between sendings (dates, national header)."""
    words = " ".join(_WORD.findall(unicodedata.normalize("NFC", text or "").translate(_FOLD).lower()))
    return _VOLATILE.sub(" ", words).split()


def shingle_hashes(text: str) -> np.ndarray:
    words = content_words(text)
    if len(words) < SHINGLE:
        words = words + [""] * (SHINGLE - len(words))
    grams = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    return np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))


def minhash(text: str) -> np.ndarray:
    """A NUM_PERM-value MinHash signature of the letter's shingles (multiply-shift hashing)."""
    hashes = shingle_hashes(text)
    values = (np.outer(_A, hashes) + _B[:, None]) >> _SHIFT  # uint64 arithmetic wraps: mod 2^64
    return values.min(axis=1)


def similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two letters' shingle sets."""
    return float(np.count_nonzero(sig_a == sig_b)) / NUM_PERM


@dataclass(frozen=True)
class Writer:
    """Who wrote a letter, folded: name, ID number and address (each may be missing)."""

    name: str
    id_number: str | None = None
    address: str | None = None


def _norm(value: str | None) -> str | None:
    words = _WORD.findall(fold(value or ""))
    return " ".join(words) or None


def _writers(record: LetterRecord) -> list[Writer]:
    return [
        Writer(name=_norm(p.name) or "", id_number=_norm(p.id_number), address=_norm(p.address))
        for p in record.petitioners
        if p.name and p.name.strip()
    ]


def _commune(record: LetterRecord) -> str | None:
    loc = record.location
    return _norm(loc.commune) if loc and loc.commune else None


def same_person(a: Writer, b: Writer, threshold: float = 90.0) -> bool:
    """The same name (rapidfuzz, accent-insensitive) and nothing that tells them apart: two different
    ID numbers, or two clearly different addresses, mean two people of the same name."""
    if fuzz.token_sort_ratio(a.name, b.name) < threshold:
        return False
    if a.id_number and b.id_number and a.id_number != b.id_number:
        return False
    return not (a.address and b.address and fuzz.token_set_ratio(a.address, b.address) < 80)


def same_writer(a: list[Writer], b: list[Writer], threshold: float = 90.0) -> bool:
    """True when some writer of one letter is a writer of the other."""
    return any(same_person(x, y, threshold) for x in a for y in b)


@dataclass
class _Entry:
    id: str
    order: tuple[dt.date, int]
    signature: np.ndarray
    writers: list[Writer]
    commune: str | None


@dataclass
class DuplicateIndex:
    """The letters seen so far, indexed for near-duplicate search (in memory; rebuilt from the store)."""

    settings: DuplicateSettings = field(default_factory=DuplicateSettings)
    _entries: dict[str, _Entry] = field(default_factory=dict)
    _buckets: list[dict[bytes, list[str]]] = field(default_factory=lambda: [defaultdict(list) for _ in range(BANDS)])
    _last: tuple[str, str, np.ndarray] | None = None  # (id, text, signature): find() then add() hash once

    def _signature(self, record: LetterRecord) -> np.ndarray:
        text = record.text or ""
        if self._last and self._last[0] == record.id and self._last[1] == text:
            return self._last[2]
        sig = minhash(text)
        self._last = (record.id, text, sig)
        return sig

    @classmethod
    def from_store(cls, store: Store, settings: DuplicateSettings | None = None) -> DuplicateIndex:
        """An index of every stored letter with text (those already linked as duplicates are skipped:
        their originals are indexed)."""
        index = cls(settings or DuplicateSettings())
        for record in _stored_records(store):
            if record.text and record.status != "quarantined" and not record.duplicate_of:
                index.add(record)
        return index

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, letter_id: object) -> bool:
        return letter_id in self._entries

    def add(self, record: LetterRecord) -> None:
        """Index one letter (a letter already indexed under its id is replaced)."""
        if record.id in self._entries:
            self._remove(record.id)
        sig = self._signature(record)
        entry = _Entry(record.id, (record.received_date or dt.date.max, len(self._entries)), sig, _writers(record),
                       _commune(record))
        self._entries[record.id] = entry
        for band, key in enumerate(_band_keys(sig)):
            self._buckets[band][key].append(record.id)

    def find(self, record: LetterRecord) -> str | None:
        """The id of the earliest indexed letter this one duplicates (same writer, same content), or None.

        The letter itself (same id: an exact duplicate, already the same row) is never its own original.
        """
        if not record.text:
            return None
        sig = self._signature(record)
        writers = _writers(record)
        commune = _commune(record)
        candidates: set[str] = set()
        for band, key in enumerate(_band_keys(sig)):
            candidates.update(self._buckets[band].get(key, ()))
        candidates.discard(record.id)
        matches: list[_Entry] = []
        for cid in candidates:
            entry = self._entries[cid]
            score = similarity(sig, entry.signature)
            if writers and entry.writers:
                if score >= self.settings.content and same_writer(writers, entry.writers, self.settings.name):
                    matches.append(entry)
            elif (
                not writers and not entry.writers and score >= self.settings.content_anonymous
                # anonymous: nearly the same text, from the same place (when both places are known)
                and not (commune and entry.commune and commune != entry.commune)
            ):
                matches.append(entry)
        if not matches:
            return None
        return min(matches, key=lambda e: e.order).id

    def _remove(self, letter_id: str) -> None:
        entry = self._entries.pop(letter_id)
        for band, key in enumerate(_band_keys(entry.signature)):
            ids = self._buckets[band].get(key)
            if ids and letter_id in ids:
                ids.remove(letter_id)


def _band_keys(sig: np.ndarray) -> Iterable[bytes]:
    for band in range(BANDS):
        yield sig[band * ROWS : (band + 1) * ROWS].tobytes()


def _stored_records(store: Store) -> Iterable[LetterRecord]:
    """Every stored record. Uses ``Store.iter_records()`` when the store offers it; otherwise the
    letters that sit in an agency queue (letters left to review without a route are then missed)."""
    iter_records: Any = getattr(store, "iter_records", None)
    if callable(iter_records):
        yield from iter_records()
        return
    seen: set[str] = set()
    for row in store.queue():
        if row.letter_id in seen:
            continue
        seen.add(row.letter_id)
        record = store.get(row.letter_id)
        if record is not None:
            yield record


def mark_duplicate(record: LetterRecord, original_id: str, settings: Settings) -> LetterRecord:
    """The record linked to its original and filed: a duplicate is never forwarded twice.

    Engine step ``DUP``: the route becomes the office's filing queue (``luu_don``, action ``file``),
    keeping the deadline the letter's route had (the office still answers that it was filed).
    """
    province = agencies.office_province(settings)
    filed = agencies.provincial_agency("luu_don", province)
    due = record.route.due_date if record.route else None
    route = Route(
        agency_kind=filed.kind, unit=filed.unit, agency_id=filed.id, agency_name=filed.name,
        action="file", rule=DUPLICATE_RULE, due_date=due, uncertain=False,
    )
    return record.model_copy(update={"duplicate_of": original_id, "route": route})
