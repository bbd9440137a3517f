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


_LIST_START = re.compile(r"^\s*(?:[-+•*–]|\d{1,2}[.)]|[a-zđ][.)]\s|[IVX]{1,4}[.)])", re.IGNORECASE)
_FULL_LINE_SHARE = 0.72  # a line this close to the page's usual full width was wrapped by the layout


def unwrap_lines(text: str) -> str:
    """Join lines that a page's layout wrapped inside a paragraph, keeping every other line break.

    Scans and PDF text layers break sentences at the right margin ("trú tại thôn\\nĐồng Lý, xã …").
    A line is joined to the next when it is about as long as the page's full lines, the next line
    is in the same paragraph (not blank) and does not start a list item. Short lines (headers,
    the date line, "Kính gửi:", signatures) and blank lines stay as they are, and so does a short
    line after a sentence's end: a typed paragraph on one long line is followed by the date line and
    the signature, which no margin wrapped.
    """
    lines = text.split("\n")
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if len(lengths) < 4:
        return text
    full = lengths[int(len(lengths) * 0.9)] * _FULL_LINE_SHARE
    out: list[str] = []
    for line in lines:
        if out and out[-1].strip() and line.strip() and len(out[-1].strip()) >= full \
                and not _LIST_START.match(line) and not out[-1].rstrip().endswith(":") \
                and not (out[-1].rstrip().endswith((".", "!", "?")) and len(line.strip()) < full):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)
