"""The rule set: signals.yaml validated once, patterns folded and compiled.

Every decision the rule classifier takes lives in the yaml: the signals (id, target, weight,
patterns), the softmax temperature, the request boost, the thresholds of the flags, of `mixed`
and of the domain, and the title vocabulary. This module only validates and compiles it.

Patterns are written in accented Vietnamese and folded here (``petitions.text.fold``), because the
letters are matched in folded form (OCR breaks tone marks, some letters are typed without them).
A phrase matches on word boundaries with any run of whitespace between its words; a regex is
folded too, so it must not use upper-case escapes (``\\D``, ``\\W``, ``\\S``, ``\\B``) that folding
would turn into their opposites; a space in it matches any whitespace (letters wrap lines anywhere).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from models.record import CATEGORIES, DOMAINS
from petitions.errors import BadConfigError
from petitions.text import fold

DEFAULT_PATH = Path(__file__).with_name("signals.yaml")

FLAGS: tuple[str, ...] = ("crime_signs", "party_discipline", "complaint_round_2")
_UPPER_ESCAPE = re.compile(r"\\[A-Z]")
_SPACE = re.compile(r" ([?*])?")

Weight = Annotated[float, Field(ge=-10, le=10)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_NUMBER_DOT = re.compile(r"(?<=\d)\.(?=\d)")


def fold_key(text: str) -> str:
    """Fold for matching; also maps the Icelandic eth (Ð, an OCR look-alike of Đ) to d, and the dot
    inside a number ("30.000 đồng") to a comma, so that a regex's "[^.;]" (within one sentence) runs
    over amounts. The length is kept: offsets still map onto the text as written."""
    return _NUMBER_DOT.sub(",", fold(text.replace("\u00d0", "D").replace("\u00f0", "d")))


def regex_source(rx: str) -> str:
    """A yaml regex -> the folded regex matched: a space matches any whitespace run (letters wrap
    lines), an optional space (" ?" or " *") any optional whitespace."""
    return _SPACE.sub(lambda m: r"\s*" if m.group(1) else r"\s+", fold_key(rx))


def phrase_regex(phrase: str, left_boundary: bool = True) -> str:
    """An accented phrase -> a folded regex on word boundaries, any whitespace between words.

    Without ``left_boundary`` the regex starts with a literal, which the regex engine scans for
    quickly; the caller then checks the left word boundary itself (see ``CompiledPattern``).
    """
    words = fold_key(phrase).split()
    body = r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return r"(?<!\w)" + body if left_boundary else body


class SignalSpec(_Strict):
    """One explicit legal signal: where it points, how much it weighs, what it looks like."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    category: str  # a category key, a flag, or "domain:<key>"
    weight: Weight
    phrases: list[str] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)
    max_hits: int = Field(default=1, ge=1, le=10)  # distinct matches counted (domains count volume)
    # Phrases that fold like common words ("côn đồ" / "còn đổ", "đánh đề" / "đành để"): written with
    # tone marks, they must match with them (text typed without any tone mark still matches folded).
    # For all the signal's phrases; a single phrase is marked by a leading "=" ("=lạm thu").
    accents: bool = False
    note: str = ""

    @field_validator("category")
    @classmethod
    def _known_target(cls, v: str) -> str:
        if v in CATEGORIES or v in FLAGS:
            return v
        if v.startswith("domain:") and v.removeprefix("domain:") in DOMAINS:
            return v
        raise ValueError(f"unknown signal category {v!r}")

    @field_validator("regex")
    @classmethod
    def _compilable(cls, v: list[str]) -> list[str]:
        for rx in v:
            if _UPPER_ESCAPE.search(rx):
                raise ValueError(f"regex {rx!r} uses an upper-case escape that folding would break")
            try:
                re.compile(regex_source(rx))
            except re.error as exc:
                raise ValueError(f"regex {rx!r} does not compile: {exc}") from exc
        return v

    @model_validator(mode="after")
    def _has_patterns(self) -> SignalSpec:
        if not (self.phrases or self.regex):
            raise ValueError(f"signal {self.id} has no phrases and no regex")
        return self


