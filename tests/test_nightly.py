"""Nightly ingestion: the deployment's schedule, a full run on a temp inbox, crash safety."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from petitions.settings import load_settings
from tests.pages import LETTER_LINES, draw_page, write_text_pdf


@pytest.fixture()
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A var folder with an inbox; settings come from the environment, as in production."""
    monkeypatch.setenv("PETITIONS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PETITIONS_DB_URL", f"sqlite:///{tmp_path / 'store.db'}")
    inbox = tmp_path / "var" / "inbox"
    inbox.mkdir(parents=True)
    return inbox


def _age(path: Path, seconds: float = 3600) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


def _today() -> str:
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()


def test_deployment_schedule_and_parameters(prefect_harness: None) -> None:
    from flows.nightly import DEPLOYMENT_NAME, nightly_deployment

    settings = load_settings(nightly_cron="30 0 * * *", inbox_dirs=["/srv/scans/a", "/srv/scans/b"])
    deployment = nightly_deployment(settings)
    assert deployment.name == DEPLOYMENT_NAME == "nightly-ingest"
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "30 0 * * *"
    assert schedule.schedule.timezone == "Asia/Ho_Chi_Minh"  # a bare cron would mean UTC
    assert deployment.parameters["inboxes"] == ["/srv/scans/a", "/srv/scans/b"]
    default = nightly_deployment(load_settings())
    assert default.schedules[0].schedule.cron == "0 1 * * *"


def test_split_ready_waits_for_files_still_being_copied(tmp_path: Path) -> None:
    from flows.nightly import split_ready

    done, growing, partial = tmp_path / "a.pdf", tmp_path / "b.pdf", tmp_path / "c.pdf.part"
    for p in (done, growing, partial):
        p.write_bytes(b"%PDF-1.4")
    _age(done)
    _age(partial)
    ready, waiting = split_ready([done, growing, partial], stable_seconds=60)
    assert ready == [done] and set(waiting) == {growing, partial}


def test_nightly_run_registers_archives_and_reports(prefect_harness: None, office: Path) -> None:
    from prefect.client.orchestration import get_client

    from flows.nightly import nightly
    from models.store import Store

    draw_page().save(office / "thư 1.png")
    write_text_pdf(office / "typed.pdf", [LETTER_LINES])
    (office / "empty.pdf").write_bytes(b"")
    for p in office.iterdir():
        _age(p)
    (office / "arriving.pdf").write_bytes(b"%PDF-1.4 half")  # just copied: waits

    summary = nightly(retrain=False)
    assert summary["processed"] == 3 and summary["waiting"] == 1
    assert summary["quarantined"] == {"empty_file": 1}
    settings = load_settings()
    day = _today()
    assert sorted(p.name for p in (settings.archive_dir / day).iterdir()) == ["thư 1.png", "typed.pdf"]
    assert [p.name for p in (settings.quarantine_dir / day).iterdir()] == ["empty.pdf"]
    assert [p.name for p in office.iterdir()] == ["arriving.pdf"]
    store = Store(settings.database_url)
    assert store.summary()["letters"] == 3
    archived = [a for a in store.audit() if a.action == "archived"]
    assert len(archived) == 3
    with get_client(sync_client=True) as client:
        assert any(a.key == "nightly-report" for a in client.read_artifacts())

    again = nightly(retrain=False)  # the next night: nothing new, the half-copied file still young
    assert again["processed"] == 0 and again["waiting"] == 1


def test_crash_after_commit_or_mid_move_processes_each_file_once(prefect_harness: None, office: Path) -> None:
    from flows.backlog import process_and_store
    from flows.nightly import nightly
    from models.store import Store

    settings = load_settings()
    a, b = office / "a.pdf", office / "b.pdf"
    write_text_pdf(a, [LETTER_LINES])
    write_text_pdf(b, [LETTER_LINES + ["Tái bút: kèm theo ảnh chụp."]])
    for p in (a, b):
        _age(p)
    # a run died after committing a's record, before moving it ...
    process_and_store(a, settings)
    # ... and another died after copying b into the archive, before deleting it from the inbox
    (settings.archive_dir / _today()).mkdir(parents=True)
    shutil.copy2(b, settings.archive_dir / _today() / "b.pdf")

    summary = nightly(retrain=False)
    assert summary["processed"] == 2
    assert list(office.iterdir()) == []
    assert sorted(p.name for p in (settings.archive_dir / _today()).iterdir()) == ["a.pdf", "b.pdf"]
    store = Store(settings.database_url)
    stored = [e for e in store.audit() if e.action in ("stored", "reprocessed")]
    assert len(stored) == 2  # each letter analysed and stored exactly once
