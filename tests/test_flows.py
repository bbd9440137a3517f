"""The backlog flow under Prefect (one session-scoped test harness): resumable, summary artifact."""

from __future__ import annotations

from pathlib import Path

import pytest

from petitions.settings import load_settings
from tests.pages import LETTER_LINES, draw_page, write_text_pdf


def test_backlog_processes_each_file_once_and_resumes(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.backlog import backlog, process_and_store

    monkeypatch.setenv("PETITIONS_DB_URL", f"sqlite:///{tmp_path / 'store.db'}")
    box = tmp_path / "inbox"
    box.mkdir()
    draw_page().save(box / "a.png")
    write_text_pdf(box / "b.pdf", [LETTER_LINES])
    write_text_pdf(box / "c.pdf", [LETTER_LINES + ["Tái bút: tôi gửi kèm ảnh chụp hiện trường."]])
    (box / "d.pdf").write_bytes(b"")

    # a crashed earlier run had stored one letter already
    process_and_store(box / "b.pdf", load_settings())

    first = backlog(str(box), chunk_size=2)
    assert first["files"] == 4
    assert first["skipped_already_stored"] == 1
    assert first["processed"] == 3
    assert first["quarantined"] == {"empty_file": 1}

    again = backlog(str(box), chunk_size=2)
    assert again["processed"] == 0 and again["skipped_already_stored"] == 4

    from models.store import Store

    store = Store(load_settings().database_url)
    assert sum(store.summary()["by_status"].values()) == 4


def test_backlog_leaves_a_summary_artifact(prefect_harness: None, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.client.orchestration import get_client

    from flows.backlog import backlog

    monkeypatch.setenv("PETITIONS_DB_URL", f"sqlite:///{tmp_path / 'store.db'}")
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "empty.pdf").write_bytes(b"")
    backlog(str(box))
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts()
    assert any(a.key == "backlog-summary" for a in artifacts)