class MixedSpec(_Strict):
    """When does a second category count as substantial independent evidence."""

    min_score: float = Field(ge=0)  # raw score of the secondary category
    min_ratio: float = Field(ge=0, le=1)  # secondary / primary raw score
    min_signals: int = Field(default=1, ge=1)  # distinct signals behind the secondary category
    same_class: list[tuple[str, str]] = Field(default_factory=list)  # pairs that are never "mixed"
    require_request: bool = False  # the secondary needs a signal inside the writer's request
    # A request line (from a cue to the end of its line, or a listed item) is "about" the category
    # that wins it by at least this many points; two lines about categories of different legal
    # classes make the letter mixed (two requests, two contents). 0 turns the test off.
    request_line_min: float = Field(default=0.0, ge=0)
    score_rule: bool = True  # also use the min_score / min_ratio / min_signals test
    # Cues with which a writer turns to another matter ("Ngoài ra…", "Một việc nữa…"): the body is cut
    # there and each part won by at least segment_min points is "about" that category, like a request
    # line. Empty list or 0 turns the test off.
    # The categories a request line may add as the second content (empty: any). A request for a
    # remedy (support, repair, a solution) at the end of a complaint or denunciation belongs to the same
    # matter; kiến nghị/phản ánh as a second content must come as another matter (second_matter_cues)
    # or by the score test.
    line_secondaries: list[str] = Field(default_factory=list)
    second_matter_cues: list[str] = Field(default_factory=list)
    # Cues count only where a sentence (or a line, after a list marker) starts.
    cues_at_sentence_start: bool = False
    # Regexes (folded, anchored at a line start) of numbered or ordinal sections ("2.", "b)", "II.",
    # "Thứ hai,"): each section is scored alone like a cue's part, with its own margin.
    section_markers: list[str] = Field(default_factory=list)
    section_min: float = Field(default=0.0, ge=0)
    # A part that opens by naming its matter ("Việc thứ hai, tôi xin tố cáo: …") gets these points
    # for that category when the phrase lies within announce_within characters of the part's start.
    announce: dict[str, list[str]] = Field(default_factory=dict)
    announce_points: float = Field(default=0.0, ge=0)
    announce_within: int = Field(default=80, ge=0)
    segment_min: float = Field(default=0.0, ge=0)
    # A paragraph the signals give to the letter's own legal class by this margin stays that matter's,
    # whatever the trained classifier reads in it (0: off).
    paragraph_own_min: float = Field(default=0.0, ge=0)
    # The trained text classifier reads every paragraph alone too: a paragraph it gives at least this
    # probability for another legal class, and in which a signal of that class is found, is a second
    # matter (0: off; only with a trained model).
    paragraph_model_min: float = Field(default=0.0, ge=0, le=1)
    # Read by a model with a passage reader (classifiers.passages), which must agree, a paragraph or a
    # window given at least this probability for an unsupported_secondaries class counts without a
    # signal of that class (0: off).
    paragraph_unsupported_min: float = Field(default=0.0, ge=0, le=1)
    unsupported_secondaries: list[str] = Field(default_factory=list)
    # A writer who says in so many words that he denounces or complains (first person + the verb,
    # "… tôi tố cáo việc làm này") once his letter's matter has begun (at least declared_after
    # characters of it before, his identity and the addressee left out) declares a second matter of
    # that category. Not after declared_not_after words (an earlier or a planned act: "đã", "sẽ").
    declared: dict[str, list[str]] = Field(default_factory=dict)
    declared_by: list[str] = Field(default_factory=list)
    declared_not_after: list[str] = Field(default_factory=list)
    declared_after: int = Field(default=0, ge=0)
    # A paragraph of window_paragraph_chars or more is read by the trained classifier in runs of
    # sentences too (each length in window_sentences), where it may find only window_secondaries
    # (empty: off).
    window_sentences: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list)
    window_paragraph_chars: int = Field(default=300, ge=0)
    window_secondaries: list[str] = Field(default_factory=list)
    # A title naming two matters of different legal classes ("ĐƠN KHIẾU NẠI VÀ TỐ CÁO") declares a
    # second matter when the body gives the one the letter is not about at least these points (0: off).
    title_second_min: float = Field(default=0.0, ge=0)
    # signals that are no such support (beside remedy_signals)
    paragraph_model_not_support: list[str] = Field(default_factory=list)
    # a plea for help or attention is the remedy of the letter's own matter: it wins no part of its own
    remedy_signals: list[str] = Field(default_factory=list)


class FlagSpec(_Strict):
    threshold: float = Field(gt=0)


class DomainSpec(_Strict):
    min_score: float = Field(ge=0)
    default: str = "khac"


class ExtractionSpec(_Strict):
    """Support from the extraction stage: a named accused, cited decision numbers."""

    accused: dict[str, Weight] = Field(default_factory=dict)
    decision_refs: dict[str, Weight] = Field(default_factory=dict)


class RequestSpec(_Strict):
    """The writer's request (from a cue to the end of its paragraph, plus a following list) weighs more."""

    boost: float = Field(ge=1)
    cues: list[str]


class TitleSpec(_Strict):
    max_lines: int = Field(ge=1)
    max_length: int = Field(ge=5)
    prefixes: list[str]  # words a title line starts with ("đơn", "thư")
    generic_prefixes: list[str]  # of those, the ones that make a title even with no known key ("đơn")
    keys: dict[str, list[str]]  # title key -> phrases


