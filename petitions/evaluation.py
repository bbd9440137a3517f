"""`petitions eval`: score the whole pipeline against labeled letters (JSON Lines with "text" and
"gold", the shape of ../shared/letters/dev.jsonl).

Two runs: "text" feeds each letter's text as if it came from a PDF text layer; "scan" (--scans)
renders it to clean 300-dpi page images with fixtures.render and reads them back with OCR, so the
numbers include OCR errors. Labeled letters are only scored here, never used to train or tune.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.hybrid import format_reliability, reliability
from models.record import CATEGORIES, LetterRecord, PageText, ReadResult
from petitions.metrics import macro_f1
from petitions.pipeline import analyse, process_file
from petitions.settings import Settings
from petitions.text import fold

EVAL_RECEIVED = dt.date(2026, 11, 26)  # a fixed receipt date keeps due dates reproducible


def load_letters(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    letters = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return letters[:limit] if limit else letters


# ---- metrics ----------------------------------------------------------------------------------


@dataclass
class Rate:
    hits: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.hits += int(ok)
        self.total += 1

    def __str__(self) -> str:
        if not self.total:
            return "   n/a   (n=0)"
        return f"{self.hits / self.total:6.3f}   ({self.hits}/{self.total})"


def _same(a: str | None, b: str | None) -> bool:
    return fold(a or "").strip() == fold(b or "").strip()


def score(letters: Sequence[dict[str, Any]], records: Sequence[LetterRecord]) -> dict[str, Any]:
    gold_cats = [x["gold"]["category"] for x in letters]
    pred_cats = [r.category for r in records]
    rates: dict[str, Rate] = {name: Rate() for name in (
        "category accuracy", "category on title-mismatch letters", "mixed recall", "mixed precision",
        "agency_kind (route not uncertain)", "agency kind+unit (route not uncertain)",
        "petitioner name (first, accent-insensitive)", "anonymous", "commune+province of petitioner",
        "signatory count (group letters)", "crime_signs", "domain",
        "auto-routed: category correct", "auto-routed: agency kind+unit correct", "review rate",
    )}
    for x, r in zip(letters, records, strict=True):
        g = x["gold"]
        ok_cat = r.category == g["category"]
        rates["category accuracy"].add(ok_cat)
        if g.get("title_category") != g["category"]:
            rates["category on title-mismatch letters"].add(ok_cat)
        if g.get("mixed"):
            rates["mixed recall"].add(r.mixed)
        if r.mixed:
            rates["mixed precision"].add(bool(g.get("mixed")))
        kind = r.route.agency_kind if r.route else None
        unit = r.route.unit if r.route else None
        ok_route = kind == g["route"]["agency_kind"] and _same(unit, g["route"]["unit"])
        if not g.get("route_uncertain"):
            rates["agency_kind (route not uncertain)"].add(kind == g["route"]["agency_kind"])
            rates["agency kind+unit (route not uncertain)"].add(ok_route)
        names = g.get("petitioner_names") or []
        if names:
            first = r.petitioners[0].name if r.petitioners else None
            rates["petitioner name (first, accent-insensitive)"].add(_same(first, names[0]))
        rates["anonymous"].add(r.anonymous == g["anonymous"])
        if g.get("commune_new"):
            loc = r.location
            rates["commune+province of petitioner"].add(
                loc is not None and _same(loc.commune, g["commune_new"]) and _same(loc.province, g["province_new"])
            )
        if "group" in x.get("style", []) or (g.get("signatory_count") or 0) >= 5:
            rates["signatory count (group letters)"].add(r.signatory_count == g["signatory_count"])
        rates["crime_signs"].add(r.crime_signs == g["crime_signs"])
        rates["domain"].add(r.domain == g["domain"])
        rates["review rate"].add(r.needs_review or r.status == "quarantined")
        if r.status == "routed":
            rates["auto-routed: category correct"].add(ok_cat)
            rates["auto-routed: agency kind+unit correct"].add(ok_route)
    confusion = Counter(zip(gold_cats, pred_cats, strict=True))
    scored = [(r.category_confidence, r.category == g) for r, g in zip(records, gold_cats, strict=True)
              if r.category_confidence is not None]
    return {
        "letters": len(letters),
        "macro_f1": macro_f1(gold_cats, pred_cats, CATEGORIES),
        "rates": rates,
        "confusion": confusion,
        "quarantined": sum(r.status == "quarantined" for r in records),
        # Is category_confidence calibrated on these letters? (accuracy per confidence bin)
        "reliability": reliability(np.array([c for c, _ in scored], dtype=float),
                                   np.array([ok for _, ok in scored], dtype=float)),
    }


def format_report(name: str, result: dict[str, Any], seconds: float) -> str:
    lines = [f"== {name}: {result['letters']} letters, {seconds:.1f} s, quarantined {result['quarantined']}",
             f"category macro-F1 (4 classes)               {result['macro_f1']:6.3f}"]
    lines += [f"{label:<44}{rate}" for label, rate in result["rates"].items()]
    lines.append("confusion (rows gold, columns predicted):")
    header = "".join(f"{c[:9]:>10}" for c in CATEGORIES)
    lines.append(f"{'':>12}{header}")
    for g in CATEGORIES:
        lines.append(f"{g:>12}" + "".join(f"{result['confusion'].get((g, p), 0):>10}" for p in CATEGORIES))
    lines.append("reliability of category_confidence:")
    lines.append(format_reliability(result["reliability"]))
    return "\n".join(lines)


# ---- runs -------------------------------------------------------------------------------------


def run_text(letters: Sequence[dict[str, Any]], settings: Settings) -> list[LetterRecord]:
    records = []
    for x in letters:
        read = ReadResult(pages=[PageText(number=1, text=x["text"], source="text_layer")])
        records.append(analyse(read, settings, letter_id=x["id"], source=x["id"], received=EVAL_RECEIVED))
    return records


def run_scans(letters: Sequence[dict[str, Any]], settings: Settings) -> list[LetterRecord]:
    from fixtures.render import render_pages, write_tiff

    with tempfile.TemporaryDirectory(prefix="petitions-eval-") as tmp:
        paths = []
        for x in letters:
            path = Path(tmp) / f"{x['id']}.tiff"
            write_tiff(render_pages(x["text"], dpi=300), path)
            paths.append(path)

        def one(path: Path) -> LetterRecord:
            return process_file(path, settings, received=EVAL_RECEIVED, source=path.stem).record

        with ThreadPoolExecutor(max_workers=settings.workers) as pool:
            return list(pool.map(one, paths))


def run_eval(path: Path, settings: Settings, *, scans: bool = False, limit: int | None = None,
             out: Path | None = None) -> str:
    letters = load_letters(path, limit)
    runs: list[tuple[str, Callable[[Sequence[dict[str, Any]], Settings], list[LetterRecord]]]] = [("text", run_text)]
    if scans:
        runs.append(("scan", run_scans))
    reports = []
    dump = out.open("w", encoding="utf-8") if out else None
    try:
        for name, run in runs:
            started = time.monotonic()
            records = run(letters, settings)
            reports.append(format_report(f"{path.name} ({name})", score(letters, records), time.monotonic() - started))
            if dump:
                for r in records:
                    dump.write(json.dumps({"run": name, **r.model_dump(mode="json", exclude={"text"})},
                                          ensure_ascii=False) + "\n")
    finally:
        if dump:
            dump.close()
    return "\n\n".join(reports)
