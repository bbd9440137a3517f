"""Routing facts read from the letter's text: scope, the matter's commune, judicial bodies, the accused."""

from __future__ import annotations

import datetime as dt

import pytest

from classifiers.category import classify
from extractors.accused import extract_accused
from extractors.fields import extract_fields
from models.record import Classification, Extraction, Location
from petitions.settings import Settings
from petitions.text import fold
from routing.engine import route_letter
from routing.facts import derive_facts, judicial_body, letter_parts, scope_scores
from tests.routing_helpers import fixture_letters

SETTINGS = Settings(province="Ninh Bình")
RECEIVED = dt.date(2026, 11, 25)
HOME = Extraction(location=Location(commune="Liêm Hà", province="Ninh Bình"))


def _letter(addressee: str, body: str) -> str:
    return (f"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nĐƠN KIẾN NGHỊ\n\n"
            f"Kính gửi: {addressee}\n\nTôi tên là Nguyễn Văn An, sinh năm 1970, trú tại xóm 3, xã Liêm Hà, "
            f"tỉnh Ninh Bình.\n\n{body}\nTôi xin cảm ơn.\n\nNgười làm đơn\nNguyễn Văn An\n")


LOCAL = "Đường liên thôn qua xóm 2 bị hỏng nặng, mưa xuống ngập lầy. Đề nghị xã sửa chữa con đường."
PROVINCE_WIDE = ("Nhiều bệnh viện tuyến tỉnh quá tải, người bệnh nằm ghép. Đề nghị ngành y tế "
                 "trên địa bàn tỉnh có giải pháp.")


POLICY = ("Ở xóm tôi nhiều người đóng bảo hiểm xã hội tự nguyện được vài năm rồi bỏ. Một số tỉnh đã có chính "
          "sách hỗ trợ thêm. Tôi kiến nghị Sở tham mưu cho tỉnh hỗ trợ thêm mức đóng cho nông dân.")


@pytest.mark.parametrize(("body", "local"), [(LOCAL, True), (PROVINCE_WIDE, False), (POLICY, False)])
def test_scope_from_the_body(body: str, local: bool) -> None:
    _, folded_body = letter_parts(_letter("Chủ tịch UBND xã Liêm Hà", body))
    pw, lo = scope_scores(folded_body)
    assert (lo > pw) is local
    assert "xom 3" not in folded_body  # the writer's address line is not the matter


def test_letter_parts_leave_out_header_identity_and_signature() -> None:
    addressee, body = letter_parts(_letter("- Chủ tịch UBND xã Kim Sơn\n- Ban Tiếp công dân tỉnh", LOCAL))
    assert "kim son" in addressee and "kim son" not in body
    assert "nguyen van an" not in body and "cong hoa" not in body


def test_local_letter_goes_to_the_commune_province_wide_to_the_department() -> None:
    cls = Classification(category="phan_anh", category_confidence=0.9, domain="y_te")
    local = route_letter(HOME, cls, RECEIVED, SETTINGS, text=_letter("Chủ tịch UBND xã Liêm Hà", LOCAL))
    assert local.route is not None
    assert (local.route.agency_kind, local.route.unit, local.route.rule) == ("chu_tich_ubnd_xa", "Liêm Hà", "R24")
    wide = route_letter(HOME, cls, RECEIVED, SETTINGS, text=_letter("Chủ tịch UBND tỉnh Ninh Bình", PROVINCE_WIDE))
    assert wide.route is not None
    assert (wide.route.agency_kind, wide.route.rule) == ("so_y_te", "R25")


def test_without_text_the_subject_is_read() -> None:
    cls = Classification(category="kien_nghi", category_confidence=0.9, domain="giao_thong")
    ex = HOME.model_copy(update={"subject": "Đề nghị xã sửa đường liên thôn qua xóm 2"})
    facts = derive_facts(ex, cls, SETTINGS)
    assert facts.scope == "local"


