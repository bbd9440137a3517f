"""Faults: kill -9 at random points, the disk filling up, the store going away (unit level here;
a real PostgreSQL stopped mid-run is in test_reliability_postgres.py).

After every fault and a re-run: each input has exactly one letter row, no duplicate rows, no
half-written letter, queues consistent, and nothing was marked done (written to --out, archived)
that was not stored. More kill seeds: PETITIONS_RELIABILITY_SEEDS=10.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from petitions.errors import StoreUnavailableError
from petitions.settings import load_settings
from tests.pages import LETTER_LINES, draw_page
from tests.reliability_store import check_store, file_ids, read_out
from tests.test_reliability_inputs import cli_env

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "petitions"
SEEDS = list(range(int(os.environ.get("PETITIONS_RELIABILITY_SEEDS", "2"))))


@pytest.fixture(scope="module")
def backlog_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 letters: 10 born-digital PDFs of fixture letters and 2 scans."""
    from fixtures.render import write_text_pdf

    folder = tmp_path_factory.mktemp("backlog") / "thư đến"
    folder.mkdir()
    lines = (ROOT / "fixtures" / "letters" / "generated.jsonl").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines[:10]):
        write_text_pdf(json.loads(line)["text"], folder / f"đơn {i:02d}.pdf")
    for i in range(2):
        draw_page([*LETTER_LINES, f"Bản số {i}."]).save(folder / f"bản quét {i}.png", dpi=(200, 200))
    return folder


def _kill_at_random(cmd: list[str], env: dict[str, str], seed: int, db: Path, total: int) -> tuple[int, float]:
    """Start ``cmd`` in its own process group; SIGKILL the whole group (tesseract too) once a random
    number of letters (0 .. total-1) is committed, plus a random 0-0.4 s (inside the next letter's
    reading or its transaction). Returns (letters seen committed, extra delay)."""
    rng = random.Random(seed)
    target, extra = rng.randrange(total), rng.uniform(0.0, 0.4)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 180
    try:
        while proc.poll() is None and _committed(db) < target and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(extra)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    return target, extra


