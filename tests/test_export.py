"""Queues and the register: status changes, CSV/XLSX exports, no denouncer identity in exports."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.store import Store
from petitions.cli import main
from petitions.settings import Settings
from petitions.text import fold
from routing.export import HEADERS, export_queue
from tests.routing_helpers import analysed, fixture_letters

SETTINGS = Settings(province="Ninh Bình")


def _id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'p.db'}")
    s.migrate()
    return s


def _stored_denunciation(store: Store) -> tuple[str, dict]:
    x = next(x for x in fixture_letters() if x["gold"]["category"] == "to_cao" and not x["gold"]["anonymous"]
             and x["gold"]["route"]["agency_kind"] == "chu_tich_ubnd_xa")
    rec = analysed(x, SETTINGS, letter_id=_id(x["text"]))
    # the subject quoting the writer: the export must still hide the name
    name = x["gold"]["petitioner_names"][0]
    rec = rec.model_copy(update={"subject": f"Tôi là {name}, tố cáo sai phạm"})
    store.save(rec, [])
    assert rec.route is not None
    return rec.route.agency_id, x


def test_csv_and_xlsx_exports(store: Store, tmp_path: Path) -> None:
    agency, x = _stored_denunciation(store)
    name = x["gold"]["petitioner_names"][0]
    n = export_queue(store, agency, "csv", tmp_path / "q.csv", today=dt.date(2026, 11, 26))
    assert n == 1
    rows = list(csv.reader((tmp_path / "q.csv").open(encoding="utf-8-sig")))
    assert tuple(rows[0]) == HEADERS
    assert rows[1][0] == _id(x["text"]) and rows[1][1] == "2026-11-25" and rows[1][2] == "Tố cáo"
    assert rows[1][5] == "Mới" and rows[1][6] == "Không"
    assert fold(name) not in fold((tmp_path / "q.csv").read_text(encoding="utf-8-sig"))
    export_queue(store, agency, "xlsx", tmp_path / "q.xlsx")
    ws = load_workbook(tmp_path / "q.xlsx").active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert tuple(values[0]) == HEADERS and values[1][0] == _id(x["text"])
    assert all(fold(name) not in fold(str(v)) for row in values for v in row)


def test_overdue_flag_after_the_due_date(store: Store, tmp_path: Path) -> None:
    agency, _ = _stored_denunciation(store)
    export_queue(store, agency, "csv", tmp_path / "q.csv", today=dt.date(2027, 6, 1))
    rows = list(csv.reader((tmp_path / "q.csv").open(encoding="utf-8-sig")))
    assert rows[1][6] == "Có"


def test_cli_queue_status_and_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PETITIONS_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("PETITIONS_VAR_DIR", str(tmp_path / "var"))
    store = Store.open(Settings(db_url=f"sqlite:///{tmp_path / 'cli.db'}"))
    agency, x = _stored_denunciation(store)
    lid = _id(x["text"])
    assert main(["queue-status", lid[:10], "in_progress"]) == 0
    assert store.queue(agency)[0].status == "in_progress"
    assert [a.action for a in store.audit(lid)][-1] == "queue_status"
    assert main(["queue-status", lid[:10], "bogus"]) != 0
    assert main(["export", "--agency", agency, "--format", "xlsx", "--out", str(tmp_path / "e.xlsx")]) == 0
    assert load_workbook(tmp_path / "e.xlsx").active.cell(2, 6).value == "Đang xử lý"
    assert main(["export", "--agency", "no_such:agency", "--out", str(tmp_path / "e.csv")]) != 0
