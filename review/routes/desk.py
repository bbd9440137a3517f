"""The review queue, the letter page, the route preview, saving a review and page images."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from models.record import CATEGORIES, DOMAINS, LetterRecord
from models.rows import AuditRow, VersionConflict
from review import service
from review.auth import CsrfViewer, CurrentViewer, Viewer
from review.i18n import ACTION_LABELS, FIELD_LABELS, label
from review.identity import IDENTITY_FIELDS, extraction_of, is_protected
from review.images import PageImageError, original_path, render_page, render_redacted_page
from review.letter_view import FIELD_LOW_CONFIDENCE, audit_views, field_views, page_views, show_value
from review.web import error_page, render

router = APIRouter()
_LETTER_ID = re.compile(r"^[0-9a-f]{64}$")
SHORTCUTS: list[tuple[str, str]] = [
    ("1 – 4", "Chọn loại đơn: 1 Khiếu nại, 2 Tố cáo, 3 Kiến nghị, 4 Phản ánh"),
    ("x", "Bật/tắt “đơn có nhiều nội dung”"),
    ("s", "Lưu và sang đơn tiếp theo"),
    ("Shift + S", "Lưu và ở lại đơn này"),
    ("n", "Sang đơn tiếp theo (không lưu)"),
    ("j / k", "Đơn tiếp theo / đơn trước trong hàng chờ"),
    ("c", "Viết ghi chú"),
    ("a", "Chọn cơ quan nhận đơn"),
    ("q", "Về hàng chờ"),
    ("?", "Hiện/ẩn bảng phím tắt"),
    ("Esc", "Thoát ô nhập liệu"),
]


def _store(request: Request) -> Any:
    return request.app.state.store


def _letter_id(letter_id: str) -> str:
    if not _LETTER_ID.fullmatch(letter_id):
        raise HTTPException(status_code=404)
    return letter_id


@router.get("/")
def home(viewer: CurrentViewer) -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue")
def queue(request: Request, viewer: CurrentViewer) -> Response:
    filters = service.QueueFilters.from_query(request.query_params)
    paging = service.Paging.from_query(request.query_params)
    view = service.queue_view(_store(request), filters, paging)
    return render(request, "queue.html", filters=filters, view=view, qs=filters.query(),
                  statuses=list(service.STATUS_FILTERS), categories=CATEGORIES, page_sizes=service.PAGE_SIZES,
                  default_size=service.DEFAULT_PAGE_SIZE)


def _agency_options(request: Request) -> list[tuple[str, list[tuple[str, str]]]]:
    from routing.agencies import directory

    groups: dict[str, list[tuple[str, str]]] = {"province": [], "commune": [], "other_province": []}
    for agency in directory(request.app.state.settings):
        groups[agency.level].append((agency.id, agency.name))
    names = {"province": "Cấp tỉnh", "commune": "Cấp xã, phường", "other_province": "Tỉnh, thành phố khác"}
    return [(names[k], sorted(v, key=lambda kv: kv[1])) for k, v in groups.items() if v]


def letter_context(request: Request, viewer: Viewer, letter_id: str, *, reveal: bool) -> dict[str, Any]:
    """Everything the letter page shows (sync: runs in the thread pool)."""
    store, settings = _store(request), request.app.state.settings
    version = store.version(letter_id)  # read before the record: a stale form conflicts, never overwrites
    record = store.get(letter_id)
    if record is None or version is None:
        raise HTTPException(status_code=404)
    audit = store.audit(letter_id)
    protected = is_protected(record, audit)
    revealed = protected and reveal and viewer.may_see_identity
    if revealed:
        store.log_event(letter_id, "identity_viewed", {"what": "letter_page", "role": viewer.role}, actor=viewer.name)
        audit = store.audit(letter_id)
    masked = protected and not revealed
    pages = store.get_pages(letter_id)
    filters = service.QueueFilters.from_query(request.query_params)
    prev_id, next_id = service.neighbours(store, filters, letter_id)
    # masked: every role sees the redacted images; the originals only once the identity is revealed
    image_pages = list(range(1, (record.pages or 0) + 1))
    fields = field_views(record, pages, masked, FIELD_LOW_CONFIDENCE)
    image_base = f"/letters/{letter_id}/redacted" if masked else f"/letters/{letter_id}/pages"
    return {
        "record": record, "version": version, "protected": protected, "masked": masked, "revealed": revealed,
        "pages": page_views(record, pages, masked), "fields": fields,
        "has_field_confidence": any(f.confidence is not None for f in fields), "field_threshold": FIELD_LOW_CONFIDENCE,
        "audit": audit_views(audit, masked, request.app.state.tz), "image_pages": image_pages,
        "image_base": image_base,
        "identity_query": "identity=1" if revealed else "",
        "rule_text": service.rule_explanation(record.route.rule if record.route else None, settings),
        "filters": filters, "qs": filters.query(), "prev_id": prev_id, "next_id": next_id,
        "agencies": _agency_options(request), "categories": CATEGORIES, "domains": DOMAINS,
        "actions": list(ACTION_LABELS), "shortcuts": SHORTCUTS,
        "may_edit_identity": not protected or viewer.may_see_identity,
        "saved": request.query_params.get("saved") == "1",
    }


@router.get("/letters/{letter_id}")
def letter_page(request: Request, letter_id: str, viewer: CurrentViewer) -> Response:
    letter_id = _letter_id(letter_id)
    reveal = request.query_params.get("identity") == "1"
    if reveal and not viewer.may_see_identity:
        raise HTTPException(status_code=403)
    return render(request, "letter.html", **letter_context(request, viewer, letter_id, reveal=reveal))


def _plan(request: Request, viewer: Viewer, letter_id: str, form: Any) -> tuple[Any, service.ReviewPlan]:
    store = _store(request)
    record = store.get(letter_id)
    if record is None:
        raise HTTPException(status_code=404)
    protected = is_protected(record, store.audit(letter_id))
    plan = service.plan_review(record, form, viewer, request.app.state.settings,
                               may_edit_identity=not protected or viewer.may_see_identity)
    return record, plan


@router.post("/letters/{letter_id}/preview")
async def preview(request: Request, letter_id: str, viewer: CsrfViewer) -> Response:
    letter_id = _letter_id(letter_id)
    form = await request.form()
    try:
        record, plan = await run_in_threadpool(_plan, request, viewer, letter_id, form)
    except service.ReviewError as exc:
        return JSONResponse({"error": str(exc)}, status_code=422)
    return JSONResponse(service.route_summary(plan, record))


def _conflict(request: Request, letter_id: str, exc: VersionConflict, plan: service.ReviewPlan, qs: str) -> Response:
    tried = [(label(FIELD_LABELS, k), show_value(k, v, masked=False)) for k, v in plan.changes.items()
             if k not in IDENTITY_FIELDS]
    return render(request, "conflict.html", status_code=409, letter_id=letter_id, other=exc.actor, tried=tried,
                  qs=qs)


@router.post("/letters/{letter_id}/save")
async def save(request: Request, letter_id: str, viewer: CsrfViewer) -> Response:
    letter_id = _letter_id(letter_id)
    form = await request.form()
    qs = service.QueueFilters.from_query(dict(parse_qsl(str(form.get("queue_qs", ""))))).query()
    try:
        expected = int(str(form.get("version", "")))
    except ValueError:
        return error_page(request, 400, "Thiếu phiên bản của đơn: hãy tải lại trang.")
    comment = str(form.get("comment", "")).strip()[:2000] or None
    try:
        record, plan = await run_in_threadpool(_plan, request, viewer, letter_id, form)
        await run_in_threadpool(service.save_review, _store(request), record, plan, expected, viewer, comment)
    except service.ReviewError as exc:
        return error_page(request, 422, str(exc))
    except VersionConflict as exc:
        return _conflict(request, letter_id, exc, plan, qs)
    next_id = str(form.get("next_id", ""))
    suffix = f"?{qs}" if qs else ""
    if form.get("then") == "next" and _LETTER_ID.fullmatch(next_id) and next_id != letter_id:
        return RedirectResponse(f"/letters/{next_id}{suffix}", status_code=303)
    if form.get("then") == "next":
        return RedirectResponse(f"/queue{suffix}", status_code=303)
    sep = "&" if qs else ""
    return RedirectResponse(f"/letters/{letter_id}?{qs}{sep}saved=1", status_code=303)


def _page_of(request: Request, letter_id: str, number: int) -> tuple[Any, LetterRecord, list[AuditRow]]:
    """The store, the stored letter and its audit trail for page ``number`` (404 when either is absent)."""
    store = _store(request)
    record = store.get(letter_id)
    if record is None or not 1 <= number <= (record.pages or 0):
        raise HTTPException(status_code=404)
    return store, record, store.audit(letter_id)


def _page_image(request: Request, viewer: Viewer, letter_id: str, number: int) -> bytes:
    store, record, audit = _page_of(request, letter_id, number)
    if is_protected(record, audit):
        if not viewer.may_see_identity:
            raise HTTPException(status_code=403)
        store.log_event(letter_id, "identity_viewed", {"what": "page_image", "page": number, "role": viewer.role},
                        actor=viewer.name)
    path = original_path(record.source, audit)
    if path is None:
        raise HTTPException(status_code=404, detail="Không tìm thấy tệp gốc của đơn.")
    try:
        return render_page(path, number, request.app.state.settings.max_image_pixels)
    except PageImageError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc


def _redacted_image(request: Request, viewer: Viewer, letter_id: str, number: int) -> bytes:
    _, record, audit = _page_of(request, letter_id, number)
    if not is_protected(record, audit):
        raise HTTPException(status_code=404)  # nothing to hide: the letter page shows the originals
    path = original_path(record.source, audit)
    if path is None:
        raise HTTPException(status_code=404, detail="Không tìm thấy tệp gốc của đơn.")
    try:
        return render_redacted_page(path, number, extraction_of(record), request.app.state.settings)
    except PageImageError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc


@router.get("/letters/{letter_id}/redacted/{number}.jpg")
async def redacted_page_image(request: Request, letter_id: str, number: int, viewer: CurrentViewer) -> Response:
    """A denunciation's page with the denouncer's identity blacked out (any role; nothing logged)."""
    letter_id = _letter_id(letter_id)
    data = await run_in_threadpool(_redacted_image, request, viewer, letter_id, number)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


@router.get("/letters/{letter_id}/pages/{number}.jpg")
async def page_image(request: Request, letter_id: str, number: int, viewer: CurrentViewer) -> Response:
    letter_id = _letter_id(letter_id)
    data = await run_in_threadpool(_page_image, request, viewer, letter_id, number)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})
