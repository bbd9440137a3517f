"""Benchmark of the reading stage (issue 3): speed against bare tesseract, scaling, accuracy under
scanning conditions, and memory over a backlog. Run ``python -m benchmarks.ocr_bench --help``.

Four parts, on pages generated here with :mod:`fixtures.render` (our own scan generator):

1. throughput: ``extractors.intake.read_letter`` on single-page PNG files against bare
   ``tesseract IMG - -l vie`` (``OMP_THREAD_LIMIT=1``) on the same files, both with the same number
   of worker threads (one subprocess each); target pipeline/bare >= 0.9;
2. scaling: the pipeline's throughput with N workers over 1 worker; target >= 1.7 on 2 cores;
3. character error rate per page (NFC, whitespace collapsed) on scans of the texts of
   ``../shared/letters/dev.jsonl`` under every condition of ``fixtures.render.CONDITIONS``;
   targets <= 1 % clean, <= 3 % degraded, no empty page. The texts are OCR references only;
4. peak memory while a backlog of single-page letters goes through ``petitions process``'s loop
   (``petitions.cli.cmd_process``: read, analyse, store), each size in a fresh process.

The results are printed as a table and written as JSON (``benchmarks/results/ocr_bench.json``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import logging
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from extractors.intake import read_letter
from fixtures import render
from fixtures.render import CONDITIONS, degrade, render_pages, write_tiff
from petitions.errors import LetterError
from petitions.settings import PROJECT_ROOT, Settings, load_settings

LETTERS_PATH = PROJECT_ROOT.parent / "shared" / "letters" / "dev.jsonl"
RESULTS_PATH = Path(__file__).resolve().parent / "results" / "ocr_bench.json"
PARTS = ("throughput", "cer", "memory")
DEGRADED_CER_TARGET = 0.03
CLEAN_CER_TARGET = 0.01
RATIO_TARGET = 0.9
SCALING_TARGET = 1.7
MEMORY_GROWTH_LIMIT = 0.10  # peak RSS of the largest backlog over the smallest, minus one
RECEIVED = dt.date(2026, 11, 26)
_OCR_LOGGER = "extractors.ocr"

try:
    from rapidfuzz.distance import Levenshtein as _Levenshtein
except ImportError:  # pragma: no cover - the pure-Python fallback is slow but exact
    _Levenshtein = None


# ---- text and scoring -----------------------------------------------------------------------------


def normalize(text: str) -> str:
    """NFC, every run of whitespace collapsed to one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def strip_marks(text: str) -> str:
    """The text without Vietnamese diacritics (tone and vowel marks, đ -> d): errors that vanish
    here were errors of marks only."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _python_edit_counts(ref: str, hyp: str) -> tuple[int, int, int]:
    """(substitutions, deletions, insertions) of one optimal alignment, by dynamic programming."""
    rows, cols = len(ref) + 1, len(hyp) + 1
    cost = [list(range(cols))] + [[i] + [0] * (cols - 1) for i in range(1, rows)]
    for i in range(1, rows):
        prev, cur = cost[i - 1], cost[i]
        for j in range(1, cols):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref[i - 1] != hyp[j - 1]))
    subs = dels = ins = 0
    i, j = len(ref), len(hyp)
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            subs += ref[i - 1] != hyp[j - 1]
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            dels, i = dels + 1, i - 1
        else:
            ins, j = ins + 1, j - 1
    return subs, dels, ins


def edit_counts(ref: str, hyp: str) -> tuple[int, int, int]:
    """(substitutions, deletions, insertions) turning the reference into the hypothesis."""
    if _Levenshtein is None:
        return _python_edit_counts(ref, hyp)
    subs = dels = ins = 0
    for op in _Levenshtein.editops(ref, hyp):
        if op.tag == "replace":
            subs += 1
        elif op.tag == "delete":
            dels += 1
        else:
            ins += 1
    return subs, dels, ins


def cer(ref: str, hyp: str) -> float:
    """Character error rate: edit distance / reference length, after :func:`normalize`."""
    ref, hyp = normalize(ref), normalize(hyp)
    if not ref:
        return 0.0 if not hyp else 1.0
    if _Levenshtein is not None:
        return _Levenshtein.distance(ref, hyp) / len(ref)
    return sum(_python_edit_counts(ref, hyp)) / len(ref)


# ---- generated pages ------------------------------------------------------------------------------


def load_letters(path: Path = LETTERS_PATH, limit: int | None = None) -> list[dict[str, Any]]:
    letters = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return letters[:limit] if limit else letters


def page_references(text: str, dpi: int = 300, font: str = "serif") -> list[str]:
    """The text drawn on each page by ``render_pages(text, dpi, font)``: the same layout and paging.

    fixtures.render does not return its layout, so this repeats its computation (the test checks
    that the page counts agree)."""
    face = render._font(font, dpi)
    width, height = render.a4_size(dpi)
    left, top, right, bottom = (render._mm(v, dpi) for v in render.MARGIN_MM)
    line_px = round(face.size * render.LINE_SPACING)
    rows = render.layout(text, face, width - left - right)
    per_page = max(1, (height - top - bottom) // line_px)
    return ["\n".join(line for line, _ in page) for page in render._paginate(rows, per_page)]


@dataclass
class ScanLetter:
    """One letter written as a (multi-page) TIFF under one condition."""

    letter: str
    condition: str
    path: Path
    references: list[str]


def write_letter_scans(
    letter_id: str, text: str, seed: int, conditions: Sequence[str], folder: Path
) -> list[ScanLetter]:
    """Render the letter once at 300 dpi and write one TIFF per condition."""
    pages = render_pages(text, dpi=300, seed=seed)
    references = page_references(text)
    if len(references) != len(pages):
        raise RuntimeError(f"{letter_id}: {len(pages)} pages rendered but {len(references)} laid out")
    out = []
    for condition in conditions:
        path = folder / condition / f"{letter_id}.tiff"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_tiff([degrade(page, condition, seed * 100 + i) for i, page in enumerate(pages)], path)
        out.append(ScanLetter(letter_id, condition, path, references))
    return out


def _write_letter_scans_job(job: tuple[str, str, int, tuple[str, ...], Path]) -> list[ScanLetter]:
    return write_letter_scans(*job)


def generate_scans(
    letters: Sequence[dict[str, Any]], conditions: Sequence[str], folder: Path, workers: int
) -> list[ScanLetter]:
    jobs = [(x["id"], x["text"], i, tuple(conditions), folder) for i, x in enumerate(letters)]
    if workers <= 1:
        return [s for job in jobs for s in _write_letter_scans_job(job)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [s for batch in pool.map(_write_letter_scans_job, jobs) for s in batch]


def write_single_pages(
    letters: Sequence[dict[str, Any]], count: int, folder: Path, *, first_only: bool = False, dpi: int = 300
) -> list[Path]:
    """``count`` distinct clean single-page PNGs, cycling over the letters' pages (or only their first
    pages, which are full); the seed changes with each cycle, so no two files are the same bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    cycle = 0
    while len(paths) < count:
        for x in letters:
            pages = render_pages(x["text"], dpi=dpi, seed=cycle)
            for number, page in enumerate(pages[:1] if first_only else pages, start=1):
                if len(paths) == count:
                    return paths
                path = folder / f"{x['id']}-c{cycle}-p{number}.png"
                page.save(path, "PNG", compress_level=1, dpi=(dpi, dpi))
                paths.append(path)
        cycle += 1
    return paths


