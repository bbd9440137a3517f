"""Page clean-up before OCR: small steps, each a pure function of a grayscale page image.

Which steps run is decided per page from cheap measurements (resolution, background spread, pixel
noise, toner specks, dark bands along the edges, skew);
:func:`prepare` applies them in order and says which ones fired, so that tests and the benchmark
can see every decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageFilter, ImageOps

A4_LONG_SIDE_IN = 11.69
TARGET_DPI = 300
MIN_DPI, MAX_DPI = 200, 400  # outside this band the page is resampled to TARGET_DPI
UNEVEN_BACKGROUND = 40  # grey levels between the darkest and brightest paper: flatten first
NOISY = 5.0  # mean grey-level change a 3x3 median makes on a sample of the page: speckle noise above it
# Isolated dark specks in a central 1024x1024 crop: 0-10 on a clean render, 35-190 on a 200-dpi JPEG,
# 1250-1650 on fixtures.render's photocopy (toner dust): tesseract reads the specks as punctuation
# (CER 13 % there) with a confidence too high to fire the retry; a 3x3 median first: 1.0 %.
SPECKS = 400
SPECK_SIDE = 1024
# A band along an edge where (nearly) every pixel is dark: a copier lid, a scanner's cover, the table
# under a phone photo. tesseract reads it as a line of "0000////" (43 % CER on a short last page).
DARK_EDGE_ROW = 0.9  # share of dark pixels that makes a row (column) part of such a band
DARK_EDGE_MAX = 0.1  # bands are looked for in this share of the page from each edge
MIN_SKEW_DEG = 0.4  # smaller skews do not hurt tesseract; rotating costs a resample
MAX_SKEW_DEG = 6.0
ORIENTATION_TAG = 0x0112  # EXIF orientation (phone photos)


@dataclass
class Prepared:
    image: Image.Image
    steps: list[str] = field(default_factory=list)


def page_dpi(img: Image.Image) -> float:
    """The page's resolution: from the file when it says so, else estimated from an A4 page."""
    dpi = img.info.get("dpi")
    if dpi and dpi[0] and 50 <= float(dpi[0]) <= 1200:
        return float(dpi[0])
    return max(img.size) / A4_LONG_SIDE_IN


def normalize_dpi(gray: Image.Image, dpi: float) -> Image.Image:
    scale = TARGET_DPI / dpi
    size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
    return gray.resize(size, Image.Resampling.LANCZOS)


def background_spread(gray: Image.Image) -> int:
    """How uneven the paper's brightness is (95th - 5th percentile of the background estimate)."""
    background = gray.reduce(8).filter(ImageFilter.MaxFilter(5))
    p5, p95 = np.percentile(np.asarray(background), [5, 95])
    return int(p95 - p5)


def flatten_background(gray: Image.Image) -> Image.Image:
    """Divide the page by its estimated background (uneven lighting, phone photos, shadows).

    The background is the local maximum (paper is the brightest thing on a page), estimated at 1/8
    scale so that it stays cheap on 300-dpi pages.
    """
    small = gray.reduce(8)
    background = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(4)).resize(gray.size)
    page = np.asarray(gray, dtype=np.float32)
    bg = np.maximum(np.asarray(background, dtype=np.float32), 1.0)
    return Image.fromarray(np.clip(page / bg * 255.0, 0, 255).astype(np.uint8), mode="L")


def median3(img: Image.Image) -> Image.Image:
    """3x3 median filter, exactly PIL's ``MedianFilter(3)`` (edges replicated) in a fixed ~0.1 s per
    300-dpi page: each column's triple is sorted once, then the median of nine is the median of
    (max of the lows, median of the middles, min of the highs). PIL's rank filter takes 0.25 s on a
    clean page and 0.7 s on a noisy one."""
    a = np.pad(np.asarray(img.convert("L")), 1, mode="edge")
    top, mid, bot = a[:-2], a[1:-1], a[2:]
    lo, hi = np.minimum(top, mid), np.maximum(top, mid)
    md, hi = np.minimum(hi, bot), np.maximum(hi, bot)
    lo, md = np.minimum(lo, md), np.maximum(lo, md)
    lows = np.maximum(np.maximum(lo[:, :-2], lo[:, 1:-1]), lo[:, 2:])
    highs = np.minimum(np.minimum(hi[:, :-2], hi[:, 1:-1]), hi[:, 2:])
    mids = _median_of_three(md[:, :-2], md[:, 1:-1], md[:, 2:])
    return Image.fromarray(_median_of_three(lows, mids, highs), mode="L")


