"""Petitioner names, signers' lists and the petitioner's address in layouts the first rules missed: signers'
lists in columns or on one line, unnumbered signers under "Những người làm đơn", given names that fold like
stop words, rare family names, addresses without a cue, and old addresses whose district does not match.
Letters written for these tests (invented people, real units)."""

from __future__ import annotations

import pytest

from extractors.address import address_after_cue, address_after_name
from extractors.fields import extract_fields
from extractors.petitioner import read_name
from extractors.units import resolve_address
from petitions.settings import Settings

SETTINGS = Settings()

# --- signers' lists -----------------------------------------------------------------------------------

COLUMNS = """ĐƠN PHẢN ÁNH

Kính gửi: UBND xã Gia Hưng

Chúng tôi là các hộ dân xóm 4, xã Gia Hưng, tỉnh Ninh Bình, gồm:
1. Ông Khúc Văn Toàn     2. Bà Lại Thị Nhung     3. Ông Mạc Văn Hưởng
4. Bà Đinh Thị Quế      5. Ông Phí Văn Bằng

Xin phản ánh: lò đốt rác của xóm đặt sát trường mẫu giáo, khói bay vào lớp học mỗi buổi sáng.
Đề nghị xã chuyển lò đốt ra xa khu dân cư.

Gia Hưng, ngày 3 tháng 9 năm 2025
"""

ONE_LINE = """ĐƠN ĐỀ NGHỊ

Kính gửi: UBND phường Hoa Lư

Chúng tôi là các hộ dân tổ dân phố 7, phường Hoa Lư, tỉnh Ninh Bình. Đường ống nước sạch qua tổ đã vỡ ba tuần
nay, nước chảy tràn mặt đường mà chưa ai đến sửa. Đề nghị phường yêu cầu công ty cấp nước sửa gấp.

Hoa Lư, ngày 20 tháng 10 năm 2025
Những hộ cùng ký tên:
Trương Văn Khải, Lã Thị Bích, Ninh Văn Hào, Vương Thị Mai
"""

UNNUMBERED = """ĐƠN KIẾN NGHỊ

Kính gửi: Chủ tịch UBND xã Yên Mô

Chúng tôi là người dân thôn Bạch Liên, xã Yên Mô, tỉnh Ninh Bình. Cống tưới đầu thôn bị sụt, ruộng của
các hộ cuối thôn không lấy được nước. Đề nghị xã sửa cống trước vụ mùa.

Yên Mô, ngày 2/6/2026
Những người làm đơn:
Tống Văn Chiến (đã ký)
Lưu Thị Hạnh (đã ký)
Đàm Văn Sỹ (đã ký)
"""

REPRESENTED = """ĐƠN TỐ CÁO

Kính gửi: Chủ tịch UBND xã Gia Viễn

Chúng tôi là các hộ dân thôn Tiền, xã Gia Viễn, tỉnh Ninh Bình, có tên dưới đây, do ông Hà Văn Thắng và \
bà Triệu Thị Hoa làm đại diện, tố cáo ông Kiều Văn Lâm, trưởng thôn, thu tiền làm nhà văn hóa không công khai.
Đề nghị xã kiểm tra, xử lý.

Gia Viễn, ngày 9/7/2026
DANH SÁCH NGƯỜI KÝ ĐƠN
1. Hà Văn Thắng - đã ký
2. Triệu Thị Hoa - đã ký
3. Tạ Văn Duẩn - đã ký
"""

ON_THE_LABEL_LINE = """ĐƠN PHẢN ÁNH

Kính gửi: Chủ tịch UBND xã Gia Vân

Chúng tôi là các hộ dân xóm 9, xã Gia Vân, tỉnh Ninh Bình. Nước máy cấp cho xóm từ tháng 9/2026 có màu vàng, \
mùi tanh. Đề nghị xã kiểm tra chất lượng nước.

Ngày 26/10/2026
Đại diện: Hoàng Văn Thụ (ký), Lê Thị Gấm (ký), Trần Thị Nga (ký)
"""


