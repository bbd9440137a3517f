"""Train a classifier model from our own fixture letters (and reviewers' corrections), offline.

    python -m classifiers.train            # rebuild the shipped model reproducibly (fixed seed)
    python -m classifiers.train --domain   # rebuild the field (domain) classifier (classifiers.domain_model)
    petitions train                        # the same through the CLI

Steps (all seeded; about 130 s of CPU for the 1,387 training letters, 305 more frozen for evaluation):
1. Letters: fixtures/letters/generated.jsonl + the hand-written training letters
   (fixtures.letters.TRAINING_HANDWRITTEN_PATHS) (+ corrections), minus the frozen
   evaluation set (classifiers/models/frozen_eval.jsonl, created once from a fixed 25% split and
   then never regenerated). Never ../shared/letters/: that is the held-out evaluation set.
   When the generated corpus itself is regenerated, delete frozen_eval.jsonl and run this script:
   the frozen set is then re-drawn from the new corpus (and stays fixed until the next regeneration).
2. Features: the rules' raw scores; the letter body (title blanked) for the text classifier, plus
   augmented copies (unaccented, OCR noise, both) for training only.
3. Out-of-fold predictions, folds grouped by scenario: each fold's letters come from letter kinds
   the text classifier did not see, which is the honest picture of mail never read.
4. The combiner (hybrid / rules / textcat), fitted on those held-out predictions; the mode with the
   lowest held-out log-loss wins. Its output is the calibrated confidence.
5. The abstain threshold from the pooled held-out predictions (see hybrid.choose_threshold).
6. The final text classifier trained on every training letter; scored on the frozen set; saved
   with config.cfg and meta.json (data hash, labels, versions, scores, reliability table).
7. The passage reader (classifiers.passages), trained on the training letters' paragraphs and the
   marked passages of mixed letters (fixtures/letters/passages.jsonl), saved in passages/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.augment import augment
from classifiers.category import analyse_rules
from classifiers.hybrid import (
    MODES,
    choose_threshold,
    expected_calibration_error,
    fit_combiner,
    format_reliability,
    log_loss,
    macro_f1,
    reliability,
)
from classifiers.passages import train_passage_reader
from classifiers.rules import load_rules
from classifiers.versions import MODELS_DIR, PASSAGES_DIR, next_version, record_event, set_active
from fixtures.letters import TRAINING_HANDWRITTEN_PATHS
from models.record import CATEGORIES
from petitions.text import nfc

log = logging.getLogger(__name__)

FROZEN_FILE = "frozen_eval.jsonl"
FROZEN_SHARE = 4  # one letter in four (per category) goes to the frozen evaluation set
DEFAULT_SEED = 0
DEFAULT_FOLDS = 5


@dataclass(frozen=True)
class TrainLetter:
    id: str
    text: str
    category: str
    group: str  # letters of one group stay in one fold (a generator scenario, a hand-written letter)
    source: str = "fixture"  # fixture | correction
    mixed: bool = False
    passages: tuple[tuple[str, str], ...] = ()  # a mixed letter's marked second matter: (text, its category)


def text_hash(text: str) -> str:
    return hashlib.sha256(nfc(text).encode("utf-8")).hexdigest()


def _scenario(letter_id: str, seed: int = 0) -> str:
    """The generator scenario of a generated letter that does not record it (re-drawn exactly as
    the generator does; the generator writes it as "scenario" since its second version)."""
    from fixtures import letters, letters_v1

    index = int(letter_id.removeprefix("FX-")) - 1
    if index < letters.LEGACY_COUNT:
        rng = random.Random(f"petitions-fixtures-{seed}-{index}")
        return letters_v1._choose_scenario(rng)[0].__name__
    rng = random.Random(f"petitions-fixtures-v2-{seed}-{index}")
    return letters._choose_scenario(rng)[0].__name__


def fixture_letters() -> list[TrainLetter]:
    """Our own labeled letters: generated (grouped by scenario) and hand-written (one group each)."""
    from fixtures.letters import GENERATED_PATH, load_training_handwritten

    out = []
    for line in GENERATED_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip():
            x = json.loads(line)
            group = x.get("scenario") or _scenario(x["id"])  # the generator records it; older files did not
            out.append(TrainLetter(x["id"], x["text"], x["gold"]["category"], group, mixed=bool(x["gold"].get("mixed"))))
    for x in load_training_handwritten():
        out.append(TrainLetter(x["id"], x["text"], x["gold"]["category"], f"hand:{x['id']}",
                               mixed=bool(x["gold"].get("mixed")), passages=tuple(x["passages"])))
    return out


def frozen_eval(models_dir: Path = MODELS_DIR, create: bool = True) -> list[TrainLetter]:
    """The frozen evaluation set; created from the fixtures the first time, then only read."""
    path = models_dir / FROZEN_FILE
    if not path.exists():
        if not create:
            raise FileNotFoundError(path)
        letters = fixture_letters()
        chosen: list[TrainLetter] = []
        for cat in CATEGORIES:
            same = sorted((x for x in letters if x.category == cat), key=lambda x: hashlib.sha256(x.id.encode()).hexdigest())
            chosen += same[::FROZEN_SHARE]
        chosen.sort(key=lambda x: x.id)
        models_dir.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            for x in chosen:
                fh.write(json.dumps({"id": x.id, "category": x.category, "group": x.group, "text": x.text},
                                    ensure_ascii=False) + "\n")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [TrainLetter(r["id"], r["text"], r["category"], r.get("group", r["id"]), "frozen") for r in rows]


def training_letters(extra: Sequence[TrainLetter] = (), models_dir: Path = MODELS_DIR) -> list[TrainLetter]:
    """Fixtures minus the frozen set (by text), plus ``extra`` (corrections; a corrected letter's
    label replaces a fixture's label for the same text)."""
    frozen = {text_hash(x.text) for x in frozen_eval(models_dir)}
    by_text: dict[str, TrainLetter] = {}
    for x in [*fixture_letters(), *extra]:
        h = text_hash(x.text)
        if h not in frozen:
            by_text[h] = x
    return list(by_text.values())


def data_hash(letters: Sequence[TrainLetter]) -> str:
    digest = hashlib.sha256()
    for x in sorted(letters, key=lambda x: text_hash(x.text)):
        digest.update(f"{text_hash(x.text)}:{x.category}\n".encode())
    return digest.hexdigest()


# ---- features ----------------------------------------------------------------------------------


@dataclass
class Features:
    raw: np.ndarray  # (n, 4) rules' raw scores
    bodies: list[str]
    y: np.ndarray


def featurize(letters: Sequence[TrainLetter]) -> Features:
    from extractors.fields import extract_fields
    from petitions.settings import Settings

    settings = Settings()
    rules = load_rules()
    raws, bodies = [], []
    for x in letters:
        analysis = analyse_rules(x.text, extract_fields(x.text, settings), rules)
        raws.append([analysis.raw[c] for c in CATEGORIES])
        bodies.append(analysis.body)
    y = np.array([CATEGORIES.index(x.category) for x in letters], dtype=int)  # type: ignore[arg-type]
    return Features(np.array(raws, dtype=float).reshape(-1, len(CATEGORIES)), bodies, y)


def group_folds(letters: Sequence[TrainLetter], k: int, seed: int) -> list[list[int]]:
    """k folds of letter indexes; a group never spans two folds; groups dealt largest first."""
    groups: dict[str, list[int]] = {}
    for i, x in enumerate(letters):
        groups.setdefault(x.group, []).append(i)
    names = sorted(groups, key=lambda g: (-len(groups[g]), g))
    rng = random.Random(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    for name in names:
        smallest = min(range(k), key=lambda f: (len(folds[f]), rng.random()))
        folds[smallest].extend(groups[name])
    return [sorted(f) for f in folds if f]


# ---- training ----------------------------------------------------------------------------------


@dataclass
class TrainResult:
    version: str
    path: Path
    meta: dict[str, Any]
    report: str
    frozen_probs: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 4)))


