"""`petitions eval`: the scores it prints are computed from the records against the gold labels.

Runs the real pipeline (text run) on a few of our own hand-written holdout letters.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from petitions.cli import main
from petitions.evaluation import load_letters, run_text, score
from petitions.settings import Settings

HOLDOUT = Path(__file__).resolve().parents[1] / "fixtures" / "letters" / "holdout.jsonl"


def test_score_follows_the_gold_labels() -> None:
    letters = load_letters(HOLDOUT, limit=6)
    records = run_text(letters, Settings())
    right = score(letters, records)
    assert right["letters"] == 6
    # Relabel every letter with a category the pipeline did not give: accuracy drops to zero.
    wrong = copy.deepcopy(letters)
    for x, r in zip(wrong, records, strict=True):
        x["gold"]["category"] = "kien_nghi" if r.category != "kien_nghi" else "to_cao"
    relabelled = score(wrong, records)
    assert relabelled["rates"]["category accuracy"].hits == 0
    assert relabelled["rates"]["category accuracy"].total == 6
    # The reliability table bins every letter once; with all wrong, every bin's accuracy is 0.
    assert sum(b.n for b in relabelled["reliability"]) == 6
    assert all(b.accuracy == 0 for b in relabelled["reliability"])
    assert sum(b.n for b in right["reliability"]) == 6


def test_eval_command_prints_the_report(tmp_path: Path, capsys) -> None:
    letters = load_letters(HOLDOUT, limit=3)
    path = tmp_path / "few.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in letters), encoding="utf-8")
    out = tmp_path / "records.jsonl"
    assert main(["eval", str(path), "--out", str(out)]) == 0
    report = capsys.readouterr().out
    assert "few.jsonl (text): 3 letters" in report
    assert "category macro-F1" in report
    assert "reliability of category_confidence" in report and "ECE" in report
    dumped = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["run"] for d in dumped] == ["text"] * 3
