"""The trained half of the hybrid classifier: a spaCy text classifier over underthesea words.

The pipeline is ``petitions.vi_tokenizer.v1`` + ``textcat`` (exclusive classes) whose model is a
bag of word uni- and bigrams over the tokens' folded NORM (``petitions.TextCatBOWNorm.v1``, a
sparse linear layer: small on disk, fast, trains in seconds). It reads the letter's body with the
title blanked, as the rules do: the law classifies by content, and titles mislead.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any, cast

import numpy as np
import spacy
from spacy.attrs import NORM
from spacy.language import Language
from spacy.ml.extract_ngrams import extract_ngrams
from spacy.ml.models.textcat import resize_and_set_ref
from spacy.tokens import Doc
from spacy.training import Example
from spacy.vocab import Vocab
from thinc.api import Model, SparseLinear_v2, chain, resizable, softmax_activation, with_cpu
from thinc.layers.resizable import resize_linear_weighted
from thinc.types import Floats2d

from classifiers.vi_tokenizer import TOKENIZER_NAME
from models.record import CATEGORIES

ARCHITECTURE = "petitions.TextCatBOWNorm.v1"
NEG_VALUE = -5000


@spacy.registry.architectures(ARCHITECTURE)
def build_bow_norm_classifier(
    exclusive_classes: bool, ngram_size: int, length: int = 65536, nO: int | None = None
) -> Model[list[Doc], Floats2d]:
    """spaCy's TextCatBOW.v3 reading the NORM attribute (folded words) instead of ORTH."""
    length = 2 ** (length - 1).bit_length()
    sparse = SparseLinear_v2(nO=nO, length=length)
    fill_defaults = {"b": NEG_VALUE if exclusive_classes else 0, "W": 0}
    resizable_layer: Model[Floats2d, Floats2d] = resizable(
        sparse, resize_layer=partial(resize_linear_weighted, fill_defaults=fill_defaults)
    )
    model = chain(extract_ngrams(ngram_size, attr=NORM), resizable_layer)
    model = with_cpu(model, model.ops)
    if exclusive_classes:
        model = chain(model, with_cpu(softmax_activation(), model.ops))
    else:
        from thinc.api import Logistic

        model = chain(model, with_cpu(Logistic(), model.ops))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse)
    model.attrs["multi_label"] = not exclusive_classes
    model.attrs["resize_output"] = partial(resize_and_set_ref, resizable_layer=resizable_layer)
    return cast(Model[list[Doc], Floats2d], model)


DEFAULT_TEXTCAT: dict[str, Any] = {
    "threshold": 0.0,
    "model": {"@architectures": ARCHITECTURE, "exclusive_classes": True, "ngram_size": 2, "length": 65536},
}
DEFAULT_TRAINING: dict[str, Any] = {"seed": 0, "epochs": 8, "batch_size": 16, "dropout": 0.1, "learn_rate": 0.002}


def build_nlp(vocab: Vocab | None = None, textcat: dict[str, Any] | None = None,
              labels: Sequence[str] = CATEGORIES) -> Language:
    """A blank Vietnamese pipeline with the underthesea tokenizer and an untrained textcat over ``labels``."""
    config = {"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}}
    nlp = spacy.blank("vi", config=config, vocab=vocab) if vocab is not None else spacy.blank("vi", config=config)
    pipe = nlp.add_pipe("textcat", config=textcat or DEFAULT_TEXTCAT)
    for label in labels:
        pipe.add_label(label)  # type: ignore[attr-defined]
    return nlp


def make_docs(nlp: Language, texts: Iterable[str]) -> list[Doc]:
    return [nlp.make_doc(t) for t in texts]


def train_textcat(
    docs: Sequence[Doc],
    labels: Sequence[str],
    vocab: Vocab,
    training: dict[str, Any] | None = None,
    textcat: dict[str, Any] | None = None,
) -> Language:
    """Train a fresh pipeline on tokenized docs (made with ``vocab``) and their category labels."""
    params = {**DEFAULT_TRAINING, **(training or {})}
    spacy.util.fix_random_seed(params["seed"])
    return fit_textcat(build_nlp(vocab, textcat), docs, labels, CATEGORIES, params)


def fit_textcat(nlp: Language, docs: Sequence[Doc], labels: Sequence[str], label_set: Sequence[str],
                params: dict[str, Any]) -> Language:
    """Train ``nlp``'s untrained textcat on docs and their labels (one of ``label_set`` each): shuffled
    mini-batches, ``params`` seed/epochs/batch_size/dropout/learn_rate. The caller fixes spaCy's random
    seed before building ``nlp``, so that a run is reproducible."""
    rng = random.Random(params["seed"])
    examples = [
        Example.from_dict(doc, {"cats": {c: float(c == label) for c in label_set}})
        for doc, label in zip(docs, labels, strict=True)
    ]
    optimizer = nlp.initialize(lambda: examples[:200])
    optimizer.learn_rate = params["learn_rate"]
    order = list(range(len(examples)))
    for _ in range(params["epochs"]):
        rng.shuffle(order)
        for start in range(0, len(order), params["batch_size"]):
            batch = [examples[i] for i in order[start : start + params["batch_size"]]]
            nlp.update(batch, sgd=optimizer, drop=params["dropout"])
    return nlp


def predict(nlp: Language, docs_or_texts: Iterable[Doc | str], labels: Sequence[str] = CATEGORIES) -> np.ndarray:
    """Probabilities, one row per letter, columns in ``labels`` order."""
    pipe = nlp.get_pipe("textcat")
    docs = [nlp.make_doc(item) if isinstance(item, str) else item for item in docs_or_texts]
    rows = [[doc.cats[c] for c in labels] for doc in pipe.pipe(docs, batch_size=64)]  # one batch: faster than doc by doc
    return np.asarray(rows, dtype=float).reshape(-1, len(labels))