def _median_of_three(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.maximum(np.minimum(a, b), np.minimum(np.maximum(a, b), c))


def otsu_threshold(arr: np.ndarray) -> int:
    hist = np.bincount(arr.ravel(), minlength=256).astype(np.float64)
    total = arr.size
    cum = np.cumsum(hist)
    cum_mean = np.cumsum(hist * np.arange(256))
    w0 = cum / total
    w1 = 1.0 - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (cum_mean[-1] / total * w0 - cum_mean / total) ** 2 / (w0 * w1)
    return int(np.nanargmax(between))


def otsu_binarize(img: Image.Image) -> Image.Image:
    """3x3 median filter, then a global Otsu threshold."""
    gray = median3(img)
    arr = np.asarray(gray)
    if arr.min() == arr.max():
        return gray  # a uniform page has nothing to separate
    return Image.fromarray(np.where(arr > otsu_threshold(arr), 255, 0).astype(np.uint8), mode="L")


def noise_level(gray: Image.Image) -> float:
    """How much a 3x3 median filter changes a central sample of the page (clean scans: about 1;
    JPEG artefacts: about 4; speckled or sensor-noisy scans: 6 and more)."""
    w, h = gray.size
    side = min(600, w // 2, h // 2)
    sample = gray.crop((w // 4, h // 4, w // 4 + side, h // 4 + side))
    a = np.asarray(sample, dtype=np.int16)
    m = np.asarray(median3(sample), dtype=np.int16)
    return float(np.mean(np.abs(a - m)))


def speck_count(gray: Image.Image, side: int = SPECK_SIDE) -> int:
    """Isolated dark specks in a central crop: dark pixels (< 128) with at most 4 dark pixels in
    their 5x5 window (toner dust; a letter's stroke has more). 5x5 sums of uint8 slices: ~5 ms."""
    w, h = gray.size
    side = min(side, w, h)
    left, top = (w - side) // 2, (h - side) // 2
    dark = (np.asarray(gray.crop((left, top, left + side, top + side))) < 128).astype(np.uint8)
    rows = dark[:, :-4] + dark[:, 1:-3] + dark[:, 2:-2] + dark[:, 3:-1] + dark[:, 4:]
    box = rows[:-4] + rows[1:-3] + rows[2:-2] + rows[3:-1] + rows[4:]
    return int(((dark[2:-2, 2:-2] == 1) & (box <= 4)).sum())


def dark_edges(gray: Image.Image) -> tuple[int, int, int, int]:
    """Pixels of solid dark band at the (top, bottom, left, right) edge; measured at 1/4 scale (~3 ms)."""
    small = np.asarray(gray.reduce(4) if min(gray.size) > 800 else gray) < 128
    factor = gray.height / small.shape[0]

    def band(shares: np.ndarray) -> int:
        limit = int(len(shares) * DARK_EDGE_MAX)
        light = np.flatnonzero(shares[:limit] < DARK_EDGE_ROW)
        return round((light[0] if light.size else limit) * factor)

    rows, cols = small.mean(axis=1), small.mean(axis=0)
    return band(rows), band(rows[::-1]), band(cols), band(cols[::-1])


def whiten_edges(gray: Image.Image, edges: tuple[int, int, int, int], margin: int = 4) -> Image.Image:
    """The page with the dark bands (and ``margin`` pixels more: their blurred rim) turned to paper."""
    arr = np.array(gray)
    h, w = arr.shape
    top, bottom, left, right = (e + margin if e else 0 for e in edges)
    arr[:top] = 255
    arr[h - bottom :] = 255
    arr[:, :left] = 255
    arr[:, w - right :] = 255
    return Image.fromarray(arr, mode="L")


def _profile_score(ink: Image.Image, angle: float) -> float:
    """Text lines are sharpest (row sums most uneven) when the page is level."""
    rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0), dtype=np.float32).sum(axis=1)
    return float(np.var(np.diff(rows)))


def estimate_skew(gray: Image.Image) -> float:
    """Degrees to rotate counter-clockwise to level the text lines (projection profile, coarse then fine)."""
    small = gray.reduce(4) if min(gray.size) > 800 else gray
    arr = np.asarray(small)
    if arr.min() == arr.max():
        return 0.0
    ink = Image.fromarray(np.where(arr < otsu_threshold(arr), 255, 0).astype(np.uint8), mode="L")
    # the 1-degree steps at half that scale again (as close, 37 % less time), the 0.2-degree ones at 1/4
    tiny = ink.reduce(2) if min(ink.size) > 400 else ink
    coarse = max(np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 0.01, 1.0), key=lambda a: _profile_score(tiny, a))
    fine = max(np.arange(coarse - 1.0, coarse + 1.01, 0.2), key=lambda a: _profile_score(ink, a))
    return round(float(fine), 2)


def deskew(gray: Image.Image, angle: float) -> Image.Image:
    return gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def prepare(img: Image.Image) -> Prepared:
    """Grayscale, resolution, lighting, noise, specks, dark edges and skew: each step only when its
    measurement asks for it, and named in ``steps`` (with its measurement) when it fires."""
    dpi = page_dpi(img)
    orientation = img.getexif().get(ORIENTATION_TAG, 1)
    if orientation != 1:
        img = ImageOps.exif_transpose(img)
    out = Prepared(img if img.mode == "L" else img.convert("L"))  # steps return new images: no copy
    if orientation != 1:
        out.steps.append(f"exif orientation {orientation}")
    if not MIN_DPI <= dpi <= MAX_DPI:
        out.image = normalize_dpi(out.image, dpi)
        out.steps.append(f"dpi {dpi:.0f}->{TARGET_DPI}")
    if background_spread(out.image) > UNEVEN_BACKGROUND:
        out.image = flatten_background(out.image)
        out.steps.append("flatten")
    if noise_level(out.image) > NOISY:
        # Noisy high-resolution scans can come back empty from tesseract after minutes: clean first.
        out.image = otsu_binarize(out.image)
        out.steps.append("denoise")
    else:
        specks = speck_count(out.image)
        if specks > SPECKS:
            # toner dust of a photocopier: the median alone (measured in benchmarks.ocr_experiments)
            out.image = median3(out.image)
            out.steps.append(f"despeckle {specks}")
    edges = dark_edges(out.image)
    if any(edges):
        out.image = whiten_edges(out.image, edges)
        out.steps.append("dark edges {}/{}/{}/{}".format(*edges))
    angle = estimate_skew(out.image)
    if MIN_SKEW_DEG <= abs(angle) <= MAX_SKEW_DEG:
        out.image = deskew(out.image, angle)
        out.steps.append(f"deskew {angle:+.1f}")
    return out
