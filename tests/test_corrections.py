"""Reviewers' corrections in the store (SQLite and PostgreSQL) and `petitions correct`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from models.store import Store
from petitions.cli import main
from tests.test_store import letter_id, make_pages, make_record


@pytest.fixture
def store(store_url: str) -> Store:
    s = Store(store_url)
    s.migrate()
    yield s
    s.close()


def test_migration_0002_adds_corrections(store: Store) -> None:
    assert store.schema_revision() >= "0002"
    assert store.corrections() == []


def test_correction_updates_record_and_audits_in_one_go(store: Store) -> None:
    store.save(make_record(category="to_cao"), make_pages())
    before_save = dt.datetime.now(dt.UTC)
    row = store.add_correction(letter_id(1), "category", "to_cao", "khieu_nai", "reviewer-1", comment="nội dung là khiếu nại")
    assert (row.field, row.before, row.after, row.actor) == ("category", "to_cao", "khieu_nai", "reviewer-1")
    assert row.model_version == "test-1"
    assert row.at.tzinfo is not None and row.at >= before_save - dt.timedelta(seconds=1)
    record = store.get(letter_id(1))
    assert record is not None and record.category == "khieu_nai"
    assert store.summary()["by_category"] == {"khieu_nai": 1}  # the column copy follows
    audit = store.audit(letter_id(1))
    assert audit[-1].action == "corrected"
    assert audit[-1].before == {"category": "to_cao"}
    assert audit[-1].after["category"] == "khieu_nai"
    rows = store.corrections()
    assert [r.id for r in rows] == [row.id]
    assert store.corrections(since=row.at + dt.timedelta(seconds=1)) == []
    assert len(store.corrections(since=row.at.replace(tzinfo=None) - dt.timedelta(seconds=1))) == 1


def test_bad_corrections_change_nothing(store: Store) -> None:
    store.save(make_record(), make_pages())
    with pytest.raises(ValueError):
        store.add_correction(letter_id(1), "category", "khieu_nai", "not_a_category", "r")
    with pytest.raises(ValueError):
        store.add_correction(letter_id(1), "text", "a", "b", "r")
    from petitions.errors import NotFoundError

    with pytest.raises(NotFoundError):
        store.add_correction(letter_id(9), "category", None, "to_cao", "r")
    assert store.corrections() == []
    assert [a.action for a in store.audit(letter_id(1))] == ["stored"]
    record = store.get(letter_id(1))
    assert record is not None and record.category == "khieu_nai"


def test_cli_correct(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PETITIONS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("PETITIONS_DB_URL", raising=False)
    from petitions.settings import load_settings

    with Store.open(load_settings()) as s:
        s.save(make_record(), make_pages())
    code = main(["correct", letter_id(1)[:10], "--category", "to_cao", "--actor", "chuyên viên A", "--comment", "x"])
    assert code == 0
    assert "khieu_nai -> to_cao" in capsys.readouterr().out
    with Store.open(load_settings()) as s:
        assert [(c.actor, c.after) for c in s.corrections()] == [("chuyên viên A", "to_cao")]
    assert main(["correct", "ffffffffff", "--category", "to_cao"]) != 0
