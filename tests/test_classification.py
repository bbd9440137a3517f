"""Rule-based classification: table-driven tests on short letters written for these tests.

Each letter is decided by its content, not its title; several carry a misleading title, some are
typed without diacritics. The letters are our own wording, not taken from any evaluation set.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from classifiers import classify, evaluate, load_rules, parse_rules, title_category
from classifiers.rules import DEFAULT_PATH
from models.record import Accused, Extraction
from petitions.errors import BadConfigError

HEADER = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"

LETTERS: dict[str, str] = {
    "complaint_land": HEADER
    + """ĐƠN KHIẾU NẠI
Kính gửi: Chủ tịch UBND xã Yên Mạc
Tôi là Phạm Văn Lực, trú tại thôn Đông, xã Yên Mạc.
Ngày 12/3/2026 UBND xã ban hành Quyết định số 56/QĐ-UBND thu hồi 200 m² đất nông nghiệp của gia đình tôi
để làm đường liên thôn. Phương án bồi thường áp giá thấp hơn giá thị trường nhiều lần, không tính hỗ trợ
chuyển đổi nghề nghiệp, gây thiệt hại đến quyền lợi hợp pháp của gia đình tôi.
Tôi không đồng ý với quyết định trên. Kính đề nghị Chủ tịch UBND xã xem xét lại Quyết định số 56/QĐ-UBND,
điều chỉnh phương án bồi thường cho gia đình tôi đúng quy định.
Người làm đơn
Phạm Văn Lực""",
    "complaint_round_2": HEADER
    + """ĐƠN KHIẾU NẠI
(Lần hai)
Kính gửi: Chủ tịch UBND tỉnh Ninh Bình
Tôi là Lê Thị Hoa, xóm 2, xã Gia Viễn.
Ngày 02/02/2026 Chủ tịch UBND xã có Quyết định giải quyết khiếu nại số 14/QĐ-UBND, giữ nguyên việc từ chối
cấp giấy chứng nhận quyền sử dụng đất cho thửa đất gia đình tôi đã sử dụng ổn định từ năm 1990.
Tôi không đồng ý với kết quả giải quyết trên. Đề nghị Chủ tịch UBND tỉnh hủy Quyết định số 14/QĐ-UBND
và chỉ đạo cấp giấy chứng nhận cho gia đình tôi.
Người khiếu nại
Lê Thị Hoa""",
    "denunciation_titled_complaint": HEADER
    + """ĐƠN KHIẾU NẠI
Kính gửi: Chủ tịch UBND tỉnh Ninh Bình
Tôi là Vũ Đức Thành, thôn Bắc, xã Kim Sơn.
Ông Trần Quang Hải, cán bộ địa chính xã, đã lợi dụng chức vụ nhận 40 triệu đồng của nhiều hộ dân
để làm hồ sơ cấp sổ đỏ nhanh. Hộ nào không đưa tiền thì bị ông Hải gây khó dễ, hẹn đi hẹn lại.
Đề nghị cơ quan có thẩm quyền làm rõ sai phạm, xử lý nghiêm ông Trần Quang Hải theo quy định pháp luật.
Người viết đơn
Vũ Đức Thành""",
    "denunciation_titled_plea": HEADER
    + """ĐƠN KÊU CỨU
Kính gửi: Công an tỉnh Ninh Bình
Tôi là Đinh Văn Khoa, xóm 4, xã Nho Quan.
Nhóm của ông Lã Văn Bình nhiều lần mang dao gậy đến nhà tôi đe dọa, đập phá tường rào, dùng vũ lực
chiếm 300 m² đất vườn của gia đình tôi. Ngày 10/5 ông Bình hành hung con trai tôi gây thương tích.
Đề nghị Công an tỉnh điều tra, xử lý nghiêm những người có hành vi vi phạm pháp luật nêu trên.
Đinh Văn Khoa""",
    "recommendation_titled_complaint": HEADER
    + """ĐƠN KHIẾU NẠI
Kính gửi: UBND xã Ý Yên
Tôi là bà Trịnh Thị Mơ, 78 tuổi, sống neo đơn tại xóm 9. Tôi bị khuyết tật, không có thu nhập,
nhà ở đã dột nát. Năm nay xóm bình xét hộ nghèo nhưng gia đình tôi không có tên.
Kính mong các cấp quan tâm, xem xét hỗ trợ cho tôi được hưởng trợ cấp xã hội và hỗ trợ sửa nhà
để tôi có chỗ ở an toàn qua mùa mưa bão.
Trịnh Thị Mơ""",
    "reflection_pollution_unaccented": """Kinh gui: UBND xa Thanh Liem
Toi ten la Nguyen Van Tuan, o thon 3 xa Thanh Liem.
Toi viet don nay de phan anh tinh trang trai lon cua ho ong Sau xa nuoc thai chua qua xu ly ra muong
chung cua thon. Nhieu thang nay mui hoi thoi bao trum ca khu dan cu, nuoc muong den ngom, ca chet noi
trang. Nguoi dan trong thon rat buc xuc, tre nho bi ho keo dai.
De nghi UBND xa kiem tra thuc te va co bien phap xu ly de dam bao moi truong cho nguoi dan.
Nguyen Van Tuan""",
    "reflection_road_titled_request": HEADER
    + """ĐƠN ĐỀ NGHỊ
Kính gửi: UBND phường Nam Định
Chúng tôi là các hộ dân tổ dân phố số 7. Đoạn đường từ chợ đến trường tiểu học dài khoảng 500 m
đã xuống cấp nghiêm trọng, nhiều ổ gà sâu, mỗi khi mưa là ngập nước. Tuần trước có hai học sinh
bị ngã xe. Tình trạng này kéo dài nhiều tháng nay mà chưa được khắc phục.
Chúng tôi phản ánh để UBND phường biết và có biện pháp khắc phục, đảm bảo an toàn giao thông.
Đại diện các hộ dân""",
    "recommendation_bridge": HEADER
    + """ĐƠN KIẾN NGHỊ
Kính gửi: UBND tỉnh Ninh Bình
Chúng tôi là nhân dân thôn Cồn Thoi. Thôn chúng tôi nằm bên kia sông, việc đi lại của hơn 300 hộ
phụ thuộc vào một chiếc đò. Chúng tôi kiến nghị UBND tỉnh xem xét bố trí kinh phí đầu tư xây dựng mới
một cây cầu dân sinh qua sông để nhân dân đi lại thuận tiện, học sinh đến trường an toàn.
Kính mong lãnh đạo tỉnh quan tâm xem xét.
Thay mặt nhân dân thôn""",
    "mixed_complaint_and_denunciation": HEADER
    + """ĐƠN KHIẾU NẠI, TỐ CÁO
Kính gửi: Chủ tịch UBND tỉnh Ninh Bình
Tôi là Hoàng Văn Sơn, xóm 1, xã Hải Hậu.
Thứ nhất, tôi không đồng ý với Quyết định số 120/QĐ-UBND ngày 5/1/2026 của UBND xã về phương án bồi thường
khi thu hồi đất của gia đình tôi, vì diện tích đất ở bị tính thành đất nông nghiệp. Đề nghị hủy
Quyết định số 120/QĐ-UBND và bồi thường thỏa đáng cho gia đình tôi.
Thứ hai, tôi tố cáo ông Đỗ Văn Tâm, kế toán xã, đã lập khống danh sách các hộ được hỗ trợ, chiếm đoạt
hơn 200 triệu đồng tiền bồi thường của dân. Đề nghị làm rõ sai phạm, xử lý nghiêm ông Tâm.
Hoàng Văn Sơn""",
    "party_member": HEADER
    + """ĐƠN TỐ CÁO
