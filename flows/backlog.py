"""The backlog flow: a folder of scans -> one stored record per file, resumable after a crash.

The store, not Prefect's cache, is the truth: files whose record is stored complete are skipped on a
re-run. Letters run in parallel threads (each letter's tesseract is a subprocess, one per core) in
bounded chunks; tasks take a path and return a small summary tuple, never page images or text.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.intake import letter_id
from models.store import Store
from petitions.errors import UnreadableFileError
from petitions.pipeline import process_file
from petitions.register import Register
from petitions.settings import Settings, default_settings, load_settings

# Called with the number of letters finished; the CLI's progress bar sets it.
progress_hook: Callable[[int], None] | None = None


class LetterOutcome(NamedTuple):
    letter_id: str
    status: str
    category: str | None
    agency_id: str | None
    error_code: str | None
    pages: int


def chunks(items: Sequence[Path], size: int) -> Iterator[Sequence[Path]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@lru_cache(maxsize=4)
def store_for(url: str) -> Store:
    """One Store (engine + pool) per URL per process, migrated once."""
    store = Store(url)
    store.migrate()
    return store


@lru_cache(maxsize=4)
def register_for(url: str) -> Register:
    """One register (store + duplicate index) per URL per process."""
    return Register(store_for(url), load_settings())


def outcome(record) -> LetterOutcome:  # noqa: ANN001 - a LetterRecord
    return LetterOutcome(record.id, record.status, record.category,
                         record.route.agency_id if record.route else None,
                         record.error.code if record.error else None, record.pages or 0)


def process_and_store(path: Path, settings: Settings) -> LetterOutcome:
    """The unit of work of every flow: read, analyse and store one file; returns ids only."""
    done = process_file(path, settings)
    return outcome(register_for(settings.database_url).register(done))


def pending(files: Sequence[Path], settings: Settings) -> list[Path]:
    """Files whose record is not yet stored complete (hashing is cheap next to OCR)."""
    ids: dict[Path, str | None] = {}
    for path in files:
        try:
            ids[path] = letter_id(path)
        except UnreadableFileError:
            ids[path] = None  # always (re)processed: it yields a quarantined record
    done = store_for(settings.database_url).completed_ids(i for i in ids.values() if i)
    return [p for p in files if ids[p] is None or ids[p] not in done]


def summarise_outcomes(outcomes: Sequence[LetterOutcome]) -> dict[str, dict[str, int]]:
    return {
        "status": dict(Counter(o.status for o in outcomes)),
        "category": dict(Counter(o.category for o in outcomes if o.category)),
        "queue": dict(Counter(o.agency_id if o.status == "routed" and o.agency_id else "review"
                              for o in outcomes if o.status != "quarantined")),
        "quarantined": dict(Counter(o.error_code for o in outcomes if o.error_code)),
    }


@task(name="process-letter", cache_policy=NO_CACHE, persist_result=False)
def process_letter(path: str) -> LetterOutcome:
    return process_and_store(Path(path), load_settings())


@flow(name="backlog", task_runner=ThreadPoolTaskRunner(max_workers=default_settings().workers),
      persist_result=False)
def backlog(folder: str, chunk_size: int = 64) -> dict:
    """Process every file below ``folder`` that is not stored yet; returns the run's summary."""
    from petitions.cli import iter_inputs

    settings = load_settings()
    started = time.monotonic()
    files = list(iter_inputs([Path(folder)]))
    todo = pending(files, settings)
    outcomes: list[LetterOutcome] = []
    for chunk in chunks(todo, chunk_size):
        for fut in process_letter.map([str(p) for p in chunk]):
            outcomes.append(fut.result())
            if progress_hook:
                progress_hook(1)
    summary = {"files": len(files), "skipped_already_stored": len(files) - len(todo),
               "processed": len(outcomes), "seconds": round(time.monotonic() - started, 1),
               **summarise_outcomes(outcomes)}
    rows = [{"group": g, "key": k, "letters": n} for g in ("status", "category", "queue", "quarantined")
            for k, n in sorted(summary[g].items())]
    create_table_artifact(key="backlog-summary", table=rows, description=f"Backlog run over {folder}")
    return summary


def run_backlog(folder: Path, settings: Settings, *, workers: int, chunk_size: int = 64,
                progress: bool = True) -> dict:
    """Run the backlog flow over ``folder`` with a progress bar; returns the run's summary."""
    global progress_hook
    flow_fn = backlog.with_options(task_runner=ThreadPoolTaskRunner(max_workers=workers))
    if not progress:
        return flow_fn(str(folder), chunk_size)
    from rich.progress import Progress

    with Progress(transient=False) as bar:
        job = bar.add_task("letters", total=None)
        progress_hook = lambda n: bar.advance(job, n)  # noqa: E731
        try:
            summary = flow_fn(str(folder), chunk_size)
        finally:
            progress_hook = None
        bar.update(job, total=summary["processed"], completed=summary["processed"])
    return summary
