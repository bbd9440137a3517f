"""Smoke test of the OCR benchmark (benchmarks/ocr_bench.py) on two short pages: every part runs
and returns numbers in range. Not a timed test: the benchmark itself measures speed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import ocr_bench as bench
from fixtures.render import render_pages
from petitions.settings import load_settings

SETTINGS = load_settings(workers=2)

LETTERS = [
    {
        "id": "BENCH-1",
        "text": "ĐƠN PHẢN ÁNH\n\nKính gửi: Chủ tịch UBND xã Gia Trấn\n"
        "Tôi tên là Lã Văn Kiên, sinh năm 1975, thôn Đông, xã Gia Trấn, tỉnh Ninh Bình.\n"
        "Tôi xin phản ánh tình trạng đường liên thôn bị sụt lún, nhiều ổ gà sâu.",
    },
    {
        "id": "BENCH-2",
        "text": "ĐƠN KIẾN NGHỊ\n\nKính gửi: Ủy ban nhân dân xã Bình Giang\n"
        "Chúng tôi là các hộ dân xóm 6 kiến nghị sớm sửa chữa cống thoát nước trước mùa mưa bão.",
    },
]


def test_normalize_and_cer() -> None:
    assert bench.normalize(" Kính  gửi:\n\nChủ tịch ") == "Kính gửi: Chủ tịch"
    assert bench.normalize("Ho\u0300a") == "Hòa"  # NFC
    assert bench.cer("Kính gửi", "Kính  gửi\n") == 0.0
    assert bench.cer("abcd", "abed") == pytest.approx(0.25)
    assert bench.cer("abcd", "") == 1.0
    assert bench.strip_marks("Đường liên thôn") == "Duong lien thon"
    for ref, hyp in [("abc", "abxc"), ("Hạnh phúc", "Hanh phuc"), ("xã Gia Trấn", "xa Gia")]:
        assert bench.edit_counts(ref, hyp) == bench._python_edit_counts(ref, hyp)
    assert bench.edit_counts("abc", "abxc") == (0, 0, 1)
    assert bench.edit_counts("abc", "ac") == (0, 1, 0)


def test_page_references_follow_the_renderer() -> None:
    text = "\n".join(f"Dòng thứ {i}: tôi xin trình bày nội dung đơn thư một cách đầy đủ." for i in range(70))
    refs = bench.page_references(text)
    assert len(refs) == len(render_pages(text)) == 2
    assert bench.normalize(" ".join(refs)) == bench.normalize(text)


def test_throughput_smoke(tmp_path: Path) -> None:
    paths = bench.write_single_pages(LETTERS, 2, tmp_path, dpi=150)  # small pages keep the test fast
    result = bench.measure_throughput(paths, SETTINGS, workers=2)
    assert result["pages"] == 2
    assert all(v > 0 for v in result["pages_per_s"].values())
    assert 0.2 < result["ratio_pipeline_over_bare"] < 5
    assert 0.2 < result["scaling_pipeline"] < 5
    assert result["pages_retried"] == 0
    assert result["empty_pages"] == {"bare": 0, "pipeline": 0}


def test_cer_smoke(tmp_path: Path) -> None:
    result = bench.measure_cer(LETTERS, ["clean"], SETTINGS, workers=2, folder=tmp_path, dump=tmp_path / "d.jsonl")
    clean = result["conditions"]["clean"]
    assert clean["pages"] == 2
    assert 0 <= clean["cer_mean"] <= clean["cer_worst"] <= 0.05
    assert clean["empty_pages"] == 0
    assert len((tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_memory_smoke(tmp_path: Path) -> None:
    files = bench.write_single_pages(LETTERS, 2, tmp_path / "in", dpi=150)
    settings = load_settings(var_dir=tmp_path, db_url=f"sqlite:///{tmp_path}/p.db", workers=2)
    result = bench.measure_backlog(files, settings)
    assert sum(result["statuses"].values()) == 2
    assert 0 < result["rss_before_mib"] <= result["peak_rss_mib"] < 4096


def test_command_line_writes_json(tmp_path: Path) -> None:
    letters = tmp_path / "letters.jsonl"
    letters.write_text(json.dumps(LETTERS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "results.json"
    argv = ["--parts", "cer", "--conditions", "clean", "--letters-file", str(letters), "--out", str(out),
            "--workers", "1"]
    assert bench.main(argv) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["machine"]["nproc"] >= 1
    assert results["cer"]["conditions"]["clean"]["pages"] == 1


def test_nlp_speed_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import nlp_speed

    letters = tmp_path / "letters.jsonl"
    letters.write_text(json.dumps({"text": "Kính gửi: UBND xã Yên Đồng\nTôi là Lê Văn An, trú tại xóm 1, "
                                           "xã Yên Đồng, tỉnh Ninh Bình. Tôi phản ánh đường làng bị hỏng."},
                                  ensure_ascii=False) + "\n", encoding="utf-8")
    assert nlp_speed.main([str(letters), "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "1 letters x 1" in out and "extraction" in out and "classification" in out
