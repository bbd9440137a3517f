"""Routing accuracy on labeled letters: predicted fields vs. gold fields.

    .venv/bin/python benchmarks/routing_eval.py [LETTERS.jsonl ...] [--errors] [--gold]

Default letters: our own fixtures (fixtures/letters/generated.jsonl + handwritten.jsonl). Each letter
goes through the pipeline's ``analyse()`` (text run, fixed receipt date) and its route is compared with
the gold route on letters whose gold route is not uncertain (the ``petitions eval`` measure). With
``--gold`` the route is also computed from the gold category/flags/accused (what routing would give
with perfect classification), which separates the losses of the routing facts from the classifier's.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.category import classify  # noqa: E402
from extractors.fields import extract_fields  # noqa: E402
from models.record import Accused, Classification, PageText, ReadResult  # noqa: E402
from petitions.evaluation import EVAL_RECEIVED  # noqa: E402
from petitions.pipeline import analyse  # noqa: E402
from petitions.settings import load_settings  # noqa: E402
from petitions.text import fold  # noqa: E402
from routing.engine import route_letter  # noqa: E402

DEFAULT = [ROOT / "fixtures/letters/generated.jsonl", ROOT / "fixtures/letters/handwritten.jsonl"]


def _same(a: str | None, b: str | None) -> bool:
    return fold(a or "").strip() == fold(b or "").strip()


def _gold_classification(g: dict[str, Any]) -> Classification:
    return Classification(
        category=g["category"], category_confidence=1.0, mixed=g.get("mixed", False),
        secondary_category=g.get("secondary_category"), complaint_round=g.get("complaint_round"),
        domain=g.get("domain") or "khac", crime_signs=g.get("crime_signs", False),
        party_discipline=g.get("party_discipline", False),
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("letters", nargs="*", type=Path)
    ap.add_argument("--errors", action="store_true", help="list the misrouted letters")
    ap.add_argument("--gold", action="store_true", help="also route from the gold classification")
    ap.add_argument("--text", action="store_true",
                    help="route with the letter's text (route_letter(..., text=text)) instead of analyse()")
    args = ap.parse_args()
    settings = load_settings()
    letters = [json.loads(line) for p in (args.letters or DEFAULT)
               for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    kind_ok = unit_ok = total = 0
    gkind_ok = gunit_ok = 0
    wrong: Counter[tuple[str, str]] = Counter()
    for x in letters:
        g = x["gold"]
        if g.get("route_uncertain"):
            continue
        total += 1
        read = ReadResult(pages=[PageText(number=1, text=x["text"], source="text_layer")])
        rec = analyse(read, settings, letter_id=x["id"], source=x["id"], received=EVAL_RECEIVED)
        route = rec.route
        if args.text:
            ex = extract_fields(x["text"], settings)
            route = route_letter(ex, classify(x["text"], ex, settings), EVAL_RECEIVED, settings,
                                 text=x["text"]).route
        kind = route.agency_kind if route else None
        unit = route.unit if route else None
        ok_kind = kind == g["route"]["agency_kind"]
        ok_unit = ok_kind and _same(unit, g["route"]["unit"])
        kind_ok += ok_kind
        unit_ok += ok_unit
        if args.gold:
            ex = extract_fields(x["text"], settings)
            if g.get("accused"):
                ex = ex.model_copy(update={"accused": Accused(**g["accused"])})
            dec = route_letter(ex, _gold_classification(g), EVAL_RECEIVED, settings,
                               text=x["text"] if args.text else None)
            gk = dec.route.agency_kind if dec.route else None
            gkind_ok += gk == g["route"]["agency_kind"]
            gunit_ok += gk == g["route"]["agency_kind"] and _same(dec.route.unit if dec.route else None,
                                                                   g["route"]["unit"])
        if not ok_unit:
            wrong[(g["route"]["agency_kind"], str(kind))] += 1
            if args.errors:
                print(f"{x['id']}: gold {g['route']['agency_kind']}/{g['route']['unit']} cat={g['category']} "
                      f"-> {kind}/{unit} rule={route.rule if route else None} cat={rec.category} "
                      f"acc={rec.accused.model_dump() if rec.accused else None} "
                      f"inc={rec.incident_location.commune if rec.incident_location else None} "
                      f"gold_acc={g.get('accused')} gold_inc={g.get('incident_commune_new')} "
                      f"reasons={rec.review_reasons}")
    print(f"letters (route not uncertain): {total}")
    print(f"agency_kind        {kind_ok / total:.3f} ({kind_ok}/{total})")
    print(f"agency kind+unit   {unit_ok / total:.3f} ({unit_ok}/{total})")
    if args.gold:
        print(f"gold classification: agency_kind {gkind_ok / total:.3f}  kind+unit {gunit_ok / total:.3f}")
    print("most frequent errors (gold -> predicted):")
    for (gk, pk), n in wrong.most_common(12):
        print(f"  {n:3d}  {gk} -> {pk}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
