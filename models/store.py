"""The store: typed storage of letter records on SQLite (default) or PostgreSQL.

One ``Store`` object per process, one write path (:meth:`Store.save`), short transactions. The same
code runs on every backend; the differences live in :mod:`models.engine`. Logs carry letter ids
only, never record contents, and never the database password.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from zoneinfo import ZoneInfo

from alembic import command
from pydantic import ValidationError
from sqlalchemy import Connection, delete, func, inspect, select, text
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from models.changes import diff, digest, nfc_json, stored_summary
from models.engine import (
    WRITE_OPTION,
    create_store_engine,
    is_sqlite,
    is_sqlite_memory,
    redact_url,
    write_lock,
)
from models.migrations import alembic_config
from models.record import LetterRecord, PageText
from models.rows import AuditRow, CorrectionRow, QueueRow, ReviewResult, ReviewRow, VersionConflict
from models.tables import (
    OPEN_QUEUE_STATUSES,
    QUEUE_STATUSES,
    AuditEntry,
    Correction,
    Letter,
    Page,
    QueueItem,
)
from petitions.errors import NotFoundError, StoreUnavailableError

if TYPE_CHECKING:
    from petitions.settings import Settings

log = logging.getLogger(__name__)

MIN_PREFIX = 8
_HEX = re.compile(r"[0-9a-f]+")
_CHUNK = 500  # ids per IN (...) clause
_PG_MIGRATE_LOCK = 0x70657469  # advisory lock key: one migrating process at a time
_DIGESTED_FIELDS = ("text",)  # audited by fingerprint, not by value
# Record fields a reviewer may correct (the classification's judgments).
CORRECTABLE_FIELDS = frozenset({
    "category", "mixed", "secondary_category", "complaint_round", "domain", "crime_signs", "party_discipline",
})
# Fields a review may change: the corrections (rows in ``corrections``) and the review's outcome.
REVIEW_CORRECTION_FIELDS = CORRECTABLE_FIELDS | {"petitioners", "route"}
REVIEW_FIELDS = REVIEW_CORRECTION_FIELDS | {"status", "needs_review", "review_reasons"}


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _as_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Store:
    """Letter records, their pages, agency queues and the audit log."""

    def __init__(self, url: str, *, timezone: str = "Asia/Ho_Chi_Minh") -> None:
        self._engine = create_store_engine(url)
        self._write_engine = self._engine.execution_options(**{WRITE_OPTION: True})
        self._write_lock = write_lock(self._engine.url)
        self._tz = ZoneInfo(timezone)
        self.url = redact_url(self._engine.url)  # safe to show
        self.dialect = self._engine.dialect.name

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool = True) -> Self:
        """The store named by ``settings.database_url`` (creating a SQLite file's folder), migrated."""
        url = settings.database_url
        store = cls(url, timezone=settings.timezone)
        parsed = store._engine.url
        if is_sqlite(parsed) and not is_sqlite_memory(parsed):
            Path(parsed.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
        if migrate:
            store.migrate()
        return store

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # ---- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[Connection]:
        engine = self._write_engine if write else self._engine
        try:
            conn = engine.connect()
        except (OperationalError, InterfaceError) as exc:
            reason = type(getattr(exc, "orig", exc)).__name__
            raise StoreUnavailableError(
                f"The store cannot be reached at {self.url} ({reason}): check PETITIONS_DB_URL "
                "and that the database is running."
            ) from exc
        with conn:
            yield conn

    @contextmanager
    def _session(self, *, write: bool = False) -> Iterator[Session]:
        """One short transaction; writers take the process-wide lock first (SQLite)."""
        lock = self._write_lock if write else nullcontext()
        with (
            lock,
            self._connect(write=write) as conn,
            Session(bind=conn, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    def today(self) -> dt.date:
        """Today in the office's time zone (what "overdue" is measured against)."""
        return dt.datetime.now(self._tz).date()

    # ---- schema --------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest revision (``alembic upgrade head``); safe to repeat."""
        with self._write_lock, self._connect(write=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATE_LOCK})
            command.upgrade(alembic_config(connection=conn), "head")
        log.debug("store at %s migrated", self.url)

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (None before the first migrate)."""
        with self._connect(write=False) as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    # ---- the write path ------------------------------------------------------------------------

    def save(self, record: LetterRecord, pages: list[PageText], actor: str = "pipeline") -> None:
        """Store one letter: record, pages, queue item and audit row in one transaction.

        Idempotent: saving the same record again changes nothing and writes no audit row; a changed
        record bumps ``version`` and audits "reprocessed" with the changed fields. An existing
        queue item keeps its status unless the letter moves to another agency.
        """
        data: dict[str, Any] = nfc_json(record.model_dump(mode="json"))
        page_data = [nfc_json(p.model_dump(mode="json")) for p in sorted(pages, key=lambda p: p.number)]
        for attempt in (1, 2):
            try:
                with self._session(write=True) as session:
                    action = _upsert(session, data, page_data, actor)
                break
            except IntegrityError:
                # Two writers inserted the same new id at once (PostgreSQL): the row exists now.
                if attempt == 2:
                    raise
                log.debug("letter %s: concurrent insert, retrying as an update", record.id)
        log.info("letter %s: %s", record.id, action or "unchanged")

    def set_queue_status(self, letter_id: str, status: str, actor: str = "clerk") -> None:
        """Move a letter's queue item (new → assigned → in_progress → answered → closed)."""
        if status not in QUEUE_STATUSES:
            raise ValueError(f"unknown queue status {status!r}; expected one of {QUEUE_STATUSES}")
        with self._session(write=True) as session:
            item = session.scalar(
                select(QueueItem).where(QueueItem.letter_id == letter_id).with_for_update()
            )
            if item is None:
                raise NotFoundError(f"letter {letter_id} is in no queue")
            if item.status == status:
                return
            session.add(
                AuditEntry(
                    at=_utcnow(), actor=actor, letter_id=letter_id, action="queue_status",
                    before={"status": item.status}, after={"status": status},
                )
            )
            item.status, item.updated_at = status, _utcnow()
        log.info("letter %s: queue status %s", letter_id, status)

    def add_correction(
        self,
        letter_id: str,
        field: str,
        before: Any,
        after: Any,
        actor: str,
        comment: str | None = None,
    ) -> CorrectionRow:
        """A reviewer corrects one field of a stored letter (e.g. ``category``).

        In one transaction: the correction row (with the model version that produced ``before``),
        an audit row ("corrected"), and the stored record's field (and its column copy) set to
        ``after``. The corrected record must still be a valid LetterRecord (ValueError otherwise).
        """
        if field not in CORRECTABLE_FIELDS:
            raise ValueError(f"field {field!r} cannot be corrected; one of {sorted(CORRECTABLE_FIELDS)}")
        before, after = nfc_json(before), nfc_json(after)
        now = _utcnow()
        with self._session(write=True) as session:
            letter = session.get(Letter, letter_id, with_for_update=True)
            if letter is None:
                raise NotFoundError(f"no letter with id {letter_id}")
            data = dict(letter.record)
            data[field] = after
            try:
                data = LetterRecord.model_validate(data).model_dump(mode="json")
            except ValidationError as exc:
                raise ValueError(f"invalid value for {field}: {after!r}") from exc
            model_version = data.get("model_version")
            row = Correction(
                letter_id=letter_id, field=field, before=before, after=after, actor=actor, at=now,
                comment=comment, model_version=model_version,
            )
            session.add(row)
            session.add(
                AuditEntry(
                    at=now, actor=actor, letter_id=letter_id, action="corrected",
                    before={field: before}, after={field: after, **({"comment": comment} if comment else {})},
                )
            )
            _fill(letter, data, now)
            letter.version += 1
            session.flush()
            result = _correction_row(row)
        log.info("letter %s: %s corrected", letter_id, field)
        return result

    def corrections(self, since: dt.datetime | None = None) -> list[CorrectionRow]:
        """Corrections, oldest first; only those at or after ``since`` (UTC if naive) when given."""
        stmt = select(Correction).order_by(Correction.at, Correction.id)
        if since is not None:
            stmt = stmt.where(Correction.at >= _as_utc(since))
        with self._session() as session:
            return [_correction_row(c) for c in session.scalars(stmt)]

    # ---- reads ---------------------------------------------------------------------------------

    def get(self, letter_id: str) -> LetterRecord | None:
        with self._session() as session:
            data = session.scalar(select(Letter.record).where(Letter.id == letter_id))
        return None if data is None else LetterRecord.model_validate(data)

    def get_pages(self, letter_id: str) -> list[PageText]:
        with self._session() as session:
            rows = session.scalars(select(Page).where(Page.letter_id == letter_id).order_by(Page.number))
            return [_page_text(row) for row in rows]

    def iter_records(self, batch: int = 500) -> Iterator[LetterRecord]:
        """Every stored record, in id order, read in batches (duplicate detection indexes them)."""
        last = ""
        while True:
            with self._session() as session:
                rows = session.execute(
                    select(Letter.id, Letter.record).where(Letter.id > last).order_by(Letter.id).limit(batch)
                ).all()
            if not rows:
                return
            for _, data in rows:
                yield LetterRecord.model_validate(data)
            last = rows[-1][0]

    def is_complete(self, letter_id: str) -> bool:
        with self._session() as session:
            return bool(session.scalar(select(Letter.complete).where(Letter.id == letter_id)))

    def completed_ids(self, ids: Iterable[str]) -> set[str]:
        """The subset of ``ids`` already stored completely (to resume a crashed backlog)."""
        wanted = sorted(set(ids))
        done: set[str] = set()
        with self._session() as session:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                stmt = select(Letter.id).where(Letter.id.in_(chunk), Letter.complete.is_(True))
                done.update(session.scalars(stmt))
        return done

    def resolve_id(self, prefix: str) -> str | None:
        """The one id starting with ``prefix`` (at least 8 hex chars); None if none or ambiguous."""
        prefix = prefix.strip().lower()
        if len(prefix) < MIN_PREFIX or not _HEX.fullmatch(prefix):
            return None
        with self._session() as session:
            # The prefix is plain hex, so it holds no LIKE wildcards.
            stmt = select(Letter.id).where(Letter.id.like(prefix + "%")).order_by(Letter.id).limit(2)
            found = list(session.scalars(stmt))
        if len(found) > 1:
            log.info("id prefix %s is ambiguous", prefix)
        return found[0] if len(found) == 1 else None

    def queue(self, agency_id: str | None = None, today: dt.date | None = None) -> list[QueueRow]:
        """Queued letters (all agencies, or one), earliest due date first."""
        today = today or self.today()
        stmt = (
            select(QueueItem, Letter.category, Letter.source, Letter.subject)
            .join(Letter, Letter.id == QueueItem.letter_id)
            .order_by(
                QueueItem.due_date.is_(None), QueueItem.due_date, QueueItem.created_at, QueueItem.letter_id
            )
        )
        if agency_id is not None:
            stmt = stmt.where(QueueItem.agency_id == agency_id)
        with self._session() as session:
            return [
                QueueRow(
                    letter_id=item.letter_id,
                    agency_id=item.agency_id,
                    agency_name=item.agency_name,
                    status=item.status,
                    due_date=item.due_date,
                    overdue=_overdue(item.status, item.due_date, today),
                    category=category,
                    source=source,
                    subject=subject,
                )
                for item, category, source, subject in session.execute(stmt)
            ]

    def summary(self, today: dt.date | None = None) -> dict[str, Any]:
        """Counts: letters per status and per category, and each agency queue's items by status.

        ``{"letters": n, "needs_review": n, "by_status": {...}, "by_category": {...},
        "queues": {agency_id: {"agency_name", "total", "open", "overdue", "by_status": {...}}}}``;
        letters without a category (quarantined) are not in ``by_category``.
        """
        today = today or self.today()
        with self._session() as session:
            by_status = dict(session.execute(select(Letter.status, func.count()).group_by(Letter.status)).all())
            by_category = dict(
                session.execute(
                    select(Letter.category, func.count())
                    .where(Letter.category.is_not(None))
                    .group_by(Letter.category)
                ).all()
            )
            needs_review = session.scalar(select(func.count()).where(Letter.needs_review.is_(True)))
            queue_rows = session.execute(
                select(QueueItem.agency_id, QueueItem.agency_name, QueueItem.status, QueueItem.due_date)
            ).all()
        queues: dict[str, dict[str, Any]] = {}
        for agency_id, agency_name, status, due_date in queue_rows:
            q = queues.setdefault(
                agency_id,
                {"agency_name": agency_name, "total": 0, "open": 0, "overdue": 0, "by_status": {}},
            )
            q["total"] += 1
            q["open"] += status in OPEN_QUEUE_STATUSES
            q["overdue"] += _overdue(status, due_date, today)
            q["by_status"][status] = q["by_status"].get(status, 0) + 1
        return {
            "letters": sum(by_status.values()),
            "needs_review": needs_review or 0,
            "by_status": by_status,
            "by_category": by_category,
            "queues": dict(sorted(queues.items())),
        }

    def audit(
        self, letter_id: str | None = None, limit: int | None = None, action: str | None = None
    ) -> list[AuditRow]:
        """Audit entries, oldest first: one letter's, or the last ``limit`` of all (of one ``action``)."""
        stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
        if letter_id is not None:
            stmt = stmt.where(AuditEntry.letter_id == letter_id)
        if action is not None:
            stmt = stmt.where(AuditEntry.action == action)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._session() as session:
            rows = [
                AuditRow(
                    id=e.id, at=_as_utc(e.at), actor=e.actor, letter_id=e.letter_id,
                    action=e.action, before=e.before, after=e.after,
                )
                for e in session.scalars(stmt)
            ]
        return rows[::-1]

    def log_event(self, letter_id: str, action: str, after: dict[str, Any] | None = None,
                  actor: str = "pipeline") -> None:
        """Append one audit entry for an event outside the record (e.g. the original was archived)."""
        with self._session(write=True) as session:
            session.add(AuditEntry(at=_utcnow(), actor=actor, letter_id=letter_id, action=action,
                                   before=None, after=after))

    # ---- the review desk -----------------------------------------------------------------------

    def version(self, letter_id: str) -> int | None:
        """The letter's optimistic-locking version (bumped by every change), None if unknown."""
        with self._session() as session:
            return session.scalar(select(Letter.version).where(Letter.id == letter_id))

    def save_review(
        self,
        letter_id: str,
        expected_version: int,
        changes: dict[str, Any],
        actor: str,
        comment: str | None = None,
        *,
        derived: Iterable[str] = (),
        action: str = "reviewed",
    ) -> ReviewResult:
        """A reviewer's decision on one letter, in ONE transaction, or nothing at all.

        Raises :class:`VersionConflict` when the letter is no longer at ``expected_version`` (another
        reviewer saved first). Otherwise: every changed field of ``changes`` (keys from REVIEW_FIELDS)
        is set; each changed correction field not in ``derived`` (e.g. a route recomputed from a
        corrected category) gets a row in ``corrections``; one audit row (``action``) keeps the
        before/after values and the comment; the version is bumped and the agency queue follows the
        new route and status (a routed letter enters its queue).
        """
        unknown = set(changes) - REVIEW_FIELDS
        if unknown:
            raise ValueError(f"fields {sorted(unknown)} cannot be changed by a review")
        changes, derived_set = nfc_json(dict(changes)), set(derived)
        now = _utcnow()
        with self._session(write=True) as session:
            letter = session.get(Letter, letter_id, with_for_update=True)
            if letter is None:
                raise NotFoundError(f"no letter with id {letter_id}")
            if letter.version != expected_version:
                last = session.scalar(
                    select(AuditEntry.actor).where(AuditEntry.letter_id == letter_id)
                    .order_by(AuditEntry.id.desc()).limit(1)
                )
                raise VersionConflict(letter_id, expected_version, letter.version, last)
            old = dict(letter.record)
            try:
                data = LetterRecord.model_validate({**old, **changes}).model_dump(mode="json")
            except ValidationError as exc:
                raise ValueError(f"invalid review of letter {letter_id}: {exc.error_count()} bad value(s)") from exc
            before, after = diff({k: old.get(k) for k in changes}, {k: data.get(k) for k in changes})
            model_version = old.get("model_version")
            corrected = [k for k in after if k in REVIEW_CORRECTION_FIELDS and k not in derived_set]
            for field in corrected:
                session.add(Correction(
                    letter_id=letter_id, field=field, before=before[field], after=after[field], actor=actor,
                    at=now, comment=comment, model_version=model_version,
                ))
            audit_after = {**after, **({"comment": comment} if comment else {})}
            session.add(AuditEntry(at=now, actor=actor, letter_id=letter_id, action=action,
                                   before=before, after=audit_after))
            _fill(letter, data, now)
            letter.version += 1
            _sync_queue(session, data, now)
            result = ReviewResult(letter_id, letter.version, tuple(after), len(corrected))
        log.info("letter %s: %s (%d field(s) changed)", letter_id, action, len(result.changed))
        return result

    def review_rows(
        self,
        *,
        statuses: Iterable[str] | None = None,
        category: str | None = None,
        agency_id: str | None = None,
    ) -> list[ReviewRow]:
        """Letters for the review desk: needs_review first, then by due date (none last), oldest first."""
        stmt = select(*_REVIEW_COLUMNS).where(*_review_where(statuses, category, agency_id, None))
        with self._session() as session:
            rows = session.execute(stmt.order_by(*_REVIEW_ORDER)).all()
        return [_review_row(*row) for row in rows]

    def letters_per_day(self, since: dt.date) -> dict[dt.date, int]:
        """Letters received per day from ``since`` on (days without letters are absent)."""
        stmt = (
            select(Letter.received_date, func.count())
            .where(Letter.received_date >= since)
            .group_by(Letter.received_date)
            .order_by(Letter.received_date)
        )
        with self._session() as session:
            return {day: n for day, n in session.execute(stmt).all() if day is not None}

    def review_page(
        self,
        *,
        statuses: Iterable[str] | None = None,
        category: str | None = None,
        agency_id: str | None = None,
        reason: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> ReviewPage:
        """One page of the review queue (the order of :meth:`review_rows`), read with LIMIT/OFFSET.

        ``reason`` keeps letters whose review_reasons hold it. Besides the page's rows: the number
        of letters matching every filter, the letters per review reason (every filter but
        ``reason``) and the agencies with letters (the status and category filters only), all
        counted by the database, so a backlog of thousands of letters is never loaded.
        """
        if limit < 1 or offset < 0:
            raise ValueError("limit must be positive and offset not negative")
        where = _review_where(statuses, category, agency_id, reason)
        reasons_text = Letter.record["review_reasons"].as_string()
        agency_name = Letter.record[("route", "agency_name")].as_string()
        with self._session() as session:
            total = session.scalar(select(func.count()).select_from(Letter).where(*where)) or 0
            rows = session.execute(
                select(*_REVIEW_COLUMNS).where(*where).order_by(*_REVIEW_ORDER).limit(limit).offset(offset)
            ).all()
            # one row per distinct combination of reasons: a handful, whatever the backlog's size
            combos = session.execute(
                select(reasons_text, func.count())
                .where(*_review_where(statuses, category, agency_id, None))
                .group_by(reasons_text)
            ).all()
            agencies = session.execute(
                select(Letter.agency_id, func.max(agency_name))
                .where(*_review_where(statuses, category, None, None), Letter.agency_id.is_not(None))
                .group_by(Letter.agency_id)
            ).all()
        counts: dict[str, int] = {}
        for text_value, n in combos:
            for r in _json_list(text_value):
                counts[r] = counts.get(r, 0) + n
        return ReviewPage(
            rows=[_review_row(*row) for row in rows],
            total=total,
            reason_counts=dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
            agencies={aid: name or aid for aid, name in agencies},
        )

    def review_neighbours(
        self,
        letter_id: str,
        *,
        statuses: Iterable[str] | None = None,
        category: str | None = None,
        agency_id: str | None = None,
        reason: str | None = None,
    ) -> tuple[str | None, str | None]:
        """The letters before and after ``letter_id`` in the filtered review queue.

        A letter not in it (e.g. just reviewed out of "needs review") has no previous letter and the
        queue's first letter as its next. Found by the database (row_number), not by listing.
        """
        where = _review_where(statuses, category, agency_id, reason)
        with self._session() as session:
            ranked = (
                select(Letter.id.label("id"), func.row_number().over(order_by=_REVIEW_ORDER).label("n"))
                .where(*where)
                .subquery()
            )
            position = session.scalar(select(ranked.c.n).where(ranked.c.id == letter_id))
            if position is None:
                first = session.scalars(select(Letter.id).where(*where).order_by(*_REVIEW_ORDER).limit(2)).all()
                return None, next((i for i in first if i != letter_id), None)
            start = max(int(position) - 2, 0)
            ids = session.scalars(
                select(Letter.id).where(*where).order_by(*_REVIEW_ORDER).offset(start).limit(3)
            ).all()
        i = ids.index(letter_id) if letter_id in ids else -1
        if i < 0:  # the queue changed between the two reads
            return None, None
        return (ids[i - 1] if i > 0 else None), (ids[i + 1] if i + 1 < len(ids) else None)


# ---- the write path's steps (inside one transaction) -----------------------------------------


PIPELINE_ACTOR = "pipeline"
REVIEW_ACTIONS = ("reviewed", "confirmed")


def _reviewed(session: Session, letter_id: str) -> bool:
    """Whether a person has corrected or confirmed this letter."""
    corrected = session.scalar(select(Correction.id).where(Correction.letter_id == letter_id).limit(1))
    if corrected is not None:
        return True
    confirmed = select(AuditEntry.id).where(AuditEntry.letter_id == letter_id, AuditEntry.action.in_(REVIEW_ACTIONS))
    return session.scalar(confirmed.limit(1)) is not None


def _upsert(session: Session, data: dict[str, Any], pages: list[dict[str, Any]], actor: str) -> str | None:
    """Insert or update one letter; returns the audited action, or None when nothing changed."""
    letter_id = data["id"]
    now = _utcnow()
    letter = session.get(Letter, letter_id, with_for_update=True)
    if letter is None:
        letter = Letter(id=letter_id, created_at=now, version=1)
        _fill(letter, data, now)
        session.add(letter)
        session.flush()  # the letter row exists before its pages and queue item
        _replace_pages(session, letter_id, pages)
        _sync_queue(session, data, now)
        session.add(
            AuditEntry(
                at=now, actor=actor, letter_id=letter_id, action="stored",
                before=None, after=stored_summary(data),
            )
        )
        return "stored"

    if actor == PIPELINE_ACTOR and _reviewed(session, letter_id):
        # A reviewer's decision outranks the machine's: processing the same file again (a rerun, the
        # same scan arriving twice) must not put back what the reviewer corrected or confirmed.
        return None

    old = LetterRecord.model_validate(letter.record).model_dump(mode="json")
    old_pages = [
        _page_text(p).model_dump(mode="json")
        for p in session.scalars(select(Page).where(Page.letter_id == letter_id).order_by(Page.number))
    ]
    if old == data and old_pages == pages and letter.complete:
        return None
    before, after = diff(old, data)
    for key in _DIGESTED_FIELDS:
        if key in before:
            before[key], after[key] = {"sha256": digest(before[key])}, {"sha256": digest(after[key])}
    if old_pages != pages:
        before["page_texts"], after["page_texts"] = {"sha256": digest(old_pages)}, {"sha256": digest(pages)}
        _replace_pages(session, letter_id, pages)
    _fill(letter, data, now)
    letter.version += 1
    _sync_queue(session, data, now)
    session.add(
        AuditEntry(at=now, actor=actor, letter_id=letter_id, action="reprocessed", before=before, after=after)
    )
    return "reprocessed"


def _fill(letter: Letter, data: dict[str, Any], now: dt.datetime) -> None:
    route = data.get("route") or {}
    letter.source = data["source"]
    letter.status = data["status"]
    letter.category = data.get("category")
    letter.agency_id = route.get("agency_id")
    letter.subject = data.get("subject")
    letter.due_date = _date(route.get("due_date"))
    letter.needs_review = bool(data.get("needs_review"))
    letter.received_date = _date(data.get("received_date"))
    letter.updated_at = now
    letter.complete = True
    letter.record = data


def _replace_pages(session: Session, letter_id: str, pages: list[dict[str, Any]]) -> None:
    session.execute(delete(Page).where(Page.letter_id == letter_id))
    session.add_all(
        Page(
            letter_id=letter_id,
            number=p["number"],
            text=p["text"],
            source=p["source"],
            confidence=p.get("confidence"),
            word_count=p.get("word_count", 0),
            low_confidence_words=p.get("low_confidence_words") or [],
            preparation=p.get("preparation") or [],
        )
        for p in pages
    )


def _sync_queue(session: Session, data: dict[str, Any], now: dt.datetime) -> None:
    """A routed letter has one item in its agency's queue. Others have none: a letter that needs
    review waits in the review queue until a reviewer confirms its route."""
    route = data.get("route")
    item = session.scalar(select(QueueItem).where(QueueItem.letter_id == data["id"]))
    if route is None or data["status"] != "routed":
        if item is not None:
            session.delete(item)
        return
    due = _date(route.get("due_date"))
    if item is None:
        session.add(
            QueueItem(
                letter_id=data["id"], agency_id=route["agency_id"], agency_kind=route["agency_kind"],
                agency_name=route["agency_name"], status="new", due_date=due, created_at=now, updated_at=now,
            )
        )
        return
    if item.agency_id != route["agency_id"]:
        item.status = "new"  # another agency's queue: its progress starts over
    fields = {
        "agency_id": route["agency_id"], "agency_kind": route["agency_kind"],
        "agency_name": route["agency_name"], "due_date": due,
    }
    if any(getattr(item, k) != v for k, v in fields.items()):
        for key, value in fields.items():
            setattr(item, key, value)
        item.updated_at = now


def _correction_row(row: Correction) -> CorrectionRow:
    return CorrectionRow(
        id=row.id, letter_id=row.letter_id, field=row.field, before=row.before, after=row.after,
        actor=row.actor, at=_as_utc(row.at), comment=row.comment, model_version=row.model_version,
    )


def _page_text(row: Page) -> PageText:
    return PageText(
        number=row.number,
        text=row.text,
        source=row.source,  # type: ignore[arg-type]
        confidence=row.confidence,
        word_count=row.word_count,
        low_confidence_words=list(row.low_confidence_words or []),
        preparation=list(row.preparation or []),
    )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _overdue(status: str, due_date: dt.date | None, today: dt.date) -> bool:
    return due_date is not None and due_date < today and status in OPEN_QUEUE_STATUSES


# ---- the review queue, paginated -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewPage:
    """One page of the review queue and the counts its filters need (see Store.review_page)."""

    rows: list[ReviewRow]
    total: int  # letters matching every filter
    reason_counts: dict[str, int] = field(default_factory=dict)  # most frequent first
    agencies: dict[str, str] = field(default_factory=dict)  # agency_id -> agency name


_REVIEW_COLUMNS = (
    Letter.id, Letter.status, Letter.category, Letter.agency_id, Letter.subject, Letter.due_date,
    Letter.received_date, Letter.needs_review, Letter.version, Letter.record,
)
_REVIEW_ORDER = (
    Letter.needs_review.desc(), Letter.due_date.is_(None), Letter.due_date,
    Letter.received_date, Letter.created_at, Letter.id,
)
_REASON = re.compile(r"[a-z][a-z0-9_]*")


def _review_where(
    statuses: Iterable[str] | None, category: str | None, agency_id: str | None, reason: str | None
) -> list[Any]:
    where: list[Any] = []
    if statuses is not None:
        where.append(Letter.status.in_(list(statuses)))
    if category is not None:
        where.append(Letter.category == category)
    if agency_id is not None:
        where.append(Letter.agency_id == agency_id)
    if reason is not None:
        if not _REASON.fullmatch(reason):
            raise ValueError(f"not a review reason: {reason!r}")
        # The reasons are a JSON list of plain codes: match the quoted code in its text (same on
        # SQLite and PostgreSQL), with LIKE's "_" escaped.
        pattern = '%"' + reason.replace("_", "\\_") + '"%'
        where.append(Letter.record["review_reasons"].as_string().like(pattern, escape="\\"))
    return where


def _review_row(
    lid: str, status: str, category: str | None, agency: str | None, subject: str | None,
    due: dt.date | None, received: dt.date | None, needs: bool, version: int, record: dict[str, Any],
) -> ReviewRow:
    route = record.get("route") or {}
    return ReviewRow(
        letter_id=lid, status=status, category=category, category_confidence=record.get("category_confidence"),
        agency_id=agency, agency_name=route.get("agency_name"), subject=subject, due_date=due,
        received_date=received, needs_review=bool(needs),
        review_reasons=tuple(record.get("review_reasons") or ()), version=version,
    )


def _json_list(value: Any) -> list[str]:
    """A JSON list read back as text (SQLite: as stored; PostgreSQL: jsonb's own spelling)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return []
    return [str(v) for v in parsed] if isinstance(parsed, list) else []