Kính gửi: Ủy ban kiểm tra Tỉnh ủy Ninh Bình
Tôi là đảng viên sinh hoạt tại chi bộ thôn Trung. Ông Nguyễn Văn Quý, bí thư chi bộ, là đảng viên
nhưng thường xuyên tổ chức đánh bạc tại nhà, đồng thời sử dụng quỹ của chi bộ sai mục đích, vi phạm
Điều lệ Đảng và những điều đảng viên không được làm.
Đề nghị Ủy ban kiểm tra làm rõ và xử lý kỷ luật đảng viên vi phạm theo quy định.
Người tố cáo""",
    "complaint_discipline_teacher": HEADER
    + """ĐƠN TRÌNH BÀY
Kính gửi: Giám đốc Sở Giáo dục và Đào tạo
Tôi là Mai Thị Lan, giáo viên trường trung học cơ sở Hoa Lư. Ngày 3/4/2026 Hiệu trưởng ký Quyết định
số 21/QĐ-THCS kỷ luật tôi bằng hình thức cảnh cáo vì cho rằng tôi dạy thêm trái quy định. Thực tế tôi
chỉ phụ đạo miễn phí cho học sinh yếu. Quyết định kỷ luật trên không đúng sự thật, ảnh hưởng đến quyền
lợi của tôi. Đề nghị Giám đốc Sở xem xét lại và hủy quyết định kỷ luật đối với tôi.
Mai Thị Lan""",
    "complaint_fine_construction": HEADER
    + """Kính gửi: Chủ tịch UBND phường Hoa Lư
Tôi là Bùi Văn Đạt. Ngày 20/6/2026 Chủ tịch UBND phường ban hành quyết định xử phạt vi phạm hành chính
số 88/QĐ-XPHC phạt tôi 40 triệu đồng về hành vi xây dựng không có giấy phép xây dựng. Công trình của tôi
chỉ là sửa chữa mái nhà, không thuộc trường hợp phải xin giấy phép. Tôi không đồng ý với quyết định xử phạt
này. Đề nghị Chủ tịch UBND phường hủy Quyết định số 88/QĐ-XPHC.
Bùi Văn Đạt""",
    "denunciation_school_fees": HEADER
    + """ĐƠN PHẢN ÁNH
Kính gửi: Sở Giáo dục và Đào tạo tỉnh Ninh Bình
Chúng tôi là phụ huynh học sinh trường tiểu học Phù Vân. Đầu năm học, bà Trương Thị Hằng, hiệu trưởng
nhà trường, tự đặt ra các khoản thu như tiền xã hội hóa, tiền máy lọc nước, tiền quỹ lớp, mỗi học sinh
phải nộp 1,5 triệu đồng, thu không có biên lai. Đây là hành vi lạm thu, vi phạm pháp luật.
Đề nghị Sở làm rõ hành vi của bà Hằng, xử lý nghiêm và buộc hoàn trả tiền cho phụ huynh.
Đại diện phụ huynh""",
    "reflection_drugs": HEADER
    + """Kính gửi: Công an phường Đông Thành
Tôi là người dân tổ 5. Khoảng hai tháng nay, tối nào cũng có một nhóm thanh niên tụ tập ở bãi đất trống
cuối ngõ, gây mất trật tự đến nửa đêm. Sáng ra người dân thấy nhiều kim tiêm vứt lại, nghi có người sử dụng
ma túy. Tình trạng này làm bà con trong tổ rất lo lắng.
Đề nghị công an phường kiểm tra, có biện pháp đảm bảo an ninh trật tự cho khu dân cư.""",
    "recommendation_merit_unaccented": """DON DE NGHI
Kinh gui: UBND xa Kim Dong
Toi la Ta Van Nam, con trai liet si Ta Van Binh hy sinh nam 1972. Me toi nay 90 tuoi, la vo liet si,
dang huong tro cap hang thang. Gia dinh toi kinh mong UBND xa quan tam xem xet ho tro kinh phi sua chua
nha tinh nghia cho me toi va giai quyet che do cham soc nguoi co cong theo quy dinh.
Ta Van Nam""",
    "denunciation_hospital_unaccented": """DON TO CAO
Kinh gui: Giam doc So Y te tinh Ninh Binh
Toi la Cao Thi Nga. Ngay 8/8/2026 me toi nam dieu tri tai benh vien da khoa tinh. Bac si Luu Van Tien
da doi tien boi duong 5 trieu dong moi xep lich mo, neu khong dua tien thi phai cho them hai tuan.
Toi da phai dua cho bac si Tien so tien tren. De nghi So Y te lam ro hanh vi nhung nhieu cua bac si Tien,
xu ly nghiem theo quy dinh.
Cao Thi Nga""",
    "complaint_refused_certificate_titled_statement": HEADER
    + """ĐƠN TRÌNH BÀY
Kính gửi: Chủ tịch UBND xã Nghĩa Hưng
Tôi nộp hồ sơ đề nghị cấp giấy chứng nhận quyền sử dụng đất cho thửa đất số 45, tờ bản đồ số 12 từ tháng
1/2026. Ngày 15/5/2026 UBND xã có văn bản từ chối cấp giấy chứng nhận với lý do đất có tranh chấp, trong khi
không có ai tranh chấp với gia đình tôi. Việc từ chối này trái pháp luật, xâm phạm quyền lợi của gia đình tôi.
Đề nghị Chủ tịch UBND xã hủy văn bản trên và cấp giấy chứng nhận cho gia đình tôi.""",
    "reflection_slow_handling": HEADER
    + """Kính gửi: Thanh tra tỉnh Ninh Bình
Tôi là Đoàn Văn Hưng. Tháng 3/2026 tôi đã gửi đơn đến UBND xã Lý Nhân về việc cống thoát nước của xóm
bị tắc, nước thải tràn ra đường. Đến nay đã quá hạn nhưng đơn của tôi vẫn chưa được giải quyết, cũng chưa
nhận được trả lời. Tình trạng ngập nước ngày càng nặng, ảnh hưởng đến đời sống của bà con.
Tôi phản ánh để Thanh tra tỉnh biết và đôn đốc giải quyết.""",
    "reflection_judgment_enforcement": HEADER
    + """ĐƠN PHẢN ÁNH
Kính gửi: Cục Thi hành án dân sự tỉnh Ninh Bình
Tôi là Lý Thị Huệ. Bản án số 35/2024/DS-PT của Tòa án nhân dân tỉnh đã tuyên ông Hồ Văn Lâm phải trả tôi
150 triệu đồng. Tôi đã nộp đơn yêu cầu thi hành án từ năm 2025 nhưng đến nay việc thi hành án vẫn chậm trễ,
chấp hành viên chưa xác minh tài sản. Tôi phản ánh tình trạng trên và mong cơ quan thi hành án sớm giải quyết.""",
    "no_title_complaint_unaccented": """Kinh gui: Chu tich UBND xa Tam Diep