def test_addressee_commune_locates_a_local_matter() -> None:
    cls = Classification(category="to_cao", category_confidence=0.9)
    text = _letter("Chủ tịch UBND xã Gia Hưng",
                   "Tôi tố cáo hộ ông Trần Văn Bảy ở xóm 7 đổ đất lấn chiếm mương thủy lợi.")
    ex = extract_fields(text, SETTINGS)
    d = route_letter(ex, cls, RECEIVED, SETTINGS, text=text)
    assert d.route is not None and (d.route.rule, d.route.unit) == ("R19", "Gia Hưng")


@pytest.mark.parametrize(("body", "level"), [
    ("Bản án số 12/2025/DS-ST đã có hiệu lực nhưng cơ quan thi hành án dân sự chưa tổ chức thi hành. "
     "Đề nghị cơ quan thi hành án dân sự tỉnh khẩn trương thi hành.", "enforcement"),
    ("Tôi không đồng ý với bản án sơ thẩm. Đề nghị Viện kiểm sát nhân dân tỉnh kháng nghị bản án.", "procuracy"),
    ("Bản án của Tòa án nhân dân khu vực không xem xét chứng cứ. Đề nghị Tòa án xem xét lại theo thủ tục "
     "giám đốc thẩm.", "court"),
    ("Đường xóm 2 bị hỏng, đề nghị xã sửa chữa.", None),
])
def test_judicial_body(body: str, level: str | None) -> None:
    assert judicial_body(fold(body)) == level


@pytest.mark.parametrize(("text", "expected"), [
    ("UBND tỉnh Ninh Bình ban hành Quyết định số 295/QĐ-UBND ngày 15/5/2026 phê duyệt phương án bồi thường.",
     (None, None, "UBND tỉnh Ninh Bình")),
    ("UBND xã Nam Trực ra văn bản từ chối cấp giấy chứng nhận.", (None, None, "UBND xã Nam Trực")),
    ("Người bị tố cáo: ông Lưu Văn Thịnh, Chủ tịch UBND xã Yên Đồng.\nNội dung tố cáo như sau:",
     ("Lưu Văn Thịnh", "Chủ tịch UBND xã", "UBND xã Yên Đồng")),
    ("Tôi tố cáo hộ ông Lê Văn Quân ở thôn Phú xây nhà không phép.\nĐề nghị Chủ tịch UBND xã Nho Quan kiểm tra.",
     ("Lê Văn Quân", None, None)),
    ("Bà Bùi Thị Yến, Hiệu trưởng Trường Tiểu học Nhân Hà, đã cho thu nhiều khoản ngoài quy định.",
     ("Bùi Thị Yến", "Hiệu trưởng", "Trường Tiểu học Nhân Hà")),
    ("Công ty TNHH Hoàng Long xả nước thải ra mương. Đề nghị xử lý nghiêm Công ty TNHH Hoàng Long.",
     (None, None, "Công ty TNHH Hoàng Long")),
    ("Tôi tố cáo bà Ngô Thị Huyền, công chức tư pháp - hộ tịch xã Nam Ninh, đã nhận tiền.",
     ("Ngô Thị Huyền", "công chức tư pháp - hộ tịch", "UBND xã Nam Ninh")),
    ("Tôi tố cáo ông Trần Đình Đạt, công chức địa chính UBND phường Nam Định, đã lợi dụng chức vụ.",
     ("Trần Đình Đạt", "công chức địa chính", "UBND phường Nam Định")),
])
def test_accused_in_letter_language(text: str, expected: tuple[str | None, str | None, str | None]) -> None:
    acc = extract_accused(text)
    assert acc is not None
    assert (acc.name, acc.position, acc.organization) == expected


def test_school_principal_is_the_commune_schools() -> None:
    ex = Extraction(accused=extract_accused(
        "Bà Bùi Thị Yến, Hiệu trưởng Trường Tiểu học Nhân Hà, đã cho thu nhiều khoản ngoài quy định."))
    facts = derive_facts(ex, Classification(category="to_cao", category_confidence=0.9), SETTINGS)
    assert facts.accused_commune == "Nhân Hà"


