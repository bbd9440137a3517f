"""Decisions, the contested decision's date, the accused's post and body, the incident place and the
per-field confidence, on letters written for these tests (invented people, real 2025 units)."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.accused import extract_accused
from extractors.decision_refs import contested_decision, extract_decisions
from extractors.fields import extract_fields
from models.record import LetterRecord, PageText, ReadResult
from petitions.pipeline import analyse
from petitions.settings import Settings

SETTINGS = Settings()
HOME = "Tôi tên là Quách Văn Lực, sinh năm 1969, trú tại xóm 5, xã Gia Hưng, tỉnh Ninh Bình.\n"

# --- decisions ----------------------------------------------------------------------------------------

LAND = """Kính gửi: Chủ tịch UBND xã Gia Hưng

Tôi tên là Quách Văn Lực, trú tại xóm 5, xã Gia Hưng, tỉnh Ninh Bình.
Ngày 02/4/2026 tôi nhận được Quyết định số 318/QĐ-UBND ngày 28 tháng 3 năm 2026 của Chủ tịch Ủy ban nhân dân \
xã Gia Hưng về việc thu hồi 150 m² đất vườn của gia đình tôi.
Căn cứ Thông báo số 41/TB-UBND ngày 5/1/2026 của UBND xã Gia Hưng, giá bồi thường chỉ bằng một nửa giá thị trường.
Vì vậy tôi làm đơn này khiếu nại và kính đề nghị hủy Quyết định số 318/QĐ-UBND nói trên.
"""


def test_decisions_have_number_issuer_and_date() -> None:
    decisions = extract_decisions(LAND)
    assert [(d.number, d.issuer, d.date) for d in decisions] == [
        ("318/QĐ-UBND", "Chủ tịch UBND xã Gia Hưng", dt.date(2026, 3, 28)),
        ("41/TB-UBND", "UBND xã Gia Hưng", dt.date(2026, 1, 5)),
    ]
    assert decisions[0].doc_type == "QĐ" and decisions[0].issuer_code == "UBND"


def test_contested_decision_is_the_one_the_request_aims_at() -> None:
    found = contested_decision(LAND)
    assert found is not None and found.number == "318/QĐ-UBND"
    ex = extract_fields(LAND, SETTINGS)
    assert ex.contested_decision_date == dt.date(2026, 3, 28)
    assert ex.decision_refs == ["318/QĐ-UBND", "41/TB-UBND"]  # unchanged


def test_date_and_issuer_come_from_any_mention() -> None:
    text = ("Tôi khiếu nại Quyết định số 77/QĐ-XPHC. Quyết định số 77/QĐ-XPHC ngày 9/6/2026 do Chủ tịch UBND "
            "phường Tây Hoa Lư ký đã phạt tôi 5 triệu đồng.")
    (d,) = extract_decisions(text)
    assert (d.number, d.date, d.issuer) == ("77/QĐ-XPHC", dt.date(2026, 6, 9), "Chủ tịch UBND phường Tây Hoa Lư")
    assert extract_fields(text, SETTINGS).contested_decision_date == dt.date(2026, 6, 9)


@pytest.mark.parametrize(("text", "issuer"), [
    # the body that acts on the decision right after it
    ("Theo QĐ số 22/QĐ-UBND ngày 26/9/2025, UBND xã Lý Nhân thu hồi giấy chứng nhận của tôi.", "UBND xã Lý Nhân"),
    # a first complaint settled "bằng Quyết định số …"
    ("Tôi đã được Chủ tịch UBND xã Vạn Thắng giải quyết khiếu nại lần đầu bằng Quyết định số 1556/QĐ-UBND.",
     "UBND xã Vạn Thắng"),
    # a comma followed by something else is no issuer
    ("Theo QĐ số 22/QĐ-UBND ngày 26/9/2025, gia đình tôi bị thu hồi 100 m² đất.", None),
])
def test_issuer_written_around_the_reference(text: str, issuer: str | None) -> None:
    (d,) = extract_decisions(text)
    assert d.issuer == issuer


def test_a_departments_code_names_the_issuer() -> None:
    text = ("Ngày 14/8/2025 Sở có Văn bản số 1290/SNV-NCC trả lời không đủ điều kiện. Quyết định số 95/QĐ-SXD "
            "thu hồi phù hiệu xe. Tôi đề nghị Sở xem xét lại văn bản này.")
    first, second = extract_decisions(text)
    assert (first.number, first.doc_type, first.issuer) == ("1290/SNV-NCC", "CV", "Sở Nội vụ")
    assert (second.number, second.issuer) == ("95/QĐ-SXD", "Sở Xây dựng")
    # "xem xét lại văn bản này": the document named before, here the QĐ (decisions first)
    assert contested_decision(text) is not None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # "xem xét lại quyết định trên": the decision named before
        ("UBND tỉnh Ninh Bình ban hành Quyết định số 1204/QĐ-UBND ngày 10/02/2026 phê duyệt giá đất. "
         "Gia đình tôi không đồng tình, đề nghị xem xét lại quyết định trên.", dt.date(2026, 2, 10)),
        # unaccented, "khong nhat tri voi quyet dinh nay"
        ("Theo QD so 56/QD-UBND ngay 3 thang 5 nam 2026 cua UBND xa Gia Hung thi nha toi phai di doi. "
         "Toi khong nhat tri voi quyet dinh nay.", dt.date(2026, 5, 3)),
        # only one decision in a complaint letter
        ("Tôi làm đơn khiếu nại việc cắt trợ cấp theo Quyết định số 90/QĐ-SNV ngày 1/7/2026.", dt.date(2026, 7, 1)),
        # a denunciation that cites a decision contests nothing
        ("Tôi tố cáo ông Đàm Văn Khoa đã làm giả Quyết định số 12/QĐ-UBND ngày 3/3/2026 để bán đất.", None),
        # a complaint aimed at an undated decision: the date is unknown
        ("Tôi khiếu nại Quyết định số 44/QĐ-UBND của UBND xã Gia Hưng.", None),
    ],
)
def test_contested_decision_date(body: str, expected: dt.date | None) -> None:
    assert extract_fields(HOME + body, SETTINGS).contested_decision_date == expected


def test_record_carries_decisions_and_confidence() -> None:
    read = ReadResult(pages=[PageText(number=1, text=LAND, source="text_layer")])
    record = analyse(read, SETTINGS, letter_id="t", source="t", received=dt.date(2026, 4, 10))
    data = LetterRecord.model_validate_json(record.to_json()).model_dump(mode="json")
    assert data["decisions"][0] == {"number": "318/QĐ-UBND", "doc_type": "QĐ", "issuer": "Chủ tịch UBND xã Gia Hưng",
                                    "issuer_code": "UBND", "date": "2026-03-28"}
    assert data["decision_refs"] == ["318/QĐ-UBND", "41/TB-UBND"]
    assert data["contested_decision_date"] == "2026-03-28"
    assert set(data["field_confidence"]) >= {"petitioners", "location", "decision_refs", "subject"}


# --- accused ------------------------------------------------------------------------------------------

ACCUSED = [
    ("Tôi tố cáo ông Mạc Văn Tình, công chức địa chính, Phòng Kinh tế UBND xã Gia Hưng, đã nhận tiền của dân.",
     ("Mạc Văn Tình", "công chức địa chính, Phòng Kinh tế", "UBND xã Gia Hưng")),
    ("Chúng tôi tố cáo bà Lư Thị Hằng, cán bộ Phòng Kinh tế thuộc UBND phường Tây Hoa Lư, gây khó dễ khi làm sổ.",
     ("Lư Thị Hằng", "cán bộ Phòng Kinh tế", "UBND phường Tây Hoa Lư")),
    ("Tôi tố cáo ông Khổng Minh Đức, Chủ tịch UBND xã Gia Trấn, lợi dụng chức vụ chia đất công.",
     ("Khổng Minh Đức", "Chủ tịch UBND xã", "UBND xã Gia Trấn")),
    ("Tôi tố cáo ông Lục Văn Sáu, đảng viên chi bộ thôn 4, Đảng bộ xã Gia Hưng, vi phạm quy định về đất đai.",
     ("Lục Văn Sáu", "đảng viên chi bộ thôn 4", "Đảng bộ xã Gia Hưng")),
    # the body without its name: the commune stays unknown
    ("Tôi tố cáo ông Tòng Văn Lả, cán bộ địa chính UBND xã đã nhận 20 triệu đồng của tôi.",
     ("Tòng Văn Lả", "cán bộ địa chính", "UBND xã")),
    # ALL CAPS
    ("TÔI TỐ CÁO ÔNG MẠC VĂN TÌNH, CÔNG CHỨC ĐỊA CHÍNH, PHÒNG KINH TẾ UBND XÃ GIA HƯNG, ĐÃ NHẬN TIỀN.",
     ("Mạc Văn Tình", "công chức địa chính, PHÒNG KINH TẾ", "UBND XÃ GIA HƯNG")),
    # the post before the name, unaccented, no "tố cáo"
    ("Nam 2025 can bo dia chinh Giap Van Tuoi cua UBND xa Gia Hung doi toi 30 trieu moi lam so do.",
     ("Giap Van Tuoi", "cán bộ địa chính", "UBND xa Gia Hung")),
    # "đối tượng …" with no post
    ("Ở xóm tôi có đối tượng Chẩu Văn Páo thường xuyên tổ chức đánh bạc ban đêm.", ("Chẩu Văn Páo", None, None)),
    # "hành vi … của <name>" without "ông/bà"
    ("Đề nghị công an xử lý hành vi chiếm đất của Ninh Văn Quế theo pháp luật.", ("Ninh Văn Quế", None, None)),
]


@pytest.mark.parametrize(("text", "expected"), ACCUSED)
def test_accused_post_and_body(text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    acc = extract_accused(text)
    assert acc is not None
    assert (acc.name, acc.position, acc.organization) == expected


def test_unnamed_commune_body_leaves_the_commune_unknown() -> None:
    from routing.facts import _commune_named

    acc = extract_accused(ACCUSED[4][0])
    assert acc is not None and _commune_named(acc.organization, SETTINGS) is None


# --- incident location ------------------------------------------------------------------------------

INCIDENTS = [
    ("Gia đình tôi có thửa đất tại thôn 2, xã Gia Trấn bị hàng xóm lấn chiếm.", "Gia Trấn", "Ninh Bình", None),
    ("Con tôi làm phụ hồ tại công trường ở phường Tây Hoa Lư thì bị ngã giàn giáo.", "Tây Hoa Lư", "Ninh Bình",
     None),
    ("Việc xảy ra ở xã Thanh Hà, huyện Thanh Liêm (cũ), tỉnh Hà Nam từ tháng 3.", "Liêm Hà", "Ninh Bình",
     ("Hà Nam", "Thanh Liêm", "Thanh Hà")),
    # another province
    ("Tôi mua đất tại xã Hoằng Lộc, huyện Hoằng Hóa, tỉnh Thanh Hóa nhưng bị lừa đảo.", "Hoằng Lộc", "Thanh Hóa",
     ("Thanh Hóa", "Hoằng Hóa", "Hoằng Lộc")),
    ("Nhiều tháng nay có tàu hút cát trên sông Đáy đoạn qua xã Gia Trấn vào ban đêm.", "Gia Trấn", "Ninh Bình", None),
    ("XƯỞNG MỘC NẰM TRÊN ĐỊA BÀN PHƯỜNG TÂY HOA LƯ CHẠY MÁY CẢ ĐÊM.", "Tây Hoa Lư", "Ninh Bình", None),
]


@pytest.mark.parametrize(("body", "commune", "province", "legacy"), INCIDENTS)
def test_incident_location(body: str, commune: str | None, province: str,
                           legacy: tuple[str, str, str] | None) -> None:
    ex = extract_fields(HOME + body, SETTINGS)
    assert ex.location is not None and ex.location.commune == "Gia Hưng"
    inc = ex.incident_location
    assert inc is not None
    assert inc.province == province
    if commune is not None:
        assert inc.commune == commune
        assert inc.commune_code is not None
    got = (inc.legacy.province, inc.legacy.district, inc.legacy.commune) if inc.legacy else None
    if legacy is not None or commune is not None:
        assert got == legacy


@pytest.mark.parametrize(("body", "how"), [
    (INCIDENTS[2][0], "old"),  # an old 3-level address, converted
    (INCIDENTS[5][0], "home"),  # a ward read from text in one case, the office's province assumed
])
def test_incident_place_says_how_it_resolved(body: str, how: str) -> None:
    # the labels behind the incident's field confidence come from the resolution that found the place
    from extractors.address import extract_incident_location_how
    from extractors.units import resolve_address_how

    home = extract_fields(HOME, SETTINGS).location
    inc, labels = extract_incident_location_how(HOME + body, home, SETTINGS.province)
    assert inc is not None and how in labels
    assert labels == resolve_address_how(inc.as_written or "", SETTINGS.province)[1]


@pytest.mark.parametrize(
    ("body", "as_written"),
    [
        ("Con tôi đi làm ở phường Tây Hoa Lư. Từ tháng 3 công ty nợ lương.", "phường Tây Hoa Lư"),
        ("Thửa đất tại thôn Bến, xã Gia Trấn, tỉnh Ninh Bình. Tôi đã nộp hồ sơ.",
         "xã Gia Trấn, tỉnh Ninh Bình"),
    ],
)
def test_incident_place_ends_with_its_sentence(body: str, as_written: str) -> None:
    inc = extract_fields(HOME + body, SETTINGS).incident_location
    assert inc is not None and inc.as_written == as_written


@pytest.mark.parametrize(
    "body",
    [
        "Đường liên thôn tại xóm 5, xã Gia Hưng bị xe tải làm hỏng.",  # the writer's own commune
        "Bà Trịnh Thị Mến, trú tại xóm 1, xã Gia Trấn, cùng ký đơn này.",  # a co-signer's residence
        "Xin cảm ơn các cấp lãnh đạo.",
    ],
)
def test_no_incident_location(body: str) -> None:
    assert extract_fields(HOME + body, SETTINGS).incident_location is None


# --- field confidence --------------------------------------------------------------------------------

FORM = """Gia Hưng, ngày 12 tháng 4 năm 2026

