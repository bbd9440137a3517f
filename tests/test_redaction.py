"""Denouncer protection: the redacted copy of our own letters keeps no name, ID number or phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractors.fields import extract_fields
from fixtures.letters import load_handwritten
from fixtures.render import render_pages, write_tiff
from models.record import Extraction, Petitioner
from petitions.settings import Settings
from petitions.text import fold
from routing.redaction import MASK, redact_page_images, redact_text

SETTINGS = Settings(province="Ninh Bình")
ROOT = Path(__file__).resolve().parents[1]


def _letters() -> list[dict]:
    import json

    path = ROOT / "fixtures" / "letters" / "generated.jsonl"
    letters = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return letters + load_handwritten()


DENUNCIATIONS = [x for x in _letters() if x["gold"]["category"] == "to_cao" and not x["gold"]["anonymous"]]


def _residue(text: str, names: list[str]) -> list[str]:
    folded = " ".join(re.findall(r"\w+", fold(text)))
    return [n for n in names if " ".join(re.findall(r"\w+", fold(n))) in folded]


def test_there_are_denunciations_to_check() -> None:
    assert len(DENUNCIATIONS) >= 40


@pytest.mark.parametrize("letter", DENUNCIATIONS, ids=lambda x: x["id"])
def test_no_residual_identity(letter: dict) -> None:
    text = letter["text"]
    red = redact_text(text, extract_fields(text, SETTINGS))
    assert MASK in red
    assert _residue(red, letter["gold"]["petitioner_names"]) == []
    assert not re.search(r"(?<!\d)\d{9}(?:\d{3})?(?!\d)", red.replace(" ", "")), "an ID number is left"
    assert not re.search(r"(?<!\d)0\d{2,3}[ .]?\d{3}[ .]?\d{3,4}(?!\d)", red), "a phone number is left"
    address = letter["gold"].get("address_as_written")
    if address:
        assert fold(address) not in fold(red)


def test_the_accused_and_the_facts_stay() -> None:
    text = ("Kính gửi: Chủ tịch UBND tỉnh Ninh Bình\nTôi tên là Nguyễn Văn An, sinh năm 1970, CCCD số 037070001234, "
            "trú tại xóm 3, xã Gia Hưng, tỉnh Ninh Bình, SĐT 0912 345 678, email an.nv@example.com.\n"
            "Tôi tố cáo ông Trần Văn Hùng, công chức địa chính UBND xã Gia Hưng, đã nhận tiền của dân.\n"
            "Đề nghị xử lý nghiêm.\n\nNgười làm đơn\n(đã ký)\nNguyễn Văn An\n")
    ex = Extraction(petitioners=[Petitioner(name="Nguyễn Văn An", id_number="037070001234",
                                            address="xóm 3, xã Gia Hưng, tỉnh Ninh Bình")])
    red = redact_text(text, ex)
    assert "Trần Văn Hùng" in red and "nhận tiền" in red
    for secret in ("Nguyễn Văn An", "037070001234", "0912 345 678", "an.nv@example.com", "xóm 3"):
        assert secret not in red
    assert red.rstrip().endswith(MASK)  # the signature block


def test_unaccented_and_capitals_are_the_same_name() -> None:
    ex = Extraction(petitioners=[Petitioner(name="Nguyễn Văn An")])
    red = redact_text("TOI LA NGUYEN VAN AN. Toi la Nguyen Van An.", ex)
    assert "NGUYEN" not in red and "Nguyen" not in red


def test_page_images_are_blacked_out(tmp_path: Path) -> None:
    letter = DENUNCIATIONS[0]
    path = tmp_path / "letter.tiff"
    write_tiff(render_pages(letter["text"], dpi=200), path)
    ex = extract_fields(letter["text"], SETTINGS)
    pages = redact_page_images(path, ex, SETTINGS)
    assert pages
    import pytesseract

    again = " ".join(pytesseract.image_to_string(p, lang="vie") for p in pages)
    assert MASK in redact_text(letter["text"], ex)  # the letter has an identity to hide
    assert _residue(again, letter["gold"]["petitioner_names"]) == []


IMAGE_LETTER = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

ĐƠN TỐ CÁO

Kính gửi: Chủ tịch UBND xã Yên Đồng

Tôi tên là Trần Thị Hoa, sinh năm 1975.
Địa chỉ: thôn Bến Bãi, xã Yên Đồng, tỉnh Ninh Bình
Điện thoại: 0912 345 678

Tôi tố cáo ông Trần Văn Bình, công chức địa chính xã Yên Đồng, đã nhận tiền
của các hộ để xác nhận sai nguồn gốc đất.
Đề nghị xử lý nghiêm ông Trần Văn Bình theo quy định.

Người làm đơn
Trần Thị Hoa
"""


def test_page_images_hide_the_writer_line_by_line_and_nothing_else(tmp_path: Path) -> None:
    """The labelled address line is covered even when the extracted address differs from what the page
    says, and the accused who shares the writer's family name stays readable."""
    import pytesseract

    path = tmp_path / "letter.tiff"
    write_tiff(render_pages(IMAGE_LETTER, dpi=200), path)
    ex = Extraction(petitioners=[Petitioner(name="Trần Thị Hoa", address="xã Yên Đồng, tỉnh Ninh Bình")])
    pages = redact_page_images(path, ex, SETTINGS)
    again = fold(" ".join(pytesseract.image_to_string(p, lang="vie") for p in pages))
    assert "tran thi hoa" not in again and "thi hoa" not in again
    assert "ben bai" not in again and "0912" not in again
    assert again.count("tran van binh") == 2  # the accused, both times
    assert "xac nhan sai nguon goc dat" in again