@pytest.mark.parametrize(
    ("text", "names", "commune"),
    [
        (COLUMNS, ["Khúc Văn Toàn", "Lại Thị Nhung", "Mạc Văn Hưởng", "Đinh Thị Quế", "Phí Văn Bằng"], "Gia Hưng"),
        (ONE_LINE, ["Trương Văn Khải", "Lã Thị Bích", "Ninh Văn Hào", "Vương Thị Mai"], "Hoa Lư"),
        (UNNUMBERED, ["Tống Văn Chiến", "Lưu Thị Hạnh", "Đàm Văn Sỹ"], "Yên Mô"),
        (REPRESENTED, ["Hà Văn Thắng", "Triệu Thị Hoa", "Tạ Văn Duẩn"], "Gia Viễn"),
        # the signers on the label's line: "Đại diện: A (ký), B (ký)", "Ký tên: A, B", "Thay mặt: …"
        (ON_THE_LABEL_LINE, ["Hoàng Văn Thụ", "Lê Thị Gấm", "Trần Thị Nga"], "Gia Vân"),
        (ON_THE_LABEL_LINE.replace("Đại diện:", "Ký tên:").replace(" (ký)", ""),
         ["Hoàng Văn Thụ", "Lê Thị Gấm", "Trần Thị Nga"], "Gia Vân"),
    ],
    ids=["columns", "one_line", "unnumbered", "represented", "on_label_line", "ky_ten"],
)
def test_signers_lists(text: str, names: list[str], commune: str) -> None:
    ex = extract_fields(text, SETTINGS)
    assert [p.name for p in ex.petitioners] == names
    assert ex.signatory_count == len(names)
    assert not ex.anonymous
    assert ex.location is not None and ex.location.commune == commune


def test_single_writer_is_no_group_because_of_a_second_signature() -> None:
    text = """Kính gửi: UBND xã Gia Hưng

Tôi tên là Lê Văn Quyết, trú tại xóm 2, xã Gia Hưng, tỉnh Ninh Bình. Đề nghị xã cấp lại sổ hộ nghèo cho tôi.

Người làm đơn
Lê Văn Quyết
"""
    ex = extract_fields(text, SETTINGS)
    assert [p.name for p in ex.petitioners] == ["Lê Văn Quyết"] and ex.signatory_count == 1


# --- names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Giàng A Sình, sinh năm 1990, trú tại bản Pá Hốc", "Giàng A Sình"),  # "Sình" is no "sinh"
        ("Đỗ Văn Sinh, sinh năm 1958", "Đỗ Văn Sinh"),
        ("Nguyễn Văn Nam sinh năm 1960", "Nguyễn Văn Nam"),  # "Nam" is no "năm"
        ("Lò Thị Tâm tạm trú tại tổ 5", "Lò Thị Tâm"),  # "Tâm" is no "tạm"
        ("HOÀNG VĂN NAM SINH NĂM 1971", "Hoàng Văn Nam"),
        ("Lều Văn Khởi, xóm 3", "Lều Văn Khởi"),  # rare family names
        ("Bế Thị Hoan, thôn Nà Mạ", "Bế Thị Hoan"),
        ("Sầm Văn Piểng, bản Nà Lốc", "Sầm Văn Piểng"),
        ("Ksor Y Phun, buôn Ma Lăng", "Ksor Y Phun"),
        ("Bàn Văn Thọ, sinh năm 1980", "Bàn Văn Thọ"),
        ("Ban Tiếp công dân tỉnh", None),  # a family name spelt like a common word is not one
        ("BAN TIEP CONG DAN TINH", None),
        ("Cát Văn Định, trú tại", "Cát Văn Định"),
        ("nguyen van nam sinh nam 1960", None),  # lower case needs allow_lower
    ],
)
def test_read_name_given_names_and_rare_surnames(text: str, expected: str | None) -> None:
    assert read_name(text) == expected


