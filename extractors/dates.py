"""The letter's own date: the "<place>, ngày 08 tháng 12 năm 2025" line of the header.

Public function: :func:`extract_letter_date`.
"""

from __future__ import annotations

import datetime as dt
import re

from petitions.text import fold, nfc

_WORDS = re.compile(r"ngay\s*(\d{1,2})\s*[,.]?\s*thang\s*(\d{1,2})\s*[,.]?\s*nam\s*(\d{4})")
_NUMERIC = re.compile(r"ngay\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_PLACE = re.compile(r"^\s*[^\d\n.:;]{2,40}?[,\s]\s*$")


def _date(m: re.Match[str]) -> dt.date | None:
    try:
        d = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return d if 1990 <= d.year <= 2100 else None


def extract_letter_date(text: str) -> dt.date | None:
    """The date the letter was written, or None (see :func:`extract_letter_date_how`)."""
    return extract_letter_date_how(text)[0]


def extract_letter_date_how(text: str) -> tuple[dt.date | None, str]:
    """The date the letter was written and how it was found: "place_line" or "date_line"; (None, "").

    Preference: a "<place>, ngày … tháng … năm …" line; then a line that is only such a date (at the top
    or in the signature block). Dates inside sentences (of decisions, events) are not the letter's date.
    """
    lines = [fold(ln) for ln in nfc(text).splitlines()]
    n = len(lines)
    zones = list(range(min(n, 20))) + list(range(max(20, n - 30), n))
    for pattern in (_WORDS, _NUMERIC):
        for i in zones:
            ln = lines[i]
            m = pattern.search(ln)
            if m and _PLACE.match(ln[: m.start()]) and len(ln[m.end():].strip(" .,)")) < 5:
                d = _date(m)
                if d:
                    return d, "place_line"
    for pattern in (_WORDS, _NUMERIC):
        for i in zones:
            ln = lines[i].strip(" ,.()")
            m = pattern.fullmatch(ln) or pattern.fullmatch(re.sub(r"^(?:[a-z ]{0,20}),\s*", "", ln))
            if m:
                d = _date(m)
                if d:
                    return d, "date_line"
    return None, ""