Toi la Ngo Van Hoa. Ngay 1/9/2026 UBND xa ra Quyet dinh so 77/QD-UBND cuong che thu hoi dat cua gia dinh toi
de lam bai do xe. Gia dinh toi chua nhan duoc tien boi thuong nao. Toi khong dong y voi quyet dinh cuong che
nay vi trai phap luat, xam pham quyen loi hop phap cua gia dinh toi. De nghi huy quyet dinh so 77/QD-UBND.
Ngo Van Hoa""",
}

#            name: (category, title_category, mixed, secondary, complaint_round, domain, crime, party)
EXPECTED: dict[str, tuple] = {
    "complaint_land": ("khieu_nai", "khieu_nai", False, None, 1, "dat_dai", False, False),
    "complaint_round_2": ("khieu_nai", "khieu_nai", False, None, 2, "dat_dai", False, False),
    "denunciation_titled_complaint": ("to_cao", "khieu_nai", False, None, None, "tham_nhung", True, False),
    "denunciation_titled_plea": ("to_cao", "keu_cuu", False, None, None, "an_ninh_trat_tu", True, False),
    "recommendation_titled_complaint": (
        "kien_nghi",
        "khieu_nai",
        False,
        None,
        None,
        "chinh_sach_xa_hoi",
        False,
        False,
    ),
    "reflection_pollution_unaccented": ("phan_anh", None, False, None, None, "moi_truong", False, False),
    "reflection_road_titled_request": ("phan_anh", "de_nghi", False, None, None, "giao_thong", False, False),
    "recommendation_bridge": ("kien_nghi", "kien_nghi", False, None, None, "giao_thong", False, False),
    "mixed_complaint_and_denunciation": ("khieu_nai", "khieu_nai", True, "to_cao", 1, "dat_dai", True, False),
    "party_member": ("to_cao", "to_cao", False, None, None, "dang", True, True),
    "complaint_discipline_teacher": ("khieu_nai", "trinh_bay", False, None, 1, "giao_duc", False, False),
    "complaint_fine_construction": ("khieu_nai", None, False, None, 1, "xay_dung", False, False),
    "denunciation_school_fees": ("to_cao", "phan_anh", False, None, None, "giao_duc", False, False),
    "reflection_drugs": ("phan_anh", None, False, None, None, "an_ninh_trat_tu", True, False),
    "recommendation_merit_unaccented": (
        "kien_nghi",
        "de_nghi",
        False,
        None,
        None,
        "chinh_sach_xa_hoi",
        False,
        False,
    ),
    "denunciation_hospital_unaccented": ("to_cao", "to_cao", False, None, None, "y_te", False, False),
    "complaint_refused_certificate_titled_statement": (
        "khieu_nai",
        "trinh_bay",
        False,
        None,
        1,
        "dat_dai",
        False,
        False,
    ),
    "reflection_slow_handling": ("phan_anh", None, False, None, None, "moi_truong", False, False),
    "reflection_judgment_enforcement": ("phan_anh", "phan_anh", False, None, None, "tu_phap", False, False),
    "no_title_complaint_unaccented": ("khieu_nai", None, False, None, 1, "dat_dai", False, False),
}


@pytest.fixture(scope="module")
def results():
    return {name: classify(text, Extraction()) for name, text in LETTERS.items()}


@pytest.mark.parametrize("name", sorted(LETTERS))
def test_category_by_content_not_title(results, name):
    got = results[name]
    category, title, *_ = EXPECTED[name]
    assert (got.category, got.title_category) == (category, title), got.signals


@pytest.mark.parametrize("name", sorted(LETTERS))
def test_mixed_and_complaint_round(results, name):
    got = results[name]
    _, _, mixed, secondary, rnd, *_ = EXPECTED[name]
    assert (got.mixed, got.secondary_category, got.complaint_round) == (mixed, secondary, rnd), got.signals


@pytest.mark.parametrize("name", sorted(LETTERS))
def test_flags_and_domain(results, name):
    got = results[name]
    *_, domain, crime, party = EXPECTED[name]
    assert (got.domain, got.crime_signs, got.party_discipline) == (domain, crime, party), got.signals


@pytest.mark.parametrize("name", sorted(LETTERS))
def test_probabilities_and_explanations(results, name):
    got = results[name]
    assert 0.0 <= got.category_confidence <= 1.0
    assert set(got.scores) == {"khieu_nai", "to_cao", "kien_nghi", "phan_anh"}
    assert sum(got.scores.values()) == pytest.approx(1.0, abs=1e-3)
    assert got.category_confidence == max(got.scores.values())
    assert got.signals and got.signals[0].startswith(load_rules().set.labels[got.category])
    from classifiers.versions import active_version

    assert got.model_version == (active_version() or load_rules().version)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nĐƠN TỐ CÁO\nKính gửi: ...", "to_cao"),
        ("ĐƠN TỔ CÁO\n(OCR broke the tone mark)", "to_cao"),
        ("Don khieu nai\nKinh gui UBND xa", "khieu_nai"),
        ("  - ĐƠN KIẾN NGHỊ, PHẢN ÁNH -", "kien_nghi"),
        ("ĐƠN PHẢN ẢNH\n", "phan_anh"),
        ("ĐƠN KÊU CỨU KHẨN CẤP", "keu_cuu"),
        ("Đơn đề nghị\ngiải quyết", "de_nghi"),
        ("ĐƠN TRÌNH BÀY\nV/v đất đai", "trinh_bay"),
        ("ĐƠN\nKHIẾU NẠI", "khieu_nai"),
        ("ĐƠN XIN XÁC NHẬN", "other"),
        ("THƯ TỐ CÁO", "to_cao"),
        ("Đơn vị công tác: trường tiểu học\nTôi xin trình bày", None),
        ("Kính gửi: UBND xã\nTôi là Nguyễn Văn A", None),
        ("\n".join(["dòng"] * 20) + "\nĐƠN TỐ CÁO", None),
    ],
)
def test_title_category(text, key):
    assert title_category(text) == key


def test_title_is_not_content():
    """The same body gets the same category whatever its title."""
    body = LETTERS["denunciation_titled_complaint"].replace("ĐƠN KHIẾU NẠI\n", "")
    cats = {
        classify(title + "\n" + body, Extraction()).category
        for title in ("ĐƠN KHIẾU NẠI", "ĐƠN KIẾN NGHỊ", "")
    }
    assert cats == {"to_cao"}


def test_extraction_supports_categories():
    text = "Kính gửi: UBND xã\nTôi đề nghị các cơ quan xem xét việc này."
    plain = classify(text, Extraction())
    accused = classify(text, Extraction(accused=Accused(name="Trần Văn B", position="cán bộ")))
    refs = classify(text, Extraction(decision_refs=["12/QĐ-UBND"]))
    assert accused.scores["to_cao"] > plain.scores["to_cao"]
    assert refs.scores["khieu_nai"] > plain.scores["khieu_nai"]


def test_empty_letter_is_low_confidence_recommendation():
    got = classify("", Extraction())
    assert got.category in ("kien_nghi", "phan_anh")  # one legal class; the model's biases pick one
    assert got.category_confidence < 0.6
    assert got.complaint_round is None


def test_signal_lines_name_the_phrase():
    got = classify(LETTERS["denunciation_titled_complaint"], Extraction())
    assert any(line.startswith("tố cáo: 'lợi dụng") for line in got.signals)


def _yaml_with(old: str, new: str) -> str:
    raw = DEFAULT_PATH.read_text(encoding="utf-8")
    assert old in raw
    return raw.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("temperature: 2.0", "temperature: 2.0\ntemprature: 1.0"),  # unknown top-level key
        (
            "  - id: kn_decision_number\n",
            "  - id: kn_decision_number\n    wieght: 1.0\n",
        ),  # unknown signal key
        ("category: khieu_nai\n    weight: 1.5", "category: khieu_nia\n    weight: 1.5"),  # unknown category
        ("  - id: kn_cancel_decision\n", "  - id: kn_decision_number\n"),  # duplicate id
        ("regex: ['quyết định (số )?", "regex: ['quyết định (số ?"),  # regex does not compile
        ("temperature: 2.0", "temperature: 0"),
        ("remedy_signals: [kng_support,", "remedy_signals: [kng_suport,"),  # a mixed rule names no signal
    ],
)
def test_yaml_validation_rejects(old, new):
    with pytest.raises(BadConfigError):
        parse_rules(_yaml_with(old, new))


def test_packaged_yaml_loads_once_with_hash_version():
    rules = load_rules()
    assert rules is load_rules()
    assert rules.version == parse_rules(DEFAULT_PATH.read_text(encoding="utf-8")).version


def test_evaluate_on_own_letters():
    letters = [
        {
            "id": name,
            "text": LETTERS[name],
            "gold": dict(
                zip(
                    (
                        "category",
                        "title_category",
                        "mixed",
                        "secondary_category",
                        "complaint_round",
                        "domain",
                        "crime_signs",
                        "party_discipline",
                    ),
                    EXPECTED[name],
                    strict=True,
                )
            ),
        }
        for name in LETTERS
    ]
    report = evaluate(letters)
    assert report["n"] == len(LETTERS)
    assert report["macro_f1"] == 1.0 and report["accuracy"] == 1.0
    assert report["title_mismatch_accuracy"] == 1.0
    assert report["mixed_recall"] == 1.0
    assert sum(sum(row.values()) for row in report["confusion"].values()) == len(LETTERS)


def test_speed_under_50ms_per_letter():
    text = "\n\n".join(LETTERS.values())  # one long letter: ~20 short letters' worth of text
    classify(text, Extraction())
    start = time.perf_counter()
    for body in LETTERS.values():
        classify(body, Extraction())
    per_letter = (time.perf_counter() - start) / len(LETTERS)
    assert per_letter < 0.050
    assert Path(DEFAULT_PATH).exists()


def test_macro_f1_is_the_unweighted_mean_of_per_label_f1() -> None:
    from petitions.metrics import macro_f1

    gold = ["a", "a", "b", "c"]
    pred = ["a", "b", "b", None]
    # a: tp1 fn1 -> 2/3; b: tp1 fp1 -> 2/3; c: tp0 -> 0
    assert abs(macro_f1(gold, pred, ["a", "b", "c"]) - (4 / 3) / 3) < 1e-9
    assert macro_f1([0, 1], [0, 1], range(2)) == 1.0


# ---- mixed letters: a second matter, not a remedy ------------------------------------------------

_HEAD = ("Kính gửi: Chủ tịch UBND xã Gia Hưng\n\nTôi là Lã Văn Tường, trú tại thôn Đông, xã Gia Hưng, "
         "tỉnh Ninh Bình.\n\n")
_DENOUNCE = ("Tôi tố cáo ông Bùi Văn Khánh, cán bộ địa chính xã, đã lợi dụng chức vụ nhận tiền của các hộ "
             "30 triệu đồng để xác nhận sai nguồn gốc đất. Việc làm sai trái này nhiều người biết.\n")


def _mixed_of(body: str) -> tuple[str, bool, str | None]:
    from extractors.fields import extract_fields
    from petitions.settings import Settings

    text = _HEAD + body + "\nNgười làm đơn\nLã Văn Tường\n"
    c = classify(text, extract_fields(text, Settings()))
    return c.category, c.mixed, c.secondary_category


def test_a_remedy_asked_at_the_end_is_the_same_matter() -> None:
    body = _DENOUNCE + ("Đề nghị xử lý nghiêm ông Khánh.\n"
                        "Đề nghị xã xem xét hỗ trợ, tạo điều kiện cho các hộ bị thiệt hại sớm ổn định cuộc sống.\n")
    assert _mixed_of(body) == ("to_cao", False, None)


def test_a_second_matter_after_a_cue_makes_the_letter_mixed() -> None:
    body = _DENOUNCE + ("Bên cạnh đó, đường điện chiếu sáng của thôn hỏng đã lâu, tối đi lại rất nguy hiểm, "
                        "tôi kiến nghị xã sớm cho sửa chữa, thay bóng đèn.\n"
                        "Đề nghị xác minh, xử lý nghiêm sai phạm của ông Khánh.\n")
    assert _mixed_of(body) == ("to_cao", True, "kien_nghi")


def test_a_denunciation_as_the_second_matter_of_a_phan_anh() -> None:
    body = ("Tôi xin phản ánh tình trạng nhà văn hóa thôn Đông xuống cấp nghiêm trọng, mái dột, tường nứt, "
            "bà con không có chỗ sinh hoạt. Đề nghị xã có kế hoạch sửa chữa.\n"
            "Một việc nữa: chị Đỗ Thị Liên, công chức văn hóa - xã hội xã, tự ý cho người ngoài thuê sân nhà "
            "văn hóa làm bãi xe thu tiền riêng, không nộp về thôn. Đề nghị xã xem xét xử lý chị Liên.\n")
    category, mixed, secondary = _mixed_of(body)
    assert (mixed, secondary) == (True, "to_cao") and category in ("phan_anh", "kien_nghi")


_COMPLAINT = ("Ngày 12/3/2026 Chủ tịch UBND xã ban hành Quyết định số 77/QĐ-UBND thu hồi 150 m² đất vườn của gia "
              "đình tôi, áp giá bồi thường thấp hơn giá thị trường. Tôi không đồng ý với quyết định này.\n")


@pytest.mark.parametrize("body", [
    # numbered sections: the second is another matter
    "1. " + _COMPLAINT + "Đề nghị Chủ tịch UBND xã xem xét lại, hủy Quyết định số 77/QĐ-UBND.\n2. " + _DENOUNCE,
    # a cue that turns to another matter, which it names ("tôi xin tố cáo")
    _COMPLAINT + "Đề nghị hủy Quyết định số 77/QĐ-UBND.\nViệc thứ hai, tôi xin tố cáo: ông Khánh nhận tiền "
    "của hộ bà Lý để xác nhận sai nguồn gốc đất.\n",
    # turns written in many ways
    _COMPLAINT + "Đề nghị hủy Quyết định số 77/QĐ-UBND.\nSẵn đây tôi báo thêm: " + _DENOUNCE,
    _COMPLAINT + "Đề nghị hủy Quyết định số 77/QĐ-UBND. Còn một việc nữa, " + _DENOUNCE,
    # "Riêng …" at a sentence start: the writer's own case after a report about the village
    "Đường trục thôn Đông bị xe tải làm hỏng nặng, mưa xuống ngập lầy, tôi xin phản ánh để xã biết và sửa chữa. "
    "Riêng gia đình tôi: " + _COMPLAINT + "Đề nghị hủy Quyết định số 77/QĐ-UBND.\n",
])
def test_second_matters_in_sections_and_after_cues(body: str) -> None:
    from classifiers.category import Body, segment_categories

    _, mixed, secondary = _mixed_of(body)
    assert mixed and secondary is not None
    # the parts themselves, scored alone, hold the two matters
    assert {"khieu_nai", secondary} <= set(segment_categories(Body.of(body, rules := load_rules()), rules))


def test_a_section_heading_reads_the_paragraph_under_it() -> None:
    # "2. Về …" alone on its line announces a matter told in the next paragraph
    from classifiers.category import Body, segment_categories

    body = (_COMPLAINT + "Đề nghị hủy Quyết định số 77/QĐ-UBND.\n\n2. Về việc ở thôn Đông:\n\n"
            "Ông Lê Văn Hào, trưởng thôn, đã nhận tiền của 5 hộ để đưa vào danh sách hỗ trợ, làm giả biên bản họp thôn.\n")
    assert "to_cao" in segment_categories(Body.of(body, rules := load_rules()), rules)
    # … but a heading does not swallow a paragraph that starts a part of its own
    turned = body.replace("\n\nÔng Lê Văn Hào", "\n\nNgoài ra, ông Lê Văn Hào")
    assert segment_categories(Body.of(turned, rules), rules).count("to_cao") == 1


def test_sections_numbered_in_words() -> None:
    # "Một là, … Hai là, …": each section is a part of its own
    from classifiers.category import Body, _parts

    body = ("Tôi xin trình bày hai việc:\n\nMột là, nhà ông Kiên xây nhà trên đất lúa.\n\n"
            "Hai là, rãnh thoát nước trong tổ 3 bị lấp.\n\nBa là người cao tuổi trong tổ đi lại khó.\n")
    rules = load_rules()
    read = Body.of(body, rules)
    starts = [read.text[a:a + 7] for a, _, _ in _parts(read.folded, rules)[1:]]
    assert starts == ["Một là,", "Hai là,"]  # "Ba là …" without its comma may be "Dad is …"


def test_a_denunciation_section_of_petty_harassment() -> None:
    body = ("Tôi làm đơn này xin trình bày hai việc:\n"
            "Thứ nhất, tôi tố cáo bà Lò Thị Mai, công chức một cửa xã, hai lần làm thất lạc hồ sơ của tôi, người quen "
            "đến sau thì được ký ngay. Tôi đề nghị xã xử lý việc gây phiền hà của bà Mai.\n"
            "Thứ hai, tôi phản ánh điểm tập kết rác đầu thôn gần 2 tuần không có xe thu gom, rác tràn ra đường, "
            "bốc mùi hôi thối. Mong xã sớm bố trí thu gom.\n")
    category, mixed, secondary = _mixed_of(body)
    assert mixed and {category, secondary} == {"to_cao", "phan_anh"}


def test_a_second_matter_in_its_own_paragraph_without_a_cue() -> None:
    body = ("Nước máy cấp cho thôn Đông ba tháng nay thường xuyên đục, có mùi, tôi xin phản ánh tình trạng này, đề "
            "nghị xã có biện pháp khắc phục.\n" + _DENOUNCE)
    category, mixed, secondary = _mixed_of(body)
    assert mixed and {category, secondary} == {"to_cao", "phan_anh"}


_SANCTION = ("Ngày 02/4/2026 Chủ tịch UBND xã ban hành Quyết định số 58/QĐ-XPHC xử phạt tôi 4.000.000 đồng vì cho "
             "rằng tôi xây chuồng trại không phép. Chuồng trại nằm trong đất vườn của gia đình tôi, đã có giấy chứng "
             "nhận từ năm 2001. Tôi không đồng ý với quyết định này.\n")
_ROAD = ("Con đường từ thôn Đông ra quốc lộ dài gần 2 km, mấy năm nay ổ gà chi chít, trời mưa thì lầy lội, xe chở "
         "học sinh đi lại rất khó khăn, tháng trước có cụ già bị ngã gãy tay.\n")
_CANCEL = "Tôi đề nghị Chủ tịch UBND xã xem xét lại, hủy Quyết định số 58/QĐ-XPHC.\n"


def test_the_trained_model_reads_a_second_matter_the_signals_score_weakly() -> None:
    # a situation told in one paragraph, with no request and one weak signal ("ổ gà"): no rule wins it,
    # the trained classifier reading the paragraph alone does
    from classifiers.category import (
        Body,
        analyse_rules,
        model_paragraph_matters,
        request_line_categories,
        segment_categories,
    )
    from classifiers.versions import active_model
    from models.record import Extraction

    rules = load_rules()
    body = _SANCTION + _ROAD + _CANCEL
    read = Body.of(body, rules)
    assert "phan_anh" not in request_line_categories(read, rules) + segment_categories(read, rules, "khieu_nai")
    model = active_model()
    assert model is not None
    found = model_paragraph_matters(analyse_rules(_HEAD + body, Extraction()).body, model, "khieu_nai", rules)
    assert [(m.category, m.paragraph) for m in found] == [("phan_anh", _ROAD.strip())]
    assert _mixed_of(body) == ("khieu_nai", True, "phan_anh")
    # the reviewer is shown the paragraph that made the letter mixed
    text = _HEAD + body
    signals = classify(text, Extraction()).signals
    assert any("nội dung thứ hai" in s and "Con đường từ thôn Đông" in s for s in signals)
    assert _mixed_of(_SANCTION + _CANCEL) == ("khieu_nai", False, None)


class _Reader:
    """A stand-in classifier that reads every paragraph as a reflection, and records what it read."""

    passage_reader = False

    def __init__(self) -> None:
        self.read: list[str] = []

    def read_paragraphs(self, texts: list[str]) -> np.ndarray:
        self.read += texts
        return np.array([[0.05, 0.05, 0.1, 0.8]] * len(texts))


def test_a_paragraph_the_model_reads_counts_only_with_a_signal_of_its_class() -> None:
    from classifiers.category import model_paragraph_matters

    rules = load_rules()
    reader = _Reader()

    def categories(body: str, top: str = "khieu_nai") -> list[str]:
        return [m.category for m in model_paragraph_matters(body, reader, top, rules)]

    family = ("Gia đình tôi có bốn người, vợ tôi làm ruộng, hai con đang đi học ở trường tiểu học của xã, cuộc sống "
              "trông cả vào mấy sào ruộng và chuồng lợn.\n")
    assert categories(family + _SANCTION) == []
    assert categories(family + _ROAD) == ["phan_anh"]
    # "no answer yet" is about the writer's own earlier letter: no signal of another matter
    assert categories("Tôi đã gửi đơn này một lần từ tháng 5 nhưng đến nay vẫn chưa nhận được trả lời của xã.\n") == []
    # the writer's identity sentences are not read; short lines (signatures, dates) neither
    reader.read.clear()
    categories(_HEAD + "Ninh Bình, ngày 5/5/2026\n" + _ROAD)
    assert reader.read == [_ROAD.strip()]
    # a paragraph of the letter's own legal class is no second matter
    assert categories(_ROAD, top="kien_nghi") == []
    # a sentence typed with hard line breaks is read whole
    reader.read.clear()
    categories(_ROAD.replace("lầy lội, xe", "lầy lội,\nxe"))
    assert reader.read == [_ROAD.strip()]


@pytest.mark.parametrize(("sentence", "signal"), [
    ("Tôi xin phản ánh tình trạng đường thôn Đông xuống cấp.", "pa_self"),
    ("Chúng tôi báo để xã biết việc đường thôn Đông xuống cấp.", "pa_self"),
    ("Tôi xin kiến nghị xã làm mới đường thôn Đông.", "kng_self"),
    ("Chúng tôi mạnh dạn đề xuất xã làm mới đường thôn Đông.", "kng_self"),
])
def test_the_writer_says_whether_he_reports_or_proposes(sentence: str, signal: str) -> None:
    from classifiers.category import analyse_rules
    from models.record import Extraction

    hits = {h.signal for h in analyse_rules(_HEAD + sentence, Extraction()).category_hits}
    assert signal in hits
    # the verb itself still counts for its own signal ("phản ánh tình trạng", "kiến nghị")
    assert hits - {signal}


@pytest.mark.parametrize(("sentence", "signal", "found"), [
    # fees collected against the rules, in the writer's own words
    ("Đề nghị kiểm tra, xử lý việc thu tiền trái quy định này.", "tc_illegal_fees", True),
    ("Ông trưởng thôn thu của các hộ khoản tiền làm đường mà không có biên lai.", "tc_illegal_fees", True),
    ("Nhà trường thu học phí đúng quy định, có biên lai đầy đủ.", "tc_illegal_fees", False),
    ("Hiệu trưởng chỉ đạo giáo viên thu của học sinh nhiều khoản không đúng quy định.", "tc_illegal_fees", True),
    ("Đề nghị Sở làm rõ trách nhiệm của hiệu trưởng.", "tc_handle_violator", True),
    # an amount's dots end no sentence
    ("Tháng nào ông ấy cũng đi thu tiền rác 30.000 đồng/hộ, không có biên lai.", "tc_illegal_fees", True),
    # relatives put on a list or given a benefit
    ("Ông Tâm đưa em ruột của mình vào danh sách hỗ trợ xóa nhà tạm.", "tc_favouritism", True),
    ("Bà Hạnh cho con gái được nhận suất hỗ trợ dù nhà khá giả.", "tc_favouritism", True),
    ("Nhà tôi có người thân đang ốm nên xin được hỗ trợ.", "tc_favouritism", False),
    # a regex's words end where the writer's words end: "chủ"/"ông" are not "chúng"/"trường", "phá" is
    # not "phản", "giả" is not "giải", "bà" is not "ban"
    ("Chúng tôi đã phản ánh với công đoàn công ty.", "tc_person_acts", False),
    ("Ông Hào đã san lấp 500 m2 ruộng lúa.", "tc_person_acts", True),
    ("Nhà bà Đỗ Thị Hằng (hay gọi Hằng béo) ở cuối ngõ 17 tổ 5 có dấu hiệu bán ma túy.", "tc_person_acts", True),
    ("Một số cán bộ có biểu hiện tiêu cực, sách nhiễu doanh nghiệp khi thẩm định hồ sơ.", "tc_harassment", True),
    ("Đề nghị công an bí mật điều tra, bắt quả tang.", "tc_punish", True),
    ("Chủ tịch xã đã giải quyết đơn của tôi.", "tc_official_acts", False),
    # … nor is "tham" (greed) the start of "tham mưu" (advise), "nhận" of "nhận hồ sơ", "sửa" of "sửa chữa"
    ("Đề nghị xử lý trách nhiệm của cán bộ đã tham mưu và người ký quyết định sai.", "tc_official_acts", False),
    ("Cán bộ địa chính đã nhận hồ sơ của tôi từ tháng 3.", "tc_official_acts", False),
    ("Trưởng thôn đã sửa chữa lại đường làng.", "tc_official_acts", False),
    ("Kế toán xã đã sửa sổ sách để rút tiền.", "tc_official_acts", True),
    ("Yêu cầu ban quản lý chợ sắp xếp lại quầy hàng.", "tc_handle_violator", False),
    # asking a firm to make good the harm is the remedy of a situation, compelling or sanctioning it is not
    ("Đề nghị phường yêu cầu công ty phun nước dập bụi, bồi thường cho các nhà bị nứt.", "tc_handle_violator", False),
    ("Đề nghị phường xử phạt, buộc công ty nổ mìn đúng giờ.", "tc_handle_violator", True),
    # an office holder named by position, not as ông/bà
    ("Đề nghị làm rõ việc chủ tịch xã ký xác nhận hồ sơ cho người không ở địa phương.", "tc_handle_violator", True),
    # "diện tích thu hồi" (the area recovered) folds like "tịch thu" (confiscate)
    ("Diện tích thu hồi ghi trong quyết định là 300 m2.", "tc_handle_violator", False),
    ("Đề nghị tịch thu toàn bộ phương tiện khai thác cát.", "tc_handle_violator", True),
    # the name of a sanction decision is what a complaint contests, not a request to sanction
    ("Chủ tịch xã ra Quyết định xử phạt vi phạm hành chính số 45/QĐ-XPHC đối với tôi.", "tc_handle_violator", False),
    ("Đề nghị xử phạt vi phạm đối với công ty.", "tc_handle_violator", True),
    # building without a permit is a violation told about someone
    ("Nhà ông Kiên đang xây nhà 3 tầng trên đất lúa, không có giấy phép xây dựng.", "tc_unlawful_building", True),
    # "thông dòng chảy" (a channel cleared) folds like "thông đồng" (collusion): tone marks decide
    ("Đề nghị công ty khẩn trương khơi thông dòng chảy của mương.", "tc_collusion", False),
    ("Cán bộ địa chính thông đồng với chủ đầu tư để hợp thức hóa.", "tc_collusion", True),
    ("Hồ sơ không có chữ ký của tôi nên bị trả lại.", "tc_falsification", False),  # "hồ sơ khống" (fake file)
    ("Kế toán lập hồ sơ khống để rút tiền hỗ trợ.", "tc_falsification", True),
    ("Người thì bảo chuyển qua tài khoản rồi.", "pa_infrastructure", False),  # "quá tải" (overloaded)
    ("Nhà ông có bác ruột làm ở xã.", "pa_disorder", False),  # "cờ bạc" (gambling)
    # the writer denounces someone by name or post; a letter only called a denunciation names no one
    ("Đồng thời tôi tố cáo ông Nguyễn Văn Tiệp, cán bộ Ban bồi thường, đã ký thay biên bản.", "tc_denounce_person", True),
    ("Chúng tôi xin tố cáo hiệu trưởng trường tiểu học thu tiền ngoài quy định.", "tc_denounce_person", True),
    ("Tôi làm đơn tố cáo này để các cấp xem xét lại quyết định thu hồi đất.", "tc_denounce_person", False),
    ("Ông Tiệp đe dọa sẽ tố cáo tôi với công an.", "tc_denounce_person", False),
    ("2. Về hành vi của thầy Nguyễn Văn Bình, Hiệu trưởng Trường THPT Nam Duy Tiên.", "tc_denounce_person", True),
    ("Tôi khiếu nại hành vi hành chính của Chủ tịch UBND xã.", "tc_denounce_person", False),
    ("Ông Bình đã làm sai lệch kết quả đánh giá viên chức của tôi.", "tc_falsification", True),
    # a farmer's words for the decision he contests
    ("Tôi đề nghị xã xem xét lại hủy cái quyết định phạt đó cho tôi.", "kn_cancel_decision", True),
    ("Tôi nhận được quyết định phạt của xã mà không được giải thích.", "kn_sanction", True),
    # support asked for: a recommendation
    ("Tôi xin đề nghị UBND xã cho thống kê thiệt hại để đề nghị cấp trên hỗ trợ theo chính sách.", "kng_support", True),
    ("- Hỗ trợ giống lúa cho vụ xuân năm 2027;", "kng_support", True),
    # "có giải pháp" proposes a solution: the recommendation's own word, not a reflection's remedy
    ("Trong thời gian chờ, có giải pháp điều chuyển thuốc giữa các bệnh viện.", "kng_label", True),
    ("Trong thời gian chờ, có giải pháp điều chuyển thuốc giữa các bệnh viện.", "pa_act_on_situation", False),
    # a writer who tells the commune so that it knows, of a file held up: a reflection
    ("Tôi viết đơn này để xã biết việc hồ sơ của tôi bị chậm.", "pa_label", True),
    ("Đã hơn một năm mà tôi vẫn chưa được nhận đồng nào.", "pa_delay", True),
    # a rule or a public work asked for: a recommendation
    ("Bà con rất mong tỉnh ban hành quy định rõ ràng về việc làm homestay.", "kng_policy", True),
    ("Đề nghị xã cho làm thêm một cống tưới tiêu qua đường.", "kng_investment", True),
    ("Công ty bắt công nhân làm thêm giờ mà không trả lương.", "kng_investment", False),
    ("Đoạn đê bao qua mùa bão bị xói chân, nước mặn tràn vào ruộng.", "pa_infrastructure", True),
    ("Bà con lo lắm mà chưa thấy ai xuống xem.", "pa_delay", True),
    # taken off a benefit list, asked to look at it again: a complaint
    ("Đầu năm nay tự nhiên tên tôi không còn trong danh sách hộ cận nghèo nữa.", "kn_adverse_act", True),
    ("Mong xã xem lại cái danh sách đó cho tôi.", "kn_cancel_decision", True),
    # public property put to private use: a denunciation
    ("Ông Tiến thường dùng xe ô tô công của phường đưa đón con đi học.", "tc_embezzlement", True),
    ("Nhà tôi có chiếc xe công nông chở lúa đi học kỳ.", "tc_embezzlement", False),
    # money demanded for a favour, in the demander's words
    ("Ông Khoa nói nếu muốn giữ chỗ cũ thì \"gửi anh em 20 triệu\".", "tc_money_taken", True),
    ("Nếu muốn được cấp giấy thì phải nộp 2 triệu tiền sử dụng đất theo quy định.", "tc_money_taken", False),
])
def test_category_vocabulary(sentence: str, signal: str, found: bool) -> None:
    assert (signal in _signals_of(sentence)) is found


def _signals_of(sentence: str) -> set[str]:
    """The signals that fire on one sentence, matched as in a letter (tone marks kept where needed)."""
    from classifiers.matching import find_hits
    from classifiers.rules import fold_key

    return {h.signal for h in find_hits(fold_key(sentence), load_rules(), source=sentence)}


def test_a_part_scored_alone_keeps_the_tone_marks_of_its_words() -> None:
    # "làm thủ tục" folds like "lạm thu" (fees collected against the rules): only the accented word counts,
    # in a request line or a section scored alone as in the whole letter
    from classifiers.category import Body, request_line_categories, segment_categories

    rules = load_rules()
    plain = "Tôi xin kiến nghị:\n- Có tổ hỗ trợ người già làm thủ tục trên mạng ở từng thôn, xóm;\n"
    assert "to_cao" not in request_line_categories(Body.of(plain, rules), rules) + segment_categories(Body.of(plain, rules), rules)
    fees = "Tôi xin kiến nghị:\n- Chấm dứt việc lạm thu, thu tiền trái quy định ở từng thôn, xóm;\n"
    assert "to_cao" in request_line_categories(Body.of(fees, rules), rules)


@pytest.mark.parametrize(("sentence", "label_counts"), [
    ("Chúng tôi đã phản ánh với công đoàn công ty nhưng không có kết quả.", False),
    ("Tôi đã nhiều lần kiến nghị lên xã nhưng chưa ai trả lời.", False),
    ("Chính ông Bình là người đề xuất điều động tôi vì tôi là người góp ý trong cuộc họp.", False),
    ("Tôi xin phản ánh với các cấp việc đường thôn xuống cấp.", True),
    ("Tôi xin kiến nghị với xã làm lại đường thôn.", True),
    ("Năm 2024 tôi có đơn tố cáo ông Lê Văn Lục, cán bộ địa chính xã, về việc làm mất hồ sơ.", False),
    ("UBND huyện đã giải quyết tại Kết luận nội dung tố cáo số 09/KL-UBND ngày 15/11/2024.", False),
    ("Tôi tố cáo ông Lê Văn Lục, cán bộ địa chính xã, về việc làm mất hồ sơ.", True),
])
def test_an_earlier_report_is_the_story_of_the_letter(sentence: str, label_counts: bool) -> None:
    from classifiers.matching import find_hits
    from classifiers.rules import fold_key

    hits = find_hits(fold_key(sentence), load_rules(), frozenset({"phan_anh", "kien_nghi", "to_cao"}), source=sentence)
    labels = {"pa_label", "kng_label", "tc_self_label", "tc_denunciation_terms", "tc_denounce_person"}
    assert bool({h.signal for h in hits if h.points > 0} & labels) is label_counts


@pytest.mark.parametrize("tail", [
    # a plea for help after a turn ("Ngoài ra") is the remedy of the same matter
    "Ngoài ra, gia đình tôi thuộc hộ khó khăn, kính mong xã xem xét hỗ trợ cho gia đình tôi.\n",
    # a violation only supposed is not asserted
    "Đồng thời đề nghị xã kiểm tra, xử lý người lập biên bản nếu có sai phạm.\n",
])
def test_a_plea_or_a_supposed_violation_is_no_second_matter(tail: str) -> None:
    assert _mixed_of(_SANCTION + _CANCEL + tail) == ("khieu_nai", False, None)


def test_an_item_of_the_request_list_is_read_like_a_request_line() -> None:
    from classifiers.category import Body, segment_categories

    item = "2. Chỉ đạo khắc phục tình trạng nước thải của trại lợn chảy tràn ra mương, bốc mùi hôi thối.\n"
    requests = "Kính đề nghị Chủ tịch UBND xã:\n1. Xử lý nghiêm ông Bùi Văn Khánh;\n" + item
    rules = load_rules()
    # a remedy asked in the list of requests is no reflection of its own …
    assert "phan_anh" not in segment_categories(Body.of(_DENOUNCE + requests, rules), rules, "to_cao")
    # … while the same words as a section of the story still are a part of their own
    story = _DENOUNCE + "Tôi xin trình bày thêm:\n" + item
    assert "phan_anh" in segment_categories(Body.of(story, rules), rules, "to_cao")


def test_a_remedy_joined_mid_sentence_is_the_same_matter() -> None:
    # "đồng thời" inside the request sentence asks a remedy for the same decision, not another matter
    body = _COMPLAINT + ("Đề nghị Chủ tịch UBND xã hủy Quyết định số 77/QĐ-UBND, đồng thời xem xét trách nhiệm "
                         "của cán bộ đã lập phương án.\n")
    assert _mixed_of(body) == ("khieu_nai", False, None)
    from classifiers.category import Body, segment_categories

    assert "to_cao" not in segment_categories(Body.of(body, rules := load_rules()), rules)


@pytest.mark.parametrize(("body", "crime"), [
    # posing as an official to take a deposit: fraud
    ("Ông Hà Văn Lực tự xưng là cán bộ Sở Nông nghiệp và Môi trường, hứa lo giao đất rồi lấy của tôi 120 "
     "triệu đồng rồi bỏ trốn. Tôi tố cáo ông Lực giả danh cán bộ để lấy tiền.", True),
    # a bribe paid to a clerk, and the writer asks the investigating body to act
    ("Cán bộ địa chính Mai Văn Tú bảo muốn làm sổ đỏ thì phải lo 20 triệu. Tôi đã đưa cho anh Tú 20 triệu "
     "đồng. Đề nghị cơ quan điều tra làm rõ.", True),
    # a neighbour taking a strip of land is a civil dispute; taken by force it is a sign of a crime
    ("Hộ ông Đinh Văn Sáu chiếm đất ngõ đi chung của ba hộ, xây tường rào lấn ra. Đề nghị xã giải quyết.", False),
    ("Ông Đinh Văn Sáu thuê người dùng vũ lực chiếm đất nhà tôi, đánh người nhà tôi phải đi viện.", True),
    # the investigating body named, but no sign of a crime
    ("Nhà hàng xóm xây tường lấn sang ngõ đi chung 30 cm. Tôi đã báo cơ quan điều tra nhưng được hướng dẫn "
     "gửi đơn về xã. Đề nghị xã giải quyết.", False),
])
def test_crime_signs_from_fraud_and_bribes(body: str, crime: bool) -> None:
    from extractors.fields import extract_fields
    from petitions.settings import Settings

    text = _HEAD + body + "\nNgười làm đơn\nLã Văn Tường\n"
    assert classify(text, extract_fields(text, Settings())).crime_signs is crime


@pytest.mark.parametrize(("body", "crime"), [
    # words that fold like crime words, written with their tone marks, are not crime words
    ("Xe tải đêm nào cũng đổ phế thải ra bờ mương, có đêm còn đổ cả vải vụn. Đề nghị xã kiểm tra.", False),
    ("Xã không có trung tâm ôn thi, nhiều nhà đành để con tự học. Đề nghị mở lớp ôn tập.", False),
    ("Đề nghị hủy quyết định hoãn thi hành án, áp dụng biện pháp ngăn chặn tẩu tán tài sản.", False),
    # the crime words themselves, with or without tone marks
    ("Bọn côn đồ kéo đến nhà tôi đập cửa, chửi bới. Đề nghị công an xử lý.", True),
    ("Nha ong Tu to chuc danh de, ghi lo de cong khai. De nghi cong an xa xu ly.", True),
])
def test_crime_words_that_fold_like_common_words(body: str, crime: bool) -> None:
    from extractors.fields import extract_fields
    from petitions.settings import Settings

    text = _HEAD + body + "\nNgười làm đơn\nLã Văn Tường\n"
    assert classify(text, extract_fields(text, Settings())).crime_signs is crime


def test_a_first_complaint_answered_and_upheld_makes_this_the_second() -> None:
    from extractors.fields import extract_fields
    from petitions.settings import Settings

    body = ("Tháng 3 tôi làm đơn khiếu nại Quyết định số 52/QĐ-UBND của Chủ tịch UBND xã về việc buộc tháo dỡ "
            "mái che. Xã mời đối thoại rồi ông Chủ tịch ký quyết định trả lời là giữ nguyên, bác đơn của tôi. "
            "Tôi không đồng ý, đề nghị tỉnh xem xét lại quyết định trên.")
    text = _HEAD + body + "\nNgười làm đơn\nLã Văn Tường\n"
    c = classify(text, extract_fields(text, Settings()))
    assert c.category == "khieu_nai" and c.complaint_round == 2


_DECISION = ("Ngày 12/3/2026 Chủ tịch UBND xã ban hành Quyết định số 77/QĐ-UBND thu hồi 150 m² đất vườn của gia "
             "đình tôi, áp giá bồi thường thấp hơn giá thị trường. Tôi không đồng ý với quyết định này.")
_MEASURED_SHORT = (" Khi đo đạc, ông Bùi Văn Khánh, cán bộ địa chính xã, đã cố tình đo thiếu diện tích của gia đình tôi "
                   "so với giấy chứng nhận.")
_RECONSIDER = "\nTôi đề nghị Chủ tịch UBND xã xem xét lại, hủy Quyết định số 77/QĐ-UBND.\n"


@pytest.mark.parametrize(("title", "accusation", "secondary"), [
    ("ĐƠN KHIẾU NẠI VÀ TỐ CÁO", True, "to_cao"),
    ("Đơn khiếu nại, tố cáo", True, "to_cao"),
    ("ĐƠN KHIẾU NẠI", True, None),  # one matter named: the official's conduct is the complaint's story
    ("ĐƠN PHẢN ÁNH VÀ KIẾN NGHỊ", True, None),  # one legal class named twice
    ("ĐƠN KHIẾU NẠI VÀ TỐ CÁO", False, None),  # nothing in the body to denounce
])
def test_a_title_naming_two_matters_declares_the_second(title: str, accusation: bool, secondary: str | None) -> None:
    from extractors.fields import extract_fields
    from petitions.settings import Settings

    body = _DECISION + (_MEASURED_SHORT if accusation else "") + _RECONSIDER
    text = f"{title}\n\n{_HEAD}{body}\nNgười làm đơn\nLã Văn Tường\n"
    c = classify(text, extract_fields(text, Settings()))
    assert (c.category, c.secondary_category) == ("khieu_nai", secondary), c.signals
    assert any("nêu ở tiêu đề" in s for s in c.signals) == (secondary is not None)


_FEES = ("Đầu năm học, trường THCS thôn Đông thu của mỗi học sinh nhiều khoản: quỹ cơ sở vật chất, tiền xã hội hóa, "
         "quỹ lớp, cộng lại gần hai triệu đồng, phụ huynh không biết khoản nào đúng quy định")
_FEES_ASK = ("\nTôi kính kiến nghị Sở ban hành danh mục thống nhất các khoản được thu, mức trần từng khoản, công khai "
             "tại bảng tin các trường.\n")


@pytest.mark.parametrize(("middle", "secondary"), [
    # declared once the matter has begun, mid-sentence: a second matter
    # (the trained reader gives this paragraph to kiến nghị: only the declaration tells the second matter)
    (". Tên gọi là tự nguyện nhưng mức tiền định sẵn, chia đều, thu bằng tiền mặt qua ban đại diện lớp, không có "
     "biên lai. Lớp con tôi cô chủ nhiệm còn bắt cả lớp đi học thêm ở nhà cô, tôi tố cáo việc làm này. Hỏi thì giáo "
     "viên nói trường giao, phụ huynh không biết hỏi ai.", "to_cao"),
    # an earlier act, not this letter's
    (". Tên gọi là tự nguyện nhưng mức tiền định sẵn, chia đều, thu bằng tiền mặt qua ban đại diện lớp, không có "
     "biên lai. Năm ngoái tôi đã tố cáo việc này nhưng chưa được trả lời.", None),
])
def test_a_denunciation_declared_once_the_matter_has_begun(middle: str, secondary: str | None) -> None:
    from extractors.fields import extract_fields
    from petitions.settings import Settings

    text = _HEAD + _FEES + middle + _FEES_ASK + "\nNgười làm đơn\nLã Văn Tường\n"
    c = classify(text, extract_fields(text, Settings()))
    assert (c.category, c.secondary_category) == ("kien_nghi", secondary)
    shown = [s for s in c.signals if "người viết nêu" in s]  # the reviewer sees the words
    assert shown == (["tố cáo (nội dung thứ hai, người viết nêu): 'tôi tố cáo việc làm này.'"] if secondary else [])


def test_an_opening_declaration_is_the_letters_own_matter() -> None:
    from classifiers.category import Body, declared_matters

    rules = load_rules()
    opening = Body.of(_HEAD + "Tôi tố cáo việc trường thu quá nhiều khoản. " + _FEES + "." + _FEES_ASK, rules)
    later = Body.of(_HEAD + _FEES + ". Tôi tố cáo việc trường thu quá nhiều khoản." + _FEES_ASK, rules)
    assert declared_matters(opening, "kien_nghi", rules) == []
    assert [d.category for d in declared_matters(later, "kien_nghi", rules)] == ["to_cao"]
    assert declared_matters(later, "kien_nghi", rules)[0].sentence == "Tôi tố cáo việc trường thu quá nhiều khoản."
    assert declared_matters(later, "to_cao", rules) == []  # its own class is no second matter
    others = Body.of(_HEAD + _FEES + ". Phụ huynh nhiều lần muốn tố cáo việc này." + _FEES_ASK, rules)
    assert declared_matters(others, "kien_nghi", rules) == []  # not the writer's own declaration


_WOVEN = ("Ngày 12/3/2026 Chủ tịch UBND xã ban hành Quyết định số 77/QĐ-UBND thu hồi 150 m² đất vườn của gia đình tôi, "
          "áp giá bồi thường thấp hơn giá thị trường. Các hộ liền kề có đất cùng hạng đều được tính giá cao hơn. "
          "Bây giờ ông Bùi Văn Khánh, cán bộ địa chính xã, cứ đến nhà bảo tôi ký vào biên bản cho đủ thủ tục, bảo không "
          "ký thì \"cả xóm nó nói cho\", ông ấy làm thế là sai, đề nghị xử lý ông ấy. "
          "Phần đất bị thu hồi là đất vườn gia đình tôi sử dụng ổn định từ năm 1992, có giấy chứng nhận.")


def test_a_long_paragraph_is_read_sentence_by_sentence_and_in_runs_of_two() -> None:
    from classifiers.category import _windows
    from extractors.layout import sentences

    rules = load_rules()
    runs = _windows(_WOVEN, rules)
    # its four sentences (the one under 60 characters left out alone), then the three runs of two
    assert [r[:14] for r in runs] == ["Ngày 12/3/2026", "Bây giờ ông Bù", "Phần đất bị th",
                                      "Ngày 12/3/2026", "Các hộ liền kề", "Bây giờ ông Bù"]
    assert len(runs[4]) > len(runs[1]) and runs[4].endswith("đề nghị xử lý ông ấy.")
    assert _windows(_DENOUNCE, rules) == []  # a short paragraph is read whole only
    # a run of all a paragraph's sentences is the paragraph, read already: a long two-sentence paragraph
    # gives its two sentences only
    said = [s.strip() for s in sentences(_WOVEN)]
    first, second = said[0], said[2]
    two = f"{first} {second}"
    assert len(two) >= rules.set.mixed.window_paragraph_chars
    assert _windows(two, rules) == [first, second]


def test_a_denunciation_woven_into_a_complaint_paragraph() -> None:
    # the trained reader gives the whole paragraph to the complaint; two of its sentences read alone
    # are the threat of an official the writer asks to deal with
    body = _WOVEN + "\n" + _CANCEL.replace("58/QĐ-XPHC", "77/QĐ-UBND")
    assert _mixed_of(body) == ("khieu_nai", True, "to_cao")


def test_a_turn_by_way_of_the_first_matter_is_a_cue() -> None:
    # "Nhân nói chuyện …" (speaking of …) turns to another matter as "Nhân tiện" does, in the middle of
    # the complaint's paragraph
    tail = ("Nhân nói chuyện chuồng trại, con đường ra đồng của thôn Đông qua mùa bão vừa rồi bị xói lở, nhiều đoạn "
            "sụt lún, xe chở lúa không đi được, bà con lo lắm mà chưa thấy ai xuống xem.\n")
    assert _mixed_of(_SANCTION.rstrip("\n") + " " + tail + _CANCEL) == ("khieu_nai", True, "phan_anh")
