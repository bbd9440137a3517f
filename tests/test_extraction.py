"""Field extraction on letters written for these tests (invented people, real 2025 units)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from extractors.accused import extract_accused
from extractors.dates import extract_letter_date
from extractors.decision_refs import decision_details, extract_decision_refs
from extractors.fields import evaluate, extract_fields
from extractors.petitioner import read_name
from extractors.subject import extract_subject
from extractors.units import resolve_address
from petitions.settings import Settings

SETTINGS = Settings()

FORMAL = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Gia Viễn, ngày 15 tháng 01 năm 2026

ĐƠN KHIẾU NẠI

Kính gửi: Chủ tịch Ủy ban nhân dân xã Gia Viễn

Tôi tên là: Hoàng Minh Tuấn        Sinh năm: 1972
CCCD số: 037072009876, cấp ngày 02/5/2022
Địa chỉ: thôn Bắc, xã Gia Viễn, tỉnh Ninh Bình

Tôi làm đơn này khiếu nại Quyết định số 58/QĐ-UBND ngày 20/12/2025 của Chủ tịch UBND xã Gia Viễn về việc \
thu hồi 200 m² đất nông nghiệp của gia đình tôi mà không bồi thường.
Kính đề nghị Chủ tịch UBND xã xem xét hủy Quyết định số 58/QĐ-UBND nêu trên.

Người làm đơn
(Ký, ghi rõ họ tên)
Hoàng Minh Tuấn
"""

INFORMAL = """Kính gửi các bác lãnh đạo xã

Tôi là Đoàn Thị Lụa, năm nay 68 tuổi, nhà tôi ở xóm 4 xã Thanh Hà huyện Thanh Liêm tỉnh Hà Nam, chồng tôi \
mất sớm. Con đường đất trước cổng nhà tôi mưa xuống là ngập, trẻ con đi học ngã suốt.
Tôi viết đơn này phản ánh tình trạng đường ngập để xã cho người về xem, sửa giúp bà con.
Tôi cảm ơn.

Đoàn Thị Lụa
"""

UNACCENTED = """Kinh gui: UBND phuong Trung Son

Toi ten la Trinh Van Khai, sinh nam 1980, tru tai to dan pho 3, phuong Trung Son, tinh Ninh Binh.
Toi lam don nay kien nghi ve viec den duong tren pho chinh bi hong nhieu thang nay chua sua.
De nghi phuong som thay den de nguoi dan di lai an toan.

Ninh Binh, ngay 3 thang 2 nam 2026
Nguoi viet don
Trinh Van Khai
"""

CAPS = """ĐƠN TỐ CÁO
KÍNH GỬI: CHỦ TỊCH UBND TỈNH NINH BÌNH
TÔI TÊN LÀ PHÙNG VĂN TOẢN SINH NĂM 1966 TRÚ TẠI XÓM 2, XÃ GIA HƯNG, HUYỆN GIA VIỄN, TỈNH NINH BÌNH.
Tôi làm đơn này tố cáo ông Lò Văn Chiến, công chức địa chính UBND xã Gia Hưng, đã nhận tiền của \
các hộ dân để hợp thức hóa đất lấn chiếm.
Đề nghị Chủ tịch UBND tỉnh chỉ đạo xác minh, xử lý nghiêm ông Lò Văn Chiến.
"""

GROUP = """ĐƠN KIẾN NGHỊ
Kính gửi: Ủy ban nhân dân phường Hoa Lư

Chúng tôi gồm các hộ dân tổ dân phố 7, phường Hoa Lư, tỉnh Ninh Bình, có tên dưới đây:
1. Ông Tạ Quang Vinh, sinh năm 1958
2. Bà Cù Thị Nga, sinh năm 1961
3. Ông Khúc Văn Lộc
4. Bà Nghiêm Thị Xoan
5. Ông Mạc Đình Hậu
6. Bà Lưu Thị Thoa

Chúng tôi làm đơn này kiến nghị về việc xưởng gỗ trong khu dân cư chạy máy cả đêm gây tiếng ồn.
Đề nghị phường kiểm tra, buộc xưởng chấm dứt hoạt động ban đêm.

Hoa Lư, ngày 10 tháng 3 năm 2026
Các hộ cùng ký tên:
1. Tạ Quang Vinh (đã ký)
2. Cù Thị Nga (đã ký)
3. Khúc Văn Lộc (đã ký)
4. Nghiêm Thị Xoan (điểm chỉ)
5. Mạc Đình Hậu (đã ký)
6. Lưu Thị Thoa (đã ký)
"""

