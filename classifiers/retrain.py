"""Learning from reviewers: train a candidate on fixtures + corrections, promote it if not worse.

The candidate and the active model are both scored on the frozen evaluation set
(classifiers/models/frozen_eval.jsonl, never trained on); the candidate becomes active only if its
macro-F1 is at least the active model's. Every outcome is recorded in the models' history.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from classifiers.category import analyse_rules
from classifiers.hybrid import macro_f1
from classifiers.train import TrainLetter, build, frozen_eval
from classifiers.versions import MODELS_DIR, HybridModel, active_version, load_model, record_event, set_active
from models.record import CATEGORIES

if TYPE_CHECKING:
    from models.rows import CorrectionRow
    from models.store import Store
    from petitions.settings import Settings

log = logging.getLogger(__name__)


def correction_letters(store: Store, corrections: Sequence[CorrectionRow] | None = None) -> list[TrainLetter]:
    """Corrected letters as training letters: the stored text with the latest corrected category."""
    latest: dict[str, str] = {}
    for c in store.corrections() if corrections is None else corrections:
        if c.field == "category" and c.after in CATEGORIES:
            latest[c.letter_id] = c.after
    out = []
    for letter_id, category in sorted(latest.items()):
        record = store.get(letter_id)
        if record is not None and record.text:
            out.append(TrainLetter(f"correction:{letter_id[:12]}", record.text, category, f"corr:{letter_id}",
                                   "correction", mixed=record.mixed))  # a mixed letter's paragraphs: no passage labels
    return out


def score_model(model: HybridModel | None, letters: Sequence[TrainLetter]) -> dict[str, Any]:
    """Macro-F1 and accuracy of a model (None: the rules alone) on labeled letters."""
    from classifiers.category import rule_probabilities
    from classifiers.rules import load_rules
    from extractors.fields import extract_fields
    from petitions.settings import Settings

    settings, rules = Settings(), load_rules()
    y, pred = [], []
    for x in letters:
        analysis = analyse_rules(x.text, extract_fields(x.text, settings), rules)
        probs = model.probabilities(analysis) if model else rule_probabilities(analysis, rules)
        y.append(CATEGORIES.index(x.category))  # type: ignore[arg-type]
        pred.append(int(np.argmax([probs[c] for c in CATEGORIES])))
    acc = sum(a == b for a, b in zip(y, pred, strict=True)) / len(y) if y else 0.0
    return {"n": len(y), "macro_f1": macro_f1(y, pred), "accuracy": round(acc, 4)}


@dataclass
class RetrainOutcome:
    candidate: str
    previous: str | None
    promoted: bool
    candidate_scores: dict[str, Any]
    active_scores: dict[str, Any] | None
    n_corrections: int
    report: str

    def summary(self) -> str:
        verdict = "promoted" if self.promoted else "rejected (worse than the active model)"
        active = self.active_scores["macro_f1"] if self.active_scores else "n/a"
        return (f"candidate {self.candidate} ({self.n_corrections} corrections): frozen-eval macro-F1 "
                f"{self.candidate_scores['macro_f1']} vs active {self.previous} {active}: {verdict}")


def retrain(
    settings: Settings,
    *,
    models_dir: Path = MODELS_DIR,
    store: Store | None = None,
    actor: str = "retrain",
    seed: int = 0,
    **options: Any,
) -> RetrainOutcome:
    """Train a candidate on fixtures + corrections; promote it only if not worse on the frozen set."""
    from models.store import Store

    own_store = store is None
    store = store or Store.open(settings)
    try:
        corrections = store.corrections()
        extra = correction_letters(store, corrections)
    finally:
        if own_store:
            store.close()
    previous = active_version(models_dir)
    result = build(models_dir, extra=extra, seed=seed, activate=False, actor=actor, **options)
    frozen = frozen_eval(models_dir)
    candidate_scores = score_model(load_model(result.path), frozen)
    active_scores = score_model(load_model(models_dir / previous), frozen) if previous else None
    promoted = active_scores is None or candidate_scores["macro_f1"] >= active_scores["macro_f1"]
    details = {"candidate_macro_f1": candidate_scores["macro_f1"],
               "active_macro_f1": active_scores["macro_f1"] if active_scores else None,
               "n_corrections": len(extra),
               # the last correction this attempt saw: later ones call for the next retrain
               "corrections_through": max((c.id for c in corrections), default=0)}
    if promoted:
        set_active(result.version, models_dir, actor=actor, **details)
    else:
        record_event(models_dir, "rejected", result.version, actor, previous=previous, **details)
    outcome = RetrainOutcome(result.version, previous, promoted, candidate_scores, active_scores, len(extra),
                             result.report)
    log.info("%s", outcome.summary())
    return outcome


def retrain_if_needed(settings: Settings, *, models_dir: Path = MODELS_DIR, store: Store | None = None,
                      actor: str = "nightly", **options: Any) -> str:
    """Retrain only when reviewers corrected letters after the last retrain attempt saw them.

    Corrections are compared by id with the ``corrections_through`` the last attempt recorded in the
    models' history (promoted or rejected), so a correction saved while a retrain was running is picked
    up by the next one. Models trained before that was recorded fall back to the model's build time.
    """
    from classifiers.versions import history, read_meta
    from models.store import Store

    through = next((e["corrections_through"] for e in reversed(history(models_dir))
                    if "corrections_through" in e), None)
    since = None
    if through is None:
        version = active_version(models_dir)
        created = read_meta(models_dir / version).get("petitions", {}).get("created") if version else None
        since = dt.datetime.fromisoformat(created) if created else None
    own_store = store is None
    store = store or Store.open(settings)
    try:
        fresh = store.corrections(since=since)
    finally:
        if own_store:
            store.close()
    if through is not None:
        fresh = [c for c in fresh if c.id > through]
    if not fresh:
        return "no corrections since the last retrain: not retrained"
    return retrain(settings, models_dir=models_dir, actor=actor, **options).summary()
