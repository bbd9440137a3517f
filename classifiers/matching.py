"""Find the signals of the rule set in a folded text: which fired, where, and for how much.

Each fired signal becomes a :class:`Hit`, the unit a reviewer reads ("tố cáo: 'lợi dụng chức vụ'
(+3.0)") and, later, a feature of the trained classifier (``Hit.signal`` -> ``Hit.points``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from classifiers.rules import Rules
from petitions.text import fold

_LIST_ITEM = re.compile(r"^\s*([-+*•]|\d+[.)/]|[a-z][.)])\s*")


@dataclass(frozen=True)
class Hit:
    signal: str  # the signal id
    target: str  # a category, a flag, or domain:<key>
    points: float  # weight x hits (x request boost for categories)
    evidence: str  # what matched: the accented phrase, or the folded text a regex matched
    hits: int = 1
    in_request: bool = False


def request_spans(folded: str, rules: Rules) -> list[tuple[int, int]]:
    """Spans of the writer's request: from a request cue to the end of its line, and when that line
    ends with ":" the list items that follow it."""
    spans: list[tuple[int, int]] = []
    offset = 0
    in_list = False
    for line in folded.splitlines(keepends=True):
        end = offset + len(line.rstrip("\n"))
        cue = rules.request_cue.search(line)
        if cue:
            spans.append((offset + cue.start(), end))
            in_list = line.rstrip().endswith(":")
        elif in_list and _LIST_ITEM.match(line):
            spans.append((offset, end))
        elif line.strip():
            in_list = False
        offset += len(line)
    return spans


def _same_accents(quote: str, phrase: str) -> bool:
    """The text matches the phrase with its tone marks, or carries none at all (typed without them)."""
    words = " ".join(quote.split()).lower()
    return words == " ".join(phrase.split()).lower() or words == fold(words)


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start <= pos < end for start, end in spans)


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def find_hits(
    folded: str,
    rules: Rules,
    targets: frozenset[str] | None = None,
    spans: Sequence[tuple[int, int]] | None = None,
    source: str | None = None,
) -> list[Hit]:
    """Every signal (optionally only those whose target is in ``targets``) that matches ``folded``.

    Signals are tried negations first, then heaviest first; a stretch of text counts once per
    target ("làm rõ sai phạm" does not count again as "sai phạm"). Distinct matches count up to the
    signal's ``max_hits``; a signal with a match inside a request span (``spans``) is multiplied by
    the request boost. ``source`` is the unfolded text when folding kept its length: a regex's
    evidence is then quoted from it, with its accents.
    """
    if source is not None and len(source) != len(folded):
        source = None
    boost = rules.set.request.boost
    claimed: dict[str, list[tuple[int, int]]] = {}
    out: list[Hit] = []
    for sig in rules.by_precedence:
        spec = sig.spec
        if targets is not None and spec.category not in targets:
            continue
        taken = claimed.setdefault(spec.category, [])
        found: list[tuple[int, int, str]] = []
        for pattern in sig.patterns:
            for m in pattern.finditer(folded):
                quote = source[m.start() : m.end()] if source is not None else m.group(0)
                if pattern.accents and pattern.phrase and source is not None and not _same_accents(quote, pattern.phrase):
                    continue
                found.append((m.start(), m.end(), pattern.phrase or " ".join(quote.split())))
        accepted: list[tuple[int, int, str]] = []
        for start, end, evidence in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
            if not _overlaps(start, end, taken):
                accepted.append((start, end, evidence))
                taken.append((start, end))
        if not accepted:
            continue
        requested = [a for a in accepted if spans and _inside(a[0], spans)]
        count = min(len(accepted), spec.max_hits)
        points = spec.weight * count * (boost if requested else 1.0)
        evidence = (requested or accepted)[0][2]
        out.append(Hit(spec.id, spec.category, points, evidence, count, bool(requested)))
    return out