ANONYMOUS = """Kính gửi: Thanh tra tỉnh

Tôi là một người dân ở phường Trung Sơn, xin giấu tên vì sợ bị trả thù.
Tôi tố cáo cán bộ phường nhận tiền để cho xây nhà trái phép trên đất nông nghiệp.
Đề nghị các cơ quan kiểm tra làm rõ.

Một công dân
"""


# --- whole letters ---------------------------------------------------------------------------------

LETTERS = [
    # (letter, name, id_number, anonymous, signatory_count, commune, province)
    (FORMAL, "Hoàng Minh Tuấn", "037072009876", False, 1, "Gia Viễn", "Ninh Bình"),
    (INFORMAL, "Đoàn Thị Lụa", None, False, 1, "Liêm Hà", "Ninh Bình"),
    (UNACCENTED, "Trinh Van Khai", None, False, 1, "Trung Sơn", "Ninh Bình"),
    (CAPS, "Phùng Văn Toản", None, False, 1, "Gia Hưng", "Ninh Bình"),
    (GROUP, "Tạ Quang Vinh", None, False, 6, "Hoa Lư", "Ninh Bình"),
    (ANONYMOUS, None, None, True, 0, "Trung Sơn", "Ninh Bình"),
]


@pytest.mark.parametrize(("text", "name", "id_number", "anonymous", "count", "commune", "province"), LETTERS)
def test_letter_fields(text: str, name: str | None, id_number: str | None, anonymous: bool, count: int,
                       commune: str, province: str) -> None:
    ex = extract_fields(text, SETTINGS)
    assert ex.anonymous is anonymous
    assert ex.signatory_count == count
    if name is None:
        assert ex.petitioners == []
    else:
        assert ex.petitioners[0].name == name
        assert ex.petitioners[0].id_number == id_number
    assert ex.location is not None
    assert (ex.location.commune, ex.location.province) == (commune, province)


def test_group_letter_lists_every_signer() -> None:
    ex = extract_fields(GROUP, SETTINGS)
    assert [p.name for p in ex.petitioners] == [
        "Tạ Quang Vinh", "Cù Thị Nga", "Khúc Văn Lộc", "Nghiêm Thị Xoan", "Mạc Đình Hậu", "Lưu Thị Thoa"]


def test_old_form_address_keeps_legacy_units() -> None:
    ex = extract_fields(INFORMAL, SETTINGS)
    assert ex.location is not None and ex.location.legacy is not None
    assert ex.location.legacy.model_dump() == {"province": "Hà Nam", "district": "Thanh Liêm", "commune": "Thanh Hà"}
    assert (ex.location.province_code, ex.location.commune_code) == ("37", "13456")


def test_new_form_address_has_no_legacy() -> None:
    ex = extract_fields(FORMAL, SETTINGS)
    assert ex.location is not None
    assert ex.location.legacy is None
    assert ex.location.as_written == "thôn Bắc, xã Gia Viễn, tỉnh Ninh Bình"
    assert ex.location.commune_code == "14464"


# --- addresses -------------------------------------------------------------------------------------

