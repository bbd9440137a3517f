"""Fast checks of the project's own letters, the scan renderer and the sample mailroom (no OCR,
except one real-tesseract smoke test)."""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from PIL import Image

from fixtures.letters import GENERATED_PATH, generate_letters, load_handwritten
from fixtures.make_mailroom import MAILROOM, MANIFEST
from fixtures.render import (
    CONDITIONS,
    a4_size,
    degrade,
    render_pages,
    write_image_pdf,
    write_text_pdf,
    write_tiff,
)
from models.record import CATEGORIES, DOMAINS

GOLD_KEYS = {
    "category", "mixed", "secondary_category", "title_category", "petitioner_names", "anonymous",
    "signatory_count", "address_as_written", "province_new", "commune_new", "incident_commune_new", "accused",
    "subject", "domain", "crime_signs", "party_discipline", "complaint_round", "letter_date", "route",
    "route_uncertain",
}
TITLE_CATEGORIES = set(CATEGORIES) | {"keu_cuu", "de_nghi", "trinh_bay", "other", "none"}
AGENCY_KINDS = {
    "chu_tich_ubnd_xa", "chu_tich_ubnd_tinh", "so_nong_nghiep_moi_truong", "so_xay_dung", "so_noi_vu", "so_y_te",
    "so_giao_duc_dao_tao", "so_tai_chinh", "so_cong_thuong", "so_van_hoa_the_thao_du_lich", "so_tu_phap",
    "cong_an_tinh", "uy_ban_kiem_tra_tinh_uy", "toa_an", "thi_hanh_an", "vien_kiem_sat", "ngoai_tinh", "luu_don",
}
SAMPLE = (
    "Kính gửi: Chủ tịch Ủy ban nhân dân xã Liêm Hà\n"
    "Tôi tên là Nguyễn Thị Hồng Nhung, sinh năm 1979, trú tại xóm 3, xã Thanh Hà, huyện Thanh Liêm, "
    "tỉnh Hà Nam. Tôi khiếu nại Quyết định số 245/QĐ-UBND ngày 12/3/2026 về việc thu hồi đất nông nghiệp "
    "của gia đình tôi, đề nghị xem xét lại mức bồi thường cho đúng quy định."
)


def _squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return generate_letters(120, seed=3) + load_handwritten()


def test_generator_is_deterministic_for_a_seed() -> None:
    assert generate_letters(15, seed=7) == generate_letters(15, seed=7)
    assert generate_letters(15, seed=7) != generate_letters(15, seed=8)


def test_generated_file_matches_the_generator() -> None:
    lines = GENERATED_PATH.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 400
    assert [json.loads(x) for x in lines[:10]] == generate_letters(10, seed=0)


def test_labels_use_the_contract_vocabularies(corpus: list[dict]) -> None:
    for letter in corpus:
        gold = letter["gold"]
        assert set(gold) == GOLD_KEYS, letter["id"]
        assert gold["category"] in CATEGORIES
        assert gold["secondary_category"] in (*CATEGORIES, None)
        assert gold["mixed"] == (gold["secondary_category"] is not None)
        assert gold["domain"] in DOMAINS
        assert gold["title_category"] in TITLE_CATEGORIES
        assert gold["route"]["agency_kind"] in AGENCY_KINDS
        assert gold["route"]["unit"]
        assert gold["complaint_round"] in ((1, 2) if gold["category"] == "khieu_nai" else (None,))
        if gold["crime_signs"]:
            assert gold["route"]["agency_kind"] == "cong_an_tinh"


def test_names_and_addresses_are_written_in_the_letter(corpus: list[dict]) -> None:
    for letter in corpus:
        gold, text = letter["gold"], letter["text"]
        assert gold["address_as_written"] in text, letter["id"]
        assert all(name in text for name in gold["petitioner_names"]), letter["id"]
        assert gold["signatory_count"] == len(gold["petitioner_names"])
        if gold["anonymous"]:
            assert gold["petitioner_names"] == []
        if "group" in letter["style"]:
            assert gold["signatory_count"] >= 5


def test_corpus_has_variety() -> None:
    letters = generate_letters(400, seed=0)
    styles = {s for x in letters for s in x["style"]}
    assert {"group", "anonymous", "no_diacritics", "caps", "mixed", "second_round", "crime", "party",
            "other_province", "misleading_title", "old_address", "new_address"} <= styles
    assert {x["gold"]["category"] for x in letters} == set(CATEGORIES)
    misleading = sum(x["gold"]["title_category"] != x["gold"]["category"] for x in letters)
    assert 0.35 < misleading / len(letters) < 0.65


def test_render_gives_a4_grayscale_pages() -> None:
    pages = render_pages(SAMPLE, dpi=100)
    assert len(pages) == 1
    assert pages[0].mode == "L" and pages[0].size == a4_size(100)
    assert abs(pages[0].height / pages[0].width - 297 / 210) < 0.01
    long_pages = render_pages("\n".join([SAMPLE] * 12), dpi=100)
    assert len(long_pages) >= 2


