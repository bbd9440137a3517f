"""Classify a letter by its content: complaint, denunciation, recommendation or reflection.

Raw score per category = bias + the points of the category signals found in the body (the title
line excluded, the writer's request boosted) + support from the extraction. A softmax with the
yaml's temperature turns the scores into probabilities. Flags (crime signs, Party discipline,
second-time complaint) and the domain come from their own signals over the whole text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from classifiers.matching import Hit, find_hits, request_spans
from classifiers.rules import FLAGS, Rules, fold_key, load_rules
from classifiers.title import Title, find_title, strip_title
from extractors.layout import ADDRESSEE_CUE, sentences, without_identity
from models.record import CATEGORIES, DOMAINS, Category, Classification, Extraction
from petitions.settings import Settings
from petitions.text import nfc

_CATEGORY_TARGETS = frozenset(CATEGORIES)
_OTHER_TARGETS = frozenset(FLAGS) | frozenset(f"domain:{d}" for d in DOMAINS)


def softmax(scores: dict[str, float], temperature: float) -> dict[str, float]:
    top = max(scores.values())
    exp = {k: math.exp((v - top) / temperature) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


def _extraction_support(extraction: Extraction, rules: Rules) -> list[Hit]:
    spec = rules.set.extraction
    present = {
        "accused": extraction.accused is not None and any(extraction.accused.model_dump().values()),
        "decision_refs": bool(extraction.decision_refs),
    }
    return [
        Hit(f"extraction_{field}", cat, weight, field)
        for field, support in (("accused", spec.accused), ("decision_refs", spec.decision_refs))
        if present[field]
        for cat, weight in support.items()
    ]


def _same_class(a: str, b: str, rules: Rules) -> bool:
    return a == b or {a, b} in [set(pair) for pair in rules.set.mixed.same_class]


def _request_may_add(found: str, category: str, rules: Rules) -> bool:
    """A request (a line, an item of the list of requests) may confirm the letter's ``category`` but adds
    a second matter only of ``line_secondaries`` (a remedy asked at the end is the same matter)."""
    allowed = rules.set.mixed.line_secondaries
    return not allowed or found in allowed or _same_class(found, category, rules)


@dataclass(frozen=True)
class Body:
    """A letter's body (its title blanked) as written and folded, with the spans of the writer's
    requests: read once per letter, then scored whole and in parts."""

    text: str
    folded: str
    requests: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, text: str, rules: Rules) -> Body:
        folded = fold_key(text)
        return cls(text, folded, tuple(request_spans(folded, rules)))


def request_line_categories(body: Body, rules: Rules) -> list[str]:
    """The category each request line of the body is about (lines won by too few points are skipped)."""
    minimum = rules.set.mixed.request_line_min
    if not minimum:
        return []
    out = []
    for start, end in body.requests:
        totals = _totals(body.folded[start:end], rules, source=body.text[start:end])
        ranked = sorted(CATEGORIES, key=lambda c: -totals[c])
        if totals[ranked[0]] - totals[ranked[1]] >= minimum:
            out.append(ranked[0])
    return out


_SENTENCE_START = re.compile(r"(?:^|[\n.;:!?])[\s\-–•*+]*(?:\(?(?:\d{1,2}|[a-e])[.)]\s*)?$")


def _parts(folded: str, rules: Rules) -> list[tuple[int, int, float]]:
    """The matters a writer turns to: (start, end, margin needed). A part runs from a cue ("Ngoài
    ra…", "Một việc nữa…") or a section marker ("2.", "Thứ hai,") to the end of its paragraph (line),
    a heading's over the paragraph under it (``_part_end``); the text before the first of them is the
    first matter."""
    spec = rules.set.mixed
    starts: dict[int, float] = {}
    if rules.second_matter is not None and spec.segment_min:
        for m in rules.second_matter.finditer(folded):
            if spec.cues_at_sentence_start and not _SENTENCE_START.search(folded, max(0, m.start() - 12), m.start()):
                continue
            starts[m.start()] = spec.segment_min
    if rules.section_marker is not None and spec.section_min:
        for m in rules.section_marker.finditer(folded):
            at = m.start() + len(m.group()) - len(m.group().lstrip())
            starts.setdefault(at, spec.section_min)
    if not starts:
        return []
    ordered = sorted(starts)
    parts = [(0, ordered[0], min(starts.values()))]
    for start in ordered:
        parts.append((start, _part_end(folded, start, starts), starts[start]))
    return parts


_HEADING_CHARS = 100  # a part's line this short is a heading ("2. Về hành vi của ông X:"): its matter follows


def _part_end(folded: str, start: int, starts: dict[int, float]) -> int:
    """A part ends with its line. A line shorter than ``_HEADING_CHARS`` (a heading, or a line typed
    with a hard break) runs on over the next paragraph, up to a part that starts in it, unless that
    paragraph starts a part of its own."""
    end = folded.find("\n", start)
    end = end if end >= 0 else len(folded)
    if end - start >= _HEADING_CHARS:
        return end
    nxt = end
    while nxt < len(folded) and folded[nxt].isspace():
        nxt += 1
    stop = folded.find("\n", nxt)
    stop = stop if stop >= 0 else len(folded)
    return min([s for s in starts if nxt <= s < stop] + [stop]) if nxt < stop and nxt not in starts else end


def segment_categories(body: Body, rules: Rules, category: str | None = None) -> list[str]:
    """The category of each matter the writer turns to (see ``_parts``): each part is scored alone
    and counts when one legal class wins it by at least its margin (``segment_min`` after a cue,
    ``section_min`` for a numbered or ordinal section); a plea for help (``remedy_signals``) wins none.

    Given the letter's ``category``, an item of the writer's list of requests ("Kính đề nghị: 1. …
    2. …") is read like a request line: it adds only a ``line_secondaries`` category (a remedy asked
    for the same matter, "2. Chỉ đạo xử lý dứt điểm công trình", is no reflection of its own)."""
    folded = body.folded
    requests = body.requests if category is not None else ()
    out = []
    for start, end, minimum in _parts(folded, rules):
        totals = _totals(folded[start:end], rules, skip=frozenset(rules.set.mixed.remedy_signals), source=body.text[start:end])
        head = folded[start: min(end, start + rules.set.mixed.announce_within)]
        for cat, pattern in rules.announce:
            if pattern.search(head):
                totals[cat] += rules.set.mixed.announce_points
        top, margin = _class_winner(totals, rules)
        if margin < minimum:
            continue
        line_start = folded.rfind("\n", 0, start) + 1
        list_item = not folded[line_start:start].strip(" -+*•\t") and any(a <= start < b for a, b in requests)
        if list_item and not _request_may_add(top, category or "", rules):
            continue
        out.append(top)
    return out


def _points(hits: list[Hit]) -> dict[str, float]:
    """The category points of some hits."""
    totals = dict.fromkeys(CATEGORIES, 0.0)
    for h in hits:
        totals[h.target] += h.points
    return totals


def _totals(folded: str, rules: Rules, skip: frozenset[str] = frozenset(), source: str | None = None) -> dict[str, float]:
    """The category points of a stretch of folded text scored alone (the ``skip`` signals left out);
    ``source``, the stretch as written, lets a phrase that must keep its tone marks tell "lạm thu" from
    "làm thủ"."""
    return _points([h for h in find_hits(folded, rules, _CATEGORY_TARGETS, source=source) if h.signal not in skip])


def _class_winner(totals: dict[str, float], rules: Rules) -> tuple[str, float]:
    """The leading category and its margin over the other legal classes (kiến nghị and phản ánh
    together are one)."""
    top = max(CATEGORIES, key=lambda c: totals[c])
    mine = sum(totals[c] for c in CATEGORIES if _same_class(c, top, rules))
    rival = max((totals[c] for c in CATEGORIES if not _same_class(c, top, rules)), default=0.0)
    return top, mine - rival


_PARAGRAPH_CHARS = 60


class ParagraphReader(Protocol):
    """Trained text classifiers that read paragraphs alone: one row of category probabilities
    (``CATEGORIES`` order) per paragraph. ``passage_reader``: a reader trained on paragraphs
    labelled with their own matter confirms each reading (classifiers.passages)."""

    @property
    def passage_reader(self) -> bool: ...

    def read_paragraphs(self, texts: list[str]) -> np.ndarray | None: ...


def _joined_sentences(body: str) -> list[str]:
    """The body's lines, a sentence broken across lines joined again: a line that ends without a
    stop and a next line that starts in lower case are one sentence (text typed or pasted with
    hard line breaks; the pipeline re-joins a page's layout lines before classifying)."""
    out: list[str] = []
    for line in body.split("\n"):
        if out and out[-1].strip() and line.lstrip()[:1].islower() and not out[-1].rstrip().endswith((".", ":", ";", "!", "?")):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return out


def reading_paragraphs(body: str) -> list[str]:
    """The paragraphs the trained readers read alone: the body's lines (a sentence broken across
    lines joined again), the writer's identity sentences left out, of ``_PARAGRAPH_CHARS`` or more."""
    return [p for p in (without_identity(line) for line in _joined_sentences(body)) if len(p) >= _PARAGRAPH_CHARS]


@dataclass(frozen=True)
class ParagraphMatter:
    """A second matter the trained classifier read in one paragraph."""

    category: str
    probability: float  # of the category's legal class
    paragraph: str


def _windows(paragraph: str, rules: Rules) -> list[str]:
    """A long paragraph's sentences, and its runs of sentences, of each length in ``window_sentences``
    (one sentence may carry a second matter woven into the story: "…, tôi còn thấy ông Khải mấy lần
    ngồi ăn uống với người nhà bên kia"); runs shorter than a paragraph's minimum are left out, and so
    is a run of all its sentences (the paragraph itself, read already)."""
    spec = rules.set.mixed
    if not spec.window_sentences or len(paragraph) < spec.window_paragraph_chars:
        return []
    said = [s.strip() for s in sentences(paragraph)]
    if len(said) < 2:
        return []
    runs = [" ".join(said[i: i + n]) for n in spec.window_sentences if n < len(said) for i in range(len(said) - n + 1)]
    return [r for r in runs if len(r) >= _PARAGRAPH_CHARS]


def _supporting(hits: list[Hit], not_support: set[str]) -> set[str]:
    """The categories some of ``hits`` may support a reading of (not the ``not_support`` signals)."""
    return {h.target for h in hits if h.points > 0 and h.signal not in not_support}


def model_paragraph_matters(body: str, reader: ParagraphReader, top: str, rules: Rules) -> list[ParagraphMatter]:
    """The matters of other legal classes the trained classifier finds in single paragraphs (the
    likeliest paragraph of each category): a paragraph (line of ``_PARAGRAPH_CHARS`` or more, the
    writer's identity sentences left out) counts for a class of another legal class than ``top`` when the classifier gives that class (kiến nghị and phản ánh
    together) at least ``paragraph_model_min`` and a signal of it is found in the paragraph (not one
    of ``paragraph_model_not_support``: a plea for help is the remedy of the letter's own matter, "no
    answer yet" is about the writer's own earlier letter, a decision cited is no complaint about it).

    A paragraph the signals give to the letter's own class by ``paragraph_own_min`` points or more stays
    that matter's. It catches a second matter told in words the signals score too weakly to win a
    paragraph; the signal it must contain keeps a story's neutral paragraphs (dates, family,
    background) out."""
    spec = rules.set.mixed
    minimum = spec.paragraph_model_min
    if not minimum:
        return []
    paragraphs = reading_paragraphs(body)
    not_support = {*spec.paragraph_model_not_support, *spec.remedy_signals}
    found: dict[str, list[Hit]] = {}

    def hits_in(text: str) -> list[Hit]:  # a paragraph's hits are looked for once
        if text not in found:
            found[text] = find_hits(fold_key(text), rules, _CATEGORY_TARGETS, source=text)
        return found[text]

    # confirmed by the passage reader, a reading this likely needs no signal of its class
    unsupported = spec.paragraph_unsupported_min if reader.passage_reader else 0.0
    free = set(spec.unsupported_secondaries) if unsupported else set()
    # only paragraphs holding a signal that may support a window are cut into windows (cutting every long
    # paragraph for the confirmed readings found as many mixed letters, and cost time)
    windows = [w for p in paragraphs if (cut := _windows(p, rules))
               and _supporting(hits_in(p), not_support) & set(spec.window_secondaries) for w in cut]
    probs = reader.read_paragraphs(paragraphs + windows) if paragraphs else None
    if probs is None:
        return []
    groups = list(dict.fromkeys(  # the other legal classes, each as its categories
        tuple(c for c in CATEGORIES if _same_class(c, cat, rules)) for cat in CATEGORIES if not _same_class(cat, top, rules)))
    in_window = [g for g in groups if set(g) & set(spec.window_secondaries)]
    out: dict[str, ParagraphMatter] = {}
    for i, (paragraph, row) in enumerate(zip(paragraphs + windows, probs, strict=True)):
        read = groups if i < len(paragraphs) else in_window
        likely = [(g, p) for g in read if (p := sum(float(row[CATEGORIES.index(c)]) for c in g)) >= minimum]
        if not likely:  # the signals are looked for only where the classifier reads another class
            continue
        hits = hits_in(paragraph)
        supported = _supporting(hits, not_support)
        totals = _points(hits)
        own = sum(totals[c] for c in CATEGORIES if _same_class(c, top, rules))
        for group, p_class in likely:
            clearly_own = own - sum(totals[c] for c in group) >= rules.set.mixed.paragraph_own_min > 0
            # a reading the passage reader confirms needs no signal of its class, unless the paragraph holds
            # one that is no support ("chưa nhận được trả lời": the writer's own earlier letter)
            confirmed = (unsupported and p_class >= unsupported and free & set(group)
                         and not any(h.target in group and h.signal in not_support for h in hits))
            if (supported & set(group) or confirmed) and not clearly_own:
                best = max(group, key=lambda c: row[CATEGORIES.index(c)])
                if best not in out or p_class > out[best].probability:
                    out[best] = ParagraphMatter(best, p_class, paragraph)
    return list(out.values())


def _mixed_secondary(
    raw: dict[str, float], hits: list[Hit], top: str, rules: Rules, line_cats: list[str] | None = None
) -> Category | None:
    spec = rules.set.mixed
    others = [c for c in dict.fromkeys(line_cats or []) if not _same_class(c, top, rules)]
    if others and (top in (line_cats or []) or any(_same_class(c, top, rules) for c in line_cats or [])):
        return max(others, key=lambda c: raw[c])  # type: ignore[return-value]
    if not spec.score_rule:
        return None
    second = max((c for c in CATEGORIES if c != top), key=lambda c: raw[c])
    if _same_class(top, second, rules):
        return None
    evidence = sum(1 for h in hits if h.target == second and h.points > 0)
    requested = any(h.target == second and h.points > 0 and h.in_request for h in hits)
    if (
        raw[second] >= spec.min_score
        and raw[second] >= spec.min_ratio * raw[top]
        and evidence >= spec.min_signals
        and (requested or not spec.require_request)
    ):
        return second
    return None


_GROUNDS_OR_SUBJECT = re.compile(r"^\W*(?:can\s+cu|v\s*/\s*v|ve\s+viec)\b")  # "Căn cứ Luật …", "V/v: …" (folded)


@dataclass(frozen=True)
class Declared:
    """A second matter the writer declares in so many words, and the words he does it in (from the
    clause that declares it to the end of its sentence)."""

    category: str
    sentence: str


def declared_matters(body: Body, top: str, rules: Rules) -> list[Declared]:
    """The categories of another legal class than ``top`` the writer declares in so many words ("…, tôi
    tố cáo việc làm này") once his letter's matter has begun: at least ``declared_after`` characters
    of it before, not counting his identity, the addressee, the legal grounds cited and the subject
    line. An opening "Tôi tố cáo …" is the letter's own matter, however the rest of it reads."""
    spec = rules.set.mixed
    if not spec.declared_after:
        return []
    out = []
    for cat, rx in rules.declared:
        if _same_class(cat, top, rules):
            continue
        for m in rx.finditer(body.folded):
            before = body.folded[: m.start()]
            if rules.declared_not_after is not None and rules.declared_not_after.search(before[-12:]):
                continue
            told = sum(len(without_identity(line).strip()) for line in before.split("\n")
                       if not (ADDRESSEE_CUE.match(line) or _GROUNDS_OR_SUBJECT.match(line)))
            if told >= spec.declared_after:
                start = max(body.text.rfind(stop, 0, m.start()) for stop in ".!?\n,;:") + 1  # the clause
                ends = [e for stop in ".!?\n" if (e := body.text.find(stop, m.end())) >= 0]
                out.append(Declared(cat, body.text[start: min(ends, default=len(body.text) - 1) + 1].strip()))
                break
    return out


def _title_secondary(analysis: RuleAnalysis, top: str, rules: Rules) -> Category | None:
    """The second matter a title declares ("ĐƠN KHIẾU NẠI VÀ TỐ CÁO"): a category it names of another
    legal class than ``top``, which the body's own words (not the extracted fields) give at least
    ``title_second_min`` points."""
    minimum = rules.set.mixed.title_second_min
    titled = analysis.title.named
    if not minimum or all(_same_class(c, titled[0], rules) for c in titled):
        return None  # a title naming one matter (or kiến nghị and phản ánh) declares no second one
    points = _points([h for h in analysis.category_hits if not h.signal.startswith("extraction_")])
    named = [c for c in titled if not _same_class(c, top, rules) and points[c] >= minimum]
    return max(named, key=lambda c: points[c]) if named else None  # type: ignore[return-value]


def _excerpt(text: str, chars: int = 80) -> str:
    """A text shown to the reviewer: whole, or cut at a word before ``chars`` characters."""
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + " …"


def _domain(hits: list[Hit], rules: Rules, body: str | None = None, use_model: bool = False) -> str:
    """The letter's field: the ``domain:<key>`` keyword points decide alone when they are confident;
    otherwise the trained field classifier reads ``body`` (with ``use_model``: the packaged rules,
    and the model shipped). Without a model: the keywords, ``domain.default`` below ``min_score``."""
    from classifiers.domain_model import keyword_choice, keyword_totals

    totals = keyword_totals(hits)
    if use_model and body is not None:
        from classifiers.versions import domain_model

        model = domain_model()
        if model is not None:
            return model.decide(totals, body)
    return keyword_choice(totals, rules.set.domain.min_score, rules.set.domain.default)


def _flag(hits: list[Hit], flag: str, rules: Rules) -> bool:
    return sum(h.points for h in hits if h.target == flag) >= rules.set.flags[flag].threshold


def _explain(hit: Hit, rules: Rules) -> str:
    labels = rules.set.labels
    if hit.target.startswith("domain:"):
        return f"{labels.get('domain', 'domain')} {hit.target.removeprefix('domain:')}: '{hit.evidence}' x{hit.hits}"
    label = labels.get(hit.target, hit.target)
    where = " [yêu cầu]" if hit.in_request else ""
    return f"{label}: '{hit.evidence}' ({hit.points:+.1f}){where}"


@dataclass(frozen=True)
class RuleAnalysis:
    """What the rules see in a letter: raw category scores, the hits behind them, the title."""

    raw: dict[str, float]
    category_hits: list[Hit]
    other_hits: list[Hit]
    title: Title
    content: Body  # the text with the title blanked: what content classifiers read

    @property
    def body(self) -> str:
        return self.content.text


def analyse_rules(text: str, extraction: Extraction, rules: Rules | None = None) -> RuleAnalysis:
    """Run the explicit legal signals over a letter (the title excluded from category scoring)."""
    rules = rules or load_rules()
    text = nfc(text)
    title = find_title(text, rules)
    body = Body.of(strip_title(text, title), rules)
    category_hits = find_hits(body.folded, rules, _CATEGORY_TARGETS, body.requests, body.text)
    category_hits += _extraction_support(extraction, rules)
    other_hits = find_hits(fold_key(text), rules, _OTHER_TARGETS, source=text)
    raw = dict(rules.set.bias)
    for h in category_hits:
        raw[h.target] += h.points
    return RuleAnalysis(raw, category_hits, other_hits, title, body)


def rule_probabilities(analysis: RuleAnalysis, rules: Rules) -> dict[str, float]:
    """The rules alone: softmax of the raw scores with the yaml's temperature."""
    return softmax(analysis.raw, rules.set.temperature)


def classify(
    text: str, extraction: Extraction, settings: Settings | None = None, rules: Rules | None = None
) -> Classification:
    """Decide the category by content and set the flags and the domain (the pipeline's entry point).

    The active trained model (``classifiers/models/ACTIVE``) combines the rules' scores with its text
    classifier and calibrates the result; without a model the rules decide alone, as they do when
    ``rules`` overrides the packaged signals.yaml (tests): a model is fitted on the packaged rules.
    ``model_version`` names the model that decided.
    """
    from classifiers.versions import active_model

    default_rules = load_rules()
    model = active_model() if rules is None or rules is default_rules else None  # fitted on the default rules
    rules = rules or default_rules
    analysis = analyse_rules(text, extraction, rules)
    if model is None:
        probs = rule_probabilities(analysis, rules)
        version = rules.version
    else:
        probs = model.probabilities(analysis)
        version = model.version
    return finish(analysis, probs, rules, version, reader=model)


def finish(
    analysis: RuleAnalysis, probs: dict[str, float], rules: Rules, version: str, reader: ParagraphReader | None = None
) -> Classification:
    """Category probabilities + the rules' evidence -> the Classification (mixed, flags, domain).
    With ``reader`` (the trained model), its reading of single paragraphs may find a second matter
    the rules did not (see ``model_paragraph_matters``)."""
    raw, category_hits, other_hits = analysis.raw, list(analysis.category_hits), analysis.other_hits
    category: Category = max(CATEGORIES, key=lambda c: (probs[c], raw[c], rules.set.bias[c]))
    lines = [c for c in request_line_categories(analysis.content, rules) if _request_may_add(c, category, rules)]
    matters = lines + segment_categories(analysis.content, rules, category)
    declared = declared_matters(analysis.content, category, rules)
    secondary = _mixed_secondary(raw, category_hits, category, rules, matters + [d.category for d in declared])
    said = next((d for d in declared if d.category == secondary and secondary not in matters), None)
    titled = _title_secondary(analysis, category, rules) if secondary is None else None
    secondary = secondary or titled
    read: ParagraphMatter | None = None
    if secondary is None and reader is not None:
        found = model_paragraph_matters(analysis.body, reader, category, rules)
        if found:
            read = max(found, key=lambda m: raw[m.category])
            secondary = read.category  # type: ignore[assignment]
    complaint = "khieu_nai" in (category, secondary)
    round_two = _flag(other_hits, "complaint_round_2", rules)

    category_hits.sort(key=lambda h: -h.points)
    explained = [_explain(h, rules) for h in category_hits if h.points]
    explained += [_explain(h, rules) for h in other_hits if h.points > 0]
    if said is not None:  # the reviewer sees the sentence that declared the second matter
        explained.append(f"{rules.set.labels.get(said.category, said.category)} (nội dung thứ hai, người viết nêu): "
                         f"'{_excerpt(said.sentence)}'")
    if titled is not None:  # the reviewer sees that the title declared the second matter
        explained.append(f"{rules.set.labels.get(titled, titled)} (nội dung thứ hai, nêu ở tiêu đề đơn)")
    if read is not None:  # the reviewer sees which paragraph made the letter mixed
        label = rules.set.labels.get(read.category, read.category)
        excerpt = _excerpt(read.paragraph)
        explained.append(f"{label} (nội dung thứ hai, mô hình {read.probability:.2f}): '{excerpt}'")
    return Classification(
        category=category,
        category_confidence=round(probs[category], 4),
        scores={c: round(probs[c], 4) for c in CATEGORIES},
        title_category=analysis.title.key,
        mixed=secondary is not None,
        secondary_category=secondary,
        complaint_round=(2 if round_two else 1) if complaint else None,
        domain=_domain(other_hits, rules, analysis.body, use_model=rules is load_rules()),
        crime_signs=_flag(other_hits, "crime_signs", rules),
        party_discipline=_flag(other_hits, "party_discipline", rules),
        signals=explained,
        model_version=version,
    )