ĐƠN KHIẾU NẠI

Kính gửi: Chủ tịch UBND xã Gia Hưng

Tôi tên là: Quách Văn Lực
Địa chỉ: xóm 5, xã Gia Hưng, tỉnh Ninh Bình
Tôi làm đơn này khiếu nại Quyết định số 318/QĐ-UBND ngày 28/3/2026 của Chủ tịch UBND xã Gia Hưng về thu hồi đất.
Kính đề nghị hủy Quyết định số 318/QĐ-UBND.

Người làm đơn
Quách Văn Lực
"""

KEYS = {"petitioners", "location", "incident_location", "accused", "subject", "decision_refs", "letter_date"}


def test_confidence_keys_and_range() -> None:
    conf = extract_fields(FORM, SETTINGS).field_confidence
    assert set(conf) == {"petitioners", "location", "accused", "subject", "decision_refs", "letter_date"}
    assert set(conf) <= KEYS and all(0.0 <= v <= 1.0 for v in conf.values())
    assert conf["petitioners"] >= 0.9 and conf["location"] >= 0.9 and conf["letter_date"] >= 0.9


def test_confidence_follows_the_evidence() -> None:
    agreed = extract_fields(FORM, SETTINGS).field_confidence["petitioners"]
    unsigned = extract_fields(FORM.replace("Người làm đơn\nQuách Văn Lực", "Người làm đơn\n(đã ký)"),
                              SETTINGS).field_confidence["petitioners"]
    other = extract_fields(FORM.replace("Người làm đơn\nQuách Văn Lực", "Người làm đơn\nQuách Văn Lợi"),
                           SETTINGS).field_confidence["petitioners"]
    assert agreed > unsigned > other
    with_province = extract_fields(FORM, SETTINGS).field_confidence["location"]
    without = extract_fields(FORM.replace(", tỉnh Ninh Bình", ""), SETTINGS).field_confidence["location"]
    assert with_province > without
    empty = extract_fields("Xin chào.", SETTINGS).field_confidence
    assert "petitioners" not in empty and "location" not in empty and "letter_date" not in empty


def test_low_ocr_confidence_lowers_the_span() -> None:
    clean = extract_fields(FORM, SETTINGS).field_confidence
    page = PageText(number=1, text=FORM, source="ocr", confidence=0.7, word_count=80,
                    low_confidence_words=["Quách", "Lực", "318/QĐ-UBND"])
    doubtful = extract_fields(FORM, SETTINGS, [page]).field_confidence
    assert doubtful["petitioners"] < clean["petitioners"]
    assert doubtful["location"] == clean["location"]
    text_layer = PageText(number=1, text=FORM, source="text_layer", low_confidence_words=["Quách"])
    assert extract_fields(FORM, SETTINGS, [text_layer]).field_confidence == clean
