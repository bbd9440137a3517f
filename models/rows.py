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