def test_read_name_unaccented_stop_word_still_ends_the_name() -> None:
    assert read_name("nguyen van hai sinh nam 1960", allow_lower=True) == "Nguyen Van Hai"
    assert read_name("DOAN VAN HUNG SO CCCD 0351") == "Doan Van Hung"


# --- the petitioner's address -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "span"),
    [
        ("Toi ten la Vu Van Dat, dia chi xom 3, xa Gia Hung, tinh Ninh Binh. SDT 0912",
         "xom 3, xa Gia Hung, tinh Ninh Binh"),
        ("Tôi là Bùi Thị Thơm, nhà số 14 đường Trần Hưng Đạo, phường Hoa Lư, tỉnh Ninh Bình, điện thoại 0912",
         "số 14 đường Trần Hưng Đạo, phường Hoa Lư, tỉnh Ninh Bình"),
        ("Chúng tôi là cử tri phường Nam Định. Đề nghị …", "phường Nam Định"),
        ("ĐC: tổ 2, thị trấn Cổ Lễ, huyện Trực Ninh, tỉnh Nam Định. SĐT: 0351",
         "tổ 2, thị trấn Cổ Lễ, huyện Trực Ninh, tỉnh Nam Định"),
        # a letterhead's number that the scan put on the same line
        ("Địa chỉ: thôn Nam Trung, xã Đồng Thịnh, tỉnh Ninh Bình Số: 07/HTX-HN",
         "thôn Nam Trung, xã Đồng Thịnh, tỉnh Ninh Bình"),
    ],
)
def test_address_cues(line: str, span: str) -> None:
    assert address_after_cue(line) == span


def test_address_written_right_after_the_name() -> None:
    assert address_after_name(", TỔ 5 PHƯỜNG NAM HOA LƯ.") == "TỔ 5 PHƯỜNG NAM HOA LƯ"
    assert address_after_name(", sinh năm 1970, xóm 2 xã Gia Hưng, xin trình bày") == "xóm 2 xã Gia Hưng"
    assert address_after_name(", trưởng thôn Tiền, xin trình bày") is None
    text = "KÍNH GỬI UBND PHƯỜNG NAM HOA LƯ\nTÔI LÀ ĐINH VĂN KHOA, TỔ 5 PHƯỜNG NAM HOA LƯ.\nCỐNG BỊ TẮC.\nĐINH VĂN KHOA\n"
    ex = extract_fields(text, SETTINGS)
    assert ex.petitioners[0].name == "Đinh Văn Khoa"
    assert ex.location is not None and (ex.location.commune, ex.location.province) == ("Nam Hoa Lư", "Ninh Bình")


def test_anonymous_voters_address() -> None:
    text = "Kính gửi: Thanh tra tỉnh Ninh Bình\n\nChúng tôi là cử tri phường Tây Hoa Lư. Đề nghị thanh tra phường.\n"
    ex = extract_fields(text, SETTINGS)
    assert ex.anonymous
    assert ex.location is not None and ex.location.commune == "Tây Hoa Lư"


# --- old addresses: the written district constrains the commune ------------------------------------------


def test_old_commune_not_taken_from_another_district() -> None:
    # Quảng Phú of Quảng Xương joined Thanh Hóa city (now phường Quảng Phú); the namesake commune of Thọ
    # Xuân (now xã Xuân Tín) must not be taken.
    loc = resolve_address("xã Quảng Phú, huyện Quảng Xương, tỉnh Thanh Hóa")
    assert loc is not None and loc.province == "Thanh Hóa" and loc.commune != "Xuân Tín"
    assert resolve_address("xã Quảng Phú, huyện Thọ Xuân, tỉnh Thanh Hóa").commune == "Xuân Tín"  # type: ignore[union-attr]
    # Hải Phong is a commune of Hải Hậu only: written under Giao Thủy it is not guessed
    loc = resolve_address("xã Hải Phong, huyện Giao Thủy, tỉnh Nam Định")
    assert loc is not None and loc.province == "Ninh Bình" and loc.commune is None
    assert resolve_address("xã Hải Phong, huyện Hải Hậu, tỉnh Nam Định").commune == "Hải An"  # type: ignore[union-attr]