ADDRESSES = [
    # (as written, commune, province, commune_code, legacy (province, district, commune) or None)
    ("xóm 3, xã Thanh Hà, huyện Thanh Liêm, tỉnh Hà Nam", "Liêm Hà", "Ninh Bình", "13456",
     ("Hà Nam", "Thanh Liêm", "Thanh Hà")),
    ("xa Thanh Ha huyen Thanh Liem tinh Ha Nam", "Liêm Hà", "Ninh Bình", "13456", ("Hà Nam", "Thanh Liêm", "Thanh Hà")),
    ("thôn Đông, X. Yên Khánh, H. Ý Yên, T. Nam Định", "Ý Yên", "Ninh Bình", "13795", ("Nam Định", "Ý Yên", "Yên Khánh")),
    ("TDP 3, TT. Yên Thịnh, H. Yên Mô, Ninh Bình", "Yên Mô", "Ninh Bình", "14701", ("Ninh Bình", "Yên Mô", "Yên Thịnh")),
    ("Xóm 2 - Xuân Ninh - Xuân Trường - Nam Định", "Xuân Trường", "Ninh Bình", "14089",
     ("Nam Định", "Xuân Trường", "Xuân Ninh")),
    ("xã Thanh Hà, huyện Thanh Liêm", "Liêm Hà", "Ninh Bình", "13456", ("Hà Nam", "Thanh Liêm", "Thanh Hà")),
    ("phuong Trung Son, tinh Ninh Binh", "Trung Sơn", "Ninh Bình", "14365", None),
    ("P. Hoa Lư, T. Ninh Bình", "Hoa Lư", "Ninh Bình", "14329", None),
    ("xóm 6, xã Gia Viễn", "Gia Viễn", "Ninh Bình", "14464", None),  # no province: the office's province
    ("số 5 phố Tràng Tiền, phường Hoàn Kiếm, TP. Hà Nội", "Hoàn Kiếm", "Hà Nội", "00070", None),
    ("đặc khu Côn Đảo, TP. Hồ Chí Minh", "Côn Đảo", "Hồ Chí Minh", "26732", None),
    ("khu 2 thị trấn Yên Thịnh cũ, nay là xã Yên Mô", "Yên Mô", "Ninh Bình", "14701",
     ("Ninh Bình", "Yên Mô", "Yên Thịnh")),
]


@pytest.mark.parametrize(("span", "commune", "province", "code", "legacy"), ADDRESSES)
def test_resolve_address(span: str, commune: str, province: str, code: str,
                         legacy: tuple[str, str, str] | None) -> None:
    loc = resolve_address(span, "Ninh Bình")
    assert loc is not None
    assert (loc.commune, loc.province, loc.commune_code) == (commune, province, code)
    got = (loc.legacy.province, loc.legacy.district, loc.legacy.commune) if loc.legacy else None
    assert got == legacy


def test_province_only_and_unknown() -> None:
    loc = resolve_address("tỉnh Hà Tĩnh")
    assert loc is not None and (loc.province, loc.commune, loc.province_code) == ("Hà Tĩnh", None, "42")
    assert resolve_address("nước ngoài") is None


# --- names -----------------------------------------------------------------------------------------

NAMES = [
    ("Nguyễn Văn Nam, sinh năm 1970", "Nguyễn Văn Nam"),
    ("NGUYỄN THỊ PHƯƠNG SINH NĂM 1980", "Nguyễn Thị Phương"),
    ("Lê Thị Nụ sinh năm 1962 ở xóm 1", "Lê Thị Nụ"),
    ("ông Trần Quốc Hiền          Sinh năm: 1955", "Trần Quốc Hiền"),
    ("Một công dân", None),
    ("người dân xóm 5", None),
    ("Trường mầm non xã", None),
]


@pytest.mark.parametrize(("text", "expected"), NAMES)
def test_read_name(text: str, expected: str | None) -> None:
    assert read_name(text) == expected


def test_surname_that_folds_like_la() -> None:
    ex = extract_fields("Kính gửi: UBND xã Kim Sơn\nTôi tên Lã Văn Bình sinh năm 1960 ở xóm 1 xã Kim Sơn.\n", SETTINGS)
    assert ex.petitioners[0].name == "Lã Văn Bình"


# --- decision references, dates, accused, subject --------------------------------------------------

def test_decision_refs() -> None:
    text = ("khiếu nại Quyết định số 245/QĐ-UBND ngày 12/3/2026 và QĐ 245/QĐ-UBND, Thông báo số 35 / TB - UBND, "
            "bản án 15/2024/DS-ST; căn cứ Nghị định 124/2020/NĐ-CP và Luật số 02/2011/QH13; thửa đất 152/9")
    assert extract_decision_refs(text) == ["245/QĐ-UBND", "35/TB-UBND", "15/2024/DS-ST"]
    first = decision_details(text)[0]
    assert (first.number, first.doc_type, first.issuer, first.date) == ("245", "QĐ", "UBND", dt.date(2026, 3, 12))
    assert extract_decision_refs("quyet dinh so 17/QD-UBND ngay 1/2/2026") == ["17/QĐ-UBND"]


