"""Near-duplicate detection on 10,000 generated letters (issue 6: ≤ 30 s).

    .venv/bin/python benchmarks/duplicates_bench.py [--letters 10000] [--duplicates 500]

Letters come from fixtures.letters.generate_letters (our own generator, fixed seed). A share of them is
sent again with perturbations a real resubmission has: a new date line, a sentence added ("Tôi đã gửi
đơn nhưng chưa được giải quyết"), words dropped, tone marks lost, the text re-wrapped. Every letter is
looked up (``find``) and then indexed (``add``), as the pipeline would; the time covers both, and
precision/recall are measured against the planted duplicates. Template-made letters by different
writers share most of their wording, so precision also tests the writer check.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.letters import generate_letters  # noqa: E402
from models.record import LetterRecord, Petitioner  # noqa: E402
from petitions.text import fold  # noqa: E402
from routing.duplicates import DuplicateIndex  # noqa: E402


def perturb(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    out = []
    for line in lines:
        if "ngày" in line and "tháng" in line and len(line) < 60:
            line = f"Ninh Bình, ngày {rng.randint(1, 28)} tháng {rng.randint(1, 12)} năm 2026"
        words = line.split(" ")
        if len(words) > 8 and rng.random() < 0.3:
            del words[rng.randrange(len(words))]
        out.append(" ".join(words))
    text = "\n".join(out)
    choice = rng.random()
    if choice < 0.25:
        text = fold(text)  # typed again without tone marks (lower case)
    elif choice < 0.5:
        text = text.replace("\n", " ")  # re-wrapped
    insert = "Tôi đã gửi đơn lần trước nhưng đến nay chưa được giải quyết."
    return text.replace("sự việc như sau:", "sự việc như sau:\n" + insert, 1)


def record(letter_id: str, text: str, gold: dict) -> LetterRecord:
    # The writer as extraction gives it: name and address (the first writer's address for a group).
    names = gold["petitioner_names"]
    address = gold.get("address_as_written")
    return LetterRecord(id=letter_id, source=letter_id, status="routed", text=text,
                        petitioners=[Petitioner(name=n, address=address if i == 0 else None)
                                     for i, n in enumerate(names)])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=10_000)
    ap.add_argument("--duplicates", type=int, default=500)
    args = ap.parse_args()
    rng = random.Random(7)
    t0 = time.perf_counter()
    letters = generate_letters(args.letters, seed=11)
    gen = time.perf_counter() - t0
    records = [record(x["id"], x["text"], x["gold"]) for x in letters]
    planted: dict[str, str] = {}
    for i, x in enumerate(rng.sample(letters, args.duplicates)):
        dup_id = f"DUP-{i:05d}"
        planted[dup_id] = x["id"]
        records.append(record(dup_id, perturb(x["text"], rng), x["gold"]))
    index = DuplicateIndex()
    found: dict[str, str] = {}
    t1 = time.perf_counter()
    for r in records:
        original = index.find(r)
        if original:
            found[r.id] = original
        index.add(r)
    elapsed = time.perf_counter() - t1
    true_pos = sum(found.get(d) == o for d, o in planted.items())
    false_pos = sum(1 for d, o in found.items() if planted.get(d) != o)
    print(f"generated {args.letters} letters in {gen:.1f} s; indexed and searched {len(records)} in {elapsed:.1f} s "
          f"({1000 * elapsed / len(records):.2f} ms/letter)")
    print(f"planted duplicates {len(planted)}: recall {true_pos / len(planted):.3f}, "
          f"false links {false_pos} (precision {true_pos / max(1, true_pos + false_pos):.3f})")
    return 0 if elapsed <= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
