"""Registering a processed letter: link it to an earlier letter it duplicates, then store it.

The one place where a record meets the register: every writer (the CLI, the backlog, nightly and
scale-out flows) calls :func:`register` so that duplicates are caught the same way everywhere.
"""

from __future__ import annotations

import threading

from models.record import LetterRecord
from models.store import Store
from petitions.pipeline import ProcessedLetter
from petitions.settings import Settings
from routing.duplicates import DuplicateIndex, mark_duplicate


class Register:
    """A store plus the index of letters already registered (built once, kept up to date)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._index: DuplicateIndex | None = None
        self._lock = threading.Lock()

    def _duplicates(self) -> DuplicateIndex:
        if self._index is None:
            self._index = DuplicateIndex.from_store(self.store)
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
        self.store.save(record, done.pages)
        return record
