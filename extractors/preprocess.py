"""Page clean-up before OCR: small steps, each a pure function of a grayscale page image.

Which steps run is decided per page from cheap measurements (resolution, background spread, skew);
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
MIN_SKEW_DEG = 0.4  # smaller skews do not hurt tesseract; rotating costs a resample
MAX_SKEW_DEG = 6.0


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
    gray = img.convert("L").filter(ImageFilter.MedianFilter(3))
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
    m = np.asarray(sample.filter(ImageFilter.MedianFilter(3)), dtype=np.int16)
    return float(np.mean(np.abs(a - m)))


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
    coarse = max(np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 0.01, 1.0), key=lambda a: _profile_score(ink, a))
    fine = max(np.arange(coarse - 1.0, coarse + 1.01, 0.2), key=lambda a: _profile_score(ink, a))
    return round(float(fine), 2)


def deskew(gray: Image.Image, angle: float) -> Image.Image:
    return gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def prepare(img: Image.Image) -> Prepared:
    """Grayscale, resolution, lighting and skew: each step only when its measurement asks for it."""
    dpi = page_dpi(img)
    out = Prepared(ImageOps.exif_transpose(img).convert("L"))
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
    angle = estimate_skew(out.image)
    if MIN_SKEW_DEG <= abs(angle) <= MAX_SKEW_DEG:
        out.image = deskew(out.image, angle)
        out.steps.append(f"deskew {angle:+.1f}")
    return out
