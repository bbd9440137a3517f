"""A spaCy tokenizer backed by underthesea's Vietnamese word segmentation.

Registered as ``petitions.vi_tokenizer.v1`` (spaCy's ``tokenizers`` registry), so a saved pipeline's
config names it and ``spacy.load`` rebuilds it without pyvi. Each line is segmented on its own
(letters wrap lines anywhere; a line is the unit underthesea was trained on): "Quyết định số" ->
["Quyết định", "số"]. A multi-syllable word is one token whose text keeps its inner space.

Every token's ``norm_`` is its folded form (lower case, no tone marks, spaces -> "_", digits -> "0"),
so that accented, unaccented and OCR-damaged letters share features; the text classifier reads
``NORM``. The tokenizer has no state: ``to_disk``/``from_disk`` write and read a tiny JSON file so
that spaCy's serialisation round-trips.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import get_words_and_spaces
from spacy.vocab import Vocab

from petitions.text import fold

TOKENIZER_NAME = "petitions.vi_tokenizer.v1"
_DIGITS = re.compile(r"\d")
_SETTINGS_FILE = "settings.json"


@lru_cache(maxsize=65536)
def norm_of(word: str) -> str:
    """The feature form of a token: folded, inner spaces joined, digits collapsed."""
    folded = fold(word.replace("\u00d0", "D").replace("\u00f0", "d"))
    return _DIGITS.sub("0", "_".join(folded.split()))


# underthesea loads its CRF model lazily on the first call and is not thread-safe while it does
# (two letters classified at once crashed with "'NoneType' object has no attribute 'process'"):
# calls are serialised. Segmentation is pure Python under the GIL, so the lock costs no parallelism.
_SEGMENT_LOCK = threading.Lock()


@lru_cache(maxsize=4096)
def _segment_cached(line: str) -> tuple[str, ...]:
    """One line's words. Cached: the category and the field classifiers read the same letter's lines
    (and the category classifier its paragraphs again)."""
    from underthesea import word_tokenize  # imported lazily: loading the CRF model takes time

    with _SEGMENT_LOCK:
        words = tuple(w for w in word_tokenize(line) if w.strip())
    try:  # underthesea must give back the line's own characters; else split on spaces
        get_words_and_spaces(list(words), line)
    except ValueError:
        return tuple(line.split())
    return words


class VietnameseTokenizer:
    """Text -> Doc: underthesea word segmentation line by line, whitespace kept exactly."""

    def __init__(self, vocab: Vocab, per_line: bool = True) -> None:
        self.vocab = vocab
        self.per_line = per_line

    def __reduce__(self) -> tuple[Any, ...]:
        return (VietnameseTokenizer, (self.vocab, self.per_line))

    def _words(self, text: str) -> list[str]:
        chunks: Iterable[str] = text.splitlines() if self.per_line else [text]
        words: list[str] = []
        for chunk in chunks:
            if not chunk.strip():
                continue
            words.extend(_segment_cached(chunk))
        return words

    def __call__(self, text: str) -> Doc:
        words = self._words(text)
        try:
            words, spaces = get_words_and_spaces(words, text)
        except ValueError:
            words, spaces = get_words_and_spaces(text.split(), text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        for token in doc:
            if not token.is_space:
                token.norm_ = norm_of(token.text)
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)

    # ---- serialisation: stateless, but spaCy saves and loads every tokenizer -------------------

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps({"per_line": self.per_line}).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> VietnameseTokenizer:
        self.per_line = bool(json.loads(data.decode("utf-8")).get("per_line", True))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / _SETTINGS_FILE).write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> VietnameseTokenizer:
        file = Path(path) / _SETTINGS_FILE
        if file.exists():
            self.from_bytes(file.read_bytes())
        return self


@spacy.registry.tokenizers(TOKENIZER_NAME)
def create_vi_tokenizer(per_line: bool = True) -> Callable[[Language], VietnameseTokenizer]:
    def make(nlp: Language) -> VietnameseTokenizer:
        return VietnameseTokenizer(nlp.vocab, per_line=per_line)

    return make