def _committed(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return conn.execute("SELECT COUNT(*) FROM letters").fetchone()[0]
    except sqlite3.Error:  # not migrated yet, or busy
        return 0


def _run_cli_in_process(args: list[str], monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> int:
    from petitions.cli import main

    for key in [k for k in os.environ if k.startswith("PETITIONS_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("PETITIONS_"):
            monkeypatch.setenv(key, value)
    return main(args)


@pytest.mark.parametrize("seed", SEEDS)
def test_kill_9_process_then_rerun(seed: int, backlog_folder: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    env = cli_env(tmp_path)
    db = f"sqlite:///{tmp_path / 'var' / 'petitions.db'}"
    out = tmp_path / "killed.jsonl"
    files = sorted(p for p in backlog_folder.iterdir())
    target, extra = _kill_at_random([str(SCRIPT), "process", str(backlog_folder), "--out", str(out)], env, seed,
                                    tmp_path / "var" / "petitions.db", len(files))
    ids = set(file_ids(files))
    if (tmp_path / "var" / "petitions.db").exists():
        partial = check_store(db)  # whatever was committed is whole
        stored = set(_ids(db))
        assert {r["id"] for r in read_out(out)} <= stored, "a record reported that was not stored"
        assert partial["letters"] <= len(ids)
        print(f"process seed {seed}: killed {extra:.2f} s after letter {target} was committed: "
              f"{partial['letters']}/{len(ids)} letters stored")
    assert _run_cli_in_process(["process", str(backlog_folder), "--out", str(tmp_path / "rerun.jsonl")],
                               monkeypatch, env) == 0
    check_store(db, ids)
    assert len(read_out(tmp_path / "rerun.jsonl")) == len(files)


@pytest.mark.parametrize("seed", SEEDS[: max(1, len(SEEDS) // 2)])
def test_kill_9_backlog_then_resume(seed: int, backlog_folder: Path, tmp_path: Path, prefect_harness: None,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.settings import PREFECT_API_URL

    from flows.backlog import run_backlog

    env = cli_env(tmp_path)
    env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())  # the test server: no start-up per run
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    db = f"sqlite:///{tmp_path / 'var' / 'petitions.db'}"
    files = sorted(backlog_folder.iterdir())
    target, extra = _kill_at_random([str(SCRIPT), "backlog", str(backlog_folder), "--workers", "2"], env,
                                    100 + seed, tmp_path / "var" / "petitions.db", len(files))
    before = set(_ids(db)) if (tmp_path / "var" / "petitions.db").exists() else set()
    if before:
        check_store(db)
    monkeypatch.setenv("PETITIONS_VAR_DIR", env["PETITIONS_VAR_DIR"])
    monkeypatch.delenv("PETITIONS_DB_URL", raising=False)
    print(f"backlog seed {seed}: killed {extra:.2f} s after letter {target} was committed: "
          f"{len(before)}/{len(files)} letters stored")
    (tmp_path / "var").mkdir(exist_ok=True)  # killed before it made its var folder
    summary = run_backlog(backlog_folder, load_settings(), workers=2, progress=False)
    assert summary["skipped_already_stored"] == len(before), "completed letters are not redone"
    assert summary["processed"] == len(files) - len(before)
    check_store(db, set(file_ids(files)))


def _ids(url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT id FROM letters"))]
    finally:
        engine.dispose()


# ---- the store going away: retry with backoff, then a clear run-level error -----------------------


class FlakyStore:
    """A store whose first ``failures`` saves fail as a dropped PostgreSQL connection would."""

    url = "postgresql+psycopg://petitions@db.example/petitions"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.saved: list[str] = []
        self.calls = 0

    def save(self, record, pages) -> None:  # noqa: ANN001
        self.calls += 1
        if self.calls <= self.failures:
            raise OperationalError("INSERT ...", {}, ConnectionError("server closed the connection"))
        self.saved.append(record.id)

    def iter_records(self):  # noqa: ANN201
        return iter(())


def _quarantined_letter():  # noqa: ANN202
    import datetime as dt

    from models.record import ErrorInfo, LetterRecord
    from petitions.pipeline import ProcessedLetter

    record = LetterRecord(id="ab" * 32, source="x.pdf", status="quarantined", received_date=dt.date(2026, 1, 5),
                          error=ErrorInfo(code="empty_file", message="m"))
    return ProcessedLetter(record)


def test_store_outage_is_retried_with_exponential_backoff() -> None:
    from petitions.register import Register

    waits: list[float] = []
    store = FlakyStore(failures=4)
    register = Register(store, load_settings(store_retry_total_s=60, store_retry_first_s=0.5),  # type: ignore[arg-type]
                        sleep=waits.append)
    register.register(_quarantined_letter())
    assert store.saved == ["ab" * 32]
    assert waits == [0.5, 1.0, 2.0, 4.0]


def test_store_outage_beyond_the_limit_stops_the_run_with_exit_4() -> None:
    from petitions.errors import ExitCode
    from petitions.register import Register

    store = FlakyStore(failures=10**6)
    register = Register(store, load_settings(store_retry_total_s=0.3, store_retry_first_s=0.05),  # type: ignore[arg-type]
                        sleep=time.sleep)
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError) as info:
        register.register(_quarantined_letter())
    assert time.monotonic() - started < 2
    assert info.value.exit_code == ExitCode.store_unavailable
    assert "ConnectionError" in info.value.message and "db.example" in info.value.message
    assert store.calls >= 3 and store.saved == []


# ---- disk full ------------------------------------------------------------------------------------


@pytest.fixture()
def full_disk(tmp_path: Path) -> tuple[Path, Path]:
    """(folder on a 64 kB tmpfs, filler file) - the folder has about 8 kB free.

    Mounting needs root (the tests' user); elsewhere the test is skipped rather than faked."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode(errors='replace').strip()}")
    filler = mnt / "filler"
    filler.write_bytes(b"\0" * (56 * 1024))
    try:
        yield mnt, filler
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_disk_full_while_archiving_keeps_the_original_in_the_inbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full_disk: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    from flows.nightly import ingest_file
    from models.store import Store
    from tests.reliability_inputs import secret_pdf

    mnt, filler = full_disk
    monkeypatch.setenv("PETITIONS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PETITIONS_DB_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("PETITIONS_ARCHIVE_DIR", str(mnt / "archive"))
    settings = load_settings()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    letter = inbox / "đơn tố cáo.pdf"
    secret_pdf(letter)
    original = letter.read_bytes()
    assert len(original) > 12 * 1024  # larger than the free space
    day = __import__("datetime").date(2026, 11, 25)

    logger = logging.getLogger("flows.nightly")  # Prefect's logging config stops propagation
    logger.addHandler(caplog.handler)
    try:
        outcome = ingest_file(letter, settings, day)
    finally:
        logger.removeHandler(caplog.handler)
    assert outcome.status in ("routed", "needs_review")
    assert letter.read_bytes() == original, "the original stays in the inbox, whole"
    archived = list((mnt / "archive").rglob("*.pdf"))
    assert archived == [], f"a partial copy was left in the archive: {archived}"
    assert "ENOSPC" in caplog.text and "stays in the inbox" in caplog.text
    assert "tố cáo" not in caplog.text  # the warning names no file
    store = Store(settings.database_url)
    assert [e.action for e in store.audit()] == ["stored"], "not marked archived"

    filler.unlink()  # space again: the next run moves the original, without processing it again
    ingest_file(letter, settings, day)
    assert not letter.exists()
    assert (mnt / "archive" / day.isoformat() / letter.name).read_bytes() == original
    assert [e.action for e in store.audit()] == ["stored", "archived"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl's unclosed zip
def test_disk_full_while_exporting_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full_disk: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from petitions.cli import main

    mnt, filler = full_disk
    filler.write_bytes(b"\0" * (63 * 1024))
    monkeypatch.setenv("PETITIONS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("PETITIONS_DB_URL", raising=False)
    big = mnt / "register.xlsx"
    code = main(["export", "--agency", "luu_don:ninh-binh", "--format", "xlsx", "--out", str(big)])
    err = capsys.readouterr().err
    assert code == 7, err
    assert "ENOSPC" in err and "Traceback" not in err and "register.xlsx" in err


def test_disk_full_while_writing_out_stops_cleanly_and_keeps_what_was_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full_disk: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.reliability_inputs import text_pdf

    mnt, filler = full_disk
    filler.write_bytes(b"\0" * (63 * 1024))
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        text_pdf(folder / f"{i}.pdf", [*LETTER_LINES, f"Bản {i}."])
    code = _run_cli_in_process(["process", str(folder), "--out", str(mnt / "out.jsonl")], monkeypatch,
                               cli_env(tmp_path))
    err = capsys.readouterr().err
    assert code == 7, err
    assert "ENOSPC" in err and "Traceback" not in err
    check_store(f"sqlite:///{tmp_path / 'var' / 'petitions.db'}")


def test_move_failing_with_enospc_without_tmpfs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same guarantee where no tmpfs can be mounted: shutil.move fails half-way with ENOSPC."""
    import datetime as dt

    import flows.nightly as nightly
    from models.record import LetterRecord

    src = tmp_path / "inbox" / "a.pdf"
    src.parent.mkdir()
    src.write_bytes(b"%PDF-1.4 " + b"x" * 5000)

    def half_move(a: str, b: str) -> None:
        Path(b).write_bytes(Path(a).read_bytes()[:100])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), b)

    monkeypatch.setattr(shutil, "move", half_move)
    settings = load_settings(var_dir=tmp_path / "var")
    record = LetterRecord(id="cd" * 32, source=str(src), status="routed", received_date=dt.date(2026, 1, 5))
    with pytest.raises(OSError):
        nightly.archive_original(src, record, settings, dt.date(2026, 1, 5))
    assert src.stat().st_size == 5009
    assert not list(settings.archive_dir.rglob("*.pdf"))