# ---- watching the retry rule ----------------------------------------------------------------------


class RetryWatch(logging.Handler):
    """Counts the retry rule firing in extractors.ocr (its debug line "page %d retried (rotation %d)")
    and attributes it to the letter the current thread is reading."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.current = threading.local()
        self.events: list[tuple[str | None, int, int]] = []  # (letter key, page number, rotation)
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, str) and record.msg.startswith("page %d retried") and record.args:
            args = record.args if isinstance(record.args, tuple) else ()
            number, rotation = (int(args[0]), int(args[1])) if len(args) >= 2 else (0, 0)
            with self._guard:
                self.events.append((getattr(self.current, "key", None), number, rotation))

    def for_key(self, key: str) -> dict[int, int]:
        """page number -> detected rotation, for the pages of this letter that were retried."""
        return {number: rotation for k, number, rotation in self.events if k == key}


@contextlib.contextmanager
def watch_retries() -> Iterator[RetryWatch]:
    logger = logging.getLogger(_OCR_LOGGER)
    watch = RetryWatch()
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(watch)
    try:
        yield watch
    finally:
        logger.removeHandler(watch)
        logger.setLevel(level)
        logger.propagate = propagate


# ---- 1 + 2: throughput and scaling ----------------------------------------------------------------


def bare_tesseract(path: Path, lang: str = "vie") -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    proc = subprocess.run(["tesseract", str(path), "-", "-l", lang], capture_output=True, env=env, check=True)
    return proc.stdout.decode("utf-8", "replace")


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children (the tesseract runs)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_map(fn: Callable[[Path], Any], paths: Sequence[Path], workers: int) -> tuple[float, list[Any]]:
    """Wall-clock seconds to run ``fn`` over the paths with ``workers`` threads."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        out = list(pool.map(fn, paths))
    return time.perf_counter() - started, out


