"""The register of one agency queue, exported to CSV or XLSX.

Columns (Vietnamese headers): letter id, date of receipt, category, subject, due date, queue status,
overdue. No writer's identity is exported; a denunciation's subject is additionally passed through
:func:`routing.redaction.redact_text` (a subject can quote the writer's own introduction).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from models.record import Extraction, LetterRecord
from routing.redaction import redact_text

if TYPE_CHECKING:
    from models.store import Store

ExportFormat = Literal["csv", "xlsx"]
HEADERS = ("Mã đơn", "Ngày nhận", "Phân loại", "Nội dung", "Hạn xử lý", "Trạng thái", "Quá hạn")
CATEGORY_NAMES = {"khieu_nai": "Khiếu nại", "to_cao": "Tố cáo", "kien_nghi": "Kiến nghị", "phan_anh": "Phản ánh"}
STATUS_NAMES = {"new": "Mới", "assigned": "Đã giao", "in_progress": "Đang xử lý", "answered": "Đã trả lời",
                "closed": "Đã đóng"}


@dataclass(frozen=True)
class RegisterRow:
    letter_id: str
    received_date: dt.date | None
    category: str | None
    subject: str | None
    due_date: dt.date | None
    status: str
    overdue: bool

    def cells(self) -> tuple[str, str, str, str, str, str, str]:
        return (
            self.letter_id,
            self.received_date.isoformat() if self.received_date else "",
            CATEGORY_NAMES.get(self.category or "", self.category or ""),
            self.subject or "",
            self.due_date.isoformat() if self.due_date else "",
            STATUS_NAMES.get(self.status, self.status),
            "Có" if self.overdue else "Không",
        )


def protected_subject(record: LetterRecord | None, subject: str | None) -> str | None:
    """The subject as it may leave the office: a denunciation's without the denouncer's identity."""
    if record is None or subject is None:
        return subject
    if "to_cao" in (record.category, record.secondary_category):
        extraction = Extraction(petitioners=record.petitioners, location=record.location)
        return redact_text(subject, extraction)
    return subject


def register_rows(store: Store, agency_id: str, today: dt.date | None = None) -> list[RegisterRow]:
    """The queue's letters (earliest due first) as register rows."""
    rows = []
    for item in store.queue(agency_id, today=today):
        record = store.get(item.letter_id)
        rows.append(RegisterRow(
            letter_id=item.letter_id,
            received_date=record.received_date if record else None,
            category=item.category,
            subject=protected_subject(record, item.subject),
            due_date=item.due_date,
            status=item.status,
            overdue=item.overdue,
        ))
    return rows


def write_csv(rows: list[RegisterRow], path: Path) -> None:
    # UTF-8 with BOM: Excel opens Vietnamese text correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(r.cells() for r in rows)


def write_xlsx(rows: list[RegisterRow], path: Path, title: str = "Sổ theo dõi") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([
            r.letter_id, r.received_date, CATEGORY_NAMES.get(r.category or "", r.category or ""), r.subject or "",
            r.due_date, STATUS_NAMES.get(r.status, r.status), "Có" if r.overdue else "Không",
        ])
    for row in ws.iter_rows(min_row=2):
        for idx in (1, 4):
            if row[idx].value is not None:
                row[idx].number_format = "DD/MM/YYYY"
    for col, width in zip("ABCDEFG", (18, 12, 12, 70, 12, 12, 9), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.save(path)


def export_queue(store: Store, agency_id: str, fmt: ExportFormat, path: Path,
                 today: dt.date | None = None) -> int:
    """Write one agency's register to ``path``; returns the number of letters."""
    rows = register_rows(store, agency_id, today=today)
    writers = {"csv": write_csv, "xlsx": write_xlsx}
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}")
    # Write beside the target, then rename: a full disk leaves no partial export behind.
    partial = path.with_name(f".{path.name}.partial")
    try:
        writers[fmt](rows, partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return len(rows)