def test_own_fixtures_route_with_text() -> None:
    """Our own letters (first 120 + the handwritten ones), routed with the letter's text."""
    letters = [x for x in fixture_letters() if not x["gold"]["route_uncertain"]]
    letters = letters[:120] + [x for x in letters if x["id"].startswith("HW-")]
    ok = 0
    for x in letters:
        ex = extract_fields(x["text"], SETTINGS)
        d = route_letter(ex, classify(x["text"], ex, SETTINGS), RECEIVED, SETTINGS, text=x["text"])
        ok += bool(d.route) and d.route.agency_kind == x["gold"]["route"]["agency_kind"]
    assert ok / len(letters) >= 0.9


# A body with no scope evidence either way: whom the writer addressed decides.
NEUTRAL = "Tiền hỗ trợ cho người có công năm nay chi trả chậm. Đề nghị xem xét giải quyết."


@pytest.mark.parametrize(("addressee", "scope", "department"), [
    ("Giám đốc Sở Nội vụ tỉnh Ninh Bình", "province_wide", "so_noi_vu"),
    ("Chủ tịch UBND xã Kim Sơn", "local", None),
    # a commune copied among provincial addressees is no evidence: the writer's commune breaks the tie
    ("\n- Chủ tịch UBND xã Kim Sơn\n- Sở Nội vụ tỉnh Ninh Bình", "province_wide", "so_noi_vu"),
])
def test_the_addressee_is_scope_evidence(addressee: str, scope: str, department: str | None) -> None:
    text = _letter(addressee, NEUTRAL)
    cls = Classification(category="kien_nghi", category_confidence=0.9, domain="khac")
    facts = derive_facts(HOME, cls, SETTINGS, text=text)
    assert facts.scope == scope
    assert facts.mentioned_department == department


def test_a_head_whose_unit_is_named_where_the_writer_introduces_himself() -> None:
    body = ("Theo Quyết định số 97/QĐ-THPT của Hiệu trưởng, tôi bị điều chuyển sang làm công việc thư viện, "
            "không được đứng lớp. Đề nghị xem xét lại quyết định trên.")
    text = _letter("Giám đốc Sở Giáo dục và Đào tạo", body).replace(
        "Tôi tên là Nguyễn Văn An,", "Tôi tên là Nguyễn Văn An, giáo viên Trường THPT Yên Khánh B,")
    ex = HOME.model_copy(update={"accused": extract_accused(text) or None})
    cls = Classification(category="khieu_nai", category_confidence=0.9, complaint_round=1)
    d = route_letter(ex, cls, RECEIVED, SETTINGS, text=text)
    assert d.facts.accused_level == "department_staff" and d.route is not None
    assert (d.route.agency_kind, d.rule) == ("so_giao_duc_dao_tao", "R11")


def test_a_commune_official_of_another_province_sends_the_letter_there() -> None:
    text = _letter("Ban Tiếp công dân tỉnh Ninh Bình",
                   "Ông Hồ Văn Sỹ, cán bộ địa chính phường Phố Hiến, đã ký xác nhận ranh giới thửa đất của mẹ tôi "
                   "khi mẹ tôi vắng nhà.\nTôi tố cáo ông Sỹ xác nhận không đúng sự thật, đề nghị xử lý.")
    ex = extract_fields(text, SETTINGS)
    assert ex.accused is not None and ex.accused.organization == "UBND phường Phố Hiến"
    facts = derive_facts(ex, classify(text, ex), SETTINGS, text=text)
    assert facts.matter_province == "Hưng Yên" and facts.other_province
    # The same post in a ward of our own province stays here.
    here = text.replace("Phố Hiến", "Hoa Lư")
    ex = extract_fields(here, SETTINGS)
    facts = derive_facts(ex, classify(here, ex), SETTINGS, text=here)
    assert facts.accused_commune == "Hoa Lư" and not facts.other_province