def test_a_post_in_capitals_is_no_name() -> None:
    from extractors.petitioner import read_name

    assert read_name("CHỦ TỊCH UBND XÃ) CHỈ ĐẠO HỘI ĐỒNG") is None
    assert read_name("ĐẶNG QUANG LÂM (CHỦ TỊCH UBND XÃ)") == "Đặng Quang Lâm"
    assert read_name("Tran Thi Chi, sinh nam 1980") == "Tran Thi Chi"  # unaccented given names stay


# --- as OCR gives them back -------------------------------------------------------------------------

SCANNED_GROUP = """ĐƠN ĐỀ NGHỊ

Kính gửi: Chủ tịch UBND xã Cổ Lễ

Chúng tôi gồm các hộ dân thôn Hậu, xã Cổ Lễ, tỉnh Ninh Bình:
. Ông Kha Văn Tụng, sinh năm 1960

. Bà Lạc Thị Mùi, sinh năm 1972

. Ông Tạ Văn Sử, sinh năm 1968

Ngã tư đầu thôn không có đèn tín hiệu. Đề nghị xã lắp gờ giảm tốc.

Cổ Lễ, ngày 02 tháng 4 năm 2026
Những người làm đơn

1. Kha Văn Tụng (đã ký) 2. Lạc Thị Mùi (đã ký)

3. Tạ Văn Sử (đã ký) 4. Khổng Thị Lành (đã ký)
"""


def test_a_scanned_signers_list_whose_numbers_and_columns_ocr_blurred() -> None:
    ex = extract_fields(SCANNED_GROUP, SETTINGS)
    assert [p.name for p in ex.petitioners] == ["Kha Văn Tụng", "Lạc Thị Mùi", "Tạ Văn Sử", "Khổng Thị Lành"]
    assert ex.signatory_count == 4


def test_an_address_on_the_line_after_its_cue() -> None:
    text = ("Kính gửi: Giám đốc Sở Nội vụ\n\nTôi là Đinh Thị Hoa, sinh năm 1977, CCCD 036177012590, địa chỉ:\n"
            "tổ dân phố 3, phường Thiên Trường, tỉnh Ninh Bình. SĐT: 0904 561 883.\nĐề nghị Sở xem xét.\n")
    ex = extract_fields(text, SETTINGS)
    assert ex.location is not None and ex.location.commune == "Thiên Trường"


def test_a_ward_letter_whose_dot_ocr_lost() -> None:
    from extractors.units import resolve_address

    loc = resolve_address("số 112 phố Hàng Sắt, P Năng Tĩnh, TP. Nam Định")
    assert loc is not None and loc.commune == "Nam Định" and loc.legacy and loc.legacy.commune == "Năng Tĩnh"
    from extractors.units import _expand

    assert _expand("xóm 2, P Năng Tĩnh") == "xóm 2, phường Năng Tĩnh"
    assert _expand("Ông P Văn An") == "Ông P Văn An"  # not at the start of a piece: an initial


@pytest.mark.parametrize(("span", "commune"), [
    ("xóm 6, xã Nam Tý, tỉnh Ninh Bình", "Nam Lý"),  # OCR: L -> T
    ("xã Gia Hưmg, tỉnh Ninh Bình", "Gia Hưng"),  # OCR: n -> m
    ("xã Nam Lý", "Nam Lý"),
])
def test_a_commune_name_one_letter_off(span: str, commune: str) -> None:
    from extractors.units import resolve_address_how

    loc, how = resolve_address_how(span)
    assert loc is not None and loc.commune == commune
    assert ("fuzzy" in how) is (span != "xã Nam Lý")


