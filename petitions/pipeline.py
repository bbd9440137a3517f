"""The pipeline: plain, typed functions composed in order. No orchestrator here — ``flows/`` wraps
these for Prefect, and ``petitions process`` calls them directly (no start-up cost).

    read (extractors.intake) -> extract (extractors.fields) -> classify (classifiers)
      -> route (routing) -> review decision -> LetterRecord

A LetterError anywhere yields a quarantined record; an unexpected exception also yields one (code
``internal_error``) so that every input file gets exactly one record and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from classifiers.category import classify
from classifiers.versions import review_threshold
from extractors.executor import Executor
from extractors.fields import extract_fields
from extractors.intake import letter_id, read_letter
from models.record import (
    CATEGORIES,
    Classification,
    ErrorInfo,
    Extraction,
    LetterRecord,
    PageText,
    ReadResult,
)
from petitions.errors import LetterError, UnreadableFileError
from petitions.settings import Settings
from petitions.text import unwrap_lines
from routing.engine import RoutingDecision, route_letter

log = logging.getLogger(__name__)

INTERNAL_ERROR = ErrorInfo(
    code="internal_error",
    message="Lỗi nội bộ / an unexpected error while processing this letter: it is kept in quarantine; "
    "report it with the letter id.",
)


@dataclass
class ProcessedLetter:
    record: LetterRecord
    pages: list[PageText] = field(default_factory=list)


def today(settings: Settings) -> dt.date:
    return dt.datetime.now(ZoneInfo(settings.timezone)).date()


def process_file(
    path: Path,
    settings: Settings,
    *,
    received: dt.date | None = None,
    executor: Executor | None = None,
    source: str | None = None,
) -> ProcessedLetter:
    """One input file -> exactly one record (routed, needs_review or quarantined)."""
    source = source or str(path)
    received = received or today(settings)
    try:
        lid = letter_id(path)
    except UnreadableFileError as exc:
        # Without bytes there is no content hash: the id is derived from the path instead.
        lid = hashlib.sha256(f"unreadable:{source}".encode()).hexdigest()
        return ProcessedLetter(_quarantined(lid, source, received, ErrorInfo(code=exc.code, message=exc.message)))
    try:
        read = read_letter(path, settings, executor)
    except LetterError as exc:
        log.info("letter %s quarantined: %s", lid[:12], exc.code)
        return ProcessedLetter(_quarantined(lid, source, received, ErrorInfo(code=exc.code, message=exc.message)))
    except Exception as exc:
        log_internal_error(lid, "reading", exc)
        return ProcessedLetter(_quarantined(lid, source, received, INTERNAL_ERROR))
    try:
        record = analyse(read, settings, letter_id=lid, source=source, received=received)
    except Exception as exc:
        log_internal_error(lid, "analysing", exc)
        record = _quarantined(lid, source, received, INTERNAL_ERROR, read)
    return ProcessedLetter(record, read.pages)


def log_internal_error(lid: str, stage: str, exc: BaseException) -> None:
    """Log an unexpected error by letter id, exception type and code locations only.

    Never the exception's message: it may quote the letter (a pydantic ValidationError shows the
    ``input_value``, a KeyError the key), and logs must not carry names or identity numbers.
    """
    frames = "".join(traceback.format_tb(exc.__traceback__, limit=-8))
    log.error("letter %s: unexpected %s while %s\n%s", lid[:12], type(exc).__name__, stage, frames.rstrip())


def analyse(read: ReadResult, settings: Settings, *, letter_id: str, source: str, received: dt.date) -> LetterRecord:
    """Everything after reading: extraction, classification, routing and the review decision."""
    text = read.text
    extraction = extract_fields(text, settings, read.pages)
    # Classification and routing read the letter line by line (request lines, the writer's matters, the
    # identity lines left out of the body): a page's layout lines are re-joined into paragraphs first
    # (extraction does its own re-joining).
    paragraphs = unwrap_lines(text) if read.layout_lines else text
    classification = classify(paragraphs, extraction, settings)
    decision = route_letter(extraction, classification, received, settings, text=paragraphs)
    reasons = review_reasons(read, extraction, classification, decision, settings)
    return LetterRecord(
        id=letter_id,
        source=source,
        status="needs_review" if reasons else "routed",
        pages=len(read.pages),
        text_source=read.text_source,
        ocr_confidence=read.ocr_confidence,
        text=text,
        petitioners=extraction.petitioners,
        signatory_count=extraction.signatory_count,
        anonymous=extraction.anonymous,
        location=extraction.location,
        incident_location=extraction.incident_location,
        subject=extraction.subject,
        accused=extraction.accused,
        decision_refs=extraction.decision_refs,
        category=classification.category,
        category_confidence=classification.category_confidence,
        title_category=classification.title_category,
        mixed=classification.mixed,
        secondary_category=classification.secondary_category,
        complaint_round=classification.complaint_round,
        domain=classification.domain,
        crime_signs=classification.crime_signs,
        party_discipline=classification.party_discipline,
        route=decision.route,
        needs_review=bool(reasons),
        review_reasons=reasons,
        received_date=received,
        letter_date=extraction.letter_date,
        category_signals=classification.signals,
        model_version=classification.model_version,
        decisions=extraction.decisions,
        contested_decision_date=extraction.contested_decision_date,
        field_confidence=extraction.field_confidence,
    )


def review_reasons(
    read: ReadResult,
    extraction: Extraction,
    classification: Classification,
    decision: RoutingDecision,
    settings: Settings,
) -> list[str]:
    """The one place that decides whether a letter goes to a reviewer, and why."""
    reasons: list[str] = []
    if classification.category_confidence < review_threshold(settings):
        reasons.append("low_confidence")
    if classification.mixed:
        reasons.append("mixed")
    title = classification.title_category
    if title in CATEGORIES and title != classification.category:
        reasons.append("title_mismatch")
    if any(
        p.source == "ocr" and (p.confidence or 0.0) < settings.ocr_review_threshold for p in read.pages
    ):
        reasons.append("ocr_low_confidence")
    if not extraction.anonymous and not any(p.name for p in extraction.petitioners):
        reasons.append("no_petitioner")
    for reason in decision.review_reasons:
        if reason not in reasons:
            reasons.append(reason)
    return reasons


def _quarantined(
    lid: str, source: str, received: dt.date, error: ErrorInfo, read: ReadResult | None = None
) -> LetterRecord:
    return LetterRecord(
        id=lid,
        source=source,
        status="quarantined",
        error=error,
        pages=len(read.pages) if read else None,
        text_source=read.text_source if read else None,
        ocr_confidence=read.ocr_confidence if read else None,
        text=read.text if read else None,
        received_date=received,
    )
