"""Normalisation of OCR'd text: NFC, tone marks in their modern place, codes broken at a line end.

The line structure is kept (headers, "Kính gửi", signature blocks matter to later stages): only
runs of spaces and of blank lines are collapsed. underthesea's ``text_normalize`` fixes tone marks
("hoà" -> "hòa", "thuỷ" -> "thủy") but also re-tokenises punctuation, so it is applied word by word.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from underthesea import text_normalize

_WORD = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
_BLANKS = re.compile(r"\n{3,}")
_BROKEN_CODE = re.compile(r"(\S)-\n(?=[A-ZĐ0-9])")  # "245/QĐ-\nUBND" -> "245/QĐ-UBND"
_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u00f0": "đ"})  # Icelandic eth read for Đ


@lru_cache(maxsize=50_000)
def _word(word: str) -> str:
    if word.isascii():
        return word
    fixed = text_normalize(word)
    return fixed if " " not in fixed and len(fixed) == len(word) else word


def normalize_ocr_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES)
    text = _BROKEN_CODE.sub(r"\1-", text)
    text = _WORD.sub(lambda m: _word(m.group(0)), text)
    lines = [_SPACES.sub(" ", line).rstrip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