def cpu_timed_map(fn: Callable[[Path], Any], paths: Sequence[Path], workers: int) -> tuple[float, float, list[Any]]:
    """(wall seconds, CPU seconds of this process and its children, results)."""
    cpu = cpu_seconds()
    wall, out = timed_map(fn, paths, workers)
    return wall, cpu_seconds() - cpu, out


def measure_throughput(
    paths: Sequence[Path], settings: Settings, workers: int = 2, repeat: int = 1, lang: str = "vie"
) -> dict[str, Any]:
    """Pages per second of read_letter and of bare tesseract on the same files, with ``workers``
    threads and with one; the best of ``repeat`` runs of each (they alternate, so drift in the
    machine's load hits both alike)."""

    def pipeline(path: Path) -> str:
        with contextlib.suppress(LetterError):
            return read_letter(path, settings).text
        return ""

    def bare(path: Path) -> str:
        return bare_tesseract(path, lang)

    # warm-up: page cache, tessdata, pytesseract's cached version check
    bare(paths[0])
    pipeline(paths[0])
    seconds: dict[str, list[float]] = {"bare_n": [], "pipeline_n": [], "pipeline_1": [], "bare_1": []}
    cpu: dict[str, list[float]] = {key: [] for key in seconds}
    load = [os.getloadavg()[0]]
    retried = 0
    empty = {"bare": 0, "pipeline": 0}
    for _ in range(max(1, repeat)):
        t, c, out = cpu_timed_map(bare, paths, workers)
        seconds["bare_n"].append(t)
        cpu["bare_n"].append(c)
        empty["bare"] = sum(not normalize(o) for o in out)
        with watch_retries() as watch:
            t, c, out = cpu_timed_map(pipeline, paths, workers)
        seconds["pipeline_n"].append(t)
        cpu["pipeline_n"].append(c)
        retried = len(watch.events)
        empty["pipeline"] = sum(not normalize(o) for o in out)
        for key, fn in (("pipeline_1", pipeline), ("bare_1", bare)):
            t, c, _ = cpu_timed_map(fn, paths, 1)
            seconds[key].append(t)
            cpu[key].append(c)
        load.append(os.getloadavg()[0])
    best = {k: min(v) for k, v in seconds.items()}
    n = len(paths)
    pps = {k: n / v for k, v in best.items()}
    cpu_per_page = {k: min(v) / n for k, v in cpu.items()}
    return {
        "pages": n,
        "workers": workers,
        "repeat": repeat,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "cpu_s_per_page": {k: round(v, 3) for k, v in cpu_per_page.items()},
        # CPU time does not depend on what else runs on the machine: the overhead, measured robustly
        "cpu_ratio_bare_over_pipeline": round(cpu_per_page["bare_n"] / cpu_per_page["pipeline_n"], 3),
        "pages_per_s": {k: round(v, 3) for k, v in pps.items()},
        "ratio_pipeline_over_bare": round(pps["pipeline_n"] / pps["bare_n"], 3),
        "ratio_pipeline_over_bare_1worker": round(pps["pipeline_1"] / pps["bare_1"], 3),
        "scaling_pipeline": round(pps["pipeline_n"] / pps["pipeline_1"], 3),
        "scaling_bare": round(pps["bare_n"] / pps["bare_1"], 3),
        "git_commit": git_commit(),
        "pages_retried": retried,
        "empty_pages": empty,
        "loadavg_1min": [round(x, 2) for x in load],
    }


# ---- 3: character error rate ----------------------------------------------------------------------


