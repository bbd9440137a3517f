"""Experiments for extractors/ocr.py, measured like the benchmark; nothing here is used by the pipeline.

``python -m benchmarks.ocr_experiments profile [--pages N]``
    where a clean page's time goes in ``read_letter``, stage by stage, one page at a time, against
    bare tesseract (text output, and TSV output) on the same file.

``python -m benchmarks.ocr_experiments denoise [--letters N] [--conditions ...]``
    the CER and speed of read_letter when a noisy page (pixel noise above ``NOISE_LIMIT`` or toner
    specks above ``SPECKS_LIMIT``) is median-filtered *before* the first pass, instead of only in the
    retry: tesseract spends minutes on the noise of a mostly blank noisy page (and can hit the 180 s
    timeout), and reads a photocopy's toner specks as punctuation (insertions) with a confidence too
    high to fire the retry.

``python -m benchmarks.ocr_experiments config [--letters N] [--conditions ...] [--extra "-c k=v"]``
    the CER and speed of read_letter with extra tesseract options (default
    ``-c textord_min_linesize=2.0``) against as it is, on the same scans: on lines thick with
    stacked marks tesseract makes a separate "line" of the marks (read as "Z + ~xZ « « ^ ^") and
    the text line below loses them.

``python -m benchmarks.ocr_experiments osd [--letters N] [--conditions rot180]``
    the CER on upside-down scans when the orientation check runs with
    ``-c min_characters_to_try=5``: with tesseract's default (50) OSD gives up ("Too few
    characters") on a short last page (a signature block), which then stays upside down.

``python -m benchmarks.ocr_experiments handoff [--pages N] [--workers W] [--repeat R]``
    the pipeline's throughput with each image format pytesseract can hand tesseract (PNG, which it
    writes by default at ~0.3-0.7 s per 300-dpi page; PGM, which extractors.ocr used from d7f89e5;
    BMP; uncompressed TIFF, which it uses now), against bare tesseract. Wall-clock: needs an idle machine.

``python -m benchmarks.ocr_experiments formats [--repeat R]``
    CPU time (not wall-clock: robust on a shared machine) of writing a 300-dpi page in each format
    (Pillow) and of tesseract reading it (a page with one line of text, so that reading the image is
    most of tesseract's work). Measured 2026-11-27, load ~3, 25 runs, median: tesseract on PNG 270 ms,
    TIFF 270 ms, PGM 344 ms; writing PNG (level 1) 34 ms, TIFF 11 ms, PGM 8 ms: hence TIFF.

The speck count (``denoise`` below) and the median filter are in :mod:`extractors.preprocess` now:
the step ``despeckle`` (a 3x3 median when the count is above 400) before the first pass brought the
photocopies from 12.97 % to 1.04 % CER (60 letters); the rest was the copier lid's dark band read as
a line of "0000////" (43 % on a short last page), whitened by the step ``dark edges``: 0.21 %.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytesseract
from PIL import Image, ImageFilter

import extractors.ocr as ocr
from benchmarks.ocr_bench import (
    bare_tesseract,
    generate_scans,
    load_letters,
    normalize,
    read_scans,
    summarize_cer,
    timed_map,
    write_single_pages,
)
from extractors.intake import read_letter
from petitions.settings import Settings, load_settings


def _clock(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def profile_page(path: Path, settings: Settings) -> dict[str, float]:
    """Seconds per stage of read_letter's path for one single-page image file (no retry)."""
    from extractors.preprocess import prepare

    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    t: dict[str, float] = {}
    t["bare tesseract (txt)"], _ = _clock(lambda: bare_tesseract(path))
    t["bare tesseract (tsv)"], _ = _clock(lambda: subprocess.run(
        ["tesseract", str(path), "-", "-l", "vie", "tsv"], capture_output=True, env=env, check=True))
    t["read_letter total"], _ = _clock(lambda: read_letter(path, settings))
    # the same path, stage by stage
    t["decode + convert L"], gray = _clock(lambda: Image.open(path).convert("L"))
    t["preprocess.prepare"], prepared = _clock(lambda: prepare(gray))
    page = prepared.image
    with tempfile.TemporaryDirectory() as tmp:
        pgm = Path(tmp) / "page.pgm"
        t["save PGM (handed to tesseract)"], _ = _clock(lambda: page.save(pgm, format="PPM"))
        t["tesseract tsv on that PGM"], _ = _clock(lambda: subprocess.run(
            ["tesseract", str(pgm), str(Path(tmp) / "out"), "-l", "vie", "--psm", "3", "-c", "tessedit_create_tsv=1"],
            capture_output=True, env=env, check=True))
        tsv = (Path(tmp) / "out.tsv").read_text(encoding="utf-8")
        t["parse TSV + assemble"], _ = _clock(lambda: ocr._assemble(pytesseract.pytesseract.file_to_dict(tsv, "\t", -1)))
        t["(before d7f89e5) save PNG"], _ = _clock(lambda: page.save(Path(tmp) / "page.png", format="PNG"))
    return t


