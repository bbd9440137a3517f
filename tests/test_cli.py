"""The installed `petitions` script, end to end, on real files (real tesseract, real SQLite)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pages import LETTER_LINES, draw_page, write_text_pdf

SCRIPT = Path(sys.executable).parent / "petitions"


def run(args: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=300, **kw)


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("PETITIONS_")}
    e["PETITIONS_VAR_DIR"] = str(tmp_path / "var")
    return e


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    (box / "sub folder").mkdir(parents=True)
    draw_page().save(box / "thư quét 01.png")
    write_text_pdf(box / "sub folder" / "typed.pdf", [LETTER_LINES])
    (box / "empty.pdf").write_bytes(b"")
    (box / "notes.pdf").write_text("không phải PDF", encoding="utf-8")
    return box


def test_process_writes_one_record_per_file_and_exits_0(
    inbox: Path, env: dict[str, str], tmp_path: Path, store_url: str
) -> None:
    env["PETITIONS_DB_URL"] = store_url  # SQLite, then PostgreSQL
    out = tmp_path / "out.jsonl"
    proc = run(["process", str(inbox), "--out", str(out), "--received", "2026-11-25"], env)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 4
    by_name = {Path(r["source"]).name: r for r in records}
    assert by_name["empty.pdf"]["status"] == "quarantined"
    assert by_name["empty.pdf"]["error"]["code"] == "empty_file"
    assert by_name["notes.pdf"]["error"]["code"] == "corrupt_pdf"
    typed, scanned = by_name["typed.pdf"], by_name["thư quét 01.png"]
    assert typed["text_source"] == "text_layer" and scanned["text_source"] == "ocr"
    for r in (typed, scanned):
        assert r["status"] in ("routed", "needs_review")
        assert r["category"] == "phan_anh"
        assert r["route"]["agency_kind"] and r["route"]["due_date"] > "2026-11-25"
        assert r["petitioners"][0]["name"] == "Lã Văn Kiên"
    # the summary table names the statuses and queues
    assert "quarantined" in proc.stdout and "Agency queue" in proc.stdout

    # the clerk looks a letter up by the start of its id, and lists the queues
    shown = run(["show", typed["id"][:10]], env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["id"] == typed["id"]
    queues = run(["queues"], env)
    assert queues.returncode == 0
    for r in (typed, scanned):
        if r["status"] == "routed":  # in its agency's queue
            one = run(["queues", "--agency", r["route"]["agency_id"]], env)
            assert one.returncode == 0 and r["id"][:12] in one.stdout
            assert r["route"]["agency_id"] in queues.stdout
        elif r["route"]:  # waits for a reviewer: not in its proposed agency's queue yet
            one = run(["queues", "--agency", r["route"]["agency_id"]], env)
            assert r["id"][:12] not in one.stdout


def test_process_to_stdout(inbox: Path, env: dict[str, str]) -> None:
    proc = run(["process", str(inbox / "empty.pdf")], env)
    assert proc.returncode == 0
    (record,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert record["status"] == "quarantined"


def test_unknown_letter_exits_6(env: dict[str, str]) -> None:
    proc = run(["show", "deadbeefdeadbeef"], env)
    assert proc.returncode == 6
    assert "no letter" in proc.stderr


def test_unreachable_store_exits_4_without_leaking_the_password(inbox: Path, env: dict[str, str]) -> None:
    env["PETITIONS_DB_URL"] = "postgresql+psycopg://clerk:s3cret-pw@127.0.0.1:1/petitions"
    proc = run(["process", str(inbox / "empty.pdf")], env)
    assert proc.returncode == 4
    assert "s3cret-pw" not in proc.stderr + proc.stdout


def test_missing_tesseract_exits_3(inbox: Path, env: dict[str, str]) -> None:
    env["PATH"] = "/nonexistent"
    proc = run(["process", str(inbox / "empty.pdf")], env)
    assert proc.returncode == 3
    assert "make setup" in proc.stderr


def test_bad_setting_exits_5(env: dict[str, str], inbox: Path) -> None:
    env["PETITIONS_OCR_DPI"] = "5"
    proc = run(["process", str(inbox / "empty.pdf")], env)
    assert proc.returncode == 5
    assert "ocr_dpi" in proc.stderr
