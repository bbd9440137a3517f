"""The letter's own title ("ĐƠN KHIẾU NẠI", "Don to cao", "ĐƠN KÊU CỨU"…) as a key.

The title is recorded (a title that disagrees with the content sends the letter to review) and
excluded from content scoring, because citizens often title a letter wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass

from classifiers.rules import Rules, fold_key, load_rules
from models.record import CATEGORIES

_KEY_WINDOW = 12  # the key must start within this many characters after "đơn"/"thư"
_LEADING = " \t-*•\"'“”.:"


@dataclass(frozen=True)
class Title:
    key: str | None  # a category key, keu_cuu, de_nghi, trinh_bay, other; None: no title
    lines: tuple[int, ...] = ()  # indexes of the title's lines in text.splitlines()
    named: tuple[str, ...] = ()  # every category the title names ("ĐƠN KHIẾU NẠI VÀ TỐ CÁO": both)


def _named(folded: str, rules: Rules) -> tuple[str, ...]:
    """The categories a title names anywhere on its line(s), in the order written."""
    found = sorted((m.start(), key) for key, rx in rules.title_keys if key in CATEGORIES and (m := rx.search(folded)))
    return tuple(dict.fromkeys(key for _, key in found))


def _key_of(folded: str, original: str, rules: Rules) -> str | None:
    head = rules.title_prefix.match(folded)
    if not head:
        return None
    rest = folded[head.end() :]
    found = [
        (m.start(), key)
        for key, rx in rules.title_keys
        if (m := rx.search(rest)) and m.start() <= _KEY_WINDOW
    ]
    if found:
        return min(found)[1]
    # "ĐƠN XIN …", "ĐƠN THƯ": a title with no known key, but only in capitals ("Đơn vị: …" is not a title).
    letters = [ch for ch in original if ch.isalpha()]
    if rules.title_generic.match(folded) and letters and all(ch.isupper() for ch in letters):
        return "other"
    return None


def find_title(text: str, rules: Rules | None = None) -> Title:
    """Look at the first non-empty lines for one starting with "ĐƠN"/"THƯ" (any case, any accents)."""
    rules = rules or load_rules()
    spec = rules.set.title
    lines = text.splitlines()
    seen = 0
    for i, line in enumerate(lines):
        original = line.strip().lstrip(_LEADING)
        if not original:
            continue
        seen += 1
        if seen > spec.max_lines:
            break
        if len(original) > spec.max_length:
            continue
        folded = fold_key(original)
        # A title split over two lines: "ĐƠN" / "KHIẾU NẠI".
        if rules.title_prefix.fullmatch(folded.strip()):
            nxt = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
            if nxt is not None:
                joined = f"{original} {lines[nxt].strip()}"
                key = _key_of(fold_key(joined), joined, rules)
                if key is not None:
                    return Title(key, (i, nxt), _named(fold_key(joined), rules))
        key = _key_of(folded, original, rules)
        if key is not None:
            return Title(key, (i,), _named(folded, rules))
    return Title(None)


def title_category(text: str) -> str | None:
    """The title as a key (khieu_nai, to_cao, kien_nghi, phan_anh, keu_cuu, de_nghi, trinh_bay,
    other), or None when the letter has no title."""
    return find_title(text).key


def strip_title(text: str, title: Title) -> str:
    """The text with the title's lines blanked (line structure kept) for content scoring."""
    if not title.lines:
        return text
    lines = text.splitlines()
    for i in title.lines:
        lines[i] = ""
    return "\n".join(lines)
