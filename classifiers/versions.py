"""Versioned classifier models: where they live, which one is active, promote and roll back.

    classifiers/models/
        ACTIVE               the active version's name (one line); switching it is atomic
        history.jsonl        one line per event: trained, promoted, rejected, rolled back
        frozen_eval.jsonl    the frozen evaluation set (held-out fixture letters, text + label)
        hybrid-0001/         a spaCy pipeline dir: config.cfg, meta.json, tokenizer/, textcat/, vocab/,
                             and passages/: the passage reader's pipeline (classifiers.passages)
        domain-0001/         the field (domain) text classifier, used when the domain keywords are
                             not confident (python -m classifiers.train --domain); not versioned by
                             ACTIVE: retraining on corrections rebuilds the category model only

``meta.json`` carries spaCy's fields plus ``petitions``: the combiner, the abstain threshold, the
training-data hash, held-out scores and the reliability table. Nothing is downloaded: a model
directory loads with spaCy, underthesea and this package only.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from classifiers.hybrid import Combiner
from models.record import CATEGORIES
from petitions.errors import BadConfigError, NotFoundError

if TYPE_CHECKING:
    from spacy.language import Language

    from classifiers.category import RuleAnalysis
    from classifiers.domain_model import DomainModel
    from petitions.settings import Settings

MODELS_DIR = Path(__file__).with_name("models")
ACTIVE_FILE = "ACTIVE"
HISTORY_FILE = "history.jsonl"
VERSION_PREFIX = "hybrid-"
PASSAGES_DIR = "passages"  # a model's passage reader (classifiers.passages), inside its directory
_VERSION = re.compile(r"^hybrid-\d{4}$")
_LOCK = threading.Lock()


@dataclass
class HybridModel:
    """A loaded model: the spaCy pipeline, its combiner and its abstain threshold."""

    version: str
    path: Path
    nlp: Language | None  # None when the combiner uses the rules alone
    combiner: Combiner
    threshold: float
    meta: dict[str, Any]
    passage_nlp: Language | None = None  # the passage reader (classifiers.passages), if the model has one

    @property
    def passage_reader(self) -> bool:
        return self.passage_nlp is not None and self.nlp is not None and self.combiner.w_textcat != 0

    def textcat_probs(self, body: str) -> np.ndarray | None:
        return self.predict_texts([body])

    def predict_texts(self, texts: list[str]) -> np.ndarray | None:
        """The text classifier's probabilities, a row per text read alone (None without one)."""
        if self.nlp is None or self.combiner.w_textcat == 0:
            return None
        from classifiers.textcat import predict

        return predict(self.nlp, texts)

    def read_paragraphs(self, texts: list[str]) -> np.ndarray | None:
        """Paragraphs (or sentences) read alone: the letter classifier's probabilities, and where the
        model has a passage reader, the lower of its and the reader's for each category (both must see
        the matter: either alone reads more second matters in single-matter letters)."""
        nlp, reader = self.nlp, self.passage_nlp
        if nlp is None or reader is None or not self.passage_reader:
            return self.predict_texts(texts)
        from classifiers.textcat import predict

        docs = [nlp.make_doc(t) for t in texts]  # segmented once: both read the same words' hashes
        return np.minimum(predict(nlp, docs), predict(reader, docs))

    def probabilities(self, analysis: RuleAnalysis) -> dict[str, float]:
        raw = np.array([[analysis.raw[c] for c in CATEGORIES]])
        probs = self.combiner.probs(raw, self.textcat_probs(analysis.body))[0]
        return {c: float(p) for c, p in zip(CATEGORIES, probs, strict=True)}


def load_model(path: Path) -> HybridModel:
    """Load one model directory (a spaCy pipeline plus our meta)."""
    import spacy

    import classifiers.textcat  # noqa: F401 - registers the tokenizer and the architecture

    meta_path = path / "meta.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        ours = meta["petitions"]
        combiner = Combiner.from_json(ours["combiner"])
        nlp = spacy.load(path) if combiner.w_textcat else None
        passages = path / PASSAGES_DIR
        passage_nlp = spacy.load(passages) if nlp is not None and passages.is_dir() else None  # older models: none
    except (OSError, KeyError, ValueError) as exc:
        raise BadConfigError(f"cannot load classifier model {path}: {exc}") from exc
    return HybridModel(path.name, path, nlp, combiner, float(ours["threshold"]["threshold"]), meta, passage_nlp)