def test_a_list_of_supported_households_is_no_signers_list() -> None:
    text = ("Kính gửi: Công an tỉnh Ninh Bình\n\nTôi tên là Lò Văn Doãn, sinh năm 1959, địa chỉ: xóm 12, xã Hải "
            "Quang, tỉnh Ninh Bình.\nTháng 11/2024 xã có danh sách hỗ trợ các hộ bị bão. Chúng tôi xem thì chữ ký "
            "mang tên tôi, tên ông Vũ Văn Tường, bà Đỗ Thị Nhạn... đều không phải chữ ký của chúng tôi.\n"
            "Tôi tố cáo bà Thoa chiếm đoạt tiền hỗ trợ.\n\nNgười tố cáo\nLò Văn Doãn\n")
    ex = extract_fields(text, SETTINGS)
    assert [p.name for p in ex.petitioners] == ["Lò Văn Doãn"] and ex.signatory_count == 1


def test_sentences_end_at_full_stops_that_are_no_abbreviations() -> None:
    from extractors.layout import sentences

    assert sentences("tôi ở P. Hoa Lư, TP. Ninh Bình, cạnh đê. Từ khi hợp nhất! Đề nghị") == [
        "tôi ở P. Hoa Lư, TP. Ninh Bình, cạnh đê.", "Từ khi hợp nhất!", "Đề nghị"]


GROUP_INTRO = """ĐƠN KIẾN NGHỊ

Kính gửi: Ủy ban nhân dân xã Xuân Hồng

Chúng tôi là các hộ nông dân xóm 5 và xóm 6, xã Xuân Châu, huyện Xuân Trường, tỉnh Nam Định, có ruộng ở khu
đồng Mả Giữa, cùng ký tên dưới đây.

Từ khi đường mới đắp nền cắt ngang cánh đồng, nước không thoát được, lúa ngập mỗi khi mưa to.
Đề nghị xã cho làm cống qua đường.

Những người ký tên:
1. Trần Văn Hậu - ký
2. Vũ Thị Mơ - ký
3. Đỗ Văn Lực - ký
"""

NAME_THEN_PLACE = """Kính gửi: Ủy ban nhân dân phường Trung Sơn

Tôi là Mai Văn Khương, tổ dân phố 6, phường Nam Sơn, thành phố Tam Điệp, tỉnh Ninh Bình. Tôi viết thư này báo để phường biết tình hình ngập ở tổ tôi.

Mỗi trận mưa to nước ngập sâu nửa mét, đề nghị phường nạo vét cống.

Mai Văn Khương
"""


HASTY = "kinh gui chu tich xa Vu Ban\ntoi la Luu Van Phong xom 2 xa Vu Ban. xa ra quyet dinh thu hoi dat cua toi.\nPhong\n"
NO_VERB = ("Kính gửi: Chủ tịch UBND xã Bình Lục\n\nTôi Đặng Thị Thơm, thôn An Tập, xã Bình Lục. Tôi nộp hồ sơ cấp đổi "
           "sổ đỏ đã 5 tháng chưa có kết quả.\n\nĐặng Thị Thơm\n")


@pytest.mark.parametrize(("text", "name", "commune"), [
    # a group gives its place in the introduction, with no cue; "ở khu đồng …" later is the fields
    (GROUP_INTRO, "Trần Văn Hậu", "Xuân Hồng"),
    # the place right after the name names a ward; "ở tổ tôi" later on the line names none
    (NAME_THEN_PLACE, "Mai Văn Khương", "Trung Sơn"),
    # typed in haste: no comma between the name and the place
    (HASTY, "Luu Van Phong", "Vụ Bản"),
    # "Tôi <name>," with no "là" or "tên"
    (NO_VERB, "Đặng Thị Thơm", "Bình Lục"),
    # "em tên …" like "tôi tên …"
    ("kinh gui so noi vu\nem ten Tran Van Duy que xom 6 xa Hai Hau tinh Ninh Binh, cong ty no luong em.\nsdt 0978 330 412\n",
     "Tran Van Duy", "Hải Hậu"),
])
def test_the_place_given_in_the_introduction(text: str, name: str, commune: str) -> None:
    ex = extract_fields(text, SETTINGS)
    assert ex.petitioners and ex.petitioners[0].name == name
    assert ex.location is not None and ex.location.commune == commune