@dataclass
class PageScore:
    letter: str
    condition: str
    page: int
    cer: float
    cer_without_marks: float
    ref_chars: int
    substitutions: int
    deletions: int
    insertions: int
    empty: bool
    retried: bool
    rotation: int | None  # what the retry's orientation check found; None when no retry
    confidence: float | None
    error: str | None = None
    letter_seconds: float = 0.0  # read_letter's wall time for the whole letter (with the load of the others)
    hypothesis: str = field(default="", repr=False)
    reference: str = field(default="", repr=False)


def score_page(letter: str, condition: str, page: int, ref: str, hyp: str, **extra: Any) -> PageScore:
    r, h = normalize(ref), normalize(hyp)
    subs, dels, ins = edit_counts(r, h)
    return PageScore(
        letter=letter, condition=condition, page=page, cer=cer(r, h), cer_without_marks=cer(strip_marks(r), strip_marks(h)),
        ref_chars=len(r), substitutions=subs, deletions=dels, insertions=ins, empty=not h,
        hypothesis=hyp, reference=ref, **extra,
    )


def read_scans(scans: Sequence[ScanLetter], settings: Settings, workers: int) -> list[PageScore]:
    """read_letter on every scan (one letter per worker, as ``petitions process`` does), scored per page."""
    with watch_retries() as watch:

        def one(scan: ScanLetter) -> list[PageScore]:
            key = f"{scan.condition}/{scan.letter}"
            watch.current.key = key
            started = time.perf_counter()
            try:
                pages = read_letter(scan.path, settings).pages
                error = None
            except LetterError as exc:
                pages, error = [], exc.code
            seconds = round(time.perf_counter() - started, 2)
            retried = watch.for_key(key)
            texts = {p.number: p for p in pages}
            out = []
            for number, ref in enumerate(scan.references, start=1):
                got = texts.get(number)
                out.append(score_page(
                    scan.letter, scan.condition, number, ref, got.text if got else "",
                    retried=number in retried, rotation=retried.get(number),
                    confidence=got.confidence if got else None, error=error, letter_seconds=seconds,
                ))
            return out

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            return [s for batch in pool.map(one, scans) for s in batch]


