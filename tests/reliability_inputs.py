"""Hostile and awkward input files for the reliability tests, each built from our own fixtures.

``BAD_INPUTS`` maps a file name to (builder, expectation). The expectation is the error code of the
quarantined record, or ``"read"`` when the right outcome is that the letter IS read (a damaged xref
that pdfminer/pdfium recover, a PDF with only an owner password, a Vietnamese file name).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from tests.pages import LETTER_LINES, draw_page, write_text_pdf

Builder = Callable[[Path], None]

# A letter whose writer and identity number the log test looks for (our own invented person).
SECRET_NAME = "Trịnh Thị Hồng Nhung"
SECRET_ID = "037185009413"
SECRET_PHONE = "0912 345 678"
SECRET_LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "",
    "ĐƠN TỐ CÁO",
    "Kính gửi: Chủ tịch UBND xã Gia Trấn",
    f"Tôi tên là: {SECRET_NAME}, sinh năm 1985",
    f"Số CCCD: {SECRET_ID}, điện thoại {SECRET_PHONE}",
    "Địa chỉ: thôn Đông, xã Gia Trấn, huyện Gia Viễn, tỉnh Ninh Bình",
    "Tôi xin tố cáo ông Phạm Văn Toàn, cán bộ địa chính xã, đã nhận tiền",
    "của nhiều hộ dân để làm sổ đỏ nhưng không làm, gây thiệt hại cho dân.",
]


def text_pdf(path: Path, lines: list[str] = LETTER_LINES, pages: int = 1) -> Path:
    return write_text_pdf(path, [lines] * pages)


def truncated_pdf(path: Path) -> None:
    data = text_pdf(path).read_bytes()
    path.write_bytes(data[: len(data) // 3])


def wrong_xref_pdf(path: Path) -> None:
    """Every xref offset shifted by 7 bytes and startxref pointing into the middle of the file."""
    data = text_pdf(path).read_bytes()
    start = data.rindex(b"xref")

    def shift(m: re.Match[bytes]) -> bytes:
        return b"%010d %s" % (int(m.group(1)) + 7, m.group(2))

    table = re.sub(rb"(\d{10}) (\d{5} n)", shift, data[start:])
    table = re.sub(rb"startxref\s+\d+", b"startxref\n" + str(len(data) // 2).encode(), table)
    path.write_bytes(data[:start] + table)


def _encrypted(path: Path, user_password: str) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = path.with_suffix(".plain")
    text_pdf(plain)
    writer = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu")
    writer.write(str(path))
    plain.unlink()


def password_pdf(path: Path) -> None:
    _encrypted(path, "bi-mat")


def owner_only_pdf(path: Path) -> None:
    """Encrypted with an empty user password (print/copy restrictions only): readable."""
    _encrypted(path, "")


def many_pages_pdf(path: Path, pages: int = 300) -> None:
    """300 image-only pages (tiny blank scans): reading them would mean 300 OCR runs."""
    blank = Image.new("L", (99, 140), 255)
    blank.save(path, "PDF", save_all=True, append_images=[blank] * (pages - 1), resolution=12.0)


def text_named_pdf(path: Path) -> None:
    path.write_text("Đây là ghi chú, không phải PDF.\n", encoding="utf-8")


def png_bomb(path: Path) -> None:
    Image.new("1", (12000, 12000), 1).save(path)  # 144 Mpx in a few kB


def tiny_image(path: Path) -> None:
    Image.new("L", (1, 1), 255).save(path)


def blank_page(path: Path) -> None:
    Image.new("L", (1654, 2339), 255).save(path)


def textless_photo(path: Path) -> None:
    """A smooth gradient with sensor noise: what a photo of a wall or a sky looks like to OCR."""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:1200, 0:900]
    img = 60 + 120 * (x / 900) + 50 * np.sin(y / 150) + rng.normal(0, 12, (1200, 900))
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), mode="L").save(path, quality=85, dpi=(300, 300))


def docx(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document>" + " ".join(LETTER_LINES) + "</w:document>")


def heic(path: Path) -> None:
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(range(256)) * 8)


def scan_png(path: Path) -> None:
    draw_page().save(path)


def secret_pdf(path: Path) -> None:
    text_pdf(path, SECRET_LINES)


def _bytes(data: bytes) -> Builder:
    return lambda path: path.write_bytes(data)


# name -> (builder, expected error code or "read")
BAD_INPUTS: dict[str, tuple[Builder, str]] = {
    "empty.pdf": (_bytes(b""), "empty_file"),
    "truncated.pdf": (truncated_pdf, "corrupt_pdf"),
    "wrong xref.pdf": (wrong_xref_pdf, "read"),
    "locked.pdf": (password_pdf, "encrypted_pdf"),
    "owner password only.pdf": (owner_only_pdf, "read"),
    "300 pages.pdf": (many_pages_pdf, "too_many_pages"),
    "notes.pdf": (text_named_pdf, "corrupt_pdf"),
    "bomb.png": (png_bomb, "image_too_large"),
    "dot.png": (tiny_image, "no_text"),
    "blank.png": (blank_page, "no_text"),
    "wall photo.jpg": (textless_photo, "no_text"),
    "letter.docx": (docx, "unsupported_format"),
    "IMG_0001.heic": (heic, "unsupported_format"),
    "cut.png": (_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40), "corrupt_image"),
    "đơn thư của bà Hoà - bản quét 01.png": (scan_png, "read"),
    "Đơn tố cáo (bản gốc).pdf": (secret_pdf, "read"),
}


def build_inbox(folder: Path) -> dict[str, str]:
    """Every bad input in ``folder``, plus a symlink loop, a broken link, a looping folder link and
    the same letter twice. Returns file name -> expected outcome."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}
    for name, (build, outcome) in BAD_INPUTS.items():
        build(folder / name)
        expected[name] = outcome
    (folder / "loop.pdf").symlink_to(folder / "loop.pdf")
    expected["loop.pdf"] = "unreadable_file"
    (folder / "gone.pdf").symlink_to(folder / "no such file.pdf")
    expected["gone.pdf"] = "unreadable_file"
    (folder / "thư mục vòng").symlink_to(folder, target_is_directory=True)  # a folder link looping back
    expected["thư mục vòng"] = "unreadable_file"
    (folder / "again").mkdir()
    (folder / "again" / "copy of scan.png").write_bytes((folder / "đơn thư của bà Hoà - bản quét 01.png").read_bytes())
    expected["copy of scan.png"] = "read"
    return expected


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
