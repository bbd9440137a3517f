"""Nightly ingestion: every new file in the inbox folder(s) is read, registered and routed, and its
original moved into a dated archive (or quarantine) only after its record is committed.

Crash-safe by construction: a file leaves the inbox only after its record is stored, and a file whose
record is already stored is not processed again, only moved. A run killed at any point and started
again therefore processes every file exactly once. Files still being copied (changed within
``stable_seconds``, or with a partial-download suffix) wait for the next run.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, task, unmapped
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.intake import letter_id
from flows.backlog import LetterOutcome, chunks, outcome, register_for, store_for, summarise_outcomes
from models.record import LetterRecord
from petitions.cli import iter_inputs
from petitions.errors import UnreadableFileError
from petitions.pipeline import process_file
from petitions.settings import Settings, default_settings, load_settings

log = logging.getLogger(__name__)

PARTIAL_SUFFIXES = (".part", ".partial", ".crdownload", ".tmp", ".download", ".filepart")
DEPLOYMENT_NAME = "nightly-ingest"


def split_ready(files: Sequence[Path], stable_seconds: float, now: float | None = None) -> tuple[list[Path], list[Path]]:
    """(ready, waiting): a file modified in the last ``stable_seconds`` may still be growing."""
    now = time.time() if now is None else now
    ready: list[Path] = []
    waiting: list[Path] = []
    for path in files:
        if path.suffix.lower() in PARTIAL_SUFFIXES:
            waiting.append(path)
            continue
        try:
            fresh = now - path.stat().st_mtime < stable_seconds
        except OSError:
            fresh = False  # unreadable: it goes through and is quarantined with a code
        (waiting if fresh else ready).append(path)
    return ready, waiting


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and letter_id(a) == letter_id(b)
    except (OSError, UnreadableFileError):
        return False


def archive_original(path: Path, record: LetterRecord, settings: Settings, day: dt.date) -> Path:
    """Move the original under archive/<day>/ (quarantine/<day>/ for quarantined letters)."""
    base = settings.quarantine_dir if record.status == "quarantined" else settings.archive_dir
    assert base is not None
    folder = base / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        if _same_bytes(path, target):  # a crash after the copy, before the delete
            path.unlink()
            return target
        target = folder / f"{path.stem}-{record.id[:8]}{path.suffix}"
    try:
        shutil.move(str(path), str(target))
    except OSError:
        # Across file systems a move is copy + delete: a disk filling up mid-copy leaves a partial
        # copy next to an intact original. Remove the partial copy; the original stays in the inbox.
        if path.exists() and target.exists():
            target.unlink(missing_ok=True)
        raise
    return target


def ingest_file(path: Path, settings: Settings, day: dt.date) -> LetterOutcome:
    """Store the file's record unless it is stored already, then move the original."""
    store = store_for(settings.database_url)
    try:
        lid = letter_id(path)
    except UnreadableFileError:
        lid = None
    record = store.get(lid) if lid and store.is_complete(lid) else None
    if record is None:
        done = process_file(path, settings, received=day, source=str(path))
        record = register_for(settings.database_url).register(done)
    try:
        target = archive_original(path, record, settings, day)
        store.log_event(record.id, "archived", {"to": str(target)})
    except OSError as exc:  # e.g. disk full: the original stays in the inbox for the next run
        # errno and its text only: the exception's file names may name the writer.
        reason = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        log.warning("letter %s stored but not archived (%s: %s): the original stays in the inbox "
                    "and is moved by the next run", record.id[:12], reason, os.strerror(exc.errno or 0))
    return outcome(record)


@task(name="ingest-letter", cache_policy=NO_CACHE, persist_result=False)
def ingest_letter(path: str, day: str) -> LetterOutcome:
    return ingest_file(Path(path), load_settings(), dt.date.fromisoformat(day))


def report_markdown(summary: dict, overdue: Sequence, quarantined: Sequence[tuple[str, str]]) -> str:
    lines = [f"# Nightly ingestion {summary['day']}", "",
             f"{summary['processed']} letters in {summary['seconds']} s "
             f"({summary['pages']} pages, {summary['pages_per_second']} pages/s); "
             f"{summary['waiting']} files still being copied wait for the next run.", ""]
    for group, title in (("status", "Status"), ("category", "Category"), ("queue", "Agency queue")):
        lines += [f"## {title}", "", "| | letters |", "|---|---:|"]
        lines += [f"| {k} | {n} |" for k, n in sorted(summary[group].items())] + [""]
    lines += ["## Quarantined files", "", "| file | code |", "|---|---|"]
    lines += [f"| {name} | {code} |" for name, code in quarantined] + [""]
    lines += [f"## Overdue letters ({len(overdue)})", "", "| letter | agency | due |", "|---|---|---|"]
    lines += [f"| {r.letter_id[:12]} | {r.agency_id} | {r.due_date} |" for r in overdue[:200]]
    return "\n".join(lines) + "\n"


@flow(name="nightly", task_runner=ThreadPoolTaskRunner(max_workers=default_settings().workers),
      persist_result=False)
def nightly(inboxes: list[str] | None = None, chunk_size: int = 64, retrain: bool = True) -> dict:
    """Ingest the inbox folder(s): one record per new file, originals archived after commit."""
    settings = load_settings()
    started = time.monotonic()
    day = dt.datetime.now(ZoneInfo(settings.timezone)).date()
    folders = [Path(p) for p in inboxes] if inboxes else list(settings.inbox_dirs)
    files = list(iter_inputs([f for f in folders if f.exists()]))
    ready, waiting = split_ready(files, settings.stable_seconds)
    outcomes: list[LetterOutcome] = []
    quarantined: list[tuple[str, str]] = []
    for chunk in chunks(ready, chunk_size):
        futures = ingest_letter.map([str(p) for p in chunk], day=unmapped(day.isoformat()))
        for path, fut in zip(chunk, futures, strict=True):
            result = fut.result()
            outcomes.append(result)
            if result.error_code:
                quarantined.append((path.name, result.error_code))
    seconds = round(time.monotonic() - started, 1)
    pages = sum(o.pages for o in outcomes)
    summary = {"day": day.isoformat(), "processed": len(outcomes), "waiting": len(waiting), "seconds": seconds,
               "pages": pages, "pages_per_second": round(pages / seconds, 2) if seconds else 0.0,
               **summarise_outcomes(outcomes)}
    if retrain:
        summary["retrain"] = retrain_if_corrected(settings)
    store = store_for(settings.database_url)
    overdue = [row for row in store.queue(today=day) if row.overdue]
    create_markdown_artifact(key="nightly-report", markdown=report_markdown(summary, overdue, quarantined),
                             description=f"Nightly ingestion {day}")
    return summary


def retrain_if_corrected(settings: Settings) -> str:
    """Run the retraining step when reviewers corrected letters since the active model was built."""
    from classifiers.retrain import retrain_if_needed

    return retrain_if_needed(settings)


def nightly_deployment(settings: Settings):  # noqa: ANN201 - a Prefect RunnerDeployment
    """The `nightly-ingest` deployment: cron in the office's timezone (a bare cron means UTC)."""
    from prefect.schedules import Cron

    return nightly.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[Cron(settings.nightly_cron, timezone=settings.timezone)],
        parameters={"inboxes": [str(p) for p in settings.inbox_dirs], "chunk_size": 64, "retrain": True},
        description="Reads, registers and routes the day's scans; archives originals after commit.",
        tags=["petitions"],
    )