def summarize_cer(scores: Sequence[PageScore], conditions: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for condition in conditions:
        rows = [s for s in scores if s.condition == condition]
        if not rows:
            continue
        worst = max(rows, key=lambda s: s.cer)
        chars = sum(s.ref_chars for s in rows) or 1
        target = CLEAN_CER_TARGET if condition == "clean" else DEGRADED_CER_TARGET
        mean = statistics.fmean(s.cer for s in rows)
        out[condition] = {
            "pages": len(rows),
            "cer_mean": round(mean, 5),
            "cer_median": round(statistics.median(s.cer for s in rows), 5),
            "cer_pooled": round(sum(s.substitutions + s.deletions + s.insertions for s in rows) / chars, 5),
            "cer_worst": round(worst.cer, 5),
            "worst_page": f"{worst.letter} p{worst.page}",
            "pages_over_target": sum(s.cer > target for s in rows),
            "cer_without_marks_mean": round(statistics.fmean(s.cer_without_marks for s in rows), 5),
            "substitutions": sum(s.substitutions for s in rows),
            "deletions": sum(s.deletions for s in rows),
            "insertions": sum(s.insertions for s in rows),
            "empty_pages": sum(s.empty for s in rows),
            "retried_pages": sum(s.retried for s in rows),
            "rotations_found": dict(sorted(_count(s.rotation for s in rows if s.retried).items())),
            "quarantined_letters": _count(s.error for s in {s.letter: s for s in rows if s.error}.values()),
            "seconds_per_page": round(sum({s.letter: s.letter_seconds for s in rows}.values()) / len(rows), 2),
            "slowest_letter_s": max(s.letter_seconds for s in rows),
            "mean_confidence": round(statistics.fmean(s.confidence or 0.0 for s in rows), 4),
            "target": target,
            "ok": mean <= target and not any(s.empty for s in rows),
        }
    return out


def _count(values: Iterator[Any] | Sequence[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        counts[str(v)] = counts.get(str(v), 0) + 1
    return counts


def measure_cer(
    letters: Sequence[dict[str, Any]], conditions: Sequence[str], settings: Settings, workers: int,
    folder: Path, dump: Path | None = None, progress: bool = False,
) -> dict[str, Any]:
    started = time.perf_counter()
    scans = generate_scans(letters, conditions, folder, workers)
    generated = time.perf_counter() - started
    if dump:
        dump.parent.mkdir(parents=True, exist_ok=True)
        dump.write_text("", encoding="utf-8")
    summary: dict[str, dict[str, Any]] = {}
    commit = git_commit()
    for condition in conditions:  # one condition at a time: its time and retries stay its own
        t0 = time.perf_counter()
        scores = read_scans([s for s in scans if s.condition == condition], settings, workers)
        summary.update(summarize_cer(scores, [condition]))
        summary[condition]["seconds"] = round(time.perf_counter() - t0, 1)
        summary[condition]["loadavg_1min"] = round(os.getloadavg()[0], 2)
        summary[condition]["git_commit"] = commit
        if progress:
            row = summary[condition]
            print(f"   ... {condition}: {row['pages']} pages, CER mean {row['cer_mean']:.2%}, worst "
                  f"{row['cer_worst']:.2%}, empty {row['empty_pages']}, {row['seconds']:.0f} s", flush=True)
        if dump:
            with dump.open("a", encoding="utf-8") as fh:
                for score in scores:
                    fh.write(json.dumps(asdict(score), ensure_ascii=False) + "\n")
    return {"letters": len(letters), "generate_seconds": round(generated, 1), "conditions": summary,
            "rapidfuzz": _Levenshtein is not None}


# ---- 4: memory over a backlog ---------------------------------------------------------------------


def _kib_to_mib(kib: int) -> float:
    return round(kib / 1024, 1)


def _proc_status(key: str) -> int:
    """A kB value of /proc/self/status (VmRSS, VmHWM), or 0 where there is none."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    """Samples the process's resident set (VmRSS) every ``interval`` seconds while it runs."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.samples: list[tuple[float, int]] = []  # (seconds since start, KiB)
        self._stop_event = threading.Event()
        self._t0 = time.perf_counter()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self.samples.append((time.perf_counter() - self._t0, _proc_status("VmRSS")))

    def stop(self) -> list[tuple[float, int]]:
        self._stop_event.set()
        self.join()
        return self.samples


def _quartiles(samples: Sequence[tuple[float, int]]) -> list[float]:
    """The highest RSS (MiB) in each quarter of the run: flat when the backlog does not accumulate."""
    if not samples:
        return []
    end = samples[-1][0] or 1.0
    out = []
    for q in range(4):
        chunk = [kib for t, kib in samples if q * end / 4 <= t <= (q + 1) * end / 4]
        out.append(_kib_to_mib(max(chunk)) if chunk else 0.0)
    return out


def _peak_rss_kib() -> int:
    """This process's peak resident memory in KiB (VmHWM; ru_maxrss where /proc is missing)."""
    return _proc_status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure_backlog(files: Sequence[Path], settings: Settings, *, trace_heap: bool = False) -> dict[str, Any]:
    """Run ``petitions process FILES --out ...`` (its loop, in this process) and report peak memory.

    Meant for a fresh process per backlog size (see :func:`measure_memory`). The peak is the kernel's
    high-water mark of this process's own memory (VmHWM): ru_maxrss would also count the parent that
    forked it (the benchmark, holding the pages of earlier parts) from before the exec. ``trace_heap`` adds tracemalloc's peak of the Python heap, at the
    price of a run about 2.5x slower (and more RSS for the traces themselves)."""
    from models.store import Store  # noqa: F401 - imported before the baseline, as the CLI has it
    from petitions.cli import cmd_process

    out = settings.var_dir / "out.jsonl"
    before = _peak_rss_kib()
    if trace_heap:
        tracemalloc.start()
    sampler = RssSampler()
    sampler.start()
    started = time.perf_counter()
    args = argparse.Namespace(paths=list(files), out=out, received=RECEIVED, summary=False)
    with contextlib.redirect_stdout(io.StringIO()):  # the summary table goes to stdout with --out
        cmd_process(args, settings)
    seconds = time.perf_counter() - started
    samples = sampler.stop()
    heap_peak = tracemalloc.get_traced_memory()[1] if trace_heap else 0
    if trace_heap:
        tracemalloc.stop()
    statuses = _count(json.loads(line)["status"] for line in out.read_text(encoding="utf-8").splitlines())
    result: dict[str, Any] = {
        "letters": len(files),
        "seconds": round(seconds, 1),
        "statuses": statuses,
        "rss_before_mib": _kib_to_mib(before),
        "peak_rss_mib": _kib_to_mib(_peak_rss_kib()),
        "rss_end_mib": _kib_to_mib(_proc_status("VmRSS")),
        "rss_max_per_quarter_mib": _quartiles(samples),
    }
    if trace_heap:
        result["python_heap_peak_mib"] = round(heap_peak / 2**20, 1)
    return result


def _memory_child(list_file: Path, workers: int, trace_heap: bool) -> None:
    files = [Path(p) for p in json.loads(list_file.read_text())]
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        settings = load_settings(var_dir=Path(tmp), db_url=f"sqlite:///{tmp}/petitions.db", workers=workers)
        print(json.dumps(measure_backlog(files, settings, trace_heap=trace_heap)))


def _run_child(files: Sequence[Path], workers: int, folder: Path, trace_heap: bool) -> dict[str, Any]:
    list_file = folder / f"backlog-{len(files)}{'-heap' if trace_heap else ''}.json"
    list_file.write_text(json.dumps([str(p) for p in files]))
    command = [sys.executable, "-m", "benchmarks.ocr_bench", "--memory-child", str(list_file), "--workers", str(workers)]
    if trace_heap:
        command.append("--trace-heap")
    proc = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT, check=False)
    if proc.returncode:
        raise RuntimeError(f"memory run of {len(files)} letters failed:\n{proc.stderr[-2000:]}")
    run = json.loads(proc.stdout.strip().splitlines()[-1])
    run["loadavg_1min"] = round(os.getloadavg()[0], 2)
    return run


def measure_memory(
    letters: Sequence[dict[str, Any]], sizes: Sequence[int], heap_sizes: Sequence[int], workers: int, folder: Path
) -> dict[str, Any]:
    """Each backlog size in a fresh Python process (peak RSS only grows within a process): peak RSS
    at ``sizes`` at full speed, then the Python heap (tracemalloc, slow) at ``heap_sizes``."""
    files = write_single_pages(letters, max([*sizes, *heap_sizes]), folder / "backlog", first_only=True)
    runs = [_run_child(files[:size], workers, folder, False) for size in sorted(sizes)]
    heap_runs = [_run_child(files[:size], workers, folder, True) for size in sorted(heap_sizes)]
    growth = runs[-1]["peak_rss_mib"] / runs[0]["peak_rss_mib"] - 1
    result: dict[str, Any] = {
        "workers": workers,
        "git_commit": git_commit(),
        "runs": runs,
        "heap_runs": heap_runs,
        "peak_rss_growth": round(growth, 3),
        "ok": growth <= MEMORY_GROWTH_LIMIT,
    }
    if len(heap_runs) >= 2:
        first, last = heap_runs[0]["python_heap_peak_mib"], heap_runs[-1]["python_heap_peak_mib"]
        result["python_heap_growth"] = round(last / max(first, 0.1) - 1, 3)
        result["ok"] = result["ok"] and result["python_heap_growth"] <= MEMORY_GROWTH_LIMIT
    return result


# ---- the machine and the report -------------------------------------------------------------------


def git_commit() -> str:
    """The commit of the code measured (marked when extractors/ has uncommitted changes)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=PROJECT_ROOT, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "extractors"], capture_output=True,
                               text=True, cwd=PROJECT_ROOT, check=False).stdout.strip()
    except OSError:
        return "unknown"
    return f"{commit}{' (extractors/ modified)' if dirty else ''}" or "unknown"


def machine() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    try:
        version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=False)
        tesseract = (version.stdout or version.stderr).splitlines()[0].strip()
    except (OSError, IndexError):
        tesseract = "missing"
    mem_kib = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem_kib = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
    return {
        "git_commit": git_commit(),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_gib": round(mem_kib / 2**20, 1),
        "tesseract": tesseract,
        "python": platform.python_version(),
        "pillow": Image.__version__,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _mark(ok: bool) -> str:
    return "ok " if ok else "MISS"


def format_report(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"machine: {m['nproc']} cores, {m['cpu_model']}, {m['memory_gib']} GiB; {m['tesseract']}; "
        f"Python {m['python']}; load average at start {m['loadavg_at_start']}; code {m.get('git_commit', '?')}",
    ]
    t = results.get("throughput")
    if t:
        pps, w = t["pages_per_s"], t["workers"]
        lines += [
            "",
            f"1+2. throughput: {t['pages']} clean 300-dpi single-page PNGs, best of {t['repeat']}; "
            f"load average {t['loadavg_1min']}" + (f"; code {t['git_commit']}" if t.get("git_commit") else ""),
            f"   {'':<34}{'1 worker':>12}{f'{w} workers':>12}{'scaling':>10}",
            f"   {'bare tesseract (pages/s)':<34}{pps['bare_1']:>12.3f}{pps['bare_n']:>12.3f}{t['scaling_bare']:>10.2f}",
            f"   {'pipeline read_letter (pages/s)':<34}{pps['pipeline_1']:>12.3f}{pps['pipeline_n']:>12.3f}"
            f"{t['scaling_pipeline']:>10.2f}",
            f"   {'pipeline / bare':<34}{t['ratio_pipeline_over_bare_1worker']:>12.3f}"
            f"{t['ratio_pipeline_over_bare']:>12.3f}",
            f"   [{_mark(t['ratio_pipeline_over_bare'] >= RATIO_TARGET)}] ratio pipeline/bare with {w} workers "
            f"{t['ratio_pipeline_over_bare']:.3f} (target >= {RATIO_TARGET})",
            f"   [{_mark(t['scaling_pipeline'] >= SCALING_TARGET)}] scaling {w}/1 workers "
            f"{t['scaling_pipeline']:.2f} (target >= {SCALING_TARGET})",
            f"   pages that fired the retry: {t['pages_retried']}; empty pages: {t['empty_pages']}",
        ]
        if "cpu_s_per_page" in t:
            cpu = t["cpu_s_per_page"]
            lines.append(
                f"   CPU s/page (process + tesseract): pipeline {cpu['pipeline_1']:.3f} / {cpu['pipeline_n']:.3f}, "
                f"bare {cpu['bare_1']:.3f} / {cpu['bare_n']:.3f} (1 / {w} workers); bare/pipeline CPU "
                f"{t['cpu_ratio_bare_over_pipeline']:.3f} (insensitive to the machine's other load)"
            )
    c = results.get("cer")
    if c:
        lines += [
            "",
            f"3. CER per page, {c['letters']} letters of dev.jsonl, 300 dpi renders (generated in "
            f"{c['generate_seconds']} s)",
            f"   {'condition':<13}{'pages':>6}{'mean':>8}{'median':>8}{'worst':>8}  {'worst page':<11}"
            f"{'>tgt':>5}{'no-marks':>9}{'sub':>6}{'del':>6}{'ins':>6}{'empty':>6}{'retry':>6}{'conf':>6}"
            f"{'s/pg':>6}{'slow':>6}  ",
        ]
        for name, s in c["conditions"].items():
            lines.append(
                f"   {name:<13}{s['pages']:>6}{s['cer_mean']:>8.2%}{s['cer_median']:>8.2%}{s['cer_worst']:>8.2%}  "
                f"{s['worst_page']:<11}{s['pages_over_target']:>5}{s['cer_without_marks_mean']:>9.2%}"
                f"{s['substitutions']:>6}{s['deletions']:>6}{s['insertions']:>6}{s['empty_pages']:>6}"
                f"{s['retried_pages']:>6}{s['mean_confidence']:>6.2f}{s['seconds_per_page']:>6.1f}"
                f"{s['slowest_letter_s']:>6.0f}  [{_mark(s['ok'])}] <= {s['target']:.0%}"
                + (f"  quarantined: {s['quarantined_letters']}" if s["quarantined_letters"] else "")
                + (f"  (code {s['git_commit']})" if s.get("git_commit") else "")
            )
        lines.append("   (mean/median/worst: CER per page; >tgt: pages over the target; no-marks: mean CER with "
                     "diacritics stripped; sub/del/ins: edits; retry: pages that fired the retry rule; conf: mean "
                     "confidence; s/pg: read_letter seconds per page with all workers busy; slow: slowest letter, s)")
    mem = results.get("memory")
    if mem:
        lines += [
            "",
            f"4. memory: a backlog of single-page letters through `petitions process` ({mem['workers']} workers, "
            "fresh process per size, SQLite store)" + (f"; code {mem['git_commit']}" if mem.get("git_commit") else ""),
            f"   {'letters':>8}{'peak RSS':>10}{'end RSS':>9}{'at start':>10}{'s':>7}  "
            f"{'max RSS per quarter of the run':<32}statuses",
        ]
        for r in mem["runs"] + mem.get("heap_runs", []):
            heap = r.get("python_heap_peak_mib")
            lines.append(
                f"   {r['letters']:>8}{r['peak_rss_mib']:>8.1f}MB{r['rss_end_mib']:>7.1f}MB"
                f"{r['rss_before_mib']:>8.1f}MB{r['seconds']:>7.0f}  "
                f"{' '.join(f'{q:.0f}' for q in r['rss_max_per_quarter_mib']):<32}{r['statuses']}"
                + (f"  [tracemalloc: Python heap peak {heap:.1f} MB]" if heap is not None else "")
            )
        heap_note = (f"; Python heap peak growth {mem['python_heap_growth']:+.1%} (tracemalloc runs)"
                     if "python_heap_growth" in mem else "")
        lines.append(
            f"   [{_mark(mem['ok'])}] peak RSS growth smallest->largest {mem['peak_rss_growth']:+.1%} "
            f"(limit +{MEMORY_GROWTH_LIMIT:.0%}){heap_note}"
        )
    return "\n".join(lines)


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.ocr_bench", description=__doc__.splitlines()[0])
    p.add_argument("--parts", type=_csv, default=list(PARTS), help=f"comma list of {','.join(PARTS)}")
    p.add_argument("--letters", type=int, default=None, help="CER: the first N letters of dev.jsonl (default all)")
    p.add_argument("--conditions", type=_csv, default=list(CONDITIONS), help="CER: comma list of conditions")
    p.add_argument("--pages", type=int, default=20, help="throughput: number of clean pages (default 20)")
    p.add_argument("--repeat", type=int, default=1, help="throughput: runs of each configuration, best kept")
    p.add_argument("--memory-sizes", type=lambda v: [int(x) for x in _csv(v)], default=[50, 100, 200])
    p.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument("--letters-file", type=Path, default=LETTERS_PATH)
    p.add_argument("--out", type=Path, default=RESULTS_PATH, help="JSON results (parts not run are kept)")
    p.add_argument("--dump", type=Path, help="CER: write every page's reference and OCR text here (JSON Lines)")
    p.add_argument("--heap-sizes", type=lambda v: [int(x) for x in _csv(v)], default=[10, 40],
                   help="memory: backlog sizes run again under tracemalloc (Python heap; slow)")
    p.add_argument("--memory-child", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--trace-heap", action="store_true", help=argparse.SUPPRESS)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.memory_child:
        _memory_child(args.memory_child, args.workers, args.trace_heap)
        return 0
    unknown = [c for c in args.conditions if c not in CONDITIONS] + [p for p in args.parts if p not in PARTS]
    if unknown:
        print(f"unknown part or condition: {', '.join(unknown)}", file=sys.stderr)
        return 2
    settings = load_settings(workers=args.workers)
    letters = load_letters(args.letters_file)
    results: dict[str, Any] = {}
    if args.out.exists():
        with contextlib.suppress(json.JSONDecodeError):
            results = json.loads(args.out.read_text(encoding="utf-8"))
    results["machine"] = machine()
    results["rapidfuzz"] = _Levenshtein is not None
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp:
        folder = Path(tmp)
        if "throughput" in args.parts:
            paths = write_single_pages(letters, args.pages, folder / "throughput", first_only=True)
            results["throughput"] = measure_throughput(paths, settings, args.workers, args.repeat, settings.ocr_lang)
            print(format_report({"machine": results["machine"], "throughput": results["throughput"]}), flush=True)
        if "cer" in args.parts:
            chosen = letters[: args.letters] if args.letters else letters
            cer_result = measure_cer(chosen, args.conditions, settings, args.workers, folder / "cer", args.dump,
                                     progress=True)
            previous = results.get("cer") or {}
            if previous.get("letters") == cer_result["letters"]:  # a run of some conditions keeps the others
                cer_result["conditions"] = {**previous["conditions"], **cer_result["conditions"]}
                cer_result["conditions"] = {c: cer_result["conditions"][c] for c in CONDITIONS
                                            if c in cer_result["conditions"]}
            results["cer"] = cer_result
        if "memory" in args.parts:
            results["memory"] = measure_memory(
                letters, args.memory_sizes, args.heap_sizes, args.workers, folder / "memory"
            )
    results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print()
    print(format_report(results))
    print(f"\nresults: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
