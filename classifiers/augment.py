"""Training-text augmentation: letters typed without diacritics, and letters read by a noisy OCR.

Both are seeded per letter (``random.Random(seed)``) so that a training run is reproducible. The
OCR noise imitates what tesseract does to Vietnamese scans: tone marks swapped or lost, look-alike
letters (đ/d, rn/m, l/1, O/0), a dropped or doubled character, two words run together, a word split.
"""

from __future__ import annotations

import random
import unicodedata

_TONE_SWAPS: dict[str, str] = {
    # same base vowel, another tone mark (the commonest OCR confusion)
    "á": "à", "à": "á", "ả": "ã", "ã": "ả", "ạ": "ả", "ố": "ổ", "ổ": "ố", "ồ": "ộ", "ộ": "ồ",
    "ế": "ể", "ể": "ế", "ệ": "ễ", "ớ": "ở", "ở": "ớ", "ợ": "ờ", "ứ": "ử", "ử": "ứ", "ự": "ừ",
    "í": "ì", "ì": "í", "ị": "ỉ", "ú": "ù", "ù": "ú", "ụ": "ủ", "ấ": "ầ", "ầ": "ấ", "ậ": "ẩ",
    "ắ": "ằ", "ặ": "ẳ", "ó": "ò", "ò": "ó", "ọ": "ỏ", "é": "è", "ẹ": "ẻ", "ý": "ỳ",
}
_LOOK_ALIKES: dict[str, str] = {"đ": "d", "Đ": "D", "l": "1", "O": "0", "o": "ơ", "ư": "u", "i": "l", "e": "c"}


def strip_marks(text: str) -> str:
    """The text as typed without diacritics (case kept): "Tố cáo" -> "To cao"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))


def ocr_noise(text: str, rng: random.Random, rate: float = 0.04) -> str:
    """The text with OCR-like character errors at about ``rate`` per word."""
    out: list[str] = []
    for line in text.split("\n"):
        words = line.split(" ")
        noisy: list[str] = []
        i = 0
        while i < len(words):
            word = words[i]
            if word and rng.random() < rate:
                kind = rng.random()
                pos = rng.randrange(len(word))
                ch = word[pos]
                if kind < 0.35 and ch.lower() in _TONE_SWAPS:
                    swapped = _TONE_SWAPS[ch.lower()]
                    word = word[:pos] + (swapped.upper() if ch.isupper() else swapped) + word[pos + 1 :]
                elif kind < 0.5:
                    word = strip_marks(word)
                elif kind < 0.65 and ch in _LOOK_ALIKES:
                    word = word[:pos] + _LOOK_ALIKES[ch] + word[pos + 1 :]
                elif kind < 0.75 and "m" in word:
                    word = word.replace("m", "rn", 1)
                elif kind < 0.85 and len(word) > 3:
                    word = word[:pos] + word[pos + 1 :]
                elif kind < 0.93 and i + 1 < len(words):
                    word = word + words[i + 1]  # two words run together
                    i += 1
                elif len(word) > 3:
                    word = word[:pos] + " " + word[pos:]
            noisy.append(word)
            i += 1
        out.append(" ".join(noisy))
    return "\n".join(out)


def augment(text: str, seed: str) -> list[str]:
    """The augmented copies of one training text: unaccented, OCR-noisy, and OCR-noisy unaccented."""
    rng = random.Random(seed)
    return [strip_marks(text), ocr_noise(text, rng), strip_marks(ocr_noise(text, rng, rate=0.03))]
