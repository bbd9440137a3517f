"""The domain records: what each pipeline stage produces and the letter record (the public contract).

The letter record's field names and vocabularies are fixed by ../shared/contract/letter-record.md:
fields may be added, never renamed or dropped. Stage outputs are small typed models so that each
stage can be tested on its own and the pipeline only assembles them.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Category = Literal["khieu_nai", "to_cao", "kien_nghi", "phan_anh"]
CATEGORIES: tuple[Category, ...] = ("khieu_nai", "to_cao", "kien_nghi", "phan_anh")

Domain = Literal[
    "dat_dai", "moi_truong", "xay_dung", "giao_thong", "chinh_sach_xa_hoi", "lao_dong", "y_te",
    "giao_duc", "an_ninh_trat_tu", "tham_nhung", "dang", "tu_phap", "khac",
]
DOMAINS: tuple[str, ...] = Domain.__args__  # type: ignore[attr-defined]

Status = Literal["routed", "needs_review", "quarantined"]
TextSource = Literal["text_layer", "ocr", "mixed"]
Action = Literal["accept", "forward", "guide", "file", "transfer_police", "transfer_party"]

# Review reasons used across stages (one vocabulary, documented in docs/review-reasons.md).
REVIEW_REASONS: dict[str, str] = {
    "low_confidence": "category confidence below the configured threshold",
    "mixed": "the letter has substantively different contents",
    "title_mismatch": "the letter's title says another category than its content",
    "route_uncertain": "the routing rule that fired is marked as a judgment call",
    "ocr_low_confidence": "a page was read with low OCR confidence or came back empty",
    "address_not_found": "no petitioner address could be resolved to current units",
    "no_petitioner": "no petitioner name was found in a letter that is not anonymous",
    "no_route": "no routing rule matched",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorInfo(_Model):
    code: str
    message: str


class PageText(_Model):
    """One page as read: from the PDF text layer or from OCR."""

    number: int  # 1-based
    text: str
    source: Literal["text_layer", "ocr"]
    confidence: float | None = None  # mean word confidence 0..1, OCR pages only
    word_count: int = 0
    low_confidence_words: list[str] = Field(default_factory=list)
    # what was done to the page before and after the first OCR pass, with the measurement that decided
    # it (e.g. "deskew 2.1°", "despeckle 1306", "retry median+otsu rotation 180 (kept)")
    preparation: list[str] = Field(default_factory=list)
    # The lines are a page's layout lines (OCR, PDF text layer): paragraphs wrap at the margin. Text
    # given as typed (one paragraph a line) is not. Used while analysing; not stored.
    layout_lines: bool = Field(default=False, exclude=True)


class ReadResult(_Model):
    """The output of intake: every page's text."""

    pages: list[PageText]

    @property
    def layout_lines(self) -> bool:
        return any(p.layout_lines for p in self.pages)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages).strip()

    @property
    def text_source(self) -> TextSource:
        kinds = {p.source for p in self.pages}
        if kinds == {"text_layer"}:
            return "text_layer"
        if kinds == {"ocr"}:
            return "ocr"
        return "mixed"

    @property
    def ocr_confidence(self) -> float | None:
        """Mean word confidence over OCR'd pages, weighted by their word counts."""
        ocr = [p for p in self.pages if p.source == "ocr" and p.confidence is not None]
        words = sum(p.word_count for p in ocr)
        if not ocr:
            return None
        if words == 0:
            return 0.0
        return round(sum((p.confidence or 0.0) * p.word_count for p in ocr) / words, 4)


class Petitioner(_Model):
    name: str | None = None
    id_number: str | None = None
    address: str | None = None


class LegacyUnits(_Model):
    province: str | None = None
    district: str | None = None
    commune: str | None = None


class Location(_Model):
    as_written: str | None = None
    province: str | None = None  # without the level word
    commune: str | None = None  # without the level word
    province_code: str | None = None
    commune_code: str | None = None
    legacy: LegacyUnits | None = None


