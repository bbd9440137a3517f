"""Intake: from one input file to the text of every page.

Triage by content (magic bytes), not by the file name: PDFs are read page by page — the text layer
with pdfplumber when it is real text, otherwise the page is rasterised and OCR'd; PNG/JPEG/TIFF
(multi-page TIFF too) are OCR'd. Every problem with the file raises a :class:`LetterError` with its
code; the pipeline turns it into a quarantined record.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import unicodedata
import warnings
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from pdfminer.pdfdocument import PDFPasswordIncorrect
from PIL import Image, ImageSequence, UnidentifiedImageError

from extractors.executor import Executor, SerialExecutor
from extractors.ocr import ocr_page
from models.record import PageText, ReadResult
from petitions.errors import (
    CorruptImageError,
    CorruptPdfError,
    EmptyFileError,
    EncryptedPdfError,
    FileTooLargeError,
    ImageTooLargeError,
    LetterError,
    NoTextError,
    TooManyPagesError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from petitions.settings import Settings

log = logging.getLogger(__name__)

# pdfium is not thread-safe: rasterise one page at a time, OCR in parallel.
_PDFIUM_LOCK = threading.Lock()
MIN_PAGE_SIDE = 64  # pixels: smaller images cannot hold a line of text

Image.MAX_IMAGE_PIXELS = None  # our own guard (settings.max_image_pixels) runs before decoding
warnings.simplefilter("ignore", Image.DecompressionBombWarning)


def letter_id(path: Path) -> str:
    """sha256 of the file's bytes: the same file always gets the same id."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise UnreadableFileError() from exc
    return digest.hexdigest()


def sniff(path: Path) -> str:
    """The file's kind from its first bytes: pdf, png, jpeg, tiff, or raise."""
    try:
        head = _head(path)
    except OSError as exc:
        raise UnreadableFileError() from exc
    if not head:
        raise EmptyFileError()
    if head.startswith(b"%PDF") or b"%PDF" in head:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if path.suffix.lower() == ".pdf":
        raise CorruptPdfError("Không phải tệp PDF / the file is named .pdf but is not a PDF: re-scan or re-export it.")
    raise UnsupportedFormatError()


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(1024)


def check_file(path: Path, settings: Settings) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:  # broken link, symlink loop, vanished file
        raise UnreadableFileError() from exc
    if size == 0:
        raise EmptyFileError()
    if size > settings.max_file_mb * 1024 * 1024:
        raise FileTooLargeError()


def read_letter(path: Path, settings: Settings, executor: Executor | None = None) -> ReadResult:
    """Read every page of one input file. Pages may be OCR'd in parallel through ``executor``."""
    executor = executor or SerialExecutor()
    check_file(path, settings)
    kind = sniff(path)
    pages = _read_pdf(path, settings, executor) if kind == "pdf" else _read_image(path, settings, executor)
    result = ReadResult(pages=pages)
    if _letters(result.text) < settings.min_text_chars:
        raise NoTextError()
    return result


# ---- PDFs -----------------------------------------------------------------------------------------


def _read_pdf(path: Path, settings: Settings, executor: Executor) -> list[PageText]:
    layers = _text_layers(path, settings)
    todo = [i for i, text in enumerate(layers) if text is None]
    ocr = {}
    if todo:
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise CorruptPdfError() from exc
        try:
            scale = settings.ocr_dpi / 72.0

            def render_and_ocr(index: int) -> PageText:
                with _PDFIUM_LOCK:
                    try:
                        page = doc[index]
                        width, height = page.get_size()
                        if width * scale * height * scale > settings.max_image_pixels:
                            raise ImageTooLargeError()
                        img = page.render(scale=scale, grayscale=True).to_pil()
                        page.close()
                    except (pdfium.PdfiumError, ValueError, OSError) as exc:  # a damaged page
                        raise CorruptPdfError() from exc
                return ocr_page(img, index + 1, settings)

            ocr = dict(zip(todo, executor.map(render_and_ocr, todo), strict=True))
        finally:
            with _PDFIUM_LOCK:
                doc.close()
    return [
        ocr[i] if text is None else PageText(number=i + 1, text=text, source="text_layer", word_count=len(text.split()),
                                          layout_lines=True)
        for i, text in enumerate(layers)
    ]


def _text_layers(path: Path, settings: Settings) -> list[str | None]:
    """Each page's text layer, or None where it is absent or not real text."""
    try:
        with pdfplumber.open(path) as pdf:
            if len(pdf.pages) > settings.max_pages:
                raise TooManyPagesError()
            if not pdf.pages:
                raise CorruptPdfError("PDF không có trang nào / the PDF has no pages.")
            return [_real_text(page.extract_text() or "", bool(page.images), settings) for page in pdf.pages]
    except PDFPasswordIncorrect as exc:
        raise EncryptedPdfError() from exc
    except (TooManyPagesError, CorruptPdfError):
        raise
    except Exception as exc:  # pdfminer raises many kinds on damaged files, pdfplumber wraps them
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if isinstance(cause, PDFPasswordIncorrect) or "encrypt" in type(cause).__name__.lower():
            raise EncryptedPdfError() from exc
        raise CorruptPdfError() from exc


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _real_text(text: str, has_images: bool, settings: Settings) -> str | None:
    """A text layer counts when it is mostly words, not stray glyphs, and — on a page that also
    holds an image (a scan with a thin OCR layer or a stamp) — when it holds enough letters."""
    text = unicodedata.normalize("NFC", text).strip()
    letters = _letters(text)
    if letters == 0 or (has_images and letters < settings.min_text_chars):
        return None
    visible = sum(not ch.isspace() for ch in text)
    if visible and letters / visible < 0.6:
        return None
    return text


# ---- images ---------------------------------------------------------------------------------------


def _read_image(path: Path, settings: Settings, executor: Executor) -> list[PageText]:
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError() from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise CorruptImageError() from exc
    with img:
        try:
            frames_gray = _decode_frames(img, settings)
        except LetterError:
            raise
        except Exception as exc:  # Pillow raises many kinds (TypeError, KeyError,
            # EOFError, SyntaxError, struct.error ...) on damaged headers; fuzzing found them.
            raise CorruptImageError() from exc
    pages = list(enumerate(frames_gray, start=1))
    return executor.map(lambda item: ocr_page(item[1], item[0], settings), pages)


def _decode_frames(img: Image.Image, settings: Settings) -> list[Image.Image]:
    """Every frame (page) decoded to grayscale, after the page-count and pixel guards."""
    frames = getattr(img, "n_frames", 1)
    if frames > settings.max_pages:
        raise TooManyPagesError()
    frames_gray: list[Image.Image] = []
    for index, frame in enumerate(ImageSequence.Iterator(img)):
        width, height = frame.size
        if width * height > settings.max_image_pixels:
            raise ImageTooLargeError()
        if min(width, height) < MIN_PAGE_SIDE:
            raise NoTextError("Ảnh quá nhỏ / the image is too small to hold text: re-scan at 300 dpi.")
        frames_gray.append(frame.convert("L"))
        log.debug("frame %d decoded", index + 1)
    return frames_gray
