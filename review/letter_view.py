"""What the letter page shows: text with low-confidence words marked, fields, why, route, history."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from models.record import LetterRecord, PageText
from models.rows import AuditRow
from petitions.text import fold
from review.i18n import (
    AUDIT_ACTION_LABELS,
    CATEGORY_LABELS,
    DOMAIN_LABELS,
    FIELD_LABELS,
    REASON_LABELS,
    STATUS_LABELS,
    label,
    yes_no,
)
from review.identity import IDENTITY_FIELDS, MASK, redact

_TOKEN = re.compile(r"\w+|[^\w]+")
# An extracted field whose confidence is below this is flagged for the reviewer (there is no setting
# for it: settings only has the category and OCR thresholds).
FIELD_LOW_CONFIDENCE = 0.6


@dataclass
class Segment:
    text: str
    low: bool = False  # a word OCR read with low confidence
    masked: bool = False  # the denouncer's identity, hidden


@dataclass
class PageView:
    number: int
    source: str
    confidence: float | None
    lines: list[list[Segment]]
    low_count: int
    preparation: list[str] = field(default_factory=list)  # what was done to the scan before/after OCR


@dataclass
class FieldView:
    label: str
    value: str
    note: str = ""  # where the value was read (OCR quality), or a warning
    warn: bool = False
    identity: bool = False
    key: str | None = None  # the record field the row shows (a key of ``field_confidence``)
    confidence: float | None = None  # the extractor's confidence in this field, when the record has one
    low: bool = False  # confidence below the threshold: check this field against the image


@dataclass
class AuditView:
    at: str
    actor: str
    action: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)
    comment: str | None = None


def _segments(line: str, low: set[str]) -> list[Segment]:
    out: list[Segment] = []
    rest = line
    while MASK in rest:
        head, rest = rest.split(MASK, 1)
        out += [Segment(t, low=fold(t) in low) for t in _TOKEN.findall(head)]
        out.append(Segment(MASK, masked=True))
    out += [Segment(t, low=fold(t) in low) for t in _TOKEN.findall(rest)]
    return out


def page_views(record: LetterRecord, pages: list[PageText], masked: bool) -> list[PageView]:
    if not pages and record.text:
        pages = [PageText(number=1, text=record.text, source="text_layer")]
    views = []
    for page in pages:
        text = redact(page.text, record) if masked else page.text
        low = {fold(w) for w in page.low_confidence_words if w.strip()}
        lines = [_segments(line, low) for line in text.split("\n")]
        views.append(PageView(page.number, page.source, page.confidence, lines,
                              sum(s.low for line in lines for s in line), list(page.preparation)))
    return views


def _low_words(pages: list[PageText]) -> set[str]:
    return {fold(w) for p in pages for w in p.low_confidence_words if w.strip()}


def _note(value: str | None, low: set[str], ocr: float | None) -> tuple[str, bool]:
    if not value:
        return "không tìm thấy", True
    if any(fold(w) in low for w in re.findall(r"\w+", value)):
        return "có chữ đọc kém — đối chiếu ảnh", True
    return (f"OCR {ocr:.0%}" if ocr is not None else "lớp chữ PDF"), False


def field_confidences(record: LetterRecord) -> dict[str, float]:
    """The record's per-field confidences (0..1); empty for records stored before they existed."""
    raw = getattr(record, "field_confidence", None)
    if not isinstance(raw, dict):
        return {}
    out: dict[str, float] = {}
    for key, value in raw.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= float(value) <= 1.0:
            out[str(key)] = float(value)
    return out


