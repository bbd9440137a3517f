"""Registering letters: a resubmission (same writer, same content, another file) is linked, not forwarded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from models.store import Store
from petitions.pipeline import process_file
from petitions.register import Register
from petitions.settings import load_settings
from tests.pages import LETTER_LINES, draw_page, write_text_pdf

RECEIVED = dt.date(2026, 11, 25)


def test_resubmitted_letter_is_linked_and_filed(tmp_path: Path) -> None:
    settings = load_settings(var_dir=tmp_path / "var")
    store = Store.open(settings)
    first = write_text_pdf(tmp_path / "typed.pdf", [LETTER_LINES])
    again = tmp_path / "scanned again.png"
    draw_page().save(again)  # the same letter, scanned: other bytes, other id
    other = write_text_pdf(tmp_path / "other.pdf", [[
        "ĐƠN KIẾN NGHỊ", "Kính gửi: Chủ tịch UBND xã Gia Trấn",
        "Tôi tên là: Đinh Thị Mơ, trú tại thôn Tây, xã Gia Trấn, tỉnh Ninh Bình.",
        "Tôi kiến nghị xã sớm lắp đèn chiếu sáng cho tuyến đường trục thôn Tây.",
    ]])

    register = Register(store, settings)
    a = register.register(process_file(first, settings, received=RECEIVED))
    b = register.register(process_file(again, settings, received=RECEIVED))
    c = register.register(process_file(other, settings, received=RECEIVED))

    assert a.id != b.id and a.duplicate_of is None
    assert b.duplicate_of == a.id
    assert b.route is not None and b.route.agency_kind == "luu_don" and b.route.action == "file"
    assert c.duplicate_of is None
    assert store.get(b.id).duplicate_of == a.id

    # a new run starts from what the store holds
    fresh = Register(store, settings)
    d = fresh.register(process_file(again, settings, received=RECEIVED))
    assert d.duplicate_of == a.id
