"""OCR of one page image with tesseract (Vietnamese), with its own timeout and one retry.

tesseract runs as a subprocess with ``OMP_THREAD_LIMIT=1``: one process per core beats tesseract's
own threading by 4x on these machines, so parallelism comes from running several pages at once
(see :mod:`extractors.executor`), never from tesseract's threads.

A page is first prepared (:mod:`extractors.preprocess`: resolution, uneven lighting, pixel noise,
toner specks, dark edges, skew — each only when measured to be needed) and read once. When that pass returns little text or low
confidence, the page is cleaned (background flattened, 3x3 median + Otsu threshold: noisy
high-resolution scans can come back empty otherwise) and, if the orientation detector says so,
rotated; the better of the two passes wins. No page is OCR'd more than twice.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass

import numpy as np
import pytesseract
from PIL import Image

from extractors.preprocess import flatten_background, otsu_binarize, prepare
from extractors.textnorm import normalize_ocr_text
from models.record import PageText
from petitions.errors import MissingDependencyError, OcrFailedError, OcrTimeoutError
from petitions.settings import Settings

log = logging.getLogger(__name__)

# Child tesseract processes inherit this; set here so every entry point gets it.
os.environ["OMP_THREAD_LIMIT"] = "1"

LOW_CONFIDENCE_WORD = 0.6  # words below this are listed for the reviewer
RETRY_BELOW_CONFIDENCE = 0.75
RETRY_BELOW_CHARS = 40


@dataclass(frozen=True)
class OcrPass:
    text: str
    confidence: float
    words: int
    low_words: list[str]

    @property
    def quality(self) -> float:
        """A pass with more confident words is better; an empty pass is worst."""
        return self.confidence * min(self.words, 200)


def check_tesseract(lang: str) -> None:
    """Fail the run early (not each letter) when tesseract or its language data is missing."""
    try:
        langs = pytesseract.get_languages(config="")
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise MissingDependencyError() from exc
    missing = [code for code in lang.split("+") if code not in langs]
    if missing:
        raise MissingDependencyError(
            f"tesseract has no data for {', '.join(missing)}: run `make setup` "
            f"(apt-get install tesseract-ocr-{missing[0]})."
        )


HANDOFF_FORMAT = "TIFF"


def _run_tesseract(img: Image.Image, settings: Settings, psm: int = 3) -> OcrPass:
    """One tesseract pass over a page image.

    pytesseract hands tesseract a temporary file, PNG unless told otherwise. An uncompressed TIFF is
    cheapest both ways: Pillow writes it in ~10 ms (PNG: 35-100 ms), tesseract reads it as fast as a
    PNG, while a PGM, though as quick to write (~8 ms), costs tesseract ~70 ms more CPU per 300-dpi
    page to read (``python -m benchmarks.ocr_experiments formats``)."""
    img.format = HANDOFF_FORMAT
    try:
        data = pytesseract.image_to_data(
            img,
            lang=settings.ocr_lang,
            config=f"--psm {psm}",
            timeout=settings.tesseract_timeout_s,
            output_type=pytesseract.Output.DICT,
        )
    except RuntimeError as exc:  # pytesseract signals its timeout with RuntimeError
        if "timeout" in str(exc).lower():
            raise OcrTimeoutError() from exc
        raise OcrFailedError() from exc
    except pytesseract.TesseractError as exc:
        raise OcrFailedError() from exc
    return _assemble(data)


def _assemble(data: dict[str, list]) -> OcrPass:
    """Rebuild lines from tesseract's word boxes, keeping the page's line structure."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confs: list[float] = []
    low: list[str] = []
    last_block = None
    order: list[tuple[int, int, int]] = []
    for i, word in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if conf < 0 or not word.strip():
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key not in lines:
            lines[key] = []
            order.append(key)
        lines[key].append(word)
        confs.append(conf / 100.0)
        if conf / 100.0 < LOW_CONFIDENCE_WORD:
            low.append(word)
    out: list[str] = []
    for key in order:
        block = key[:2]
        if last_block is not None and block != last_block:
            out.append("")  # a blank line between paragraphs
        out.append(" ".join(lines[key]))
        last_block = block
    confidence = float(np.mean(confs)) if confs else 0.0
    return OcrPass("\n".join(out), round(confidence, 4), len(confs), low)


_ROTATE = re.compile(r"Rotate:\s*(\d+)")


def detect_rotation(img: Image.Image, settings: Settings) -> int | None:
    """Degrees to rotate the page clockwise to make it upright (tesseract OSD); None when OSD cannot
    tell (it needs a few lines of text: a last page holding only a signature is too short)."""
    try:
        img.format = HANDOFF_FORMAT
        osd = pytesseract.image_to_osd(img, config="--psm 0", timeout=settings.tesseract_timeout_s)
    except (pytesseract.TesseractError, RuntimeError):
        return None
    match = _ROTATE.search(osd)
    return int(match.group(1)) if match else None


def ocr_page(img: Image.Image, number: int, settings: Settings) -> PageText:
    """OCR one page image; the retry rule is the only reason a page is read twice.

    The page is always handed over as prepared, even when preparation changed nothing: giving
    tesseract the original file instead was measured no cheaper (a compressed PNG costs tesseract
    more to decode than the uncompressed TIFF costs us to write)."""
    prepared = prepare(img)
    gray = prepared.image
    first = _run_tesseract(gray, settings)
    best = first
    steps = list(prepared.steps)
    if len(first.text) < RETRY_BELOW_CHARS or first.confidence < RETRY_BELOW_CONFIDENCE:
        cleaned = otsu_binarize(flatten_background(gray))
        rotation = detect_rotation(cleaned, settings)
        if rotation is None:
            # Too little text for OSD, and the first pass read garbage: a page fed upside down is the
            # commonest cause, so the one retry reads it turned over (the better pass still wins).
            rotation = 180 if first.confidence < RETRY_BELOW_CONFIDENCE else 0
        if rotation:
            cleaned = cleaned.rotate(-rotation, expand=True, fillcolor=255)
        second = _run_tesseract(cleaned, settings)
        log.debug("page %d retried (rotation %d): %.2f -> %.2f", number, rotation, first.quality, second.quality)
        kept = second.quality > first.quality
        if kept:
            best = second
        steps.append(f"retry median+otsu rotation {rotation} ({'kept' if kept else 'first pass kept'})")
    if steps:
        log.debug("page %d prepared: %s", number, ", ".join(steps))
    return PageText(
        number=number,
        text=normalize_ocr_text(best.text),
        source="ocr",
        confidence=best.confidence,
        word_count=best.words,
        low_confidence_words=best.low_words[:200],
        preparation=steps,
        layout_lines=True,
    )
