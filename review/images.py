"""Page images of a letter's original file, rendered on demand (PNG/JPEG/TIFF frames, PDF pages).

The file is found from the store only — the record's ``source`` or, after the nightly flow moved
it, the archive path of the latest "archived" audit event — never from anything in the request.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageOps

from models.rows import AuditRow

MAX_WIDTH = 1100  # pixels: enough to read a scanned A4 page beside the text
JPEG_QUALITY = 80


class PageImageError(Exception):
    """The original file is missing or cannot be rendered (message in Vietnamese)."""


def original_path(source: str, audit: list[AuditRow]) -> Path | None:
    """Where the original file is now: the latest archive location, else the recorded source."""
    candidates = [
        str(a.after["to"]) for a in reversed(audit)
        if a.action == "archived" and isinstance(a.after, dict) and a.after.get("to")
    ]
    candidates.append(source)
    for raw in candidates:
        path = Path(raw).expanduser()
        if path.is_file():
            return path.resolve()
    return None


def render_page(path: Path, number: int, max_pixels: int) -> bytes:
    """Page ``number`` (1-based) of the file as a JPEG no wider than MAX_WIDTH."""
    stat = path.stat()
    return _render(str(path), stat.st_mtime_ns, stat.st_size, number, max_pixels)


@lru_cache(maxsize=64)
def _render(path: str, _mtime_ns: int, _size: int, number: int, max_pixels: int) -> bytes:
    with open(path, "rb") as fh:
        is_pdf = fh.read(5) == b"%PDF-"
    image = _pdf_page(path, number) if is_pdf else _image_frame(path, number, max_pixels)
    if image.width > MAX_WIDTH:
        image = image.resize((MAX_WIDTH, round(image.height * MAX_WIDTH / image.width)), Image.Resampling.LANCZOS)
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _image_frame(path: str, number: int, max_pixels: int) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with Image.open(path) as img:
            frames = getattr(img, "n_frames", 1)
            if not 1 <= number <= frames:
                raise PageImageError(f"Tệp gốc không có trang {number}.")
            img.seek(number - 1)
            frame = ImageOps.exif_transpose(img) or img
            frame.load()
            return frame.copy()
    except (OSError, Image.DecompressionBombError) as exc:
        raise PageImageError("Không đọc được ảnh của tệp gốc.") from exc


def _pdf_page(path: str, number: int) -> Image.Image:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise PageImageError("Không mở được tệp PDF gốc.") from exc
    try:
        if not 1 <= number <= len(pdf):
            raise PageImageError(f"Tệp gốc không có trang {number}.")
        page = pdf[number - 1]
        width_pt = page.get_width() or 595.0
        scale = min(3.0, MAX_WIDTH / width_pt)
        return page.render(scale=scale, grayscale=True).to_pil()
    finally:
        pdf.close()