def _scores(probs: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    pred = probs.argmax(axis=1)
    return {"n": int(len(y)), "macro_f1": macro_f1(list(y), list(pred)),
            "accuracy": round(float((pred == y).mean()), 4) if len(y) else None,
            "log_loss": round(log_loss(probs, y), 4) if len(y) else None}


def train_model(
    train: Sequence[TrainLetter],
    frozen: Sequence[TrainLetter],
    out_dir: Path,
    *,
    version: str,
    seed: int = DEFAULT_SEED,
    folds: int = DEFAULT_FOLDS,
    epochs: int | None = None,
    augment_copies: int = 2,
    modes: Sequence[str] = MODES,
) -> TrainResult:
    """Train, fit the combiner and the threshold, score on ``frozen`` and save to ``out_dir``."""
    import spacy

    from classifiers.textcat import DEFAULT_TRAINING, build_nlp, make_docs, predict, train_textcat

    started = time.monotonic()
    training = {**DEFAULT_TRAINING, "seed": seed, **({"epochs": epochs} if epochs else {})}
    feats, frozen_feats = featurize(train), featurize(frozen)
    base = build_nlp()
    vocab = base.vocab
    docs = make_docs(base, feats.bodies)
    aug_docs = [
        make_docs(base, augment(body, f"{seed}:{x.id}")[:augment_copies]) for x, body in zip(train, feats.bodies, strict=True)
    ]

    def fit(indexes: Sequence[int]) -> Any:
        d, labels = [], []
        for i in indexes:
            d += [docs[i], *aug_docs[i]]
            labels += [train[i].category] * (1 + len(aug_docs[i]))
        return train_textcat(d, labels, vocab, training)

    # Out-of-fold text classifier probabilities (folds grouped by scenario).
    oof = np.zeros((len(train), len(CATEGORIES)))
    fold_list = group_folds(train, folds, seed)
    for held in fold_list:
        held_set = set(held)
        nlp_fold = fit([i for i in range(len(train)) if i not in held_set])
        oof[held] = predict(nlp_fold, [docs[i] for i in held])
    log.info("out-of-fold predictions done in %.1f s", time.monotonic() - started)

    combiners = {mode: fit_combiner(feats.raw, oof, feats.y, mode) for mode in modes}
    heldout = {mode: _scores(c.probs(feats.raw, oof), feats.y) for mode, c in combiners.items()}
    heldout["textcat_raw"] = _scores(oof, feats.y)
    best_mode = min(modes, key=lambda m: (heldout[m]["log_loss"], -heldout[m]["macro_f1"]))
    combiner = combiners[best_mode]

    # The final text classifier on every training letter, and the passage reader (classifiers.passages).
    nlp = fit(range(len(train)))
    passage_nlp, passage_summary = train_passage_reader(train, training, augment_copies)
    frozen_docs = make_docs(base, frozen_feats.bodies)
    frozen_textcat = predict(nlp, frozen_docs) if frozen else np.zeros((0, len(CATEGORIES)))
    frozen_scores = {mode: _scores(c.probs(frozen_feats.raw, frozen_textcat), frozen_feats.y)
                     for mode, c in combiners.items()} if frozen else {}
    frozen_probs = combiner.probs(frozen_feats.raw, frozen_textcat) if frozen else np.zeros((0, 4))

    # Abstain threshold from every held-out prediction we have (out-of-fold + frozen).
    pooled = np.vstack([combiner.probs(feats.raw, oof), frozen_probs])
    pooled_y = np.concatenate([feats.y, frozen_feats.y])
    conf = pooled.max(axis=1)
    correct = pooled.argmax(axis=1) == pooled_y
    threshold = choose_threshold(conf, correct)
    bins_pooled = reliability(conf, correct)
    frozen_conf = frozen_probs.max(axis=1) if frozen else np.zeros(0)
    frozen_correct = frozen_probs.argmax(axis=1) == frozen_feats.y if frozen else np.zeros(0, bool)
    bins_frozen = reliability(frozen_conf, frozen_correct)

    nlp.meta.update({
        "name": "petitions_category", "version": version.removeprefix("hybrid-").lstrip("0") + ".0.0",
        "description": "Category by content: rules + textcat (underthesea tokens), calibrated",
        "author": "petitions", "license": "MIT",
    })
    from petitions import __version__

    train_list = list(train)
    nlp.meta["petitions"] = {
        "version": version,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "labels": list(CATEGORIES),
        "combiner": combiner.to_json(),
        "combiners": {m: c.to_json() for m, c in combiners.items()},
        "threshold": {k: v for k, v in threshold.__dict__.items()},
        "rules_version": load_rules().version,
        "training": {**training, "folds": len(fold_list), "cv": "grouped by scenario", "augment_copies": augment_copies},
        "data": {
            "sha256": data_hash(train_list), "n_letters": len(train_list),
            "n_corrections": sum(1 for x in train_list if x.source == "correction"),
            "by_category": {c: sum(1 for x in train_list if x.category == c) for c in CATEGORIES},
            "frozen_sha256": data_hash(list(frozen)), "n_frozen": len(frozen),
            "sources": ["fixtures/letters/generated.jsonl", *(f"fixtures/letters/{p.name}" for p in TRAINING_HANDWRITTEN_PATHS)]
            + (["corrections"] if any(x.source == "correction" for x in train_list) else []),
        },
        "versions": {"petitions": __version__, "spacy": spacy.__version__, "python": sys.version.split()[0],
                     "underthesea": _underthesea_version()},
        "scores": {"heldout_oof": heldout, "frozen_eval": frozen_scores.get(best_mode, {}),
                   "frozen_eval_by_mode": frozen_scores, "chosen_mode": best_mode},
        "reliability": {"frozen_eval": [b.__dict__ for b in bins_frozen],
                        "pooled_heldout": [b.__dict__ for b in bins_pooled],
                        "ece_frozen": expected_calibration_error(bins_frozen),
                        "ece_pooled": expected_calibration_error(bins_pooled)},
        "passage_reader": passage_summary,
        "train_seconds": round(time.monotonic() - started, 1),
    }
    if out_dir.exists():
        shutil.rmtree(out_dir)
    nlp.to_disk(out_dir)
    passage_nlp.to_disk(out_dir / PASSAGES_DIR)
    report = _report(version, nlp.meta["petitions"], bins_frozen, bins_pooled)
    return TrainResult(version, out_dir, nlp.meta, report, frozen_probs)


def _underthesea_version() -> str:
    try:
        from importlib.metadata import version

        return version("underthesea")
    except Exception:  # noqa: BLE001 - informational only
        return "unknown"


def _report(version: str, ours: dict[str, Any], bins_frozen: Any, bins_pooled: Any) -> str:
    s = ours["scores"]
    lines = [f"model {version}: mode {s['chosen_mode']}, combiner {ours['combiner']}",
             f"training letters {ours['data']['n_letters']} (corrections {ours['data']['n_corrections']}), "
             f"frozen eval {ours['data']['n_frozen']}, {ours['train_seconds']} s",
             "held-out (out-of-fold, grouped by scenario):"]
    lines += [f"  {m:<12} macro-F1 {v['macro_f1']:.4f}  acc {v['accuracy']:.4f}  log-loss {v['log_loss']:.4f}"
              for m, v in s["heldout_oof"].items()]
    lines.append("frozen evaluation set:")
    lines += [f"  {m:<12} macro-F1 {v['macro_f1']:.4f}  acc {v['accuracy']:.4f}  log-loss {v['log_loss']:.4f}"
              for m, v in s["frozen_eval_by_mode"].items()]
    t = ours["threshold"]
    lines.append(f"abstain threshold {t['threshold']} (held-out letters above it: {t['covered']}/{t['n']}, "
                 f"accuracy {t['accuracy']}, 90% lower bound {t['lower_bound']} >= {t['target']})")
    lines += ["reliability, frozen evaluation set:", format_reliability(bins_frozen),
              "reliability, all held-out predictions:", format_reliability(bins_pooled)]
    return "\n".join(lines)


def build(
    models_dir: Path = MODELS_DIR,
    *,
    version: str | None = None,
    seed: int = DEFAULT_SEED,
    activate: bool = True,
    extra: Sequence[TrainLetter] = (),
    actor: str = "train",
    **options: Any,
) -> TrainResult:
    """Train a model from the fixtures (+ ``extra``) into ``models_dir/<version>``; ``options``
    go to :func:`train_model` (folds, epochs, augment_copies: small values make a quick test run)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    frozen = frozen_eval(models_dir)
    train = training_letters(extra, models_dir)
    version = version or next_version(models_dir)
    result = train_model(train, frozen, models_dir / version, version=version, seed=seed, **options)
    record_event(models_dir, "trained", version, actor, data_sha256=result.meta["petitions"]["data"]["sha256"],
                 frozen_macro_f1=result.meta["petitions"]["scores"]["frozen_eval"].get("macro_f1"))
    if activate:
        set_active(version, models_dir, actor=actor)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the category classifier from fixtures (offline).")
    parser.add_argument("--version", help="version name (default: the shipped one, rebuilt in place)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--no-activate", action="store_true")
    parser.add_argument("--domain", action="store_true",
                        help="rebuild only the field (domain) classifier, classifiers/models/domain-0001")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("spacy").setLevel(logging.WARNING)
    if args.domain:
        from classifiers.domain_model import build_domain_model

        meta = build_domain_model(args.models_dir, seed=args.seed)
        print(json.dumps(meta["petitions"]["scores"], indent=1))
        return 0
    result = build(args.models_dir, version=args.version or "hybrid-0001", seed=args.seed,
                   activate=not args.no_activate)
    print(result.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