def test_a_place_named_in_a_province_wide_matter_does_not_make_it_local() -> None:
    body = ("Tôi đi làm hằng ngày ở phường Hoa Lư. Từ khi hợp nhất tỉnh, các tuyến xe buýt trong tỉnh bị cắt "
            "bớt chuyến, các xã vùng xa không còn xe, công nhân các khu công nghiệp và người đi bệnh viện tỉnh "
            "phải đi xe khách tư nhân giá cao. Đề nghị Sở rà soát mạng lưới xe buýt toàn tỉnh.")
    text = _letter("Giám đốc Sở Xây dựng tỉnh Ninh Bình", body)
    ex = extract_fields(text, SETTINGS)
    cls = Classification(category="phan_anh", category_confidence=0.9, domain="giao_thong")
    facts = derive_facts(ex, cls, SETTINGS, {"giao_thong": "so_xay_dung"}, text=text)
    assert facts.scope == "province_wide" and facts.department == "so_xay_dung"
    # A letter about one hamlet's road, naming the same ward, stays local.
    text = _letter("Chủ tịch UBND phường Hoa Lư", "Đường ngõ 5 tổ dân phố 3 phường Hoa Lư bị sụt lún. Đề nghị "
                   "phường sửa chữa.")
    ex = extract_fields(text, SETTINGS)
    assert derive_facts(ex, cls, SETTINGS, {"giao_thong": "so_xay_dung"}, text=text).scope == "local"


def test_staff_of_a_department_service_unit_are_that_departments() -> None:
    text = _letter("Giám đốc Sở Nông nghiệp và Môi trường tỉnh Ninh Bình",
                   "Tháng 2/2026 tôi nộp hồ sơ tại Văn phòng Đăng ký đất đai tỉnh. Hồ sơ do ông Mạc Văn Lộc, "
                   "chuyên viên, thụ lý.\nTôi tố cáo hành vi nhũng nhiễu người dân của ông Mạc Văn Lộc, đề nghị "
                   "xử lý.")
    ex = extract_fields(text, SETTINGS)
    facts = derive_facts(ex, classify(text, ex), SETTINGS, text=text)
    assert facts.accused_level == "department_staff" and facts.department == "so_nong_nghiep_moi_truong"


def test_a_judgment_the_procuracy_is_asked_to_protest_goes_to_the_procuracy() -> None:
    text = _letter("Viện kiểm sát nhân dân tỉnh Ninh Bình",
                   "Bản án dân sự phúc thẩm số 18/2025/DS-PT ngày 26/4/2025 của Tòa án nhân dân tỉnh Nam Định buộc "
                   "tôi trả lại 86 m² đất. Bản án không xem xét chứng cứ của tôi.\nTôi đề nghị Viện kiểm sát nhân "
                   "dân tỉnh xem xét, kháng nghị giám đốc thẩm đối với bản án trên.")
    ex = extract_fields(text, SETTINGS)
    cls = Classification(category="kien_nghi", category_confidence=0.9, domain="tu_phap")
    assert derive_facts(ex, cls, SETTINGS, text=text).accused_level == "procuracy"
    # asking the court itself to review its judgment stays with the court
    court = text.replace("Viện kiểm sát nhân dân tỉnh xem xét, kháng nghị", "Tòa án nhân dân tỉnh xem xét lại theo thủ tục")
    ex = extract_fields(court, SETTINGS)
    assert derive_facts(ex, cls, SETTINGS, text=court).accused_level == "court"


def test_letter_parts_keep_the_matter_a_scan_joined_to_the_identity() -> None:
    joined = ("Kính gửi: Sở Xây dựng\n\nTôi là Hà Thị Lụa, trú tại xóm 3, TP. Nam Định, gần đê. Từ khi hợp nhất tỉnh "
              "các tuyến xe buýt trong tỉnh bị cắt bớt. Đề nghị Sở rà soát mạng lưới xe buýt toàn tỉnh.\n")
    _, body = letter_parts(joined)
    assert "xe buyt" in body and "ha thi lua" not in body and "xom 3" not in body
