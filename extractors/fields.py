"""Field extraction: who wrote a letter, from where, against whom, about what, and when.

Public functions:
- :func:`extract_fields` — the Extraction record of one letter's text;
- :func:`field_confidence` — how far each extracted field can be trusted (documented there);
- :func:`evaluate` — accuracy of the extraction on labelled letters (``petitions eval``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from extractors.accused import extract_accused_how
from extractors.address import extract_incident_location_how
from extractors.dates import extract_letter_date_how
from extractors.decision_refs import contested_decision, extract_decisions
from extractors.petitioner import PetitionerResult, extract_petitioners
from extractors.subject import extract_subject_how
from extractors.units import resolve_address_how
from models.record import Extraction, Location, PageText
from petitions.settings import Settings, default_settings
from petitions.text import fold, nfc, unwrap_lines


@dataclass
class Evidence:
    """How each field was found: the inputs of :func:`field_confidence`."""

    petitioners: PetitionerResult | None = None
    location: list[str] = field(default_factory=list)  # units.resolve_address_how labels
    incident_location: list[str] = field(default_factory=list)
    accused: str = ""  # accused.extract_accused_how rule
    subject: str = ""  # subject.extract_subject_how source
    letter_date: str = ""  # dates.extract_letter_date_how source


def _location(span: str | None, settings: Settings) -> tuple[Location | None, list[str]]:
    if not span:
        return None, []
    return resolve_address_how(span, settings.province)


def extract_fields(text: str, settings: Settings, pages: Sequence[PageText] | None = None) -> Extraction:
    """Extract every field of the letter record that comes from the text alone.

    ``pages`` (the pages as read, when known) only lower the field confidences of spans that OCR read
    with low word confidence.
    """
    text = unwrap_lines(nfc(text))
    who = extract_petitioners(text)
    location, loc_how = _location(who.address, settings)
    incident, inc_how = extract_incident_location_how(text, location, settings.province, skip=who.address)
    decisions = extract_decisions(text)
    contested = contested_decision(text, decisions)
    subject, subject_how = extract_subject_how(text)
    accused, accused_how = extract_accused_how(text, contested)
    letter_date, date_how = extract_letter_date_how(text)
    ex = Extraction(
        petitioners=who.petitioners,
        signatory_count=0 if who.anonymous else who.signatory_count,
        anonymous=who.anonymous,
        location=location,
        incident_location=incident,
        subject=subject,
        accused=accused,
        decision_refs=[d.number for d in decisions],  # the distinct references, in order, as parsed once
        letter_date=letter_date,
        decisions=decisions,
        contested_decision_date=contested.date if contested else None,
    )
    evidence = Evidence(who, loc_how, inc_how, accused_how, subject_how, date_how)
    ex.field_confidence = field_confidence(ex, evidence, pages)
    return ex


# --- confidence ---------------------------------------------------------------------------------------

_PETITIONER_BASE = {  # (source, introduction and signature agree?) -> confidence
    ("intro", True): 0.95, ("intro", None): 0.8, ("intro", False): 0.55,
    ("group", True): 0.9, ("group", None): 0.85, ("group", False): 0.75,
    ("signature", None): 0.7, ("forwarded", None): 0.6,
}
_PLACE_BASE = {"new": 0.95, "written_new": 0.95, "old": 0.9, "old_default": 0.75, "anywhere": 0.65,
               "province_only": 0.4}
_ACCUSED_BASE = {"labelled": 0.9, "denounced": 0.85, "contested_issuer": 0.8, "decision_maker": 0.8, "issuer": 0.75, "wrongdoer": 0.65,
                 "mentioned": 0.5}
_SUBJECT_BASE = {"statement+request": 0.85, "statement": 0.8, "topic+request": 0.8, "topic": 0.75,
                 "request": 0.6, "first_sentence": 0.3}
_DATE_BASE = {"place_line": 0.95, "date_line": 0.8}
INCIDENT_FACTOR = 0.85  # a place read from a sentence ("tại …") is less surely the matter's place
OCR_PENALTY = 0.6  # confidence lost when every word of a span was read with low OCR confidence
_WORD = re.compile(r"\w+")


def _place(how: list[str]) -> float | None:
    base = next((_PLACE_BASE[h] for h in how if h in _PLACE_BASE), None)
    if base is None:
        return None
    if "home" in how:
        base *= 0.9  # no province written: the office's province was assumed
    if "prefix" in how:
        base *= 0.85  # only a shorter prefix of the written name matched the gazetteer
    if "fuzzy" in how:
        base *= 0.7  # the written name is one letter off the commune's (a misreading, or a misspelling)
    return base


def _ocr_factor(spans: Sequence[str | None], low: frozenset[str]) -> float:
    if not low:
        return 1.0
    words = [w for s in spans if s for w in _WORD.findall(fold(s))]
    if not words:
        return 1.0
    share = sum(w in low for w in words) / len(words)
    return 1.0 - OCR_PENALTY * share


def field_confidence(ex: Extraction, evidence: Evidence, pages: Sequence[PageText] | None = None
                     ) -> dict[str, float]:
    """A 0..1 confidence for each extracted field (fields not extracted get no key).

    The confidence is the strength of the evidence that found the field, times an OCR factor:

    - ``petitioners``: where the first name came from and whether the two places that name the writer
      agree: introduction ("Tôi tên là …") and signature agree 0.95, introduction without a readable
      signature 0.8, introduction and signature disagree 0.55; group list with the signer among the
      listed 0.9 (0.85 without a signature, 0.75 when the signer is not listed); signature alone 0.7;
      "đơn của ông …" in a forwarded letter 0.6.
    - ``location`` / ``incident_location``: how the gazetteer resolved the span
      (:func:`extractors.units.resolve_address_how`): a current commune in the written province 0.95
      (also "…, nay là xã Y"), an old 3-level address converted 0.9 (0.75 when the old commune was split
      and its main successor was taken), a commune name unique in the country but no province written
      0.65, a province alone 0.4; ×0.9 when no province was written (the office's province assumed),
      ×0.85 when only a shorter prefix of the written name matched, ×0.7 when it was one letter off.
      ``incident_location`` is read from a place cue inside a sentence: ×0.85 more.
    - ``accused``: the rule that found it (:func:`extractors.accused.extract_accused_how`): labelled
      "Người bị tố cáo:" 0.9, after "tố cáo" 0.85, decision-maker of the contested decision 0.8, issuer
      of a decision 0.75, the person to sanction 0.65, a post and a name mentioned anywhere 0.5; ×0.9 /
      0.95 / 1.0 with one / two / three of name, position and organisation.
    - ``subject``: the letter's own statement with its request 0.85, statement 0.8, "V/v" topic with the
      request 0.8, topic 0.75, the request alone 0.6, the first body sentence 0.3.
    - ``decision_refs``: the mean over the references of 0.95 (written with its date) or 0.8.
    - ``letter_date``: a "<place>, ngày … tháng … năm …" line 0.95, a date alone on its line 0.8.

    OCR factor: on OCR'd pages, the share of the field's words (names, address, accused parts, subject,
    references) that the OCR read with low confidence (``PageText.low_confidence_words``) lowers the
    confidence by up to ``OCR_PENALTY`` (×0.4 when every word is doubtful). Text-layer pages: factor 1.
    """
    low = frozenset(fold(w).strip(".,;:()[]\"'") for p in (pages or ()) if p.source == "ocr"
                    for w in p.low_confidence_words)
    out: dict[str, float] = {}
    who = evidence.petitioners
    names = [p.name for p in ex.petitioners if p.name]
    if names and who is not None:
        base = _PETITIONER_BASE.get((who.source, who.agreement), _PETITIONER_BASE.get((who.source, None), 0.6))
        out["petitioners"] = base * _ocr_factor(names, low)
    if ex.location is not None:
        base = _place(evidence.location)
        if base is not None:
            out["location"] = base * _ocr_factor([ex.location.as_written], low)
    if ex.incident_location is not None:
        base = _place(evidence.incident_location)
        if base is not None:
            out["incident_location"] = base * INCIDENT_FACTOR * _ocr_factor([ex.incident_location.as_written], low)
    acc = ex.accused
    if acc is not None and evidence.accused:
        parts = [acc.name, acc.position, acc.organization]
        filled = sum(bool(p) for p in parts)
        base = _ACCUSED_BASE.get(evidence.accused, 0.5) * (0.85 + 0.05 * filled)
        out["accused"] = base * _ocr_factor(parts, low)
    if ex.subject and evidence.subject:
        out["subject"] = _SUBJECT_BASE.get(evidence.subject, 0.3) * _ocr_factor([ex.subject], low)
    if ex.decision_refs:
        dated = {d.number: d.date is not None for d in ex.decisions}
        base = sum(0.95 if dated.get(r) else 0.8 for r in ex.decision_refs) / len(ex.decision_refs)
        out["decision_refs"] = base * _ocr_factor(ex.decision_refs, low)
    if ex.letter_date is not None and evidence.letter_date:
        d = ex.letter_date
        date_words = [f"{d.day}", f"{d.day:02d}", f"{d.month}", f"{d.month:02d}", f"{d.year}"]
        factor = 1.0 if not low or not any(w in low for w in date_words) else 1.0 - OCR_PENALTY / 2
        out["letter_date"] = _DATE_BASE.get(evidence.letter_date, 0.8) * factor
    return {k: round(min(1.0, max(0.0, v)), 3) for k, v in out.items()}


def _same(a: str | None, b: str | None) -> bool:
    return fold(a or "").strip() == fold(b or "").strip()


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def evaluate(letters: list[dict[str, Any]], settings: Settings | None = None) -> dict[str, Any]:
    """Compare extraction with the gold labels of ``letters`` (each {"id", "text", "gold"}).

    Fields: first petitioner name (accent-insensitive exact), anonymous, commune+province of the
    petitioner (new units), signatory count on group letters (gold count ≥ 2), letter date, incident
    commune. Returns rates, counts, timing and the ids of the letters each field got wrong.
    """
    settings = settings or default_settings()
    if letters:
        extract_fields(letters[0]["text"], settings)  # warm-up: gazetteers and data files
    counts: dict[str, list[int]] = {k: [0, 0] for k in
                                    ("name", "anonymous", "commune_province", "signatory_count",
                                     "letter_date", "incident_commune")}
    errors: dict[str, list[str]] = {k: [] for k in counts}
    times: list[float] = []

    def score(field: str, ok: bool, lid: str) -> None:
        counts[field][1] += 1
        counts[field][0] += int(ok)
        if not ok:
            errors[field].append(lid)

    for letter in letters:
        gold, lid = letter["gold"], str(letter.get("id", ""))
        t0 = time.perf_counter()
        ex = extract_fields(letter["text"], settings)
        times.append(time.perf_counter() - t0)
        score("anonymous", ex.anonymous == bool(gold.get("anonymous")), lid)
        names = gold.get("petitioner_names") or []
        if names:
            got = ex.petitioners[0].name if ex.petitioners else None
            score("name", _same(got, names[0]), lid)
        if gold.get("commune_new") or gold.get("province_new"):
            loc = ex.location
            ok = loc is not None and _same(loc.commune, gold.get("commune_new")) \
                and _same(loc.province, gold.get("province_new"))
            score("commune_province", ok, lid)
        if (gold.get("signatory_count") or 0) >= 2:
            score("signatory_count", ex.signatory_count == gold["signatory_count"], lid)
        if gold.get("letter_date"):
            score("letter_date", str(ex.letter_date) == gold["letter_date"], lid)
        if gold.get("incident_commune_new"):
            inc = ex.incident_location or ex.location
            score("incident_commune", inc is not None and _same(inc.commune, gold["incident_commune_new"]), lid)

    times.sort()
    return {
        "letters": len(letters),
        "accuracy": {k: _rate(*v) for k, v in counts.items()},
        "counts": {k: {"correct": v[0], "total": v[1]} for k, v in counts.items()},
        "errors": errors,
        "ms_per_letter": {
            "mean": round(1000 * sum(times) / len(times), 2) if times else None,
            "max": round(1000 * times[-1], 2) if times else None,
        },
    }
