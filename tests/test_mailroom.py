"""The bundled sample mailroom end to end: every file yields exactly one record (real tesseract)."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fixtures.make_mailroom import MAILROOM, MANIFEST
from models.record import LetterRecord
from petitions.cli import iter_inputs
from petitions.pipeline import process_file
from petitions.settings import load_settings


@pytest.fixture(scope="module")
def records() -> dict[str, LetterRecord]:
    settings = load_settings()
    files = list(iter_inputs([MAILROOM]))
    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        done = list(pool.map(lambda p: process_file(p, settings, received=dt.date(2026, 11, 25)), files))
    return {Path(d.record.source).name: d.record for d in done}


@pytest.fixture(scope="module")
def manifest() -> dict[str, dict]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def test_every_file_yields_exactly_one_record(records: dict[str, LetterRecord], manifest: dict) -> None:
    assert len(manifest) >= 30
    assert set(records) == set(manifest)


def test_bad_files_are_quarantined_with_their_code(records: dict[str, LetterRecord], manifest: dict) -> None:
    for name, entry in manifest.items():
        record = records[name]
        if entry["expected_error"]:
            assert record.status == "quarantined" and record.error is not None
            assert record.error.code == entry["expected_error"], name
        else:
            assert record.status in ("routed", "needs_review"), (name, record.error)
            assert record.pages == entry["pages"], name
            expected_source = "text_layer" if entry["kind"] == "pdf_text" else "ocr"
            assert record.text_source == expected_source, name


def test_scans_are_read_with_confidence(records: dict[str, LetterRecord], manifest: dict) -> None:
    for name, entry in manifest.items():
        if entry["kind"] in ("bad", "pdf_text"):
            continue
        assert records[name].ocr_confidence is not None and records[name].ocr_confidence > 0.75, name


def test_quality_floor_on_our_own_mailroom(records: dict[str, LetterRecord], manifest: dict) -> None:
    """A regression floor, not a target: measured 0.76 (category) when this test was written."""
    letters = [(records[n], e["gold"]) for n, e in manifest.items() if e["gold"]]
    category = sum(r.category == g["category"] for r, g in letters) / len(letters)
    names = [(r, g) for r, g in letters if g["petitioner_names"]]
    name_ok = sum(bool(r.petitioners) and r.petitioners[0].name == g["petitioner_names"][0] for r, g in names)
    assert category >= 0.7
    assert name_ok / len(names) >= 0.7
    # every record that is not quarantined either has a route or says why it goes to review
    for r, _ in letters:
        assert r.route is not None or r.needs_review
