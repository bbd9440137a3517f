"""Fuzzing the file readers: random and mutated bytes of real PDFs, PNGs, JPEGs and TIFFs.

Whatever the bytes, ``read_letter`` either reads the letter or raises a LetterError (the pipeline
turns it into a quarantined record with a code); never another exception, never unbounded time.
Needs ``hypothesis`` (a dev dependency); the test is skipped without it.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image

from extractors.intake import read_letter
from petitions.errors import LetterError
from petitions.settings import load_settings
from tests.pages import draw_page, write_image_pdf, write_text_pdf

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Small pages keep OCR of a surviving mutant under a second; the timeout bounds the rest.
SETTINGS = load_settings(tesseract_timeout_s=8, min_text_chars=5)
PER_EXAMPLE_S = 20.0
LINES = ["ĐƠN PHẢN ÁNH", "Tôi tên là Lã Văn Kiên, xã Gia Trấn."]


def _seeds() -> dict[str, bytes]:
    page = draw_page(LINES, size=(1100, 300), font_px=30)
    out: dict[str, bytes] = {}
    for fmt, ext in (("PNG", "png"), ("JPEG", "jpg")):
        buf = io.BytesIO()
        page.save(buf, fmt, dpi=(200, 200))
        out[ext] = buf.getvalue()
    buf = io.BytesIO()
    page.save(buf, "TIFF", save_all=True, append_images=[page], compression="tiff_lzw", dpi=(200, 200))
    out["tiff"] = buf.getvalue()
    tmp = Path(__file__).parent  # written to memory below; the files are removed at once
    for name, make in (("text.pdf", lambda p: write_text_pdf(p, [LINES])),
                       ("scan.pdf", lambda p: write_image_pdf(p, [page], dpi=200))):
        path = tmp / f".fuzz-seed-{name}"
        try:
            make(path)
            out[name] = path.read_bytes()
        finally:
            path.unlink(missing_ok=True)
    return out


SEEDS = _seeds()


@st.composite
def mutants(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "overwrite"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 512))]
        else:  # overwrite with "interesting" values: huge sizes, zeros, 0xff runs
            chunk = draw(st.sampled_from([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xff",
                                          b"99999999", b"-1", b"obj", b"endobj", b"/Count 999999"]))
            data[at : at + len(chunk)] = chunk
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return name, bytes(data)


def _check(path: Path) -> None:
    started = time.monotonic()
    try:
        read_letter(path, SETTINGS)
    except LetterError as exc:
        assert exc.code and exc.message
    elapsed = time.monotonic() - started
    assert elapsed < PER_EXAMPLE_S, f"{path.name}: {elapsed:.1f} s"


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutant=mutants())
def test_mutated_real_files_never_escape_as_other_exceptions(tmp_path: Path, mutant: tuple[str, bytes]) -> None:
    name, data = mutant
    path = tmp_path / f"mutant.{name.rsplit('.', 1)[-1]}"
    path.write_bytes(data)
    _check(path)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(head=st.sampled_from([b"", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*"]),
       body=st.binary(max_size=4096), suffix=st.sampled_from([".pdf", ".png", ".jpg", ".tif", ".bin"]))
def test_random_bytes_behind_real_magic_numbers(tmp_path: Path, head: bytes, body: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(head + body)
    _check(path)


def test_seeds_are_real_letters(tmp_path: Path) -> None:
    """The unmutated seeds are read (so the fuzzing starts from files that get deep into the readers)."""
    for name, data in SEEDS.items():
        path = tmp_path / (name if "." in name else f"seed.{name}")
        path.write_bytes(data)
        assert "Gia" in read_letter(path, SETTINGS).text, name
    assert Image.open(io.BytesIO(SEEDS["tiff"])).n_frames == 2
