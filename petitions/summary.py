"""Tables a clerk reads in the terminal: a run's summary and the agency queues."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from models.record import LetterRecord


def summarise(records: Iterable[LetterRecord]) -> dict[str, Counter[str]]:
    """Counts per status, category, agency queue and quarantine code (a run's artifact uses it too)."""
    counts: dict[str, Counter[str]] = {"status": Counter(), "category": Counter(), "queue": Counter(), "error": Counter()}
    for r in records:
        counts["status"][r.status] += 1
        if r.status == "quarantined":
            counts["error"][r.error.code if r.error else "?"] += 1
            continue
        counts["category"][r.category or "?"] += 1
        # A letter that needs review waits in the review queue, whatever route was proposed for it.
        counts["queue"][r.route.agency_id if r.status == "routed" and r.route else "review"] += 1
    return counts


def _console(file: TextIO | None) -> Console:
    return Console(file=file or sys.stdout, width=120, highlight=False)


def print_summary(records: Sequence[LetterRecord], file: TextIO | None = None) -> None:
    console = _console(file)
    counts = summarise(records)
    console.print(f"[bold]{len(records)} input files → {len(records)} records[/bold]")
    for key, title in (("status", "Status"), ("category", "Category"), ("queue", "Agency queue"),
                       ("error", "Quarantined: error code")):
        if not counts[key]:
            continue
        table = Table(title=title, title_justify="left")
        table.add_column(title)
        table.add_column("letters", justify="right")
        for name, n in sorted(counts[key].items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(name, str(n))
        console.print(table)


def print_queues(rows: Sequence[Any], file: TextIO | None = None) -> None:
    by_agency: dict[str, list[Any]] = {}
    for row in rows:
        by_agency.setdefault(row.agency_id, []).append(row)
    table = Table(title="Agency queues", title_justify="left")
    for col in ("agency id", "agency", "letters", "new", "overdue", "next due"):
        table.add_column(col, justify="right" if col in ("letters", "new", "overdue") else "left")
    for agency_id, items in sorted(by_agency.items()):
        dues = sorted(r.due_date for r in items if r.due_date)
        table.add_row(
            agency_id,
            items[0].agency_name,
            str(len(items)),
            str(sum(r.status == "new" for r in items)),
            str(sum(bool(r.overdue) for r in items)),
            dues[0].isoformat() if dues else "",
        )
    _console(file).print(table)


def print_queue(agency_id: str, rows: Sequence[Any], file: TextIO | None = None) -> None:
    table = Table(title=f"Queue {agency_id} — {rows[0].agency_name}", title_justify="left")
    for col in ("letter", "status", "due", "overdue", "category", "subject"):
        table.add_column(col)
    for r in sorted(rows, key=lambda r: (r.due_date is None, r.due_date)):
        table.add_row(
            r.letter_id[:12], r.status, r.due_date.isoformat() if r.due_date else "",
            "yes" if r.overdue else "", r.category or "", (r.subject or "")[:60],
        )
    _console(file).print(table)
