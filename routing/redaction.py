"""Denouncer protection (Law on Denunciations 2018, art. 8, 9, 47, 56): a denunciation forwarded to an
agency carries a copy without the denouncer's identity.

- :func:`redact_text` removes the writer's name(s), ID numbers, address, phone numbers, e-mail
  addresses and the signature block from the letter's text, replacing each with "[đã ẩn]";
- :func:`redact_page_images` blacks out the same spans on the original file's page images, located
  with tesseract's word boxes.

Names and addresses are matched accent- and case-insensitively (typed without tone marks, in
capitals, or OCR'd with a wrong tone mark, they are the same words).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.layout import SIGNATURE_LINE
from models.record import Extraction
from petitions.text import fold, nfc

if TYPE_CHECKING:
    from PIL import Image

    from petitions.settings import Settings

MASK = "[đã ẩn]"
# CCCD (12 digits), CMND (9), passport-like codes; digits may be grouped by spaces or dots.
_ID = re.compile(r"(?<![\d/])(?:\d[ .]?){8}\d(?:(?:[ .]?\d){3})?(?![\d/])")
_PHONE = re.compile(r"(?<!\d)(?:\+84|0084|0)(?:[ .\-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# The signature block starts at the writer's closing words and runs to the end of the letter.
_ADDRESS_LINE = re.compile(
    r"(?im)^[ \t\W]*(?:dia chi[^:\n]{0,20}|dc|d/c|noi (?:cu tru|o|thuong tru)[^:\n]{0,15}|ho khau[^:\n]{0,15}|hktt"
    r"|tru quan|thuong tru|tam tru|cho o[^:\n]{0,15}|que quan)\s*:\s*(?=(?P<rest>[^\n]*))"
)


def _identity_phrases(extraction: Extraction) -> tuple[list[str], list[str], list[str]]:
    """(names, ID numbers, addresses) of the writers, as written."""
    names, ids, addresses = [], [], []
    for p in extraction.petitioners:
        if p.name and p.name.strip():
            names.append(p.name.strip())
        if p.id_number and p.id_number.strip():
            ids.append(p.id_number.strip())
        if p.address and p.address.strip():
            addresses.append(p.address.strip())
    if extraction.location and extraction.location.as_written:
        addresses.append(extraction.location.as_written.strip())
    return names, ids, addresses


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A folded, whitespace- and punctuation-tolerant pattern of a phrase (matched on folded text)."""
    words = re.findall(r"\w+", fold(nfc(phrase)))
    return re.compile(r"(?<!\w)" + r"[\s,.\-]+".join(re.escape(w) for w in words) + r"(?!\w)")


def _spans(text: str, extraction: Extraction) -> list[tuple[int, int]]:
    """Character spans of ``text`` (NFC) that identify the writer."""
    folded = fold(text)
    same_length = len(folded) == len(text)
    names, ids, addresses = _identity_phrases(extraction)
    spans: list[tuple[int, int]] = []
    # An "address" that is only a province ("tỉnh Ninh Bình") would hide the office's own name.
    addresses = [a for a in addresses if len(re.findall(r"\w+", a)) >= 4]
    for phrase in sorted({*names, *addresses}, key=len, reverse=True):
        if len(re.findall(r"\w+", phrase)) == 0:
            continue
        if same_length:
            spans += [m.span() for m in _phrase_pattern(phrase).finditer(folded)]
        else:  # offsets would not map back: exact, case-insensitive matches only
            spans += [m.span() for m in re.finditer(re.escape(phrase), text, re.IGNORECASE)]
    for number in ids:
        digits = re.sub(r"\D", "", number)
        if digits:
            spans += [m.span() for m in re.finditer(r"[ .]?".join(digits), text)]
    if same_length:  # labelled address lines ("Địa chỉ: …", "ĐC: …"): the rest of the line
        spans += [(m.end(), m.end() + len(m.group("rest").rstrip())) for m in _ADDRESS_LINE.finditer(folded)]
    for pattern in (_ID, _PHONE, _EMAIL):
        spans += [m.span() for m in pattern.finditer(text)]
    signature = _signature_start(text, folded)
    if signature is not None:
        spans.append((signature, len(text.rstrip())))
    return spans