def test_degradations_are_deterministic() -> None:
    page = render_pages(SAMPLE, dpi=100)[0]
    for condition in CONDITIONS:
        a, b = degrade(page, condition, seed=4), degrade(page, condition, seed=4)
        assert a.tobytes() == b.tobytes(), condition
        assert a.mode == "L"
    assert degrade(page, "jpeg200", 1).info["dpi"][0] == 200


def test_multipage_tiff_round_trips(tmp_path: Path) -> None:
    pages = render_pages("\n".join([SAMPLE] * 12), dpi=72)
    path = tmp_path / "letter.tif"
    write_tiff(pages, path)
    with Image.open(path) as img:
        assert img.n_frames == len(pages) >= 2


def test_image_pdf_has_pages_and_no_text(tmp_path: Path) -> None:
    pages = render_pages(SAMPLE, dpi=72) * 2
    path = tmp_path / "scan.pdf"
    write_image_pdf(pages, path)
    doc = pdfium.PdfDocument(str(path))
    assert len(doc) == 2
    doc.close()
    with pdfplumber.open(path) as pdf:
        assert not (pdf.pages[0].extract_text() or "").strip()


def test_text_pdf_layer_extracts_vietnamese(tmp_path: Path) -> None:
    path = tmp_path / "born_digital.pdf"
    write_text_pdf(SAMPLE, path)
    with pdfplumber.open(path) as pdf:
        text = pdf.pages[0].extract_text()
    assert text == unicodedata.normalize("NFC", text)
    assert _squash(text) == _squash(SAMPLE)


def test_manifest_covers_every_mailroom_file() -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    files = {p.name for p in MAILROOM.iterdir()}
    assert files == set(manifest)
    assert len(files) >= 32
    assert sum(p.stat().st_size for p in MAILROOM.iterdir()) < 12_000_000
    kinds = {e["kind"] for e in manifest.values()}
    assert kinds == {"png", "jpeg", "tiff", "pdf_image", "pdf_text", "bad"}
    errors = sorted(e["expected_error"] for e in manifest.values() if e["expected_error"])
    assert errors == ["corrupt_pdf", "empty_file"]
    assert any(not name.isascii() and " " in name for name in files)
    assert any(e["kind"] == "tiff" and e["pages"] > 1 for e in manifest.values())
    assert any(e["kind"] == "pdf_image" and e["pages"] > 1 for e in manifest.values())
    for entry in manifest.values():
        assert (entry["gold"] is None) == (entry["kind"] == "bad")


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_tesseract_reads_a_clean_render(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    if "vie" not in pytesseract.get_languages(config=""):
        pytest.skip("tesseract has no Vietnamese model")
    monkeypatch.setitem(os.environ, "OMP_THREAD_LIMIT", "1")
    page = render_pages(SAMPLE, dpi=300)[0]
    text = pytesseract.image_to_string(page, lang="vie")
    truth, read = _squash(SAMPLE), _squash(text)
    cer = _edit_distance(truth, read) / len(truth)
    assert cer < 0.03, (cer, read)


@pytest.fixture(scope="module")
def corpus_v2() -> list[dict]:
    """Letters of the second, richer generator (the first 400 indexes keep the first generator)."""
    return generate_letters(160, seed=0, start=400)


def test_second_generator_letters_are_well_labeled(corpus_v2: list[dict]) -> None:
    for letter in corpus_v2:
        gold, text = letter["gold"], letter["text"]
        assert set(gold) == GOLD_KEYS, letter["id"]
        assert gold["category"] in CATEGORIES and gold["domain"] in DOMAINS
        assert gold["mixed"] == (gold["secondary_category"] is not None)
        assert gold["secondary_category"] != gold["category"]
        assert gold["title_category"] in TITLE_CATEGORIES
        assert gold["route"]["agency_kind"] in AGENCY_KINDS
        assert gold["complaint_round"] in ((1, 2) if gold["category"] == "khieu_nai" else (None,))
        if gold["crime_signs"]:
            assert gold["route"]["agency_kind"] == "cong_an_tinh"
        assert gold["address_as_written"] in text, letter["id"]
        assert all(name in text for name in gold["petitioner_names"]), letter["id"]
        assert "{" not in text and "}" not in text, letter["id"]  # every placeholder filled
        assert letter["scenario"]


def test_second_generator_has_voices_scenarios_and_noise(corpus_v2: list[dict]) -> None:
    styles = {s for x in corpus_v2 for s in x["style"]}
    voices = {s for s in styles if s.startswith("voice:")}
    assert {"voice:formal", "voice:terse", "voice:angry", "voice:educated", "voice:elderly"} <= voices
    assert {"mixed", "crime", "misleading_title", "ocr_noise", "partly_unaccented", "fear"} <= styles
    assert len({x["scenario"] for x in corpus_v2}) >= 50
    assert {x["gold"]["category"] for x in corpus_v2} == set(CATEGORIES)
    misleading = sum(x["gold"]["title_category"] != x["gold"]["category"] for x in corpus_v2)
    assert 0.35 < misleading / len(corpus_v2) < 0.65


def test_first_letters_stay_those_of_the_first_generator() -> None:
    from fixtures import letters_v1

    assert generate_letters(3, seed=0) == [letters_v1.make_letter(i, 0) for i in range(3)]
    assert generate_letters(1, seed=0, start=400)[0]["id"] == "FX-0401"
