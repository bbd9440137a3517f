"""Shared set-up for the review desk's tests: a migrated temp SQLite store, seeded letters with real
page images on disk, accounts for each role, and a log-in helper."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from models.accounts import Accounts
from models.record import Accused, LetterRecord, Location, PageText, Petitioner
from models.store import Store
from petitions.settings import Settings
from review.identity import extraction_of
from review.passwords import hash_password
from tests.pages import draw_page, write_image_pdf
from tests.test_store import letter_id, make_record, make_route

PASSWORD = "mat-khau-dung-123"
USERS = {"chuyenvien": "reviewer", "chuyenvien2": "reviewer", "lanhdao": "lead", "quantri": "admin"}
DENOUNCER = "Phạm Thị Hoa"
DENOUNCER_ID = "036185004321"
# The complaint's per-field confidences (the other seeded letters have none, like older records).
COMPLAINT_FIELD_CONFIDENCE = {"petitioners": 0.88, "location": 0.71, "subject": 0.93, "accused": 0.42,
                              "decision_refs": 0.97}


@dataclass
class Seeded:
    store: Store
    settings: Settings
    complaint: str  # needs_review, low confidence, PNG original
    denunciation: str  # to_cao, routed, PDF original with the denouncer's name
    recommendation: str  # routed
    reflection: str  # needs_review, title mismatch, TIFF original


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2id costs ~0.25 s: once per test session


def _pages(texts: list[str], low: list[str]) -> list[PageText]:
    return [PageText(number=i, text=t, source="ocr", confidence=0.82, word_count=len(t.split()),
                     low_confidence_words=low) for i, t in enumerate(texts, 1)]


def _routed(record: LetterRecord, settings: Settings) -> LetterRecord:
    """The record with the route the real routing engine gives it."""
    from review.service import _classification
    from routing.engine import route_letter

    values = {k: getattr(record, k) for k in ("category", "mixed", "secondary_category", "complaint_round",
                                               "domain", "crime_signs", "party_discipline")}
    decision = route_letter(extraction_of(record), _classification(record, values), record.received_date or
                            dt.date.today(), settings, text=record.text)
    return record.model_copy(update={"route": decision.route})


def seed_store(tmp: Path) -> Seeded:
    settings = Settings(var_dir=tmp / "var", db_url=f"sqlite:///{tmp / 'review.db'}")
    store = Store.open(settings)
    today = store.today()
    originals = tmp / "inbox"
    originals.mkdir(parents=True, exist_ok=True)

    png = originals / "scan_0001.png"
    draw_page(["ĐƠN KHIẾU NẠI", "Kính gửi: Chủ tịch UBND xã Liêm Hà", "Quyết định 245/QĐ-UBND"],
              size=(827, 1169), font_px=22).save(png)
    text1 = "ĐƠN KHIẾU NẠI\nKính gửi: Chủ tịch UBND xã Liêm Hà\nTôi khiếu nại Quyết định 245/QĐ-UBND về thu hồi đất"
    complaint = make_record(
        id=letter_id(1), source=str(png), status="needs_review", pages=1, text=text1,
        subject="Khiếu nại Quyết định 245/QĐ-UBND về thu hồi đất", category_confidence=0.55, needs_review=True, review_reasons=["low_confidence"],
        accused=Accused(name="Trần Văn Hùng", position="Chủ tịch UBND xã", organization="UBND xã Liêm Hà"),
        received_date=today - dt.timedelta(days=3), route=make_route(due_date=today + dt.timedelta(days=9)),
        field_confidence=COMPLAINT_FIELD_CONFIDENCE,
    )
    store.save(_routed(complaint, settings), _pages([text1], ["Liêm", "thu"]))

    pdf = originals / "scan_0002.pdf"
    lines = ["ĐƠN TỐ CÁO", f"Tôi tên là: {DENOUNCER}, CCCD số {DENOUNCER_ID}",
             "Địa chỉ: thôn Đông, xã Gia Trấn, tỉnh Ninh Bình", "Tôi tố cáo ông Trần Văn Hùng, cán bộ địa chính."]
    write_image_pdf(pdf, [draw_page(lines, size=(827, 1169), font_px=22)], dpi=100)
    text2 = (f"ĐƠN TỐ CÁO\nTôi tên là: {DENOUNCER}, CCCD số {DENOUNCER_ID}\nĐịa chỉ: thôn Đông, xã Gia Trấn, "
             "tỉnh Ninh Bình\nTôi tố cáo ông Trần Văn Hùng, cán bộ địa chính, nhận tiền của dân.")
    denunciation = make_record(
        id=letter_id(2), source=str(pdf), pages=1, text=text2, category="to_cao", category_confidence=0.91,
        title_category="to_cao", complaint_round=None, domain="tham_nhung", decision_refs=[],
        subject="Tố cáo cán bộ địa chính xã Gia Trấn nhận tiền của dân",
        petitioners=[Petitioner(name=DENOUNCER, id_number=DENOUNCER_ID, address="thôn Đông, xã Gia Trấn, tỉnh Ninh Bình")],
        location=Location(as_written="thôn Đông, xã Gia Trấn, tỉnh Ninh Bình", province="Ninh Bình", commune="Gia Trấn"),
        accused=Accused(name="Trần Văn Hùng", position="cán bộ địa chính", organization="UBND xã Gia Trấn"),
        received_date=today, route=make_route(rule="R12", due_date=today + dt.timedelta(days=7)),
        category_signals=["“nhận tiền” + người bị tố cáo được nêu tên"],
    )
    store.save(_routed(denunciation, settings), _pages([text2], []))

    text3 = "ĐƠN KIẾN NGHỊ\nKiến nghị xem xét hỗ trợ hộ nghèo"
    recommendation = make_record(
        id=letter_id(3), source=str(originals / "missing.pdf"), pages=1, text=text3, category="kien_nghi",
        title_category="kien_nghi", complaint_round=None, domain="chinh_sach_xa_hoi", received_date=today,
        subject="Kiến nghị xem xét hỗ trợ hộ nghèo", decision_refs=[], accused=None,
        route=make_route(rule="R20", due_date=today + dt.timedelta(days=14)),
    )
    store.save(_routed(recommendation, settings), _pages([text3], []))

    tif = originals / "scan_0004.tif"
    frames = [draw_page(["ĐƠN KHIẾU NẠI", f"trang {i}"], size=(600, 850), font_px=20) for i in (1, 2)]
    frames[0].save(tif, save_all=True, append_images=frames[1:])
    text4 = "ĐƠN KHIẾU NẠI\nPhản ánh tình trạng đường liên thôn bị sụt lún"
    reflection = make_record(
        id=letter_id(4), source=str(tif), status="needs_review", pages=2, text=text4, category="phan_anh",
        title_category="khieu_nai", complaint_round=None, domain="giao_thong", needs_review=True,
        subject="Phản ánh đường liên thôn bị sụt lún", decision_refs=[], accused=None,
        review_reasons=["title_mismatch"], received_date=today,
        route=make_route(rule="R22", due_date=today + dt.timedelta(days=12)),
    )
    store.save(_routed(reflection, settings), _pages([text4, "trang 2"], ["sụt"]))

    accounts = Accounts(store)
    hashed = _password_hash()
    for name, role in USERS.items():
        accounts.add(name, hashed, role)
    return Seeded(store, settings, letter_id(1), letter_id(2), letter_id(3), letter_id(4))


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client, name: str, password: str = PASSWORD):  # noqa: ANN001, ANN201 - TestClient, Response
    page = client.get("/login")
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(page.text),
                                       "next": "/queue"}, follow_redirects=False)


def record_of(store: Store, lid: str) -> LetterRecord:
    record = store.get(lid)
    assert record is not None
    return record
