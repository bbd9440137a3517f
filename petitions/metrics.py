"""Scores shared by every evaluation (``petitions eval``, training, retraining)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence


def macro_f1(gold: Sequence[Hashable], pred: Sequence[Hashable | None], labels: Iterable[Hashable]) -> float:
    """Unweighted mean of the per-label F1 (a label never predicted nor present scores 0)."""
    pairs = list(zip(gold, pred, strict=True))
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in pairs)
        fp = sum(g != label and p == label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)
