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

from flows.prefect_env import configure_prefect
from petitions.settings import Settings, load_settings


class LetterOutcome(NamedTuple):
    letter_id: str
    status: str
    category: str | None
    agency_id: str | None
    error_code: str | None


def chunks(items: Sequence[Path], size: int) -> Iterator[Sequence[Path]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@lru_cache(maxsize=4)
def _store(url: str):  # noqa: ANN202 - one Store (engine + pool) per URL per process
    from models.store import Store

    store = Store(url)
    store.migrate()
    return store


def process_and_store(path: Path, settings: Settings) -> LetterOutcome:
    """The unit of work of every flow: read, analyse and store one file; returns ids only."""
    from petitions.pipeline import process_file

    done = process_file(path, settings)
    _store(settings.database_url).save(done.record, done.pages)
    r = done.record
    return LetterOutcome(
        r.id, r.status, r.category, r.route.agency_id if r.route else None, r.error.code if r.error else None
    )


def pending(files: Sequence[Path], settings: Settings) -> list[Path]:
    """Files whose record is not yet stored complete (hashing is cheap next to OCR)."""
    from extractors.intake import letter_id
    from petitions.errors import UnreadableFileError

    ids: dict[Path, str | None] = {}
    for path in files:
        try:
            ids[path] = letter_id(path)
        except UnreadableFileError:
            ids[path] = None  # always (re)processed: it yields a quarantined record
    done = _store(settings.database_url).completed_ids(i for i in ids.values() if i)
    return [p for p in files if ids[p] is None or ids[p] not in done]


def _build_flow(workers: int, on_done: Callable[[int], None] | None = None):  # noqa: ANN202 - Prefect objects are created after configure_prefect
    from prefect import flow, task
    from prefect.artifacts import create_table_artifact
    from prefect.cache_policies import NO_CACHE
    from prefect.task_runners import ThreadPoolTaskRunner

    @task(name="process-letter", cache_policy=NO_CACHE, persist_result=False)
    def process_letter(path: str) -> LetterOutcome:
        return process_and_store(Path(path), load_settings(workers=workers))

    @flow(name="backlog", task_runner=ThreadPoolTaskRunner(max_workers=workers), persist_result=False)
    def backlog(folder: str, chunk_size: int = 64) -> dict:
        from petitions.cli import iter_inputs

        settings = load_settings(workers=workers)
        started = time.monotonic()
        files = list(iter_inputs([Path(folder)]))
        todo = pending(files, settings)
        outcomes: list[LetterOutcome] = []
        for chunk in chunks(todo, chunk_size):
            futures = process_letter.map([str(p) for p in chunk])
            for fut in futures:
                outcomes.append(fut.result())
                if on_done:
                    on_done(1)
        summary = {
            "files": len(files),
            "skipped_already_stored": len(files) - len(todo),
            "processed": len(outcomes),
            "seconds": round(time.monotonic() - started, 1),
            "status": dict(Counter(o.status for o in outcomes)),
            "category": dict(Counter(o.category for o in outcomes if o.category)),
            "queue": dict(Counter(o.agency_id for o in outcomes if o.agency_id)),
            "quarantined": dict(Counter(o.error_code for o in outcomes if o.error_code)),
        }
        rows = [{"group": g, "key": k, "letters": n} for g in ("status", "category", "queue", "quarantined")
                for k, n in sorted(summary[g].items())]
        create_table_artifact(key="backlog-summary", table=rows, description=f"Backlog run over {folder}")
        return summary

    return backlog


def run_backlog(folder: Path, settings: Settings, *, workers: int, chunk_size: int = 64,
                progress: bool = True) -> dict:
    """Run the backlog flow over ``folder`` with a progress bar; returns the run's summary."""
    configure_prefect(settings)
    if not progress:
        return _build_flow(workers)(str(folder), chunk_size)
    from rich.progress import Progress

    with Progress(transient=False) as bar:
        job = bar.add_task("letters", total=None)
        flow_fn = _build_flow(workers, on_done=lambda n: bar.advance(job, n))
        summary = flow_fn(str(folder), chunk_size)
        bar.update(job, total=summary["processed"], completed=summary["processed"])
    return summary
