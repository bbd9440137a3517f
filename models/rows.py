"""Plain read-only rows returned by the store's listings (no ORM objects leak out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One letter in an agency's queue."""

    letter_id: str
    agency_id: str
    agency_name: str
    status: str  # new | assigned | in_progress | answered | closed
    due_date: dt.date | None
    overdue: bool  # open (new/assigned/in_progress) and past due_date
    category: str | None
    source: str
    subject: str | None


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One append-only audit entry; ``at`` is timezone-aware UTC."""

    id: int
    at: dt.datetime
    actor: str
    letter_id: str | None
    action: str  # stored | reprocessed | queue_status | ...
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class CorrectionRow:
    """One reviewer's correction of one field; ``at`` is timezone-aware UTC."""

    id: int
    letter_id: str
    field: str
    before: Any
    after: Any
    actor: str
    at: dt.datetime
    comment: str | None
    model_version: str | None


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One letter as listed in the review queue (no personal data but the subject)."""

    letter_id: str
    status: str  # routed | needs_review | quarantined
    category: str | None
    category_confidence: float | None
    agency_id: str | None
    agency_name: str | None
    subject: str | None
    due_date: dt.date | None
    received_date: dt.date | None
    needs_review: bool
    review_reasons: tuple[str, ...]
    version: int


@dataclass(frozen=True, slots=True)
class ReviewResult:
    """What :meth:`models.store.Store.save_review` did: the new version and the changed fields."""

    letter_id: str
    version: int
    changed: tuple[str, ...]
    corrections: int  # rows written to the corrections table


class VersionConflict(Exception):  # noqa: N818 - a condition, not a failure of the program
    """The letter changed since the reviewer opened it: nothing was saved."""

    def __init__(self, letter_id: str, expected: int, current: int, actor: str | None) -> None:
        super().__init__(f"letter {letter_id} is at version {current}, not {expected}")
        self.letter_id, self.expected, self.current, self.actor = letter_id, expected, current, actor
