"""Bad input, all at once, through the real command line: every file yields exactly one record, the
damaged ones quarantined with their own code and a Vietnamese/English message, and the run goes on.

The unreadable-permissions case needs a reader that honours file modes. Tests run as root, which
ignores them, so the command runs under ``setpriv`` with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
dropped from its bounding set (root then reads only what a file's mode allows its owner). Where that
is impossible the chmod-000 file is left out and the rest still runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from extractors.intake import read_letter
from petitions import errors
from petitions.pipeline import process_file
from petitions.settings import load_settings
from tests.reliability_inputs import build_inbox, many_pages_pdf, read_jsonl, textless_photo

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "petitions"
SETTINGS = load_settings()
DROP_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PETITIONS_")}
    env["PETITIONS_VAR_DIR"] = str(tmp_path / "var")
    env["PYTHONPATH"] = str(ROOT)  # every command module importable, installed or not
    return env


def permission_dropper(probe_dir: Path) -> list[str] | None:
    """A command prefix under which a mode-000 file cannot be read, or None."""
    if os.geteuid() != 0:
        return []  # permissions already apply
    if not shutil.which("setpriv"):
        return None
    probe = probe_dir / ".probe"
    probe.write_bytes(b"x")
    probe.chmod(0)
    try:
        proc = subprocess.run([*DROP_DAC, "cat", str(probe)], capture_output=True, timeout=30)
    finally:
        probe.unlink()
    return DROP_DAC if proc.returncode != 0 else None


def test_process_a_folder_of_every_bad_input(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    expected = build_inbox(inbox)
    prefix = permission_dropper(tmp_path)
    if prefix is not None:
        locked = inbox / "khóa quyền đọc.pdf"
        locked.write_bytes((inbox / "Đơn tố cáo (bản gốc).pdf").read_bytes())
        locked.chmod(0)
        expected[locked.name] = "unreadable_file"
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    proc = subprocess.run(
        [*(prefix or []), str(SCRIPT), "-v", "process", str(inbox), "--out", str(out), "--received", "2026-11-25"],
        env=cli_env(tmp_path), capture_output=True, text=True, timeout=300,
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr

    records = read_jsonl(out)
    by_name: dict[str, list[dict]] = {}
    for r in records:
        by_name.setdefault(Path(r["source"]).name, []).append(r)
    names = {unicodedata.normalize("NFC", n) for n in expected}
    assert set(by_name) == names, "one record per input file, under its own (Vietnamese) name"
    assert all(len(v) == 1 for v in by_name.values())
    assert len(records) == len(expected)
    for name, outcome in expected.items():
        (record,) = by_name[name]
        if outcome == "read":
            assert record["status"] in ("routed", "needs_review"), (name, record.get("error"))
            assert record["text"] and record["pages"] >= 1
        else:
            assert record["status"] == "quarantined", name
            assert record["error"]["code"] == outcome, (name, record["error"])
            message = record["error"]["message"]
            assert " / " in message and any(ord(ch) > 127 for ch in message), message  # vi / en

    # the same scan twice (two names): two records with the same id, one letter in the store
    twice = [by_name["đơn thư của bà Hoà - bản quét 01.png"][0], by_name["copy of scan.png"][0]]
    assert twice[0]["id"] == twice[1]["id"] and twice[0]["source"] != twice[1]["source"]
    engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'petitions.db'}")
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(text("SELECT id FROM letters"))]
        assert sorted(ids) == sorted({r["id"] for r in records}), "every record stored, no duplicate rows"
        assert conn.execute(text("SELECT COUNT(*) FROM letters WHERE complete = 0")).scalar() == 0
        # both sources are kept: the second name is audited as a change of the letter's source
        audits = conn.execute(
            text("SELECT action, before, after FROM audit_log WHERE letter_id = :i ORDER BY id"), {"i": twice[0]["id"]}
        ).all()
    engine.dispose()
    assert [a for a, _, _ in audits] == ["stored", "reprocessed"]
    seen = " ".join(f"{before} {after}" for _, before, after in audits)
    assert all(Path(t["source"]).name in seen for t in twice)
    assert elapsed < 120, f"the whole folder took {elapsed:.0f} s"
    if prefix is None:
        pytest.skip("root cannot drop CAP_DAC_OVERRIDE here: the unreadable-permissions file was left out")


def test_300_pages_fail_fast_before_any_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extractors.intake as intake

    def no_ocr(*args: object, **kwargs: object) -> None:
        raise AssertionError("a page was OCR'd")

    monkeypatch.setattr(intake, "ocr_page", no_ocr)
    path = tmp_path / "300 pages.pdf"
    many_pages_pdf(path)
    started = time.monotonic()
    with pytest.raises(errors.TooManyPagesError):
        read_letter(path, SETTINGS)
    assert time.monotonic() - started < 5
    # the same through the pipeline: a quarantined record, not an exception
    done = process_file(path, SETTINGS)
    assert done.record.status == "quarantined" and done.record.error.code == "too_many_pages"


def test_a_photo_without_text_is_no_text_not_a_letter(tmp_path: Path) -> None:
    """Decision: a photo with no writing is quarantined ``no_text`` (OCR finds fewer letters than
    ``min_text_chars``), not sent to review with ``ocr_low_confidence``: there is nothing to review."""
    path = tmp_path / "wall photo.jpg"
    textless_photo(path)
    with pytest.raises(errors.NoTextError) as info:
        read_letter(path, SETTINGS)
    assert "/" in info.value.message


def test_unreadable_file_under_dropped_privileges(tmp_path: Path) -> None:
    """The same file read by a process that honours permissions: unreadable_file, id from the path."""
    prefix = permission_dropper(tmp_path)
    if prefix is None:
        pytest.skip("root cannot drop CAP_DAC_OVERRIDE here (no setpriv or no capability control)")
    path = tmp_path / "khóa.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    path.chmod(0)
    code = (
        "import sys; from pathlib import Path; from petitions.pipeline import process_file; "
        "from petitions.settings import load_settings; "
        "r = process_file(Path(sys.argv[1]), load_settings()).record; print(r.status, r.error.code)"
    )
    proc = subprocess.run([*prefix, sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                          timeout=120, env=cli_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["quarantined", "unreadable_file"]
