"""Page images of a letter's original file, rendered on demand (PNG/JPEG/TIFF frames, PDF pages).

Denunciations are shown to roles that may not see the denouncer's identity as *redacted* page
images: the page is blacked out where routing.redaction finds the writer's name, ID numbers,
address, phone numbers and signature block (the same redaction as the copy forwarded to agencies).

The file is found from the store only — the record's ``source`` or, after the nightly flow moved
it, the archive path of the latest "archived" audit event — never from anything in the request.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageOps

from models.rows import AuditRow

if TYPE_CHECKING:
    from models.record import Extraction
    from petitions.settings import Settings

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
    return _to_jpeg(image)


def _to_jpeg(image: Image.Image) -> bytes:
    if image.width > MAX_WIDTH:
        image = image.resize((MAX_WIDTH, round(image.height * MAX_WIDTH / image.width)), Image.Resampling.LANCZOS)
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


class _Cache:
    """A small LRU of rendered redacted pages (OCR'ing a page for its word boxes takes seconds)."""

    def __init__(self, size: int) -> None:
        self.size, self._items, self._lock = size, OrderedDict[tuple[object, ...], bytes](), threading.Lock()

    def get(self, key: tuple[object, ...]) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_REDACTED = _Cache(64)


def render_redacted_page(path: Path, number: int, extraction: Extraction, settings: Settings) -> bytes:
    """Page ``number`` of the file as a JPEG with the writer's identity blacked out.

    The page is rasterised at the OCR resolution and handed to routing.redaction's
    ``redact_page_image`` (tesseract's word boxes locate the words to hide). Any failure raises
    PageImageError: an unredacted page is never returned in its place.
    """
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, number, extraction.model_dump_json(),
           settings.ocr_lang, settings.ocr_dpi)
    cached = _REDACTED.get(key)
    if cached is not None:
        return cached
    from routing.redaction import redact_page_image

    with open(path, "rb") as fh:
        is_pdf = fh.read(5) == b"%PDF-"
    if is_pdf:
        page = _pdf_page(str(path), number, scale=settings.ocr_dpi / 72, max_pixels=settings.max_image_pixels)
    else:
        page = _image_frame(str(path), number, settings.max_image_pixels)
    try:
        redacted = redact_page_image(page, extraction, settings)
    except Exception as exc:  # noqa: BLE001 - tesseract, PIL: whatever failed, show nothing
        raise PageImageError("Không tạo được ảnh đã che thông tin người tố cáo.") from exc
    data = _to_jpeg(redacted)
    _REDACTED.put(key, data)
    return data


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


def _pdf_page(path: str, number: int, scale: float | None = None, max_pixels: int | None = None) -> Image.Image:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise PageImageError("Không mở được tệp PDF gốc.") from exc
    try:
        if not 1 <= number <= len(pdf):
            raise PageImageError(f"Tệp gốc không có trang {number}.")
        page = pdf[number - 1]
        width_pt, height_pt = page.get_width() or 595.0, page.get_height() or 842.0
        if scale is None:
            scale = min(3.0, MAX_WIDTH / width_pt)
        if max_pixels and width_pt * height_pt * scale * scale > max_pixels:  # an absurd page size
            scale = (max_pixels / (width_pt * height_pt)) ** 0.5
        return page.render(scale=scale, grayscale=True).to_pil()
    finally:
        pdf.close()
