"""Denouncer protection on the desk (Law on Denunciations art. 8, 47): who sees whose identity.

A letter is *protected* when it is, or ever was, a denunciation (to_cao as category or secondary
category, now or in any audited state): reclassifying it does not reveal its writer to a reviewer.
Reviewers see the text with the writer's identity masked and the page images redacted (the
originals are refused to them server-side); leads and admins may reveal both, and every reveal and
every original page image they open is written to the audit log.
"""

from __future__ import annotations

import re

from models.record import Extraction, LetterRecord
from models.rows import AuditRow

PROTECTED_CATEGORY = "to_cao"
MASK = "[đã ẩn]"
IDENTITY_FIELDS = ("petitioners", "location")  # record fields that identify the writer
_PHONE = re.compile(r"(?<!\d)(?:\+84|0084|0)(?:[ .\-]?\d){8,10}(?!\d)")
_ID = re.compile(r"(?<![\d/])(?:\d[ .]?){8}\d(?:(?:[ .]?\d){3})?(?![\d/])")

try:  # the routing package's redaction (names, IDs, addresses, phones, signature block)
    from routing.redaction import redact_text as _routing_redact
except ImportError:  # pragma: no cover - routing/redaction.py not present
    _routing_redact = None


def _mentions_denunciation(value: object) -> bool:
    return isinstance(value, dict) and PROTECTED_CATEGORY in (value.get("category"), value.get("secondary_category"))


def is_protected(record: LetterRecord, audit: list[AuditRow]) -> bool:
    if PROTECTED_CATEGORY in (record.category, record.secondary_category):
        return True
    return any(_mentions_denunciation(a.before) or _mentions_denunciation(a.after) for a in audit)


def extraction_of(record: LetterRecord) -> Extraction:
    return Extraction(
        petitioners=record.petitioners, signatory_count=record.signatory_count, anonymous=record.anonymous,
        location=record.location, incident_location=record.incident_location, subject=record.subject,
        accused=record.accused, decision_refs=record.decision_refs, letter_date=record.letter_date,
    )


def redact(text: str, record: LetterRecord) -> str:
    """``text`` without the writer's name, ID numbers, address and phone numbers."""
    extraction = extraction_of(record)
    if _routing_redact is not None:
        return _routing_redact(text, extraction)
    phrases = [p.name for p in record.petitioners] + [p.address for p in record.petitioners]
    phrases += [p.id_number for p in record.petitioners]
    if record.location and record.location.as_written:
        phrases.append(record.location.as_written)
    for phrase in sorted({p.strip() for p in phrases if p and p.strip()}, key=len, reverse=True):
        text = re.sub(re.escape(phrase), MASK, text, flags=re.IGNORECASE)
    return _ID.sub(MASK, _PHONE.sub(MASK, text))
