"""The letter's field (domain): keyword signals when they are sure, a small text classifier otherwise.

The keyword signals of signals.yaml (``domain:<key>``) decide when the best field leads with at
least ``gate.min_score`` points and by at least ``gate.margin`` points over the next one. Otherwise
(no field vocabulary, or two fields close together) a spaCy text classifier over the letter's body
(underthesea words, the same bag-of-n-grams as the category model) picks the field among all 13.

    python -m classifiers.train --domain     # rebuild classifiers/models/domain-0001 (offline, seeded)

Trained on fixtures/letters/generated.jsonl + the hand-written training letters only (never on
fixtures/letters/holdout.jsonl nor ../shared/letters/). The model is loaded lazily, once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from models.record import DOMAINS

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

log = logging.getLogger(__name__)

DOMAIN_MODEL_NAME = "domain-0001"
DEFAULT_GATE: dict[str, float] = {"min_score": 1.0, "margin": 1.0}
# 2**15 hashed n-gram rows x 13 fields x float32 = 1.7 MB on disk (the 2**16 default would be 3.4 MB)
DOMAIN_TEXTCAT: dict[str, Any] = {
    "threshold": 0.0,
    "model": {"@architectures": "petitions.TextCatBOWNorm.v1", "exclusive_classes": True, "ngram_size": 2,
              "length": 32768},
}
DOMAIN_TRAINING: dict[str, Any] = {"seed": 0, "epochs": 10, "batch_size": 16, "dropout": 0.1, "learn_rate": 0.002}


# ---- the decision ------------------------------------------------------------------------------


def keyword_totals(hits: Sequence[Any]) -> dict[str, float]:
    """Points per field from the ``domain:<key>`` hits."""
    totals: dict[str, float] = {}
    for h in hits:
        if h.target.startswith("domain:"):
            key = h.target.removeprefix("domain:")
            totals[key] = totals.get(key, 0.0) + h.points
    return totals


def keyword_choice(totals: dict[str, float], min_score: float, default: str) -> str:
    """The keywords alone: the field with the most points (ties: DOMAINS order), else ``default``."""
    best = max((d for d in DOMAINS if d in totals), key=lambda d: totals[d], default=None)
    if best is None or totals[best] < min_score:
        return default
    return best


def keywords_confident(totals: dict[str, float], gate: dict[str, float]) -> bool:
    """The keywords decide alone: the best field has enough points and leads the next one enough."""
    ranked = sorted(totals.values(), reverse=True) + [0.0, 0.0]
    return ranked[0] >= gate["min_score"] and ranked[0] - ranked[1] >= gate["margin"]


@dataclass
class DomainModel:
    """The loaded field classifier and the gate that says when the keywords decide alone."""

    path: Path
    nlp: Language
    gate: dict[str, float]
    meta: dict[str, Any]

    def probabilities(self, body: str) -> dict[str, float]:
        cats = self.nlp.get_pipe("textcat")(self.nlp.make_doc(body)).cats
        return {d: float(cats.get(d, 0.0)) for d in DOMAINS}

    def decide(self, totals: dict[str, float], body: str) -> str:
        if keywords_confident(totals, self.gate):
            return keyword_choice(totals, 0.0, "khac")
        probs = self.probabilities(body)
        return max(DOMAINS, key=lambda d: probs[d])


def load_domain_model(path: Path) -> DomainModel:
    import spacy

    import classifiers.textcat  # noqa: F401 - registers the tokenizer and the architecture

    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    gate = {**DEFAULT_GATE, **meta.get("petitions", {}).get("gate", {})}
    return DomainModel(path, spacy.load(path), gate, meta)


# ---- training ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainLetter:
    id: str
    text: str
    domain: str
    group: str  # the generator scenario, or the hand-written letter itself


def domain_letters() -> list[DomainLetter]:
    """The training letters: generated (grouped by scenario) and hand-written fixtures."""
    from classifiers.train import _scenario
    from fixtures.letters import GENERATED_PATH, load_training_handwritten

    out = []
    for line in GENERATED_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip():
            x = json.loads(line)
            out.append(DomainLetter(x["id"], x["text"], x["gold"]["domain"], x.get("scenario") or _scenario(x["id"])))
    for x in load_training_handwritten():
        out.append(DomainLetter(x["id"], x["text"], x["gold"]["domain"], f"hand:{x['id']}"))
    return out


def build_domain_nlp(vocab: Vocab | None = None) -> Language:
    from classifiers.textcat import ARCHITECTURE, build_nlp

    assert DOMAIN_TEXTCAT["model"]["@architectures"] == ARCHITECTURE
    return build_nlp(vocab, DOMAIN_TEXTCAT, DOMAINS)


def train_domain_textcat(docs: Sequence[Doc], labels: Sequence[str], vocab: Vocab,
                         training: dict[str, Any] | None = None) -> Language:
    import spacy

    from classifiers.textcat import fit_textcat

    params = {**DOMAIN_TRAINING, **(training or {})}
    spacy.util.fix_random_seed(params["seed"])
    return fit_textcat(build_domain_nlp(vocab), docs, labels, DOMAINS, params)


def _decide_rows(totals: list[dict[str, float]], probs: np.ndarray, gate: dict[str, float]) -> list[str]:
    return [keyword_choice(t, 0.0, "khac") if keywords_confident(t, gate) else DOMAINS[int(p.argmax())]
            for t, p in zip(totals, probs, strict=True)]


def _accuracy(pred: Sequence[str], gold: Sequence[str]) -> float:
    return round(sum(p == g for p, g in zip(pred, gold, strict=True)) / len(gold), 4) if gold else 0.0


def build_domain_model(models_dir: Path, *, seed: int = 0, folds: int = 5, epochs: int | None = None,
                       letters: Sequence[DomainLetter] | None = None) -> dict[str, Any]:
    """Train the field classifier into ``models_dir/domain-0001``; returns its meta (with the
    out-of-fold accuracy, folds grouped by generator scenario)."""
    from classifiers.category import analyse_rules
    from classifiers.rules import load_rules
    from classifiers.textcat import predict
    from classifiers.train import TrainLetter, group_folds
    from models.record import Extraction

    started = time.monotonic()
    letters = list(letters if letters is not None else domain_letters())
    training = {**DOMAIN_TRAINING, "seed": seed, **({"epochs": epochs} if epochs else {})}
    rules = load_rules()
    analyses = [analyse_rules(x.text, Extraction(), rules) for x in letters]
    totals = [keyword_totals(a.other_hits) for a in analyses]
    base = build_domain_nlp()
    docs = [base.make_doc(a.body) for a in analyses]
    gold = [x.domain for x in letters]

    oof = np.zeros((len(letters), len(DOMAINS)))
    fold_list = group_folds([TrainLetter(x.id, "", "", x.group) for x in letters], folds, seed) if folds > 1 else []
    for held in fold_list:
        held_set = set(held)
        idx = [i for i in range(len(letters)) if i not in held_set]
        nlp_fold = train_domain_textcat([docs[i] for i in idx], [gold[i] for i in idx], base.vocab, training)
        oof[held] = predict(nlp_fold, [docs[i] for i in held], DOMAINS)
    keyword_pred = [keyword_choice(t, rules.set.domain.min_score, rules.set.domain.default) for t in totals]
    scores = {"keywords": _accuracy(keyword_pred, gold)}
    if fold_list:
        scores["textcat_oof"] = _accuracy([DOMAINS[int(p.argmax())] for p in oof], gold)
        scores["gated_oof"] = _accuracy(_decide_rows(totals, oof, DEFAULT_GATE), gold)

    nlp = train_domain_textcat(docs, gold, base.vocab, training)
    import spacy

    from fixtures.letters import TRAINING_HANDWRITTEN_PATHS
    from petitions import __version__

    nlp.meta.update({"name": "petitions_domain", "version": "1.0.0", "author": "petitions", "license": "MIT",
                     "description": "Letter field (domain): underthesea words, bag of n-grams; keywords gate it"})
    nlp.meta["petitions"] = {
        "version": DOMAIN_MODEL_NAME,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "labels": list(DOMAINS),
        "gate": dict(DEFAULT_GATE),
        "training": {**training, "folds": len(fold_list), "cv": "grouped by scenario"},
        "data": {"n_letters": len(letters), "by_domain": {d: gold.count(d) for d in DOMAINS},
                 "sources": ["fixtures/letters/generated.jsonl",
                             *(f"fixtures/letters/{p.name}" for p in TRAINING_HANDWRITTEN_PATHS)]},
        "scores": {"fixtures_oof": scores},
        "rules_version": rules.version,
        "versions": {"petitions": __version__, "spacy": spacy.__version__, "python": sys.version.split()[0]},
        "train_seconds": round(time.monotonic() - started, 1),
    }
    out_dir = models_dir / DOMAIN_MODEL_NAME
    if out_dir.exists():
        shutil.rmtree(out_dir)
    nlp.to_disk(out_dir)
    log.info("domain model %s: %s", out_dir, scores)
    return nlp.meta