def _settled(model: Any) -> Any:
    """A loaded model's objects live as long as the process: move them out of the cyclic garbage
    collector's sight, whose full passes over them paused a classification for 100+ ms now and then.
    What an earlier freeze kept is unfrozen and collected first, so a model dropped from the caches
    after a retrain is freed rather than kept for ever."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return model


@lru_cache(maxsize=8)
def _cached_model(path: str, mtime_ns: int) -> HybridModel:
    return _settled(load_model(Path(path)))


def active_version(models_dir: Path = MODELS_DIR) -> str | None:
    try:
        name = (models_dir / ACTIVE_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def active_model(models_dir: Path = MODELS_DIR) -> HybridModel | None:
    """The active model (loaded once, reloaded when ACTIVE or the model changes); None if none."""
    version = active_version(models_dir)
    if version is None:
        return None
    path = models_dir / version
    meta = path / "meta.json"
    try:
        stamp = meta.stat().st_mtime_ns
    except FileNotFoundError as exc:
        raise BadConfigError(f"the active classifier model {version} is missing from {models_dir}") from exc
    with _LOCK:
        return _cached_model(str(path), stamp)


@lru_cache(maxsize=2)
def _cached_domain_model(path: str, mtime_ns: int) -> DomainModel:
    from classifiers.domain_model import load_domain_model

    return _settled(load_domain_model(Path(path)))


def domain_model(models_dir: Path = MODELS_DIR) -> DomainModel | None:
    """The field (domain) classifier (``classifiers/models/domain-0001``), loaded once; None if absent."""
    from classifiers.domain_model import DOMAIN_MODEL_NAME

    path = models_dir / DOMAIN_MODEL_NAME
    try:
        stamp = (path / "meta.json").stat().st_mtime_ns
    except FileNotFoundError:
        return None
    with _LOCK:
        return _cached_domain_model(str(path), stamp)


def review_threshold(settings: Settings) -> float:
    """The confidence below which a letter goes to review: the active model's threshold (chosen
    from held-out data), unless ``category_review_threshold`` was set explicitly."""
    if "category_review_threshold" in settings.model_fields_set:
        return settings.category_review_threshold
    model = active_model()
    return model.threshold if model is not None else settings.category_review_threshold


# ---- the registry ------------------------------------------------------------------------------


def version_dirs(models_dir: Path = MODELS_DIR) -> list[Path]:
    if not models_dir.is_dir():
        return []
    return sorted(p for p in models_dir.iterdir() if p.is_dir() and _VERSION.match(p.name))


def next_version(models_dir: Path = MODELS_DIR) -> str:
    numbers = [int(p.name.removeprefix(VERSION_PREFIX)) for p in version_dirs(models_dir)]
    return f"{VERSION_PREFIX}{max(numbers, default=0) + 1:04d}"


def read_meta(path: Path) -> dict[str, Any]:
    return json.loads((path / "meta.json").read_text(encoding="utf-8"))


def list_versions(models_dir: Path = MODELS_DIR) -> list[dict[str, Any]]:
    """Every stored version with its key facts, oldest first."""
    active = active_version(models_dir)
    rows = []
    for path in version_dirs(models_dir):
        ours = read_meta(path).get("petitions", {})
        rows.append({
            "version": path.name,
            "active": path.name == active,
            "created": ours.get("created"),
            "mode": ours.get("combiner", {}).get("mode"),
            "threshold": ours.get("threshold", {}).get("threshold"),
            "frozen_macro_f1": ours.get("scores", {}).get("frozen_eval", {}).get("macro_f1"),
            "train_letters": ours.get("data", {}).get("n_letters"),
            "corrections": ours.get("data", {}).get("n_corrections", 0),
            "data_hash": ours.get("data", {}).get("sha256", "")[:12],
        })
    return rows


def history(models_dir: Path = MODELS_DIR) -> list[dict[str, Any]]:
    path = models_dir / HISTORY_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def record_event(models_dir: Path, event: str, version: str, actor: str = "system", **details: Any) -> None:
    entry = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "event": event, "version": version,
             "actor": actor, **details}
    with (models_dir / HISTORY_FILE).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")


def set_active(version: str, models_dir: Path = MODELS_DIR, *, actor: str = "system", event: str = "promoted",
               **details: Any) -> None:
    """Make ``version`` the active model (atomic rename of the pointer file) and record it."""
    if not (models_dir / version / "meta.json").exists():
        raise NotFoundError(f"no classifier model {version} in {models_dir}")
    previous = active_version(models_dir)
    tmp = models_dir / f".{ACTIVE_FILE}.tmp"
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, models_dir / ACTIVE_FILE)
    record_event(models_dir, event, version, actor, previous=previous, **details)


def rollback(version: str | None = None, models_dir: Path = MODELS_DIR, *, actor: str = "system") -> str:
    """Switch the active model back: to ``version``, or to the one active before the current one."""
    current = active_version(models_dir)
    if version is None:
        switches = [e for e in history(models_dir) if e["event"] in ("promoted", "rolled_back") and e.get("previous")]
        target = next((e["previous"] for e in reversed(switches) if e["version"] == current), None)
        if target is None:
            raise NotFoundError("no earlier active model to roll back to; name a version")
        version = target
    if version == current:
        return version
    set_active(version, models_dir, actor=actor, event="rolled_back")
    return version
