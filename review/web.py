"""Rendering: the Jinja2 environment (Vietnamese labels as globals) and error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from review import i18n

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(
    CATEGORY_LABELS=i18n.CATEGORY_LABELS, STATUS_LABELS=i18n.STATUS_LABELS, REASON_LABELS=i18n.REASON_LABELS,
    DOMAIN_LABELS=i18n.DOMAIN_LABELS, ACTION_LABELS=i18n.ACTION_LABELS, ROLE_LABELS=i18n.ROLE_LABELS,
    QUEUE_STATUS_LABELS=i18n.QUEUE_STATUS_LABELS, label=i18n.label, yes_no=i18n.yes_no,
)
templates.env.filters["vndate"] = lambda d: d.strftime("%d/%m/%Y") if d else "—"
templates.env.filters["pct"] = lambda x: "—" if x is None else f"{x:.0%}"

ERROR_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Yêu cầu không hợp lệ", "Dữ liệu gửi lên không hợp lệ."),
    401: ("Cần đăng nhập", "Vui lòng đăng nhập để tiếp tục."),
    403: ("Không có quyền", "Tài khoản của bạn không có quyền xem trang này."),
    404: ("Không tìm thấy", "Không tìm thấy trang hoặc đơn thư bạn yêu cầu."),
    405: ("Không được phép", "Thao tác này không được hỗ trợ."),
    409: ("Xung đột dữ liệu", "Đơn đã được người khác thay đổi."),
    422: ("Không lưu được", "Dữ liệu nhập chưa hợp lệ."),
    429: ("Quá nhiều lần thử", "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau."),
    500: ("Lỗi hệ thống", "Đã có lỗi xảy ra. Vui lòng báo quản trị viên."),
}
CSRF_MESSAGE = "Phiên làm việc không hợp lệ hoặc đã hết hạn (thiếu mã bảo vệ CSRF). Hãy tải lại trang rồi thử lại."


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("viewer", getattr(request.state, "viewer", None))
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def error_page(request: Request, status: int, message: str | None = None,
               headers: dict[str, str] | None = None) -> Response:
    title, default = ERROR_MESSAGES.get(status, ERROR_MESSAGES[500])
    text = message or default
    if wants_json(request):
        return JSONResponse({"error": text}, status_code=status, headers=headers)
    response = render(request, "error.html", status_code=status, title=title, message=text)
    if headers:
        response.headers.update(headers)
    return response