class RuleSet(_Strict):
    version: int
    temperature: float = Field(gt=0)
    bias: dict[str, float]
    labels: dict[str, str]
    request: RequestSpec
    mixed: MixedSpec
    flags: dict[str, FlagSpec]
    domain: DomainSpec
    extraction: ExtractionSpec
    title: TitleSpec
    signals: list[SignalSpec]

    @model_validator(mode="after")
    def _consistent(self) -> RuleSet:
        ids = [s.id for s in self.signals]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate signal ids: {dupes}")
        if set(self.bias) != set(CATEGORIES):
            raise ValueError(f"bias must name exactly the categories {CATEGORIES}")
        if set(self.flags) != set(FLAGS):
            raise ValueError(f"flags must name exactly {FLAGS}")
        for target in [*self.extraction.accused, *self.extraction.decision_refs]:
            if target not in CATEGORIES:
                raise ValueError(f"extraction support names an unknown category {target!r}")
        for pair in self.mixed.same_class:
            if not set(pair) <= set(CATEGORIES):
                raise ValueError(f"mixed.same_class names an unknown category in {pair}")
        unknown = sorted({*self.mixed.remedy_signals, *self.mixed.paragraph_model_not_support} - set(ids))
        if unknown:
            raise ValueError(f"mixed names unknown signal ids: {unknown}")
        if self.domain.default not in DOMAINS:
            raise ValueError(f"unknown default domain {self.domain.default!r}")
        return self


@dataclass(frozen=True)
class CompiledPattern:
    regex: re.Pattern[str]
    phrase: str | None  # the accented phrase as written, shown to reviewers; None for a regex
    anchor: str | None  # a word the folded text must contain for the phrase to match (a fast pre-check)
    accents: bool = False  # the phrase must match with its tone marks (see SignalSpec.accents)

    def finditer(self, folded: str) -> Iterator[re.Match[str]]:
        """Matches in folded text that start on a word boundary."""
        if self.anchor is not None and self.anchor not in folded:
            return
        for m in self.regex.finditer(folded):
            if m.start() == 0 or not _word_char(folded[m.start() - 1]):
                yield m


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class CompiledSignal:
    """A signal with its patterns compiled."""

    __slots__ = ("spec", "patterns")

    def __init__(self, spec: SignalSpec) -> None:
        self.spec = spec
        phrases = [(p.removeprefix("="), spec.accents or p.startswith("=")) for p in spec.phrases]
        self.patterns = [
            CompiledPattern(
                re.compile(phrase_regex(p, left_boundary=False)), p, max(fold_key(p).split(), key=len), accents
            )
            for p, accents in phrases
        ] + [CompiledPattern(re.compile(regex_source(rx), re.MULTILINE), None, None) for rx in spec.regex]


class Rules:
    """The validated rule set plus everything precompiled from it."""

    def __init__(self, ruleset: RuleSet, version: str) -> None:
        self.set = ruleset
        self.version = version
        self.signals = [CompiledSignal(s) for s in ruleset.signals]
        # Negations first (they veto the positive phrase they contain), then the heaviest.
        self.by_precedence = sorted(self.signals, key=lambda s: (s.spec.weight > 0, -abs(s.spec.weight)))
        self.request_cue = re.compile("|".join(phrase_regex(c) for c in ruleset.request.cues))
        cues = ruleset.mixed.second_matter_cues
        self.second_matter = re.compile("|".join(phrase_regex(c) for c in cues)) if cues else None
        self.announce = [
            (cat, re.compile("|".join(phrase_regex(p) for p in phrases)))
            for cat, phrases in ruleset.mixed.announce.items() if phrases
        ]
        m = ruleset.mixed
        by = "|".join(phrase_regex(w) for w in m.declared_by)
        self.declared = [
            (cat, re.compile(rf"(?:{by})\s+(?:{'|'.join(regex_source(v) for v in verbs)})"))
            for cat, verbs in m.declared.items() if verbs and by
        ]
        self.declared_not_after = re.compile(r"(?:^|\W)(?:" + "|".join(phrase_regex(w) for w in m.declared_not_after) + r")\s+$") \
            if m.declared_not_after else None
        markers = ruleset.mixed.section_markers
        self.section_marker = (
            re.compile(r"^[ \t]*(?:" + "|".join(regex_source(m) for m in markers) + ")", re.MULTILINE)
            if markers else None
        )
        t = ruleset.title
        self.title_prefix = re.compile(r"^(" + "|".join(phrase_regex(p) for p in t.prefixes) + r")")
        self.title_generic = re.compile(r"^(" + "|".join(phrase_regex(p) for p in t.generic_prefixes) + r")")
        self.title_keys = [
            (key, re.compile("|".join(phrase_regex(p) for p in phrases))) for key, phrases in t.keys.items()
        ]


def parse_rules(raw: str, version: str | None = None) -> Rules:
    """Validate yaml text into compiled rules; BadConfigError names what is wrong."""
    try:
        data = yaml.safe_load(raw)
        ruleset = RuleSet.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise BadConfigError(f"invalid classifier signals: {exc}") from exc
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]
    return Rules(ruleset, version or f"rules-{digest}")


@lru_cache(maxsize=4)
def load_rules(path: Path = DEFAULT_PATH) -> Rules:
    """Load, validate and compile a signals file once per path."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadConfigError(f"cannot read classifier signals {path}: {exc}") from exc
    return parse_rules(raw)
