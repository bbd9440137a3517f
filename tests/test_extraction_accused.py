"""The accused when the letter names no "tố cáo" cue but opens a sentence on the wrongdoer's house or business.
Letters written for these tests (invented people, real units)."""

from __future__ import annotations

import pytest

from extractors.accused import extract_accused_how

HEAD = "Kính gửi: Công an xã Gia Hưng\n\nTôi là Đào Văn Tiến, trú tại xóm 3, xã Gia Hưng, tỉnh Ninh Bình.\n"


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("Nhà ông Khổng Văn Sáu ở xóm Chùa đêm nào cũng tụ tập cờ bạc đến sáng.", "Khổng Văn Sáu"),
        ("Xưởng của bà Lục Thị Mơ ở đầu xóm xả khói bụi cả ngày.", "Lục Thị Mơ"),
        ("Cơ sở sản xuất của ông Âu Văn Triệu ở xóm 2 đổ nước thải ra mương.", "Âu Văn Triệu"),
        ("Công trình nhà văn hóa do ông Ninh Văn Đạo làm chủ đầu tư bị nứt sau ba tháng.", "Ninh Văn Đạo"),
    ],
)
def test_wrongdoer_named_by_his_house_or_business(body: str, name: str) -> None:
    found, rule = extract_accused_how(HEAD + body + "\nĐề nghị công an xã kiểm tra, xử lý.\n")
    assert found is not None and found.name == name
    assert rule == "wrongdoer"


def test_a_house_of_the_writer_is_no_accused() -> None:
    text = HEAD + "Nhà tôi bị dột, đề nghị xã hỗ trợ sửa chữa.\n"
    assert extract_accused_how(text)[0] is None


COMPLAINT = """ĐƠN KHIẾU NẠI
Kính gửi: Chủ tịch UBND tỉnh Ninh Bình
Tôi là Kiều Văn Thắng, chủ Hợp tác xã Vận tải Đông Sơn, trú tại phường Tam Điệp, tỉnh Ninh Bình.
Ngày 4/5/2026 Sở Xây dựng ban hành Quyết định số 61/QĐ-SXD thu hồi giấy phép kinh doanh vận tải của hợp tác xã.
Việc mất tín hiệu định vị là lỗi của nhà mạng, có Công văn số 12/CV-VTL của nhà mạng, công ty đã báo trước.
Đề nghị Chủ tịch UBND tỉnh hủy Quyết định số 61/QĐ-SXD.
"""


def test_complaint_accuses_the_body_that_issued_the_contested_decision() -> None:
    from extractors.decision_refs import contested_decision, extract_decisions

    contested = contested_decision(COMPLAINT, extract_decisions(COMPLAINT))
    assert contested is not None and contested.number == "61/QĐ-SXD"
    found, rule = extract_accused_how(COMPLAINT, contested)
    assert rule == "contested_issuer"
    assert found is not None and found.organization == "Sở Xây dựng"
    # Without the contested decision the "… của" after another document is read instead.
    assert extract_accused_how(COMPLAINT)[0] != found


def test_a_person_denounced_by_name_keeps_the_post_given_where_he_was_introduced() -> None:
    text = ("Kính gửi: Giám đốc Sở Nông nghiệp và Môi trường tỉnh Ninh Bình\n\n"
            "Tôi là Đinh Thị Hằng, trú tại phường Thiên Trường, tỉnh Ninh Bình.\n"
            "Tháng 2/2026 tôi nộp hồ sơ tại Văn phòng Đăng ký đất đai tỉnh. Hồ sơ do ông Mạc Văn Lộc, chuyên viên, "
            "thụ lý.\nTôi đề nghị xử lý hành vi nhũng nhiễu người dân của ông Mạc Văn Lộc.\n")
    found, rule = extract_accused_how(text)
    assert rule == "denounced"
    assert found is not None and found.name == "Mạc Văn Lộc" and found.position == "chuyên viên"


def test_a_body_labelled_as_the_one_complained_about() -> None:
    text = ("Kính gửi: Giám đốc Sở Nông nghiệp và Môi trường tỉnh Ninh Bình\n\n"
            "Người khiếu nại: Đồng Văn Mạnh, xóm 2, xã Hải Hưng, tỉnh Ninh Bình.\n"
            "Người bị khiếu nại: Chi nhánh Văn phòng Đăng ký đất đai khu vực Hải Hậu.\n"
            "Ngày 2/3/2026 Chi nhánh trả lại hồ sơ tách thửa của tôi. Đề nghị Giám đốc Sở xem xét.\n")
    found, rule = extract_accused_how(text)
    assert rule == "labelled"
    assert found is not None and found.organization == "Văn phòng Đăng ký đất đai"


@pytest.mark.parametrize("text", [
    "Cán bộ xã Ninh Giang bây giờ ăn chơi, làm việc gì dân cũng phải bôi trơn. Đề nghị tỉnh thanh tra.",
    "Tôi đề nghị Chủ tịch UBND tỉnh Ninh Bình xem xét, tôi tố cáo cán bộ xã Gia Hưng gây khó dễ.",
    # a ward abolished in 2025, where the writer (a retired official) lives
    "Tôi là Nguyễn Thị Lan, sinh năm 1962, cán bộ hưu trí, địa chỉ tổ 5, phường Châu Cầu, thành phố Phủ Lý, "
    "tỉnh Hà Nam.\nTôi xin kiến nghị Sở mở tuyến xe buýt Phủ Lý - Hoa Lư.",
])
def test_a_commune_or_province_after_a_post_is_no_persons_name(text: str) -> None:
    found, _ = extract_accused_how("Kính gửi: Ban Tiếp công dân tỉnh\n\n" + text)
    assert found is None or found.name not in ("Ninh Giang", "Ninh Bình", "Gia Hưng", "Châu Cầu")


def test_a_body_ends_at_its_sentence() -> None:
    text = ("Kính gửi: Giám đốc Sở Nội vụ\n\nChồng tôi có giấy ra quân, có giám định của bệnh viện. Ngày 14/8/2025 "
            "Sở có Văn bản số 1290/SNV-NCC trả lời không đủ điều kiện.\n")
    found, _ = extract_accused_how(text)
    assert found is None or "Ngày" not in (found.organization or "")