class Accused(_Model):
    name: str | None = None
    position: str | None = None
    organization: str | None = None


class Decision(_Model):
    """A decision or other document the letter refers to ("Quyết định số 245/QĐ-UBND ngày 12/3/2026 của …")."""

    number: str  # "245/QĐ-UBND", as in ``decision_refs``
    doc_type: str | None = None  # "QĐ", "TB", "KL", …
    issuer: str | None = None  # the body named as issuing it ("Chủ tịch UBND xã Gia Viễn"), if written
    issuer_code: str | None = None  # the issuer part of the number ("UBND", "SNV"), if any
    date: dt.date | None = None  # the "ngày …" written with it, on any of its mentions


class Extraction(_Model):
    """Fields pulled out of the letter's text."""

    petitioners: list[Petitioner] = Field(default_factory=list)
    signatory_count: int = 0
    anonymous: bool = False
    location: Location | None = None
    incident_location: Location | None = None
    subject: str | None = None
    accused: Accused | None = None
    decision_refs: list[str] = Field(default_factory=list)
    letter_date: dt.date | None = None
    decisions: list[Decision] = Field(default_factory=list)
    contested_decision_date: dt.date | None = None  # date of the decision a complaint contests
    field_confidence: dict[str, float] = Field(default_factory=dict)  # see extractors.fields.field_confidence


class Classification(_Model):
    """What the letter is, decided by its content."""

    category: Category
    category_confidence: float
    scores: dict[str, float] = Field(default_factory=dict)  # per-category probability
    title_category: str | None = None  # what the title says (a category key, or keu_cuu/de_nghi/trinh_bay/other)
    mixed: bool = False
    secondary_category: Category | None = None
    complaint_round: Literal[1, 2] | None = None
    domain: Domain = "khac"
    crime_signs: bool = False
    party_discipline: bool = False
    signals: list[str] = Field(default_factory=list)  # human-readable "why this category"
    model_version: str = ""


class Route(_Model):
    agency_kind: str
    unit: str | None = None
    agency_id: str
    agency_name: str
    action: Action
    rule: str
    due_date: dt.date | None = None
    uncertain: bool = False


class LetterRecord(_Model):
    """One record per input file: the public contract (JSON Lines)."""

    id: str
    source: str
    status: Status
    error: ErrorInfo | None = None
    pages: int | None = None
    text_source: TextSource | None = None
    ocr_confidence: float | None = None
    text: str | None = None
    petitioners: list[Petitioner] = Field(default_factory=list)
    signatory_count: int = 0
    anonymous: bool = False
    location: Location | None = None
    incident_location: Location | None = None
    subject: str | None = None
    accused: Accused | None = None
    decision_refs: list[str] = Field(default_factory=list)
    category: Category | None = None
    category_confidence: float | None = None
    title_category: str | None = None
    mixed: bool = False
    secondary_category: Category | None = None
    complaint_round: Literal[1, 2] | None = None
    domain: str | None = None
    crime_signs: bool = False
    party_discipline: bool = False
    route: Route | None = None
    duplicate_of: str | None = None
    needs_review: bool = False
    review_reasons: list[str] = Field(default_factory=list)
    # Added fields (the contract allows additions).
    received_date: dt.date | None = None
    letter_date: dt.date | None = None
    category_signals: list[str] = Field(default_factory=list)
    model_version: str | None = None
    decisions: list[Decision] = Field(default_factory=list)  # number, issuer and date of each reference
    contested_decision_date: dt.date | None = None  # the contested decision's date (complaint time limit)
    # 0..1 per extracted field (keys among petitioners, location, incident_location, accused, subject,
    # decision_refs, letter_date); how it is computed: extractors.fields.field_confidence
    field_confidence: dict[str, float] = Field(default_factory=dict)

    def to_json(self) -> str:
        return self.model_dump_json()