def run_profile(paths: Sequence[Path], settings: Settings) -> str:
    bare_tesseract(paths[0])  # warm-up
    rows = [profile_page(p, settings) for p in paths]
    lines = [f"mean seconds per page over {len(paths)} clean 300-dpi pages (one at a time):"]
    for key in rows[0]:
        lines.append(f"  {key:<30}{statistics.fmean(r[key] for r in rows):8.3f}")
    return "\n".join(lines)


@contextlib.contextmanager
def handoff_format(fmt: str | None) -> Iterator[None]:
    """Make pytesseract write ``fmt`` ("PNG", "PPM" -> .pgm for grayscale, "BMP") whatever
    extractors.ocr chose (since d7f89e5 it hands over PGM)."""
    if fmt is None:
        yield
        return
    original = pytesseract.image_to_data

    def image_to_data(image: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(image, Image.Image):
            image.format = fmt
        return original(image, *args, **kwargs)

    ocr.pytesseract.image_to_data = image_to_data  # type: ignore[assignment]
    try:
        yield
    finally:
        ocr.pytesseract.image_to_data = original  # type: ignore[assignment]


def run_handoff(paths: Sequence[Path], settings: Settings, workers: int, repeat: int) -> str:
    def pipeline(path: Path) -> str:
        return read_letter(path, settings).text

    variants: dict[str, list[float]] = {"bare": [], "as now": [], "PNG": [], "PPM/PGM": [], "BMP": [], "TIFF": []}
    texts: dict[str, list[str]] = {}
    bare_tesseract(paths[0])
    pipeline(paths[0])
    for _ in range(repeat):
        t, out = timed_map(bare_tesseract, paths, workers)
        variants["bare"].append(t)
        for name, fmt in (("as now", None), ("PNG", "PNG"), ("PPM/PGM", "PPM"), ("BMP", "BMP"), ("TIFF", "TIFF")):
            with handoff_format(fmt):
                t, out = timed_map(pipeline, paths, workers)
            variants[name].append(t)
            texts[name] = out
    best = {k: min(v) for k, v in variants.items()}
    same = all(normalize(a) == normalize(b) for a, b in zip(texts["PNG"], texts["PPM/PGM"], strict=True))
    lines = [f"{len(paths)} clean pages, {workers} workers, best of {repeat}; load {os.getloadavg()[0]:.2f}"]
    for name, seconds in best.items():
        lines.append(f"  {name:<14}{len(paths) / seconds:8.3f} pages/s   ratio to bare {best['bare'] / seconds:6.3f}")
    lines.append(f"  same text with PGM as with PNG: {same}")
    return "\n".join(lines)


def run_formats(repeat: int) -> str:
    """CPU seconds to write a page in each format and for tesseract to read it (median of ``repeat``)."""
    from tests.pages import draw_page

    page = draw_page(["Kính gửi: Chủ tịch UBND xã Gia Trấn"], size=(2480, 3508), font_px=44)
    formats = {"PNG": ("png", {"compress_level": 1}), "TIFF": ("tif", {}), "PPM/PGM": ("pgm", {})}
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    lines = [f"a 300-dpi page, CPU time, median of {repeat}; load {os.getloadavg()[0]:.2f}"]
    reads: dict[str, list[float]] = {name: [] for name in formats}
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, (ext, options) in formats.items():
            files[name] = Path(tmp) / f"page.{ext}"
            started = time.process_time()
            for _ in range(repeat):
                page.save(files[name], format=name.split("/")[0], **options)
            lines.append(f"  write {name:<8}{(time.process_time() - started) / repeat * 1000:7.1f} ms")
        for _ in range(repeat):
            for name, path in files.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run(["tesseract", str(path), "-", "-l", "vie", "tsv"], capture_output=True, env=env,
                               check=True)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                reads[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    for name, values in reads.items():
        lines.append(f"  tesseract on {name:<8}{statistics.median(values) * 1000:7.0f} ms (min {min(values) * 1000:.0f})")
    return "\n".join(lines)


NOISE_LIMIT = 3.0  # estimated sigma of the pixel noise on the paper, grey levels


def noise_level(gray: Image.Image) -> float:
    """Sigma of the pixel noise on the paper, from the differences of horizontal neighbours (robust:
    median absolute difference / (0.6745 * sqrt 2)) over a central 1024x1024 crop. 0 on a clean
    render, 6-7 on fixtures.render's blur_noise (blurred first); a few milliseconds per page."""
    w, h = gray.size
    side = min(1024, w, h)
    left, top = (w - side) // 2, (h - side) // 2
    arr = np.asarray(gray.crop((left, top, left + side, top + side)), dtype=np.int16)
    diff = arr[:, 1:] - arr[:, :-1]
    paper = (arr[:, 1:] > 150) & (arr[:, :-1] > 150)
    return float(np.median(np.abs(diff[paper])) / (0.6745 * 2**0.5)) if paper.any() else 0.0


SPECKS_LIMIT = 400  # isolated dark specks in the central 1024x1024 crop: toner dust of a photocopier


def specks(gray: Image.Image, side: int = 1024) -> int:
    """Isolated dark specks (a dark pixel with at most 4 dark pixels in its 5x5 window) in a central
    crop: 0 on a clean render, ~100-150 on a 200-dpi JPEG, 1200-1600 on fixtures.render's photocopy.
    A box sum over cumulative sums: a few tens of milliseconds per page."""
    w, h = gray.size
    side = min(side, w, h)
    left, top = (w - side) // 2, (h - side) // 2
    dark = (np.asarray(gray.crop((left, top, left + side, top + side))) < 128).astype(np.int32)
    cum = np.pad(dark, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    k = 5
    box = cum[k:, k:] - cum[:-k, k:] - cum[k:, :-k] + cum[:-k, :-k]
    centre = dark[k // 2 : k // 2 + box.shape[0], k // 2 : k // 2 + box.shape[1]]
    return int(((centre == 1) & (box <= 4)).sum())


def is_noisy(gray: Image.Image) -> bool:
    return noise_level(gray) > NOISE_LIMIT or specks(gray) > SPECKS_LIMIT


@contextlib.contextmanager
def denoise_first() -> Iterator[list[bool]]:
    """Median-filter (3x3) a noisy page before every tesseract pass."""
    original = ocr._run_tesseract
    decisions: list[bool] = []

    def run(img: Image.Image, settings: Settings, psm: int = 3) -> ocr.OcrPass:
        noisy = is_noisy(img)
        decisions.append(noisy)
        if noisy:
            img = img.filter(ImageFilter.MedianFilter(3))
        return original(img, settings, psm)

    ocr._run_tesseract = run  # type: ignore[assignment]
    try:
        yield decisions
    finally:
        ocr._run_tesseract = original  # type: ignore[assignment]


def run_denoise(letters: int, conditions: Sequence[str], settings: Settings, workers: int, folder: Path) -> str:
    chosen = load_letters(limit=letters)
    scans = generate_scans(chosen, conditions, folder, workers)
    lines = [f"denoise-first on {letters} letters (noise > {NOISE_LIMIT} or specks > {SPECKS_LIMIT}); "
             f"load {os.getloadavg()[0]:.2f}"]
    for condition in conditions:
        started = time.perf_counter()
        with denoise_first() as decisions:
            scores = read_scans([s for s in scans if s.condition == condition], settings, workers)
        seconds = time.perf_counter() - started
        row = summarize_cer(scores, [condition])[condition]
        lines.append(
            f"  {condition:<13}{row['pages']:>4} pages  CER mean {row['cer_mean']:.2%} worst {row['cer_worst']:.2%}"
            f"  empty {row['empty_pages']}  retried {row['retried_pages']}  {seconds / row['pages']:.1f} s/page"
            f"  (slowest letter {row['slowest_letter_s']:.0f} s)  {sum(decisions)}/{len(decisions)} passes filtered"
        )
    return "\n".join(lines)


@contextlib.contextmanager
def _appended_config(function: str, extra: str) -> Iterator[None]:
    """Append ``extra`` to the config of every call extractors.ocr makes to ``pytesseract.<function>``."""
    original = getattr(pytesseract, function)

    def patched(image: Any, *args: Any, config: str = "", **kwargs: Any) -> Any:
        return original(image, *args, config=f"{config} {extra}".strip(), **kwargs)

    setattr(ocr.pytesseract, function, patched)
    try:
        yield
    finally:
        setattr(ocr.pytesseract, function, original)


def extra_config(extra: str) -> contextlib.AbstractContextManager[None]:
    """Append ``extra`` to the config of every tesseract call that extractors.ocr makes for text."""
    return _appended_config("image_to_data", extra)


def osd_config(extra: str) -> contextlib.AbstractContextManager[None]:
    """Append ``extra`` to the config of extractors.ocr's orientation check."""
    return _appended_config("image_to_osd", extra)


def run_osd(letters: int, conditions: Sequence[str], settings: Settings, workers: int, folder: Path) -> str:
    extra = "-c min_characters_to_try=5"
    scans = generate_scans(load_letters(limit=letters), conditions, folder, workers)
    lines = [f"orientation check with {extra!r}, {letters} letters; load {os.getloadavg()[0]:.2f}"]
    for condition in conditions:
        started = time.perf_counter()
        with osd_config(extra):
            scores = read_scans([s for s in scans if s.condition == condition], settings, workers)
        row = summarize_cer(scores, [condition])[condition]
        lines.append(
            f"  {condition:<13}{row['pages']:>4} pages  CER mean {row['cer_mean']:.2%}  worst {row['cer_worst']:.2%}"
            f" ({row['worst_page']})  over target {row['pages_over_target']}  rotations {row['rotations_found']}"
            f"  {(time.perf_counter() - started) / row['pages']:.1f} s/page"
        )
    return "\n".join(lines)


def run_config(letters: int, conditions: Sequence[str], extra: str, settings: Settings, workers: int,
               folder: Path) -> str:
    scans = generate_scans(load_letters(limit=letters), conditions, folder, workers)
    lines = [f"tesseract {extra!r} against as it is, {letters} letters; load {os.getloadavg()[0]:.2f}"]
    for condition in conditions:
        todo = [s for s in scans if s.condition == condition]
        for name, patch in (("as it is", contextlib.nullcontext()), (extra, extra_config(extra))):
            started = time.perf_counter()
            with patch:
                scores = read_scans(todo, settings, workers)
            seconds = time.perf_counter() - started
            row = summarize_cer(scores, [condition])[condition]
            lines.append(
                f"  {condition:<13}{name:<30}{row['pages']:>4} pages  CER mean {row['cer_mean']:.3%}"
                f"  worst {row['cer_worst']:.2%} ({row['worst_page']})  over target {row['pages_over_target']}"
                f"  empty {row['empty_pages']}  {seconds / row['pages']:.1f} s/page"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.ocr_experiments")
    p.add_argument("experiment", choices=["profile", "handoff", "denoise", "config", "osd", "formats"])
    p.add_argument("--extra", default="-c textord_min_linesize=2.0")
    p.add_argument("--letters", type=int, default=20)
    p.add_argument("--conditions", default="blur_noise,clean,jpeg200,photocopy")
    p.add_argument("--pages", type=int, default=6)
    p.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args(argv)
    settings = load_settings(workers=args.workers)
    if args.experiment == "formats":
        print(run_formats(max(args.repeat, 5)))
        return 0
    with tempfile.TemporaryDirectory(prefix="ocr-exp-") as tmp:
        paths = [] if args.experiment in ("denoise", "config", "osd") else write_single_pages(
            load_letters(), args.pages, Path(tmp), first_only=True)
        if args.experiment == "osd":
            conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
            print(run_osd(args.letters, conditions, settings, args.workers, Path(tmp)))
        elif args.experiment == "config":
            conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
            print(run_config(args.letters, conditions, args.extra, settings, args.workers, Path(tmp)))
        elif args.experiment == "denoise":
            conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
            print(run_denoise(args.letters, conditions, settings, args.workers, Path(tmp)))
        elif args.experiment == "profile":
            print(run_profile(paths, settings))
        else:
            print(run_handoff(paths, settings, args.workers, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
