"""The passage reader: a text classifier trained on paragraphs labelled with their own matter.

The letter classifier is trained on whole letters, each with the letter's one category. Read on a
single paragraph, it sees a denunciation woven into a complaint's story through a model that was
taught those words as a complaint's. The passage reader is taught on paragraphs instead:

- a paragraph of a single-matter letter is labelled with the letter's category;
- in a mixed letter whose second matter is marked (fixtures/letters/passages.jsonl: the passages
  that raise it), each marked passage is labelled with the second matter's category; a paragraph
  mostly made of marked passages is too; the rest of a paragraph that holds one is labelled with the
  letter's category, and every other paragraph of it too;
- a mixed letter with no marks is left out (which paragraph holds which matter is not known).

Each example is also read unaccented and OCR-noisy (classifiers.augment), as the letters are. The
reader ships inside the model's directory (``passages/``) and is rebuilt with it
(``python -m classifiers.train``). ``HybridModel.read_paragraphs`` reads a paragraph with both
classifiers and keeps, per category, the lower probability: both must see the matter.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from classifiers.augment import augment
from classifiers.category import reading_paragraphs
from classifiers.rules import load_rules
from classifiers.title import find_title, strip_title
from models.record import CATEGORIES
from petitions.text import nfc

if TYPE_CHECKING:
    from spacy.language import Language

    from classifiers.train import TrainLetter

MOSTLY_MARKED = 0.5  # a paragraph this much made of marked passages is the second matter's


def passage_examples(letter: TrainLetter) -> list[tuple[str, str]]:
    """A training letter's paragraphs (as the readers read them) and marked passages, each with the
    category of the matter it raises; nothing for a mixed letter without marks."""
    marked = [nfc(text) for text, _ in letter.passages]
    if letter.mixed and not marked:
        return []
    second = letter.passages[0][1] if letter.passages else letter.category
    text = nfc(letter.text)
    body = strip_title(text, find_title(text, load_rules()))
    out: list[tuple[str, str]] = []
    for paragraph in reading_paragraphs(body):
        inside = [p for p in marked if p in paragraph]
        if not inside:
            out.append((paragraph, letter.category))
        elif sum(len(p) for p in inside) >= MOSTLY_MARKED * len(paragraph):
            out.append((paragraph, second))
        else:
            rest = paragraph
            for p in inside:
                rest = rest.replace(p, " ")
            rest = " ".join(rest.split())
            if rest in reading_paragraphs(rest):  # long enough to be read alone
                out.append((rest, letter.category))
    out += [(p, second) for p in marked]
    return out


def train_passage_reader(
    letters: Sequence[TrainLetter], training: dict[str, Any], augment_copies: int
) -> tuple[Language, dict[str, Any]]:
    """Train the passage reader on ``letters`` (seeded by ``training["seed"]``); its pipeline and a
    summary for the model's meta."""
    import spacy

    from classifiers.textcat import build_nlp, fit_textcat

    started = time.monotonic()
    seed = training["seed"]
    examples = [(text, label, x.id) for x in letters for text, label in passage_examples(x)]
    spacy.util.fix_random_seed(seed)
    nlp = build_nlp()
    texts: list[str] = []
    labels: list[str] = []
    for text, label, letter_id in examples:
        copies = [text, *augment(text, f"{seed}:{letter_id}:{text[:20]}")[:augment_copies]]
        texts += copies
        labels += [label] * len(copies)
    fit_textcat(nlp, [nlp.make_doc(t) for t in texts], labels, CATEGORIES, training)
    summary = {
        "n_examples": len(examples),
        "by_category": dict(sorted(Counter(label for _, label, _ in examples).items())),
        "marked_letters": sum(1 for x in letters if x.passages),
        "train_seconds": round(time.monotonic() - started, 1),
    }
    return nlp, summary
