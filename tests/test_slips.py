"""Official slips: PDFs in Vietnamese with the agency, the register number, no denouncer name."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pdfplumber
import pytest

from models.store import Store
from petitions.cli import main
from petitions.settings import Settings
from petitions.text import fold
from routing.duplicates import mark_duplicate
from routing.slips import NoSlipError, register_number, slip_kind, write_slip
from tests.routing_helpers import analysed, fixture_letters

ISSUED = dt.date(2026, 11, 26)


def _pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _first(settings: Settings, category: str, action: str) -> tuple[dict, object]:
    for x in fixture_letters():
        if x["gold"]["category"] != category or x["gold"]["anonymous"]:
            continue
        rec = analysed(x, settings)
        if rec.route and rec.route.action == action:
            return x, rec
    raise AssertionError("no such letter in the fixtures")


def test_transfer_slip_of_a_denunciation_hides_the_denouncer(tmp_path: Path) -> None:
    settings = Settings(province="Ninh Bình", var_dir=tmp_path)
    x, rec = _first(settings, "to_cao", "forward")
    number = write_slip(rec, settings, tmp_path / "pc.pdf", issued=ISSUED)
    text = _pdf_text(tmp_path / "pc.pdf")
    assert str(number) == "1/PC-BTCD" and "Số: 1/PC-BTCD" in text
    assert "PHIẾU CHUYỂN ĐƠN" in text
    assert rec.route.agency_name in text.replace("\n", " ")
    flat = fold(" ".join(text.split()))
    for name in x["gold"]["petitioner_names"]:
        assert fold(name) not in flat
    assert "[đã ẩn]" in text


def test_guidance_slip_and_numbering(tmp_path: Path) -> None:
    settings = Settings(province="Ninh Bình", var_dir=tmp_path)
    _, rec = _first(settings, "khieu_nai", "guide")
    assert slip_kind(rec) == "HD"
    first = write_slip(rec, settings, tmp_path / "hd.pdf", issued=ISSUED)
    again = write_slip(rec, settings, tmp_path / "hd2.pdf", issued=ISSUED)
    assert first == again  # one number per letter
    assert register_number(tmp_path, "other-letter", "HD", ISSUED.year).number == first.number + 1
    text = _pdf_text(tmp_path / "hd.pdf")
    assert "PHIẾU HƯỚNG DẪN" in text and f"Số: {first}" in text
    assert rec.route.agency_name in text.replace("\n", " ")
    assert json.loads((tmp_path / "slips.json").read_text(encoding="utf-8"))


def test_no_slip_for_filed_or_duplicate_letters(tmp_path: Path) -> None:
    settings = Settings(province="Ninh Bình", var_dir=tmp_path)
    _, rec = _first(settings, "to_cao", "forward")
    dup = mark_duplicate(rec, "0" * 64, settings)
    with pytest.raises(NoSlipError):
        slip_kind(dup)


def test_cli_slip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PETITIONS_DB_URL", db)
    monkeypatch.setenv("PETITIONS_VAR_DIR", str(tmp_path / "var"))
    settings = Settings(province="Ninh Bình", db_url=db)
    x, rec = _first(settings, "to_cao", "forward")
    rec = rec.model_copy(update={"id": hashlib.sha256(x["text"].encode()).hexdigest()})
    Store.open(settings).save(rec, [])
    assert main(["slip", rec.id[:12], "--out", str(tmp_path / "s.pdf")]) == 0
    assert "PHIẾU CHUYỂN ĐƠN" in _pdf_text(tmp_path / "s.pdf")
    assert (tmp_path / "var" / "slips.json").exists()
