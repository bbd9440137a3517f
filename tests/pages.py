"""Small real page images and PDFs for the intake tests (drawn here, OCR'd by real tesseract)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"

LETTER_LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "",
    "ĐƠN PHẢN ÁNH",
    "Kính gửi: Chủ tịch UBND xã Gia Trấn",
    "Tôi tên là: Lã Văn Kiên, sinh năm 1975",
    "Địa chỉ: thôn Đông, xã Gia Trấn, huyện Gia Viễn, tỉnh Ninh Bình",
    "Tôi xin phản ánh tình trạng đường liên thôn bị sụt lún, nhiều ổ gà",
    "sâu, trời mưa nước ngập, học sinh đi lại rất nguy hiểm.",
]


def draw_page(lines: list[str] = LETTER_LINES, size: tuple[int, int] = (1654, 2339), font_px: int = 30) -> Image.Image:
    """An A4 page at 200 dpi (default) with the given lines of text."""
    font = ImageFont.truetype(FONT, font_px)
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((140, 160 + i * int(font_px * 1.7)), line, font=font, fill=0)
    return img


def write_text_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A born-digital PDF with a real text layer (fpdf2, DejaVu font)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", FONT)
    pdf.set_font("DejaVu", size=12)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def write_image_pdf(path: Path, images: list[Image.Image], dpi: int = 200) -> Path:
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return path
