"""Text helpers shared by every stage: normalisation and diacritic-insensitive folding."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"[ \t\u00a0]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese tone marks and diacritics ("Tố cáo" -> "to cao").

    OCR confuses tone marks (TỐ -> TỔ) and some letters are typed without them, so keyword matching
    is done on folded text. Folding keeps the string's length for plain letters but not across all
    of Unicode, so callers match on folded text and never map offsets back through it.
    """
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", text).lower()


def collapse_spaces(text: str) -> str:
    return _WS.sub(" ", text).strip()


def slug(text: str) -> str:
    """"Liêm Hà" -> "liem-ha": stable ids for agencies and units."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
