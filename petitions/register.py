"""Registering a processed letter: link it to an earlier letter it duplicates, then store it.

The one place where a record meets the register: every writer (the CLI, the backlog, nightly and
scale-out flows) calls :func:`register` so that duplicates are caught the same way everywhere.

The store may go away mid-run (a PostgreSQL restart, a network cut, a locked SQLite file). Store
calls are then retried with exponential backoff for at most ``store_retry_total_s``; after that
:class:`StoreUnavailableError` stops the run (exit 4). A letter counts as done only once
``Store.save`` returned, so nothing is reported or archived that was not stored. Saving is
idempotent, so a retry after a commit whose acknowledgement was lost changes nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError

from models.record import LetterRecord
from models.store import Store
from petitions.errors import StoreUnavailableError
from petitions.pipeline import ProcessedLetter
from petitions.settings import Settings
from routing.duplicates import DuplicateIndex, mark_duplicate

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_WAIT_S = 15.0  # the longest single wait between two attempts
RETRYABLE = (OperationalError, InterfaceError, StoreUnavailableError)


class Register:
    """A store plus the index of letters already registered (built once, kept up to date)."""

    def __init__(self, store: Store, settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.store = store
        self.settings = settings
        self._index: DuplicateIndex | None = None
        self._lock = threading.Lock()
        self._sleep = sleep

    def _duplicates(self) -> DuplicateIndex:
        if self._index is None:
            self._index = self.retrying(lambda: DuplicateIndex.from_store(self.store), "reading the register")
        return self._index

    def register(self, done: ProcessedLetter) -> LetterRecord:
        record = done.record
        if record.status != "quarantined" and record.text:
            with self._lock:  # find + add must not interleave between two letters
                index = self._duplicates()
                original = index.find(record)
                if original:
                    record = mark_duplicate(record, original, self.settings)
                else:
                    index.add(record)
        self.retrying(lambda: self.store.save(record, done.pages), f"storing letter {record.id[:12]}")
        return record

    def retrying(self, call: Callable[[], T], what: str) -> T:
        """``call()``, retried with exponential backoff while the store is unreachable."""
        total = self.settings.store_retry_total_s
        wait = self.settings.store_retry_first_s
        deadline = time.monotonic() + total
        attempt = 1
        while True:
            try:
                return call()
            except RETRYABLE as exc:
                reason = type(getattr(exc, "orig", None) or exc).__name__
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StoreUnavailableError(
                        f"Không kết nối được cơ sở dữ liệu / the store at {self.store.url} is unavailable "
                        f"({reason}) while {what}; gave up after {attempt} attempt(s) in {total:g} s. "
                        "Nothing unsaved was marked done: start the database and run the command again."
                    ) from exc
                pause = min(wait, left, MAX_WAIT_S)
                log.warning("store unavailable (%s) while %s: attempt %d failed, retrying in %.1f s",
                            reason, what, attempt, pause)
                self._sleep(pause)
                wait *= 2
                attempt += 1
