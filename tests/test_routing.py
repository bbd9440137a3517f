"""The routing stage: facts, the table (one case per rule at least), the accused guard, agencies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from models.record import Accused, Classification, Extraction, Location
from petitions.errors import BadConfigError
from petitions.settings import Settings
from routing.agencies import AGENCY_KINDS, directory, find_agency, find_commune, resolve_province
from routing.engine import DEFAULT_TABLE, load_table, parse_table, route_letter
from routing.facts import accused_level, department_mentioned, derive_facts

SETTINGS = Settings(province="Ninh Bình")
RECEIVED = dt.date(2026, 11, 25)  # a Wednesday, after Law 136/2025 took effect


# ---- factories -------------------------------------------------------------------------------------


def make_extraction(
    *,
    accused: tuple[str | None, str | None, str | None] | None = None,
    commune: str | None = "Liêm Hà",
    province: str | None = "Ninh Bình",
    incident: tuple[str | None, str | None] | None = None,  # (commune, province)
    **overrides: Any,
) -> Extraction:
    values: dict[str, Any] = {
        "location": Location(province=province, commune=commune) if (commune or province) else None,
        "incident_location": Location(commune=incident[0], province=incident[1]) if incident else None,
        "accused": Accused(name=accused[0], position=accused[1], organization=accused[2]) if accused else None,
    }
    values.update(overrides)
    return Extraction(**values)


def make_classification(category: str = "kien_nghi", **overrides: Any) -> Classification:
    return Classification(**{"category": category, "category_confidence": 0.9, **overrides})


@dataclass
class Case:
    name: str
    rule: str
    category: str
    kind: str | None  # expected agency_kind; None = no route (review)
    unit: str | None = None
    action: str | None = None
    uncertain: bool = False
    agency_id: str | None = None
    agency_name: str | None = None
    extraction: dict[str, Any] = field(default_factory=dict)
    classification: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


NB = "Ninh Bình"
CASES: list[Case] = [
    Case("crime signs, whatever the category", "R1", "phan_anh", "cong_an_tinh", NB, "transfer_police",
         agency_id="cong_an_tinh:ninh-binh", agency_name="Công an tỉnh Ninh Bình",
         classification={"crime_signs": True, "domain": "an_ninh_trat_tu"}),
    Case("crime signs beat a commune official denunciation", "R1", "to_cao", "cong_an_tinh", NB,
         "transfer_police", extraction={"accused": ("Nguyễn Văn A", "công chức địa chính", "UBND xã Liêm Hà")},
         classification={"crime_signs": True}),
    Case("party discipline", "R2", "to_cao", "uy_ban_kiem_tra_tinh_uy", NB, "transfer_party",
         agency_id="uy_ban_kiem_tra_tinh_uy:ninh-binh", agency_name="Ủy ban Kiểm tra Tỉnh ủy Ninh Bình",
         extraction={"accused": ("Trần Văn B", "Bí thư Chi bộ xóm 2", "Đảng bộ xã Liêm Hà")},
         classification={"party_discipline": True, "domain": "dang"}),
    Case("matter in another province (incident)", "R3", "phan_anh", "ngoai_tinh", "Hà Nội", "guide",
         agency_id="ngoai_tinh:ha-noi", extraction={"incident": ("Đại Xuyên", "Hà Nội")}),
    Case("writer and matter in another province", "R3", "kien_nghi", "ngoai_tinh", "Thanh Hóa", "guide",
         agency_id="ngoai_tinh:thanh-hoa", extraction={"commune": "Nga An", "province": "Thanh Hóa"}),
    Case("accused body in another province", "R3", "khieu_nai", "ngoai_tinh", "Hưng Yên", "guide",
         extraction={"accused": (None, "Chủ tịch UBND xã", "UBND xã Tân Thuận, tỉnh Hưng Yên")},
         classification={"complaint_round": 1}),
    Case("vague anonymous denunciation is filed", "R4", "to_cao", "luu_don", NB, "file",
         agency_id="luu_don:ninh-binh",
         extraction={"anonymous": True, "accused": (None, "cán bộ phường", "UBND phường Hoa Lư")}),
    Case("court", "R5", "kien_nghi", "toa_an", NB, "forward", agency_name="Tòa án nhân dân tỉnh Ninh Bình",
         extraction={"accused": (None, None, "Tòa án nhân dân khu vực 1 - Ninh Bình")}),
    Case("complaint about a court matter: guide", "R5", "khieu_nai", "toa_an", NB, "guide",
         extraction={"accused": ("Lê Văn T", "Thẩm phán", "Tòa án nhân dân tỉnh Nam Định (cũ)")}),
    Case("enforcement officer", "R6", "to_cao", "thi_hanh_an", NB, "forward",
         agency_id="thi_hanh_an:ninh-binh", agency_name="Thi hành án dân sự tỉnh Ninh Bình",
         extraction={"accused": ("Trương Văn N", "Chấp hành viên", "Thi hành án dân sự tỉnh Ninh Bình")}),
    Case("procuracy", "R7", "kien_nghi", "vien_kiem_sat", NB, "forward",
         agency_name="Viện kiểm sát nhân dân tỉnh Ninh Bình",
         extraction={"accused": (None, None, "Viện kiểm sát nhân dân khu vực 2")}),
    Case("police officer, no crime", "R8", "to_cao", "cong_an_tinh", NB, "forward",
         extraction={"accused": ("Đỗ Văn C", "cán bộ Công an xã", "Công an xã Liêm Hà")}),
    Case("second-time complaint", "R9", "khieu_nai", "chu_tich_ubnd_tinh", NB, "accept",
         agency_id="chu_tich_ubnd_tinh:ninh-binh", agency_name="Chủ tịch UBND tỉnh Ninh Bình",
         extraction={"accused": (None, "Chủ tịch UBND xã", "UBND xã Bình Giang")},
         classification={"complaint_round": 2, "domain": "dat_dai"}),
    Case("complaint against the provincial chairman", "R10", "khieu_nai", "chu_tich_ubnd_tinh", NB, "accept",
         extraction={"accused": (None, "Chủ tịch UBND tỉnh", "UBND tỉnh Ninh Bình")},
         classification={"complaint_round": 1}),
    Case("complaint against a department decision", "R11", "khieu_nai", "so_noi_vu", NB, "guide",
         agency_id="so_noi_vu:ninh-binh", agency_name="Sở Nội vụ tỉnh Ninh Bình",
         extraction={"accused": (None, "Giám đốc Sở Nội vụ", "Sở Nội vụ tỉnh Ninh Bình")},
         classification={"complaint_round": 1}),
    Case("director of an unnamed department, named elsewhere in the letter", "R11", "khieu_nai",
         "so_giao_duc_dao_tao", NB, "guide",
         extraction={"accused": (None, "Giám đốc Sở", None),
                     "subject": "Khiếu nại việc Sở Giáo dục và Đào tạo không công nhận kết quả thi"}),
    Case("complaint against a pre-2025 department name", "R11", "khieu_nai", "so_noi_vu", NB, "guide",
         extraction={"accused": (None, None, "Sở Lao động - Thương binh và Xã hội tỉnh Hà Nam")}),
    Case("former district body: successor commune, judgment", "R12", "khieu_nai", "chu_tich_ubnd_xa",
         "Vạn Thắng", "guide", uncertain=True, agency_id="chu_tich_ubnd_xa:van-thang",
         extraction={"accused": (None, None, "UBND huyện Ý Yên (cũ)"), "incident": ("Vạn Thắng", NB)},
         reasons=["route_uncertain"]),
    Case("first-time complaint against commune staff", "R13", "khieu_nai", "chu_tich_ubnd_xa", "Liêm Hà",
         "guide", agency_id="chu_tich_ubnd_xa:liem-ha", agency_name="Chủ tịch UBND xã Liêm Hà",
         extraction={"accused": ("Trần Văn Hùng", "cán bộ địa chính", "UBND xã Liêm Hà"), "commune": "Bình Giang"},
         classification={"complaint_round": 1}),
    Case("first-time complaint against a ward chairman", "R13", "khieu_nai", "chu_tich_ubnd_xa", "Hoa Lư",
         "guide", agency_id="chu_tich_ubnd_xa:hoa-lu", agency_name="Chủ tịch UBND phường Hoa Lư",
         extraction={"accused": (None, "Chủ tịch UBND phường", "UBND phường Hoa Lư")}),
    Case("complaint naming no body, local", "R14", "khieu_nai", "chu_tich_ubnd_xa", "Nam Hoa Lư", "guide",
         agency_name="Chủ tịch UBND phường Nam Hoa Lư", extraction={"incident": ("Nam Hoa Lư", NB)}),
    Case("denunciation of a commune vice-chairman", "R15", "to_cao", "chu_tich_ubnd_tinh", NB, "accept",
         extraction={"accused": ("Phan Văn Tĩnh", "Phó Chủ tịch UBND xã", "UBND xã Thanh Lâm")}),
    Case("anonymous denunciation naming the chairman is checked", "R15", "to_cao", "chu_tich_ubnd_tinh", NB,
         "accept",
         extraction={"anonymous": True, "accused": ("Vũ Mạnh C", "Chủ tịch UBND phường", "UBND phường Mỹ Lộc")}),
    Case("denunciation of a department director", "R16", "to_cao", "chu_tich_ubnd_tinh", NB, "accept",
         extraction={"accused": ("Quách Văn L", "Giám đốc Sở Văn hóa, Thể thao và Du lịch",
                                 "Sở Văn hóa, Thể thao và Du lịch tỉnh Ninh Bình")}),
    Case("denunciation of department staff", "R17", "to_cao", "so_y_te", NB, "forward",
         agency_id="so_y_te:ninh-binh", agency_name="Sở Y tế tỉnh Ninh Bình",
         extraction={"accused": ("Đặng Quốc B", "chuyên viên", "Sở Y tế tỉnh Ninh Bình")}),
    Case("denunciation of commune staff", "R18", "to_cao", "chu_tich_ubnd_xa", "Hải Thịnh", "forward",
         agency_id="chu_tich_ubnd_xa:hai-thinh",
         extraction={"accused": ("Nguyễn Thị T", "công chức Phòng Văn hóa - Xã hội", "UBND xã Hải Thịnh")}),
    Case("denunciation of an upper-secondary school's staff: the education department", "R17", "to_cao",
         "so_giao_duc_dao_tao", NB, "forward",
         extraction={"accused": ("Vũ Thị N", "giáo viên", "Trường THPT Yên Khánh B")}),
    Case("complaint against a hospital's decision: the health department", "R11", "khieu_nai", "so_y_te", NB,
         "guide", extraction={"accused": (None, "Giám đốc", "Bệnh viện Đa khoa tỉnh Ninh Bình")}),
    Case("denunciation of a primary school's principal: the commune's", "R18", "to_cao", "chu_tich_ubnd_xa",
         "Yên Đồng", "forward",
         extraction={"accused": ("Lê Văn P", "Hiệu trưởng", "Trường Tiểu học Yên Đồng"), "commune": "Gia Hưng"}),
    Case("denunciation of a firm", "R19", "to_cao", "chu_tich_ubnd_xa", "Thanh Bình", "forward",
         extraction={"accused": (None, None, "Công ty TNHH Bê tông Thịnh Phát"), "incident": ("Thanh Bình", NB)},
         classification={"domain": "moi_truong"}),
    Case("denunciation of a former district official", "R20", "to_cao", "chu_tich_ubnd_tinh", NB, "accept",
         uncertain=True, reasons=["route_uncertain"],
         extraction={"accused": ("Hoàng Văn D", "Trưởng phòng Tài nguyên và Môi trường huyện Kim Sơn (cũ)", None)}),
    Case("denunciation of a Party member, no Party-rule flag", "R21", "to_cao", "uy_ban_kiem_tra_tinh_uy", NB,
         "transfer_party", uncertain=True, reasons=["route_uncertain"],
         extraction={"accused": ("Đinh Văn C", "đảng viên", "Chi bộ xóm 4")}),
    Case("kiến nghị about the provincial PC", "R22", "kien_nghi", "chu_tich_ubnd_tinh", NB, "accept",
         extraction={"accused": (None, None, "UBND tỉnh Ninh Bình")}),
    Case("phản ánh about a department's work", "R23", "phan_anh", "so_xay_dung", NB, "forward",
         extraction={"accused": (None, None, "Sở Xây dựng tỉnh Ninh Bình")}),
    Case("local phản ánh", "R24", "phan_anh", "chu_tich_ubnd_xa", "Quỳnh Lưu", "forward",
         agency_id="chu_tich_ubnd_xa:quynh-luu", extraction={"incident": ("Quỳnh Lưu", NB)},
         classification={"domain": "moi_truong"}),
    Case("local phản ánh about a shop", "R24", "phan_anh", "chu_tich_ubnd_xa", "Liêm Hà", "forward",
         extraction={"accused": (None, "chủ quán", "quán karaoke Hoàng Gia")},
         classification={"domain": "an_ninh_trat_tu"}),
    Case("province-wide kiến nghị in education", "R25", "kien_nghi", "so_giao_duc_dao_tao", NB, "forward",
         agency_name="Sở Giáo dục và Đào tạo tỉnh Ninh Bình", classification={"domain": "giao_duc"}),
    Case("province-wide kiến nghị on labour", "R25", "kien_nghi", "so_noi_vu", NB, "forward",
         classification={"domain": "lao_dong"}),
    Case("province-wide phản ánh on roads", "R25", "phan_anh", "so_xay_dung", NB, "forward",
         classification={"domain": "giao_thong"}),
    Case("province-wide kiến nghị naming a department", "R25", "kien_nghi", "so_nong_nghiep_moi_truong", NB,
         "forward", extraction={"subject": "Kiến nghị Sở Tài nguyên và Môi trường sửa quy trình cấp giấy"}),
    Case("province-wide kiến nghị on public order", "R26", "kien_nghi", "cong_an_tinh", NB, "forward",
         classification={"domain": "an_ninh_trat_tu"}),
    Case("province-wide kiến nghị, no field", "R27", "kien_nghi", "chu_tich_ubnd_tinh", NB, "accept",
         uncertain=True, reasons=["route_uncertain"]),
    Case("denunciation of the provincial chairman: central competence", "R28", "to_cao", None,
         extraction={"accused": ("Nguyễn Văn X", "Chủ tịch UBND tỉnh", "UBND tỉnh Ninh Bình")},
         reasons=["route_uncertain"]),
    Case("denunciation naming nobody", "R28", "to_cao", None, reasons=["route_uncertain"]),
    Case("second-time complaint after a former district's decision", "R29", "khieu_nai", "chu_tich_ubnd_tinh",
         NB, "accept", uncertain=True, reasons=["route_uncertain"],
         extraction={"accused": (None, "Chủ tịch UBND huyện", "UBND huyện Kim Sơn (cũ)")},
         classification={"complaint_round": 2}),
    Case("local denunciation, violator's body unknown", "R30", "to_cao", "chu_tich_ubnd_xa", "Quỳnh Lưu",
         "forward", uncertain=True, reasons=["route_uncertain"],
         extraction={"accused": ("Lê Văn K", "cán bộ", None), "incident": ("Quỳnh Lưu", NB)}),
    Case("hamlet head: commune staff", "R18", "to_cao", "chu_tich_ubnd_xa", "Liêm Hà", "forward",
         extraction={"accused": ("Vũ Văn H", "trưởng thôn Đông", None)}),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{c.name}" for c in CASES])
def test_route_table(case: Case) -> None:
    decision = route_letter(
        make_extraction(**case.extraction),
        make_classification(case.category, **case.classification),
        RECEIVED,
        SETTINGS,
    )
    assert decision.rule == case.rule, decision.notes
    assert decision.review_reasons == case.reasons
    if case.kind is None:
        assert decision.route is None
        return
    route = decision.route
    assert route is not None
    assert (route.agency_kind, route.unit, route.action, route.uncertain) == (
        case.kind, case.unit, case.action, case.uncertain,
    )
    assert route.rule == case.rule
    assert route.due_date is not None and route.due_date > RECEIVED
    if case.agency_id:
        assert route.agency_id == case.agency_id
    if case.agency_name:
        assert route.agency_name == case.agency_name


def test_every_rule_has_a_case() -> None:
    table_ids = {r.id for r in load_table().rules}
    assert table_ids == {c.rule for c in CASES}


def test_rule_ids_are_unique_numbered_and_described() -> None:
    # ids are stable names recorded on letters: a rule added later takes the next number wherever it
    # stands in the order, so R1..Rn are all used exactly once
    table = load_table()
    assert sorted(int(r.id[1:]) for r in table.rules) == list(range(1, len(table.rules) + 1))
    assert all(r.id == f"R{r.id[1:]}" for r in table.rules)
    assert all(r.description.strip() for r in table.rules)


def test_due_dates_follow_action_and_category() -> None:
    # Forwarding a denunciation outside competence: 5 working days.
    d = route_letter(make_extraction(accused=("A", "công chức địa chính", "UBND xã Liêm Hà")),
                     make_classification("to_cao"), RECEIVED, SETTINGS)
    assert d.route and d.route.due_date == dt.date(2026, 12, 2)
    # Guiding a complaint: the complaint deadline (7 working days since 1/7/2026).
    d = route_letter(make_extraction(accused=("A", "công chức địa chính", "UBND xã Liêm Hà")),
                     make_classification("khieu_nai"), RECEIVED, SETTINGS)
    assert d.route and d.route.due_date == dt.date(2026, 12, 4)
    # Before 1/7/2026 a complaint letter had 10 working days.
    d = route_letter(make_extraction(accused=("A", "công chức địa chính", "UBND xã Liêm Hà")),
                     make_classification("khieu_nai"), dt.date(2026, 3, 2), SETTINGS)
    assert d.route and d.route.due_date == dt.date(2026, 3, 16)
    # kiến nghị accepted by the provincial chairman: 10 working days, from settings.
    custom = Settings(province="Ninh Bình", deadlines={**SETTINGS.deadlines, "kien_nghi": 3})
    d = route_letter(make_extraction(accused=(None, None, "UBND tỉnh Ninh Bình")),
                     make_classification("kien_nghi"), RECEIVED, custom)
    assert d.route and d.route.due_date == dt.date(2026, 11, 30)
    # A forwarded phản ánh keeps its own 10 working days (the 5-day forwarding limit is a denunciation's).
    d = route_letter(make_extraction(incident=("Quỳnh Lưu", "Ninh Bình")), make_classification("phan_anh"),
                     RECEIVED, SETTINGS)
    assert d.route and d.route.action == "forward" and d.route.due_date == dt.date(2026, 12, 9)


def test_commune_route_without_commune_is_address_not_found() -> None:
    d = route_letter(make_extraction(accused=(None, "công chức địa chính", "UBND xã"), commune=None, province=None),
                     make_classification("khieu_nai"), RECEIVED, SETTINGS)
    assert d.route is None and d.rule == "R13" and d.review_reasons == ["address_not_found"]
    assert d.due_date == dt.date(2026, 12, 4)


def test_commune_not_in_directory_keeps_route_and_flags_it() -> None:
    d = route_letter(make_extraction(incident=("Thanh Hà", "Ninh Bình")), make_classification("phan_anh"),
                     RECEIVED, SETTINGS)
    assert d.route is not None and d.route.agency_id == "chu_tich_ubnd_xa:thanh-ha"
    assert d.review_reasons == ["address_not_found"]


# ---- the guard: never route a denunciation to the accused ----------------------------------------------


def _table_with(rule: dict[str, Any]) -> Any:
    raw = yaml.safe_load(DEFAULT_TABLE.read_text(encoding="utf-8"))
    raw["rules"] = [rule, raw["rules"][-1]]
    return parse_table(raw, "test")


BAD_COMMUNE_RULE = {
    "id": "R1", "description": "A wrong rule sending denunciations to the commune chairman.",
    "when": {"category": ["to_cao"]},
    "then": {"agency_kind": "chu_tich_ubnd_xa", "unit": "accused_commune", "action": "forward"},
}


def test_guard_escalates_from_the_accused_chairman() -> None:
    table = _table_with(BAD_COMMUNE_RULE)
    d = route_letter(make_extraction(accused=("Lưu Văn T", "Chủ tịch UBND xã", "UBND xã Yên Đồng")),
                     make_classification("to_cao"), RECEIVED, SETTINGS, table=table)
    assert d.route is not None
    assert (d.route.agency_kind, d.route.action, d.route.rule) == ("chu_tich_ubnd_tinh", "accept", "R1")
    assert any("guard" in n for n in d.notes)


def test_guard_leaves_other_communes_and_staff_alone() -> None:
    table = _table_with(BAD_COMMUNE_RULE)
    d = route_letter(make_extraction(accused=("A", "công chức địa chính", "UBND xã Yên Đồng")),
                     make_classification("to_cao"), RECEIVED, SETTINGS, table=table)
    assert d.route is not None and d.route.agency_id == "chu_tich_ubnd_xa:yen-dong" and not d.notes


def test_guard_only_for_denunciations() -> None:
    table = _table_with({**BAD_COMMUNE_RULE, "when": {"category": ["khieu_nai"]}})
    d = route_letter(make_extraction(accused=(None, "Chủ tịch UBND xã", "UBND xã Yên Đồng")),
                     make_classification("khieu_nai"), RECEIVED, SETTINGS, table=table)
    assert d.route is not None and d.route.agency_id == "chu_tich_ubnd_xa:yen-dong"


def test_mixed_letter_is_routed_by_its_dominant_category() -> None:
    # A complaint against the commune chairman's decision that also denounces him: the complaint goes
    # to him (he resolves complaints about his own decisions); the note tells the reviewer to split it.
    accused = (None, "Chủ tịch UBND xã", "UBND xã Yên Đồng")
    d = route_letter(make_extraction(accused=accused),
                     make_classification("khieu_nai", mixed=True, secondary_category="to_cao"),
                     RECEIVED, SETTINGS)
    assert d.route is not None and d.route.agency_id == "chu_tich_ubnd_xa:yen-dong"
    assert any("split" in n for n in d.notes)
    # the same letter whose dominant content is the denunciation goes one level up
    d = route_letter(make_extraction(accused=accused),
                     make_classification("to_cao", mixed=True, secondary_category="khieu_nai"),
                     RECEIVED, SETTINGS)
    assert d.route is not None and d.route.agency_kind == "chu_tich_ubnd_tinh"


def test_guard_escalates_from_the_accused_department() -> None:
    table = _table_with({
        "id": "R1", "description": "A wrong rule sending denunciations to the department.",
        "when": {"category": ["to_cao"], "department_known": True},
        "then": {"agency_kind": "department", "unit": "office_province", "action": "forward"},
    })
    d = route_letter(make_extraction(accused=("Q", "Phó Giám đốc Sở Y tế", "Sở Y tế tỉnh Ninh Bình")),
                     make_classification("to_cao"), RECEIVED, SETTINGS, table=table)
    assert d.route is not None and d.route.agency_kind == "chu_tich_ubnd_tinh"


def test_guard_sends_to_review_when_no_level_is_left() -> None:
    table = _table_with({
        "id": "R1", "description": "A wrong rule sending denunciations to the provincial chairman.",
        "when": {"category": ["to_cao"]},
        "then": {"agency_kind": "chu_tich_ubnd_tinh", "unit": "office_province", "action": "accept"},
    })
    d = route_letter(make_extraction(accused=("X", "Chủ tịch UBND tỉnh", "UBND tỉnh Ninh Bình")),
                     make_classification("to_cao"), RECEIVED, SETTINGS, table=table)
    assert d.route is None and d.review_reasons == ["route_uncertain"] and d.rule == "R1"


def test_default_table_never_routes_a_denunciation_to_the_accused() -> None:
    posts = [
        ("Lưu Văn T", "Chủ tịch UBND xã", "UBND xã Yên Đồng"), (None, "Phó Chủ tịch UBND phường", "UBND phường Hoa Lư"),
        (None, None, "UBND xã Liêm Hà"), ("Q", "Giám đốc Sở Y tế", "Sở Y tế tỉnh Ninh Bình"),
        (None, "Phó Giám đốc Sở Xây dựng", None), (None, None, "Sở Tư pháp"),
        ("X", "Chủ tịch UBND tỉnh", "UBND tỉnh Ninh Bình"),
    ]
    for name, position, org in posts:
        d = route_letter(make_extraction(accused=(name, position, org)),
                         make_classification("to_cao"), RECEIVED, SETTINGS)
        assert not d.notes, (position, org, d.notes)  # the table itself goes one level up
        if d.route is not None:
            assert d.route.agency_kind == "chu_tich_ubnd_tinh", (position, org)
            assert d.facts.accused_level not in {"provincial_chairman", "provincial_body"}


# ---- table validation ------------------------------------------------------------------------------------


def _raw_table() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_TABLE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda t: t["rules"][0]["when"].update({"crime": True}), id="unknown-condition"),
        pytest.param(lambda t: t["rules"][0].update({"priority": 1}), id="unknown-rule-key"),
        pytest.param(lambda t: t["rules"][0]["then"].update({"agency_kind": "so_ngoai_vu"}), id="unknown-kind"),
        pytest.param(lambda t: t["rules"][1].update({"id": "R1"}), id="duplicate-id"),
        pytest.param(lambda t: t["rules"].pop(), id="no-catch-all"),
        pytest.param(lambda t: t["rules"][0]["when"].update({"accused": ["mayor"]}), id="unknown-level"),
        pytest.param(lambda t: t["rules"][0]["then"].update({"unit": "incident_commune"}), id="bad-unit"),
        pytest.param(lambda t: t["rules"][0]["then"].update({"action": "ignore"}), id="bad-action"),
        pytest.param(lambda t: t.update({"colour": "blue"}), id="unknown-top-key"),
        pytest.param(lambda t: t["domain_departments"].update({"dat_dai": "so_ngoai_vu"}), id="bad-department"),
        pytest.param(lambda t: t["rules"][24]["when"].pop("department_known"), id="department-needs-known"),
        pytest.param(lambda t: t["escalation"].update({"chu_tich_ubnd_tinh": {"to": "toa_an", "action": "forward"},
                                                       "toa_an": {"to": "chu_tich_ubnd_tinh", "action": "accept"}}),
                     id="escalation-loop"),
    ],
)
def test_table_validation_rejects(mutate: Any) -> None:
    raw = _raw_table()
    mutate(raw)
    with pytest.raises(BadConfigError):
        parse_table(raw, "test")


def test_load_table_from_settings_path(tmp_path: Path) -> None:
    raw = _raw_table()
    raw["rules"][0]["when"]["unknown_key"] = 1
    path = tmp_path / "table.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BadConfigError):
        load_table(path)
    with pytest.raises(BadConfigError):
        route_letter(make_extraction(), make_classification(), RECEIVED,
                     Settings(province="Ninh Bình", routing_table=path))


def test_table_is_loaded_once() -> None:
    assert load_table() is load_table()


# ---- facts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "organization", "expected"),
    [
        ("Chủ tịch UBND xã", "UBND xã Bình Giang", "commune_chairman"),
        ("CHU TICH UBND XA", None, "commune_chairman"),
        ("Phó Chủ tịch UBND xã", "UBND xã Thanh Lâm", "commune_vice_chairman"),
        ("công chức địa chính", "UBND xã Liêm Hà", "commune_staff"),
        ("cán bộ phường", "UBND phường Hoa Lư", "commune_staff"),
        ("công chức Phòng Văn hóa - Xã hội", "UBND xã Hải Thịnh", "commune_staff"),
        (None, "UBND xã Kim Đông", "commune_body"),
        ("Giám đốc Sở Nội vụ", "Sở Nội vụ tỉnh Ninh Bình", "department_director"),
        ("chuyên viên", "Sở Y tế tỉnh Ninh Bình", "department_staff"),
        (None, "Sở Xây dựng", "department_body"),
        ("Chủ tịch UBND tỉnh", "UBND tỉnh Ninh Bình", "provincial_chairman"),
        ("Chấp hành viên", "Thi hành án dân sự tỉnh Ninh Bình", "enforcement"),
        (None, "Tòa án nhân dân khu vực 5 – Ninh Bình", "court"),
        ("Kiểm sát viên", "Viện kiểm sát nhân dân tỉnh Ninh Bình", "procuracy"),
        (None, "UBND huyện Ý Yên (cũ)", "former_district"),
        ("Chủ tịch UBND thành phố Nam Định (cũ)", None, "former_district"),
        ("Bí thư Chi bộ xóm 2", "Đảng bộ xã Khánh Hội", "party_member"),
        ("chủ trại chăn nuôi lợn", None, "private"),
        ("chủ quán", "quán karaoke Hoàng Gia", "private"),
        (None, "Công ty TNHH Bê tông Thịnh Phát", "private"),
        ("cán bộ", None, "official_unknown"),
    ],
)
def test_accused_level(position: str | None, organization: str | None, expected: str) -> None:
    assert accused_level(position, organization) == expected


def test_accused_level_name_only_and_nothing() -> None:
    assert accused_level(None, None, "Lê Văn Mạnh") == "private"
    assert accused_level(None, None, None) == "none"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Sở Lao động - Thương binh và Xã hội", "so_noi_vu"),
        ("SO TAI NGUYEN & MOI TRUONG tinh Ha Nam", "so_nong_nghiep_moi_truong"),
        ("Sở Giao thông vận tải", "so_xay_dung"),
        ("Sở GD&ĐT", "so_giao_duc_dao_tao"),
        ("Phòng Kinh tế UBND xã", None),
        ("Quyết định số 12/QĐ-UBND", None),
    ],
)
def test_department_mentioned(text: str, kind: str | None) -> None:
    assert department_mentioned(text) == kind


def test_facts_commune_scope_and_province() -> None:
    f = derive_facts(make_extraction(accused=("A", "nguyên kế toán xã Hải Đông, công chức UBND xã Hải Quang",
                                               "UBND xã Hải Quang")),
                     make_classification("to_cao"), SETTINGS)
    assert (f.accused_level, f.accused_commune, f.scope, f.other_province) == (
        "commune_staff", "Hải Quang", "local", False,
    )
    # Former provinces merged into Ninh Bình are not another province.
    f = derive_facts(make_extraction(province="Nam Định", commune=None), make_classification(), SETTINGS)
    assert not f.other_province and f.scope == "province_wide"
    f = derive_facts(make_extraction(incident=("Vũ Thư", "Thái Bình")), make_classification(), SETTINGS)
    assert f.other_province and f.matter_province == "Hưng Yên"


# ---- the agency directory --------------------------------------------------------------------------------


def test_directory_has_the_2025_units() -> None:
    agencies = directory(SETTINGS)
    communes = [a for a in agencies if a.kind == "chu_tich_ubnd_xa"]
    assert len(communes) >= 120
    assert len({a.id for a in agencies}) == len(agencies)
    liem_ha = find_commune("Liêm Hà", SETTINGS)
    assert liem_ha and liem_ha.name == "Chủ tịch UBND xã Liêm Hà" and liem_ha.division == "xã"
    hoa_lu = find_agency("chu_tich_ubnd_xa:hoa-lu", SETTINGS)
    assert hoa_lu and hoa_lu.name == "Chủ tịch UBND phường Hoa Lư" and hoa_lu.unit == "Hoa Lư"
    assert find_commune("Xã Liêm Hà", SETTINGS) == liem_ha
    assert {a.kind for a in agencies} == set(AGENCY_KINDS)
    assert find_agency("so_noi_vu:ninh-binh", SETTINGS).name == "Sở Nội vụ tỉnh Ninh Bình"  # type: ignore[union-attr]
    assert find_agency("ngoai_tinh:ha-noi", SETTINGS).unit == "Hà Nội"  # type: ignore[union-attr]
    assert find_agency("ngoai_tinh:ninh-binh", SETTINGS) is None
    assert directory(SETTINGS) == agencies  # cached, same content


def test_special_zones_and_other_provinces() -> None:
    hai_phong = directory(Settings(province="Hải Phòng"))
    zones = [a for a in hai_phong if a.division == "đặc khu"]
    assert zones and all(a.name.startswith("Chủ tịch UBND đặc khu ") for a in zones)
    assert any(a.name == "Chủ tịch UBND thành phố Hải Phòng" for a in hai_phong)
    duplicates = [a for a in hai_phong if a.unit in {"Cẩm Giang", "Cẩm Giàng"}]
    assert len({a.id for a in duplicates}) == 2
    hp = Settings(province="Hải Phòng")
    assert find_commune("Cẩm Giàng", hp).unit == "Cẩm Giàng"  # type: ignore[union-attr]
    assert find_commune("Cam Giang", hp) is None  # ambiguous without tone marks
    assert resolve_province("tỉnh Hà Nam").name == "Ninh Bình"  # type: ignore[union-attr]
    assert resolve_province("Phủ Lý") is None


def test_unknown_department_is_not_guessed_from_the_field() -> None:
    d = route_letter(make_extraction(accused=(None, "Giám đốc Sở Khoa học và Công nghệ", None)),
                     make_classification("khieu_nai", domain="dat_dai"), RECEIVED, SETTINGS)
    assert d.route is None and d.rule == "R28" and d.facts.accused_level == "department_director"
