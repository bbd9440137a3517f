"""The pipeline's own decisions: the review reasons, and one record per file whatever happens."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from models.record import Classification, Extraction, PageText, Petitioner, ReadResult
from petitions import pipeline
from petitions.settings import load_settings
from routing.engine import RoutingDecision
from tests.pages import LETTER_LINES, write_text_pdf

SETTINGS = load_settings()
RECEIVED = dt.date(2026, 11, 25)


def _read(confidence: float | None = None) -> ReadResult:
    source = "text_layer" if confidence is None else "ocr"
    return ReadResult(pages=[PageText(number=1, text="x", source=source, confidence=confidence, word_count=1)])


def _classification(**kw) -> Classification:
    return Classification(**{"category": "to_cao", "category_confidence": 0.9, **kw})


NAMED = Extraction(petitioners=[Petitioner(name="Lã Văn Kiên")])


@pytest.mark.parametrize(
    ("read", "extraction", "classification", "decision_reasons", "expected"),
    [
        (_read(), NAMED, _classification(), [], []),
        (_read(), NAMED, _classification(category_confidence=0.4), [], ["low_confidence"]),
        (_read(), NAMED, _classification(mixed=True, secondary_category="khieu_nai"), [], ["mixed"]),
        (_read(), NAMED, _classification(title_category="khieu_nai"), [], ["title_mismatch"]),
        (_read(), NAMED, _classification(title_category="keu_cuu"), [], []),  # not a category: no mismatch
        (_read(0.3), NAMED, _classification(), [], ["ocr_low_confidence"]),
        (_read(), Extraction(), _classification(), [], ["no_petitioner"]),
        (_read(), Extraction(anonymous=True), _classification(), [], []),
        (_read(), NAMED, _classification(), ["route_uncertain"], ["route_uncertain"]),
    ],
)
def test_review_reasons(read, extraction, classification, decision_reasons, expected) -> None:  # noqa: ANN001
    decision = RoutingDecision.model_construct(route=None, review_reasons=decision_reasons)
    assert pipeline.review_reasons(read, extraction, classification, decision, SETTINGS) == expected


def test_text_pdf_letter_is_registered_and_routed(tmp_path: Path) -> None:
    path = write_text_pdf(tmp_path / "typed.pdf", [LETTER_LINES])
    done = pipeline.process_file(path, SETTINGS, received=RECEIVED)
    r = done.record
    assert r.status in ("routed", "needs_review") and r.error is None
    assert r.text_source == "text_layer" and r.pages == 1 and len(done.pages) == 1
    assert r.category == "phan_anh"
    assert r.location is not None and r.location.province == "Ninh Bình"
    assert r.route is not None and r.route.due_date is not None and r.route.due_date > RECEIVED
    assert r.needs_review == bool(r.review_reasons)
    assert r.received_date == RECEIVED


def test_an_unexpected_error_still_yields_a_quarantined_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ZeroDivisionError("a bug in a stage")

    monkeypatch.setattr(pipeline, "classify", broken)
    path = write_text_pdf(tmp_path / "typed.pdf", [LETTER_LINES])
    r = pipeline.process_file(path, SETTINGS, received=RECEIVED).record
    assert r.status == "quarantined" and r.error is not None and r.error.code == "internal_error"
    assert r.text and "Lã Văn Kiên" in r.text  # what was read is kept for the reviewer


def test_missing_file_yields_an_unreadable_record(tmp_path: Path) -> None:
    r = pipeline.process_file(tmp_path / "gone.pdf", SETTINGS, received=RECEIVED).record
    assert r.status == "quarantined" and r.error is not None and r.error.code == "unreadable_file"
    assert len(r.id) == 64


WRAPPED = """Kính gửi: Chủ tịch UBND xã Gia Hưng

Tôi là Lã Văn Tường, trú tại thôn Đông, xã Gia Hưng, tỉnh Ninh Bình. Tôi tố cáo ông
Bùi Văn Khánh, cán bộ địa chính xã, đã lợi dụng chức vụ nhận tiền của các hộ 30 triệu
đồng để xác nhận sai nguồn gốc đất. Việc làm sai trái này nhiều người biết, đề nghị
xử lý nghiêm ông Khánh theo quy định của pháp luật.
Bên cạnh đó, đường điện chiếu sáng của thôn Đông hỏng đã lâu, tối đi lại rất nguy
hiểm, tôi kiến nghị xã sớm cho sửa chữa, thay bóng đèn cho bà con đi lại an toàn.
Tôi xin cảm ơn.

Người làm đơn
Lã Văn Tường
"""


@pytest.mark.parametrize("layout", [True, False])
def test_classification_reads_a_page_layouts_paragraphs(layout: bool) -> None:
    """A scan's lines break at the margin: the second matter ("Bên cạnh đó, …") is one paragraph again
    before classification. Text given as typed keeps its line breaks; a part whose line is that short
    reads on over the next line, so the rules find the second matter either way."""
    read = ReadResult(pages=[PageText(number=1, text=WRAPPED, source="ocr", layout_lines=layout)])
    record = pipeline.analyse(read, SETTINGS, letter_id="x" * 64, source="x", received=RECEIVED)
    assert record.category == "to_cao"
    assert (record.mixed, record.secondary_category) == (True, "kien_nghi")
    assert not any("nội dung thứ hai" in s for s in record.category_signals)  # the rules, not the trained reader
    assert record.text == WRAPPED.strip()  # the record keeps the text as read


WRAPPED_POLICY = """Kính gửi: Giám đốc Sở Xây dựng tỉnh Ninh Bình

Tôi là Hà Thị Lụa, sinh năm 1960, trú tại xóm 3, thôn Đông, xã Gia Hưng, huyện Gia Viễn,
tỉnh Ninh Bình cũ, nay là xã Gia Hưng, tỉnh Ninh Bình, xóm tôi ở cuối thôn, cạnh đê.
Từ khi hợp nhất tỉnh, các tuyến xe buýt trong tỉnh bị cắt bớt chuyến, người dân các xã vùng
xa đi bệnh viện tỉnh rất vất vả. Đề nghị Sở rà soát mạng lưới xe buýt toàn tỉnh.

Người làm đơn
Hà Thị Lụa
"""


def test_routing_reads_a_page_layouts_paragraphs() -> None:
    """The writer's identity is left out of the matter's scope even when the scan wraps it: the
    hamlet words on its second line are no evidence that the matter is local."""
    records = []
    for layout in (True, False):
        read = ReadResult(pages=[PageText(number=1, text=WRAPPED_POLICY, source="ocr", layout_lines=layout)])
        records.append(pipeline.analyse(read, SETTINGS, letter_id="y" * 64, source="y", received=RECEIVED))
    scan, typed = records
    assert scan.route is not None and typed.route is not None
    assert scan.route.agency_kind == typed.route.agency_kind
