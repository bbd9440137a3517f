"""Field extraction: who wrote a letter, from where, against whom, about what, and when.

Public functions:
- :func:`extract_fields` — the Extraction record of one letter's text;
- :func:`evaluate` — accuracy of the extraction on labelled letters (``petitions eval``).
"""

from __future__ import annotations

import time
from typing import Any

from extractors.accused import extract_accused
from extractors.address import extract_incident_location
from extractors.dates import extract_letter_date
from extractors.decision_refs import extract_decision_refs
from extractors.petitioner import extract_petitioners
from extractors.subject import extract_subject
from extractors.units import resolve_address
from models.record import Extraction, Location
from petitions.settings import Settings, default_settings
from petitions.text import fold, nfc, unwrap_lines


def _location(span: str | None, settings: Settings) -> Location | None:
    if not span:
        return None
    return resolve_address(span, settings.province)


def extract_fields(text: str, settings: Settings) -> Extraction:
    """Extract every field of the letter record that comes from the text alone."""
    text = unwrap_lines(nfc(text))
    who = extract_petitioners(text)
    location = _location(who.address, settings)
    incident = extract_incident_location(text, location, settings.province, skip=who.address)
    return Extraction(
        petitioners=who.petitioners,
        signatory_count=0 if who.anonymous else who.signatory_count,
        anonymous=who.anonymous,
        location=location,
        incident_location=incident,
        subject=extract_subject(text),
        accused=extract_accused(text),
        decision_refs=extract_decision_refs(text),
        letter_date=extract_letter_date(text),
    )


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