DATES = [
    ("Ninh Bình, ngày 08 tháng 12 năm 2025\nĐƠN", dt.date(2025, 12, 8)),
    ("Ha Nam, ngay 8 thang 12 nam 2025", dt.date(2025, 12, 8)),
    ("Gia Viễn ngày 3 tháng 2 năm 2026", dt.date(2026, 2, 3)),
    ("Hoa Lư, ngày 05/01/2026", dt.date(2026, 1, 5)),
    ("Ngày 20/8/2025 tôi đã gửi đơn lần đầu.", None),
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_letter_date(text: str, expected: dt.date | None) -> None:
    assert extract_letter_date(text) == expected


def test_accused_in_denunciation() -> None:
    acc = extract_accused(CAPS)
    assert acc is not None
    assert (acc.name, acc.position, acc.organization) == ("Lò Văn Chiến", "công chức địa chính", "UBND xã Gia Hưng")


def test_accused_in_complaint_is_the_decision_maker() -> None:
    acc = extract_accused(FORMAL)
    assert acc is not None
    assert (acc.name, acc.position, acc.organization) == (None, "Chủ tịch UBND xã", "UBND xã Gia Viễn")


def test_accused_department() -> None:
    text = "Tôi khiếu nại Quyết định số 77/QĐ-SNV ngày 1/4/2026 của Giám đốc Sở Nội vụ tỉnh Ninh Bình về việc cắt trợ cấp."
    acc = extract_accused(text)
    assert acc is not None
    assert (acc.position, acc.organization) == ("Giám đốc Sở", "Sở Nội vụ tỉnh Ninh Bình")


@pytest.mark.parametrize("text", [FORMAL, INFORMAL, UNACCENTED, CAPS, GROUP])
def test_subject_is_one_informative_line(text: str) -> None:
    subject = extract_subject(text)
    assert subject is not None
    assert "\n" not in subject and len(subject) <= 161
    first_sentence = [ln for ln in text.splitlines() if ln.strip()][0]
    assert subject != first_sentence
    assert not subject.upper().startswith("ĐƠN ")


def test_subject_starts_at_the_request() -> None:
    assert extract_subject(FORMAL).startswith("Khiếu nại Quyết định số 58/QĐ-UBND")
    assert extract_subject(UNACCENTED).lower().startswith("kien nghi ve viec den duong")


# --- evaluation and speed --------------------------------------------------------------------------

def test_evaluate_reports_rates() -> None:
    gold = {"petitioner_names": ["Hoàng Minh Tuấn"], "anonymous": False, "signatory_count": 1,
            "commune_new": "Gia Viễn", "province_new": "Ninh Bình", "letter_date": "2026-01-15"}
    report = evaluate([{"id": "T1", "text": FORMAL, "gold": gold}], SETTINGS)
    assert report["accuracy"]["name"] == 1.0
    assert report["accuracy"]["commune_province"] == 1.0
    assert report["accuracy"]["letter_date"] == 1.0
    assert report["errors"]["name"] == []


def test_speed_after_warm_up() -> None:
    extract_fields(FORMAL, SETTINGS)
    start = time.perf_counter()
    for text in (FORMAL, INFORMAL, UNACCENTED, CAPS, GROUP, ANONYMOUS):
        extract_fields(text, SETTINGS)
    assert (time.perf_counter() - start) / 6 < 0.1


@pytest.mark.parametrize(
    ("text", "name", "address"),
    [
        # a place name whose first syllable folds like a common word ("La" ~ "là", "Vị" ~ "vì")
        ("Tôi là Lò Văn Páo, thường trú tại xóm Đoài, xã La Sơn, huyện Bình Lục, tỉnh Hà Nam.",
         "Lò Văn Páo", "xóm Đoài, xã La Sơn, huyện Bình Lục, tỉnh Hà Nam"),
        ("Họ tên: Hà Thị Vân. Địa chỉ: tổ 3, phường Vị Khê, tỉnh Ninh Bình. ĐT: 0912 000 111.",
         "Hà Thị Vân", "tổ 3, phường Vị Khê, tỉnh Ninh Bình"),
        # a name that ends a sentence keeps its last syllable
        ("Họ tên: Trần Công Hiếu. Địa chỉ: đội 9, xã Đa Phúc, tỉnh Ninh Bình.", "Trần Công Hiếu",
         "đội 9, xã Đa Phúc, tỉnh Ninh Bình"),
    ],
)
def test_place_names_that_fold_like_common_words(text: str, name: str, address: str) -> None:
    from extractors.petitioner import extract_petitioners

    (who,) = extract_petitioners(text).petitioners
    assert who.name == name
    assert who.address == address
