"""Each preprocessing decision on real page images, and the text normalisation after OCR."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from extractors.preprocess import estimate_skew, prepare
from extractors.textnorm import normalize_ocr_text
from petitions.text import unwrap_lines
from tests.pages import draw_page


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return draw_page(size=(2480, 3508), font_px=44)  # A4 at 300 dpi


def test_clean_300dpi_page_needs_nothing(page: Image.Image) -> None:
    assert prepare(page).steps == []


def test_low_resolution_page_is_upscaled(page: Image.Image) -> None:
    small = page.resize((1240, 1754))  # 150 dpi, no dpi in the file
    prepared = prepare(small)
    assert prepared.steps[0].startswith("dpi 150->300")
    assert abs(prepared.image.width - 2480) <= 2 and abs(prepared.image.height - 3508) <= 2


def test_dpi_from_the_file_wins_over_the_estimate(page: Image.Image) -> None:
    page.info["dpi"] = (300, 300)
    assert not any(s.startswith("dpi") for s in prepare(page).steps)


def test_uneven_lighting_is_flattened(page: Image.Image) -> None:
    arr = np.asarray(page, dtype=np.float32) * np.linspace(0.4, 1.0, page.width, dtype=np.float32)[None, :]
    prepared = prepare(Image.fromarray(arr.astype(np.uint8), mode="L"))
    assert "flatten" in prepared.steps
    # the paper is even again: both edges of an empty band are near white
    band = np.asarray(prepared.image)[20:60]
    assert band[:, :100].mean() > 230 and band[:, -100:].mean() > 230


@pytest.mark.parametrize("angle", [3.0, -2.0, 1.2])
def test_skew_is_measured_and_levelled(page: Image.Image, angle: float) -> None:
    skewed = page.rotate(angle, expand=True, fillcolor=255)
    assert estimate_skew(skewed) == pytest.approx(-angle, abs=0.3)
    prepared = prepare(skewed)
    assert any(s.startswith("deskew") for s in prepared.steps)
    assert abs(estimate_skew(prepared.image)) <= 0.3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hoà bình, thuỷ lợi", "Hòa bình, thủy lợi"),  # tone marks in their modern place
        ("\u00d0ồng Hới", "Đồng Hới"),  # Icelandic eth read for Đ
        ("Quyết định số 245/QĐ-\nUBND ngày 12/3", "Quyết định số 245/QĐ-UBND ngày 12/3"),
        ("Kính gửi:   Chủ tịch\n\n\n\nTôi tên là", "Kính gửi: Chủ tịch\n\nTôi tên là"),
        ("Độc lập - Tự do -\nHạnh phúc", "Độc lập - Tự do -\nHạnh phúc"),  # a dash, not a broken code
        ("Nguye\u0302\u0301n", "Nguyến"),  # NFD from a scanner -> NFC
    ],
)
def test_normalize_ocr_text(raw: str, expected: str) -> None:
    assert normalize_ocr_text(raw) == expected


def test_unwrap_joins_wrapped_lines_but_keeps_structure() -> None:
    text = "\n".join([
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Kính gửi: Chủ tịch UBND xã Gia Trấn",
        "",
        "Tôi tên là Lã Văn Kiên, sinh năm 1975, CCCD 037075001234, trú tại thôn",
        "Đông, xã Gia Trấn, tỉnh Ninh Bình. Tôi làm đơn này đề nghị các cấp xem",
        "xét.",
        "1. Bản sao giấy chứng nhận quyền sử dụng đất của gia đình tôi cấp năm 2001;",
        "2. Ảnh chụp hiện trường.",
        "Người làm đơn",
    ])
    out = unwrap_lines(text).split("\n")
    assert "trú tại thôn Đông, xã Gia Trấn, tỉnh Ninh Bình. Tôi làm đơn này đề nghị các cấp xem xét." in out[3]
    assert out[0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and out[1].startswith("Kính gửi:")
    assert out[4].startswith("1. ") and out[5].startswith("2. ") and out[6] == "Người làm đơn"


def test_unwrap_keeps_the_date_and_signature_after_a_typed_paragraph() -> None:
    # a letter typed with one long line per paragraph: no margin wrapped the date line and the name under it
    text = "\n".join([
        "PHẢN ÁNH",
        "",
        "Kính gửi: Chủ tịch UBND xã Bình Lục",
        "",
        "Tôi Đặng Thị Thơm, thôn An Tập, xã Bình Lục. Tôi nộp hồ sơ cấp đổi sổ đỏ từ 15/6/2026, giấy hẹn trả 30 "
        "ngày, đến nay đã gần 5 tháng chưa có kết quả. Mong xã đôn đốc giải quyết sớm.",
        "Ngày 09/11/2026",
        "Đặng Thị Thơm",
    ])
    out = unwrap_lines(text).split("\n")
    assert out[-2:] == ["Ngày 09/11/2026", "Đặng Thị Thơm"]


def test_noisy_page_is_denoised_before_the_first_pass(page: Image.Image) -> None:
    rng = np.random.default_rng(3)
    noisy = np.clip(np.asarray(page, dtype=np.float32) + rng.normal(0, 40, (page.height, page.width)), 0, 255)
    prepared = prepare(Image.fromarray(noisy.astype(np.uint8), mode="L"))
    assert "denoise" in prepared.steps
    assert set(np.unique(np.asarray(prepared.image))) <= {0, 255}  # binarised
    assert "denoise" not in prepare(page).steps


def test_median3_is_pils_median_filter(page: Image.Image) -> None:
    from PIL import ImageFilter

    from extractors.preprocess import median3
    from fixtures.render import degrade

    noisy = degrade(page, "blur_noise", 1)
    assert np.array_equal(np.asarray(median3(noisy)), np.asarray(noisy.filter(ImageFilter.MedianFilter(3))))


def test_photocopy_specks_are_counted_and_median_filtered(page: Image.Image) -> None:
    from extractors.preprocess import SPECKS, speck_count
    from fixtures.render import degrade

    copy = degrade(page, "photocopy", 5)  # fixtures.render's tired photocopier: toner dust, streak, lid edge
    assert speck_count(copy) > SPECKS
    prepared = prepare(copy)
    assert [s for s in prepared.steps if s.startswith("despeckle")], prepared.steps
    assert "denoise" not in prepared.steps  # not binarised: the median alone
    assert speck_count(prepared.image) < SPECKS / 10  # the dust is gone


@pytest.mark.parametrize("condition", ["clean", "jpeg200", "skew", "uneven_light"])
def test_pages_without_toner_dust_are_not_despeckled(page: Image.Image, condition: str) -> None:
    from fixtures.render import degrade

    steps = prepare(degrade(page, condition, 5)).steps
    assert not any(s.startswith("despeckle") for s in steps), steps


def test_dark_copier_edge_is_whitened(page: Image.Image) -> None:
    from fixtures.render import degrade

    copy = degrade(page, "photocopy", 5)  # its top h/60 rows are the copier lid's dark band
    prepared = prepare(copy)
    edge = [s for s in prepared.steps if s.startswith("dark edges")]
    assert edge and 50 <= int(edge[0].split()[-1].split("/")[0]) <= 70, prepared.steps
    assert np.asarray(prepared.image)[: page.height // 60].min() == 255
    for condition in ("clean", "skew", "rot180", "uneven_light"):
        assert not any(s.startswith("dark edges") for s in prepare(degrade(page, condition, 5)).steps)
