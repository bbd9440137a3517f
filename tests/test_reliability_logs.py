"""No personal data in logs: a full verbose run over letters whose writers, identity numbers and
phone numbers we know, then a grep of everything it logged (stderr and any log file under var/).

Records (stdout / --out) and the store hold names by design; logs must carry letter ids only.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.render import render_pages, write_png
from fixtures.render import write_text_pdf as write_letter_pdf
from petitions.settings import load_settings
from tests.reliability_inputs import (
    SECRET_ID,
    SECRET_LINES,
    SECRET_NAME,
    SECRET_PHONE,
    read_jsonl,
    secret_pdf,
)
from tests.test_reliability_inputs import cli_env

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "petitions"
ID_NUMBER = re.compile(r"\b\d{9}(?:\d{3})?\b")  # CMND (9 digits) or CCCD (12 digits)


def _secrets(letters: list[dict]) -> set[str]:
    found = {SECRET_NAME, SECRET_ID, SECRET_PHONE}
    for letter in letters:
        found.update(letter["gold"].get("petitioner_names") or [])
        found.update(ID_NUMBER.findall(letter["text"]))
    return {s for s in found if s and len(s) >= 6}


def test_verbose_run_logs_no_names_or_id_numbers(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    lines = (ROOT / "fixtures" / "letters" / "generated.jsonl").read_text(encoding="utf-8").splitlines()
    letters = [json.loads(line) for line in lines[:40]]
    letters = [x for x in letters if ID_NUMBER.search(x["text"])][:5] + letters[:3]
    for i, letter in enumerate(letters):
        write_letter_pdf(letter["text"], folder / f"letter {i}.pdf")
    secret_pdf(folder / "secret.pdf")
    write_png(render_pages("\n".join(SECRET_LINES), dpi=150)[0], folder / "secret scan.png")
    secrets = _secrets(letters)
    assert len(secrets) >= 8

    out = tmp_path / "out.jsonl"
    proc = subprocess.run([str(SCRIPT), "-v", "process", str(folder), "--out", str(out), "--summary"],
                          env=cli_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = read_jsonl(out)
    assert any(SECRET_NAME in (r.get("text") or "") for r in records), "the letter was read (the test bites)"
    assert "INFO" in proc.stderr, "verbose logging was on"

    logs = proc.stderr + "".join(p.read_text(errors="replace") for p in (tmp_path / "var").rglob("*.log"))
    leaked = sorted(s for s in secrets if s in logs)
    assert not leaked, f"personal data in the logs: {leaked}"


def test_an_internal_error_logs_no_letter_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    """Exception messages may quote the letter (pydantic shows input values): they are not logged."""
    import petitions.pipeline as pipeline

    def broken(read, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise ValueError(f"cannot parse petitioner {SECRET_NAME} ({SECRET_ID})")

    monkeypatch.setattr(pipeline, "analyse", broken)
    path = tmp_path / "secret.pdf"
    secret_pdf(path)
    caplog.set_level("DEBUG")
    done = pipeline.process_file(path, load_settings())
    assert done.record.error.code == "internal_error"
    assert "ValueError" in caplog.text and done.record.id[:12] in caplog.text
    assert SECRET_NAME not in caplog.text and SECRET_ID not in caplog.text
