"""Official slips (Circular 05/2021/TT-TTCP): the transfer slip (phiếu chuyển đơn) for a forwarded
letter and the guidance slip (phiếu hướng dẫn) for a letter whose writer is guided to the competent
agency, as PDFs in Vietnamese with a numbered register entry ("Số: 12/PC-BTCD").

Numbers run per year and per kind of slip and are kept in ``<var_dir>/slips.json`` (one number per
letter: printing a slip again reuses it). A denunciation's slip quotes the redacted text only.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fpdf import FPDF

from models.record import Extraction, LetterRecord
from petitions.errors import NotFoundError
from petitions.settings import Settings
from routing import agencies
from routing.redaction import redact_text

SlipKind = Literal["PC", "HD"]  # phiếu chuyển đơn | phiếu hướng dẫn
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
OFFICE_CODE = "BTCD"  # Ban Tiếp công dân
SLIP_TITLES = {"PC": "PHIẾU CHUYỂN ĐƠN", "HD": "PHIẾU HƯỚNG DẪN"}
CATEGORY_NAMES = {"khieu_nai": "khiếu nại", "to_cao": "tố cáo", "kien_nghi": "kiến nghị", "phan_anh": "phản ánh"}
_FORWARD_ACTIONS = {"forward", "transfer_police", "transfer_party", "accept"}
_lock = threading.Lock()


class NoSlipError(NotFoundError):
    """The letter gets no slip (not routed, filed, or a duplicate): exit code and code of not_found."""


@dataclass(frozen=True)
class SlipNumber:
    kind: SlipKind
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.number}/{self.kind}-{OFFICE_CODE}"


def slip_kind(record: LetterRecord) -> SlipKind:
    """PC for a forwarded letter, HD for a letter whose writer is guided; NoSlipError otherwise."""
    route = record.route
    if route is None or record.status == "quarantined":
        raise NoSlipError("Đơn chưa được phân loại, chuyển xử lý: không lập phiếu (no route).")
    if record.duplicate_of or route.action == "file":
        raise NoSlipError("Đơn lưu hoặc đơn trùng: không lập phiếu chuyển/hướng dẫn (filed or duplicate).")
    if route.action == "guide":
        return "HD"
    if route.action in _FORWARD_ACTIONS:
        return "PC"
    raise NoSlipError(f"action {route.action!r} has no slip")


def register_number(var_dir: Path, letter_id: str, kind: SlipKind, year: int) -> SlipNumber:
    """The slip's register number: the letter's existing one, else the next of (kind, year)."""
    path = var_dir / "slips.json"
    with _lock:
        data: dict[str, dict[str, int]] = {}
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
        key = f"{year}/{kind}"
        register = data.setdefault(key, {})
        if letter_id not in register:
            register[letter_id] = max(register.values(), default=0) + 1
            var_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(path)
        return SlipNumber(kind, year, register[letter_id])


def letter_text_for_slip(record: LetterRecord) -> str:
    """The text quoted by the slip: a denunciation's without the denouncer's identity."""
    text = record.text or ""
    if "to_cao" in (record.category, record.secondary_category):
        return redact_text(text, Extraction(petitioners=record.petitioners, location=record.location))
    return text


def _writer_line(record: LetterRecord) -> str:
    if "to_cao" in (record.category, record.secondary_category):
        return "Người viết đơn: [đã ẩn theo Điều 47 Luật Tố cáo]"
    names = ", ".join(p.name for p in record.petitioners if p.name) or "(không rõ)"
    address = record.location.as_written if record.location and record.location.as_written else ""
    return f"Người viết đơn: {names}" + (f"; địa chỉ: {address}" if address else "")


def build_slip(record: LetterRecord, settings: Settings, number: SlipNumber, issued: dt.date) -> FPDF:
    """The slip as an FPDF document (not yet written)."""
    route = record.route
    assert route is not None
    province = agencies.office_province(settings)
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 15, 20)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("DejaVu", "B", 10)
    left = f"BAN TIẾP CÔNG DÂN\n{province.full_name.upper()}\nSố: {number}"
    right = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    y = pdf.get_y()
    pdf.multi_cell(width * 0.4, 5, left, align="C")
    pdf.set_xy(pdf.l_margin + width * 0.4, y)
    pdf.multi_cell(width * 0.6, 5, right, align="C")
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, f"{province.name}, ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}", align="R",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(0, 8, SLIP_TITLES[number.kind], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    category = CATEGORY_NAMES.get(record.category or "", "")
    received = record.received_date.strftime("%d/%m/%Y") if record.received_date else "(không rõ)"
    lines = []
    if number.kind == "PC":
        lines.append(f"Kính gửi: {route.agency_name}")
        lines.append(f"Ngày {received}, Ban Tiếp công dân {province.full_name} nhận được đơn {category} "
                     f"(mã đơn {record.id[:12]}).")
        lines.append(_writer_line(record))
        if record.subject:
            lines.append(f"Nội dung: {_subject(record)}")
        lines.append(f"Căn cứ Thông tư số 05/2021/TT-TTCP, Ban Tiếp công dân chuyển đơn đến {route.agency_name} "
                     "để xem xét, giải quyết theo thẩm quyền và thông báo kết quả theo quy định.")
        if "to_cao" in (record.category, record.secondary_category):
            lines.append("Đề nghị giữ bí mật họ tên, địa chỉ, bút tích và thông tin cá nhân của người tố cáo "
                         "(Điều 47 Luật Tố cáo năm 2018). Kèm theo: bản đơn đã ẩn thông tin người tố cáo.")
    else:
        writer = ", ".join(p.name for p in record.petitioners if p.name) or "Ông/Bà"
        lines.append(f"Kính gửi: {writer}")
        lines.append(f"Ngày {received}, Ban Tiếp công dân {province.full_name} nhận được đơn {category} của "
                     f"Ông/Bà (mã đơn {record.id[:12]}).")
        if record.subject:
            lines.append(f"Nội dung: {_subject(record)}")
        lines.append(f"Nội dung đơn thuộc thẩm quyền giải quyết của {route.agency_name}. Căn cứ Thông tư số "
                     f"05/2021/TT-TTCP, Ban Tiếp công dân hướng dẫn Ông/Bà gửi đơn đến {route.agency_name} "
                     "để được xem xét, giải quyết theo quy định của pháp luật.")
    if route.due_date:
        lines.append(f"Thời hạn xử lý: {route.due_date.strftime('%d/%m/%Y')}.")
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    if number.kind == "PC":
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 6, "NỘI DUNG ĐƠN" + (" (ĐÃ ẨN THÔNG TIN NGƯỜI TỐ CÁO)" if record.category == "to_cao" else ""),
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 4.5, letter_text_for_slip(record), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(0, 5, "Nơi nhận:\n- Như trên;\n- Lưu: VT, hồ sơ.", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "TRƯỞNG BAN", align="R", new_x="LMARGIN", new_y="NEXT")
    return pdf


def _subject(record: LetterRecord) -> str:
    subject = record.subject or ""
    if "to_cao" in (record.category, record.secondary_category):
        return redact_text(subject, Extraction(petitioners=record.petitioners, location=record.location))
    return subject


def write_slip(record: LetterRecord, settings: Settings, out: Path, issued: dt.date | None = None) -> SlipNumber:
    """Number and write the letter's slip to ``out``; returns the register number."""
    kind = slip_kind(record)
    issued = issued or dt.date.today()
    number = register_number(Path(settings.var_dir), record.id, kind, issued.year)
    build_slip(record, settings, number, issued).output(str(out))
    return number
