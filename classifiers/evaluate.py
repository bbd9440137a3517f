"""Score the classifier on labeled letters shaped like ../shared/letters/dev.jsonl.

Each letter: {"id", "text", "gold": {"category", "title_category", "mixed", "secondary_category",
"complaint_round", "domain", "crime_signs", "party_discipline", …}}. The extraction comes from
``extract`` when given, else an empty Extraction (the rules then rely on the text alone).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from classifiers.category import classify
from classifiers.rules import Rules, load_rules
from models.record import CATEGORIES, Extraction
from petitions.metrics import macro_f1

_NO_TITLE = (None, "none", "")


def _title(value: str | None) -> str | None:
    return None if value in _NO_TITLE else value


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def evaluate(
    letters: list[dict[str, Any]],
    extract: Callable[[str], Extraction] | None = None,
    rules: Rules | None = None,
) -> dict[str, Any]:
    """Macro-F1, accuracy (overall and on title-mismatch letters), mixed recall/precision, flag and
    domain accuracy, a confusion matrix (gold -> predicted -> count), mistakes and timing."""
    rules = rules or load_rules()
    rows = []
    elapsed = 0.0
    for letter in letters:
        extraction = extract(letter["text"]) if extract else Extraction()
        start = time.perf_counter()
        pred = classify(letter["text"], extraction, None, rules)
        elapsed += time.perf_counter() - start
        rows.append((letter, letter["gold"], pred))

    n = len(rows)
    pairs = [(g["category"], p.category) for _, g, p in rows]
    mismatch = [(g, p) for _, g, p in rows if _title(g.get("title_category")) not in (None, g["category"])]
    gold_mixed = [(g, p) for _, g, p in rows if g.get("mixed")]
    pred_mixed = [(g, p) for _, g, p in rows if p.mixed]
    complaints = [(g, p) for _, g, p in rows if g["category"] == "khieu_nai"]
    confusion = {g: {p: 0 for p in CATEGORIES} for g in CATEGORIES}
    for g, p in pairs:
        confusion[g][p] += 1

    def acc(field: str, norm: Callable[[Any], Any] = lambda v: v) -> float | None:
        return _ratio(sum(1 for _, g, p in rows if norm(g.get(field)) == norm(getattr(p, field))), n)

    return {
        "n": n,
        "model_version": rules.version,
        "macro_f1": round(macro_f1([g for g, _ in pairs], [p for _, p in pairs], CATEGORIES), 4),
        "accuracy": _ratio(sum(1 for g, p in pairs if g == p), n),
        "title_mismatch_n": len(mismatch),
        "title_mismatch_accuracy": _ratio(
            sum(1 for g, p in mismatch if g["category"] == p.category), len(mismatch)
        ),
        "title_accuracy": acc("title_category", _title),
        "mixed_n": len(gold_mixed),
        "mixed_recall": _ratio(sum(1 for _, p in gold_mixed if p.mixed), len(gold_mixed)),
        "mixed_precision": _ratio(sum(1 for g, _ in pred_mixed if g.get("mixed")), len(pred_mixed)),
        "complaint_round_accuracy": _ratio(
            sum(1 for g, p in complaints if g.get("complaint_round") == p.complaint_round), len(complaints)
        ),
        "crime_signs_accuracy": acc("crime_signs", bool),
        "party_discipline_accuracy": acc("party_discipline", bool),
        "domain_accuracy": acc("domain"),
        "confusion": confusion,
        "errors": [
            {"id": letter.get("id"), "gold": g["category"], "pred": p.category}
            for letter, g, p in rows
            if g["category"] != p.category
        ],
        "ms_per_letter": round(1000 * elapsed / n, 3) if n else None,
    }