def field_views(record: LetterRecord, pages: list[PageText], masked: bool,
                threshold: float = FIELD_LOW_CONFIDENCE) -> list[FieldView]:
    low, ocr = _low_words(pages), record.ocr_confidence
    confidences = field_confidences(record)

    def scored(view: FieldView, key: str) -> FieldView:
        view.key, view.confidence = key, confidences.get(key)
        view.low = view.confidence is not None and view.confidence < threshold
        return view

    def row(name: str, value: str | None, key: str, identity: bool = False) -> FieldView:
        if identity and masked:  # a confidence tells nothing about who wrote the letter: it stays
            return scored(FieldView(name, MASK, "ẩn để bảo vệ người tố cáo", identity=True), key)
        note, warn = _note(value, low, ocr)
        return scored(FieldView(name, value or "—", note, warn, identity), key)

    names = "; ".join(p.name or "?" for p in record.petitioners) or None
    ids = "; ".join(p.id_number for p in record.petitioners if p.id_number) or None
    addresses = "; ".join(p.address for p in record.petitioners if p.address) or None
    loc, inc, acc = record.location, record.incident_location, record.accused
    place = ", ".join(x for x in ((loc.commune, loc.province) if loc else ()) if x) or None
    incident = ", ".join(x for x in ((inc.commune, inc.province) if inc else ()) if x) or None
    accused = ", ".join(x for x in ((acc.name, acc.position, acc.organization) if acc else ()) if x) or None
    letter_date = record.letter_date.strftime("%d/%m/%Y") if record.letter_date else None
    rows = [
        row("Người viết đơn", names, "petitioners", identity=True),
        row("Số CCCD/CMND", ids, "petitioners", identity=True),
        row("Địa chỉ người viết", addresses or (loc.as_written if loc else None),
            "petitioners" if addresses else "location", identity=True),
        FieldView("Số người ký", str(record.signatory_count)),
        FieldView("Đơn nặc danh", yes_no(record.anonymous)),
        row("Địa bàn (đơn vị hiện nay)", place, "location"),
        row("Nơi xảy ra vụ việc", incident, "incident_location"),
        row("Trích yếu", record.subject, "subject"),
        row("Người/cơ quan bị khiếu nại, tố cáo", accused, "accused"),
        row("Quyết định được nêu", ", ".join(record.decision_refs) or None, "decision_refs"),
        scored(FieldView("Ngày viết đơn", letter_date or "—"), "letter_date"),
        FieldView("Ngày nhận", record.received_date.strftime("%d/%m/%Y") if record.received_date else "—"),
    ]
    if loc and loc.legacy and not masked:
        legacy = ", ".join(x for x in (loc.legacy.commune, loc.legacy.district, loc.legacy.province) if x)
        rows.insert(6, FieldView("Địa danh cũ (trước 7/2025)", legacy or "—"))
    return rows


def _agency_name(agency_id: str) -> str:
    from routing.agencies import find_agency

    try:
        agency = find_agency(agency_id)
    except Exception:  # noqa: BLE001 - a display nicety: fall back to the id
        agency = None
    return agency.name if agency else agency_id


def show_value(name: str, value: Any, masked: bool) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if masked and name in IDENTITY_FIELDS:
        return MASK
    if name in ("category", "secondary_category"):
        return label(CATEGORY_LABELS, value)
    if name == "domain":
        return label(DOMAIN_LABELS, value)
    if name == "status":
        return label(STATUS_LABELS, value)
    if name == "agency_id":
        return _agency_name(str(value))
    if name == "review_reasons":
        return ", ".join(label(REASON_LABELS, r) for r in value)
    if isinstance(value, bool):
        return yes_no(value)
    if name == "route" and isinstance(value, dict):
        return f"{value.get('agency_name')} ({value.get('rule')})"
    if name == "petitioners" and isinstance(value, list):
        return "; ".join(", ".join(str(v) for v in p.values() if v) for p in value if isinstance(p, dict))
    if isinstance(value, dict):
        return ", ".join(f"{label(FIELD_LABELS, k)}: {v}" for k, v in value.items() if v not in (None, ""))
    return str(value)


def audit_views(rows: list[AuditRow], masked: bool, tz: Any) -> list[AuditView]:
    out = []
    for a in reversed(rows):  # newest first
        before, after = a.before or {}, dict(a.after or {})
        comment = after.pop("comment", None)
        keys = [k for k in dict.fromkeys([*before, *after]) if k not in ("text", "page_texts")]
        changes = [(label(FIELD_LABELS, k), show_value(k, before.get(k), masked), show_value(k, after.get(k), masked))
                   for k in keys]
        out.append(AuditView(a.at.astimezone(tz).strftime("%d/%m/%Y %H:%M"), a.actor,
                             label(AUDIT_ACTION_LABELS, a.action), changes, comment))
    return out
