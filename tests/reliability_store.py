"""Invariants of a store after a crash or an outage, checked with plain SQL (any SQLAlchemy URL)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool


def file_ids(files: list[Path]) -> dict[str, Path]:
    return {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in files}


def read_out(path: Path) -> list[dict]:
    """Records of a JSON Lines file; a torn last line (killed mid-write) is ignored."""
    if not path.exists():
        return []
    raw = path.read_text(encoding="utf-8")
    lines = raw.split("\n")
    complete = lines[:-1]  # text after the last newline was never finished
    return [json.loads(line) for line in complete if line.strip()]


def check_store(url: str, expected_ids: set[str] | None = None) -> dict[str, int]:
    """Assert the store is consistent; with ``expected_ids``, that it holds exactly those letters.

    No half-written letter (complete, pages rows = the record's page count), no duplicate rows, one
    "stored" audit per letter, every routed letter in exactly one queue and no queue item without one.
    """
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            letters = conn.execute(text("SELECT id, status, complete, record FROM letters")).all()
            pages = Counter(r[0] for r in conn.execute(text("SELECT letter_id FROM pages")))
            page_keys = conn.execute(text("SELECT letter_id, number FROM pages")).all()
            queue = Counter(r[0] for r in conn.execute(text("SELECT letter_id FROM queue_items")))
            stored = Counter(r[0] for r in conn.execute(
                text("SELECT letter_id FROM audit_log WHERE action = 'stored'")))
    finally:
        engine.dispose()
    ids = [row[0] for row in letters]
    assert len(ids) == len(set(ids)), "duplicate letter rows"
    assert len(page_keys) == len(set(map(tuple, page_keys))), "duplicate page rows"
    if expected_ids is not None:
        assert set(ids) == expected_ids, (
            f"missing {sorted(i[:8] for i in expected_ids - set(ids))}, extra {sorted(i[:8] for i in set(ids) - expected_ids)}"
        )
    routed = set()
    for lid, status, complete, record in letters:
        data = record if isinstance(record, dict) else json.loads(record)
        assert complete, f"letter {lid[:8]} half-written"
        assert pages[lid] == (data.get("pages") or 0), (
            f"letter {lid[:8]}: {pages[lid]} page rows, record says {data.get('pages')}"
        )
        assert stored[lid] == 1, f"letter {lid[:8]} stored {stored[lid]} times"
        if status == "routed":
            routed.add(lid)
    assert all(n == 1 for n in queue.values()), "a letter in two queues"
    assert set(queue) == routed, "queue items and routed letters differ"
    assert set(pages) <= set(ids) and set(stored) <= set(ids), "rows of a letter that does not exist"
    return {"letters": len(ids), "routed": len(routed), "pages": sum(pages.values())}
