"""Speed of field extraction and classification per letter, after warm-up (issues 4 and 5).

    .venv/bin/python -m benchmarks.nlp_speed [LETTERS.jsonl ...] [--repeat N]

Default letters: our own (fixtures/letters/holdout.jsonl, handwritten.jsonl and the first 200 generated
ones). Each letter's text is extracted and classified once to warm up (models, gazetteers, the
tokenizer), then ``--repeat`` times timed; the mean, 95th percentile and maximum per letter are printed.
Targets: extraction ≤ 100 ms, classification ≤ 50 ms per letter on CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.category import classify  # noqa: E402
from classifiers.vi_tokenizer import _segment_cached  # noqa: E402
from extractors.fields import extract_fields  # noqa: E402
from petitions.settings import Settings  # noqa: E402

LETTERS = ROOT / "fixtures" / "letters"


def _texts(paths: list[Path]) -> list[str]:
    if not paths:
        generated = (LETTERS / "generated.jsonl").read_text(encoding="utf-8").splitlines()[:200]
        lines = [*(LETTERS / "holdout.jsonl").read_text(encoding="utf-8").splitlines(),
                 *(LETTERS / "handwritten.jsonl").read_text(encoding="utf-8").splitlines(), *generated]
    else:
        lines = [line for p in paths for line in p.read_text(encoding="utf-8").splitlines()]
    return [json.loads(line)["text"] for line in lines if line.strip()]


def _summary(ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"mean {statistics.fmean(ms):6.1f} ms   p95 {p95:6.1f} ms   max {ordered[-1]:6.1f} ms"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("letters", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    settings = Settings()
    texts = _texts(args.letters)
    for text in texts:  # warm-up
        classify(text, extract_fields(text, settings), settings)
    extract_ms: list[float] = []
    classify_ms: list[float] = []
    for _ in range(args.repeat):
        for text in texts:
            _segment_cached.cache_clear()  # every letter is new mail: no word segmentation kept from before
            t0 = time.perf_counter()
            extraction = extract_fields(text, settings)
            t1 = time.perf_counter()
            classify(text, extraction, settings)
            t2 = time.perf_counter()
            extract_ms.append((t1 - t0) * 1000)
            classify_ms.append((t2 - t1) * 1000)
    print(f"{len(texts)} letters x {args.repeat}, load average {os.getloadavg()[0]:.2f}")
    print(f"extraction      {_summary(extract_ms)}   (target <= 100 ms)")
    print(f"classification  {_summary(classify_ms)}   (target <= 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
