"""Vietnamese labels for the review desk's vocabularies (codes stay English in data and URLs)."""

from __future__ import annotations

from typing import Any

CATEGORY_LABELS: dict[str, str] = {
    "khieu_nai": "Khiếu nại",
    "to_cao": "Tố cáo",
    "kien_nghi": "Kiến nghị",
    "phan_anh": "Phản ánh",
}
STATUS_LABELS: dict[str, str] = {
    "needs_review": "Cần kiểm tra",
    "routed": "Đã chuyển",
    "quarantined": "Cách ly (lỗi tệp)",
}
QUEUE_STATUS_LABELS: dict[str, str] = {
    "new": "Mới", "assigned": "Đã giao", "in_progress": "Đang xử lý", "answered": "Đã trả lời", "closed": "Đã đóng",
}
REASON_LABELS: dict[str, str] = {
    "low_confidence": "Độ tin cậy phân loại thấp",
    "mixed": "Đơn có nhiều nội dung",
    "title_mismatch": "Tiêu đề khác nội dung",
    "route_uncertain": "Tuyến chuyển cần cân nhắc",
    "ocr_low_confidence": "Chữ quét mờ (OCR kém)",
    "address_not_found": "Không xác định được địa chỉ",
    "no_petitioner": "Không tìm thấy người viết đơn",
    "no_route": "Không có quy tắc chuyển phù hợp",
    "duplicate": "Đơn trùng",
}
DOMAIN_LABELS: dict[str, str] = {
    "dat_dai": "Đất đai", "moi_truong": "Môi trường", "xay_dung": "Xây dựng", "giao_thong": "Giao thông",
    "chinh_sach_xa_hoi": "Chính sách xã hội", "lao_dong": "Lao động", "y_te": "Y tế", "giao_duc": "Giáo dục",
    "an_ninh_trat_tu": "An ninh trật tự", "tham_nhung": "Tham nhũng", "dang": "Đảng", "tu_phap": "Tư pháp",
    "khac": "Khác",
}
ACTION_LABELS: dict[str, str] = {
    "accept": "Thụ lý", "forward": "Chuyển đơn", "guide": "Hướng dẫn", "file": "Lưu đơn",
    "transfer_police": "Chuyển cơ quan công an", "transfer_party": "Chuyển tổ chức Đảng",
}
ROLE_LABELS: dict[str, str] = {"reviewer": "Chuyên viên", "lead": "Lãnh đạo", "admin": "Quản trị"}
AUDIT_ACTION_LABELS: dict[str, str] = {
    "stored": "Nhập đơn", "reprocessed": "Xử lý lại", "corrected": "Sửa", "reviewed": "Kiểm tra & sửa",
    "confirmed": "Xác nhận", "queue_status": "Đổi trạng thái hàng chờ", "archived": "Lưu trữ bản gốc",
    "identity_viewed": "Xem danh tính người tố cáo",
}
FIELD_LABELS: dict[str, str] = {
    "category": "Loại đơn", "mixed": "Nhiều nội dung", "secondary_category": "Loại phụ",
    "complaint_round": "Lần khiếu nại", "domain": "Lĩnh vực", "crime_signs": "Dấu hiệu tội phạm",
    "party_discipline": "Vi phạm kỷ luật Đảng", "petitioners": "Người viết đơn", "route": "Tuyến chuyển",
    "status": "Trạng thái", "needs_review": "Cần kiểm tra", "review_reasons": "Lý do kiểm tra",
    "comment": "Ghi chú", "agency_id": "Cơ quan", "queue": "Hàng chờ", "page": "Trang", "what": "Nội dung",
}
CONDITION_LABELS: dict[str, str] = {
    "category": "loại đơn", "complaint_round": "lần khiếu nại", "accused": "người/cơ quan bị phản ánh",
    "domain": "lĩnh vực", "crime_signs": "dấu hiệu tội phạm", "party_discipline": "vi phạm kỷ luật Đảng",
    "anonymous": "đơn nặc danh", "has_evidence": "có chứng cứ cụ thể", "names_accused": "nêu tên người vi phạm",
    "other_province": "vụ việc ở tỉnh khác", "former_district": "quyết định của cấp huyện cũ",
    "scope": "phạm vi", "department_known": "xác định được sở", "accused_head": "người bị tố cáo là người đứng đầu",
}

ACCUSED_LEVEL_LABELS: dict[str, str] = {
    "none": "không nêu ai", "private": "cá nhân, hộ gia đình, doanh nghiệp", "party_member": "đảng viên",
    "police": "công an", "court": "tòa án", "enforcement": "thi hành án dân sự", "procuracy": "viện kiểm sát",
    "former_district": "cơ quan cấp huyện cũ", "provincial_chairman": "Chủ tịch UBND tỉnh",
    "provincial_vice_chairman": "Phó Chủ tịch UBND tỉnh", "provincial_body": "UBND tỉnh",
    "provincial_other": "cơ quan cấp tỉnh khác", "department_director": "giám đốc, phó giám đốc sở",
    "department_staff": "cán bộ của sở", "department_body": "sở", "commune_chairman": "Chủ tịch UBND xã",
    "commune_vice_chairman": "Phó Chủ tịch UBND xã", "commune_staff": "cán bộ, công chức xã",
    "commune_body": "UBND xã", "official_unknown": "cán bộ chưa rõ cơ quan",
}
SCOPE_LABELS: dict[str, str] = {"local": "địa phương", "province_wide": "toàn tỉnh"}


def label(table: dict[str, str], key: Any) -> str:
    """The Vietnamese label, or the code itself, or "—" for nothing."""
    if key is None or key == "":
        return "—"
    return table.get(str(key), str(key))


def yes_no(value: Any) -> str:
    if value is None:
        return "—"
    return "có" if value else "không"


def condition_text(name: str, value: Any) -> str:
    """One routing condition in words, e.g. ``loại đơn: Tố cáo``."""
    def one(v: Any) -> str:
        if isinstance(v, bool):
            return yes_no(v)
        if name == "category":
            return label(CATEGORY_LABELS, v)
        if name == "domain":
            return label(DOMAIN_LABELS, v)
        if name == "accused":
            return label(ACCUSED_LEVEL_LABELS, v)
        if name == "scope":
            return label(SCOPE_LABELS, v)
        if name == "complaint_round":
            return {1: "lần đầu", 2: "lần hai"}.get(v, "chưa rõ")
        return "—" if v is None else str(v)

    shown = " hoặc ".join(one(v) for v in value) if isinstance(value, list) else one(value)
    return f"{label(CONDITION_LABELS, name)}: {shown}"