def _signature_start(text: str, folded: str) -> int | None:
    """Where the signature block starts: the first closing cue in the second half of the letter.

    Found on the folded text by line (folding keeps line breaks), so offsets map back to ``text``."""
    folded_lines = folded.split("\n")
    lines = text.split("\n")
    offset, half = 0, len(folded) // 2
    starts = []
    for line in folded_lines:
        starts.append(offset)
        offset += len(line) + 1
    for i, line in enumerate(folded_lines):
        if starts[i] >= half and SIGNATURE_LINE.match(line):
            raw_start = sum(len(x) + 1 for x in lines[:i])
            return raw_start + len(lines[i]) - len(lines[i].lstrip())
    return None


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def redact_text(text: str, extraction: Extraction) -> str:
    """The letter's text with the writer's identity replaced by "[đã ẩn]"."""
    text = nfc(text or "")
    out, last = [], 0
    for start, end in _merge(_spans(text, extraction)):
        out.append(text[last:start])
        out.append(MASK)
        last = end
    out.append(text[last:])
    return "".join(out)


def _ocr_lines(data: dict[str, list]) -> tuple[str, list[tuple[int, int, int]]]:
    """The page's text rebuilt line by line from tesseract's word boxes (block, paragraph and line
    numbers), with each word's (start, end, box index) in it: redaction spans map back to boxes."""
    parts: list[str] = []
    words: list[tuple[int, int, int]] = []
    pos, previous = 0, None
    for i, raw in enumerate(data["text"]):
        word = nfc(raw.strip())
        if not word:
            continue
        line = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if previous is not None:
            parts.append("\n" if line != previous else " ")
            pos += 1
        parts.append(word)
        words.append((pos, pos + len(word), i))
        pos += len(word)
        previous = line
    return "".join(parts), words


def redact_page_images(path: Path, extraction: Extraction, settings: Settings) -> list[Image.Image]:
    """The original file's pages (rasterised PDF pages or image frames), each through
    :func:`redact_page_image`."""
    return [redact_page_image(page, extraction, settings) for page in _page_images(path, settings)]


def redact_page_image(page: Image.Image, extraction: Extraction, settings: Settings) -> Image.Image:
    """One page image with the writer's identity blacked out.

    The page is read by tesseract; its text is rebuilt line by line from the word boxes and redacted
    with the same spans as :func:`redact_text` (names, addresses as extracted and on labelled address
    lines, ID and phone numbers, e-mail). Exactly the words inside a span are covered — not every
    occurrence of a similar word — and from the signature block's first line down the whole width is
    covered, since a signature is not a word.
    """
    import pytesseract
    from PIL import ImageDraw

    page = page.convert("RGB")
    data = pytesseract.image_to_data(page, lang=settings.ocr_lang, output_type=pytesseract.Output.DICT,
                                     timeout=settings.tesseract_timeout_s)
    text, words = _ocr_lines(data)
    spans = _merge(_spans(text, extraction))
    signature = _signature_start(text, fold(text))
    draw = ImageDraw.Draw(page)
    signature_top: int | None = None
    for start, end, i in words:
        box = (data["left"][i], data["top"][i], data["left"][i] + data["width"][i],
               data["top"][i] + data["height"][i])
        if any(start < e and s < end for s, e in spans):
            draw.rectangle(box, fill="black")
        if signature is not None and signature_top is None and end > signature:
            signature_top = data["top"][i]
    if signature_top is not None:
        draw.rectangle((0, signature_top, page.width, page.height), fill="black")
    return page


def _page_images(path: Path, settings: Settings) -> list[Image.Image]:
    from PIL import Image, ImageSequence

    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            return [pdf[i].render(scale=settings.ocr_dpi / 72).to_pil() for i in range(len(pdf))]
        finally:
            pdf.close()
    with Image.open(path) as img:
        return [frame.copy() for frame in ImageSequence.Iterator(img)]
