"""The dashboard (everyone), the audit log (lead, admin) and account management (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from models.accounts import DuplicateAccountError
from models.tables import ROLES
from review.auth import CsrfViewer, CurrentViewer, Viewer, require_roles
from review.dashboard import build_dashboard
from review.letter_view import audit_views
from review.passwords import hash_password
from review.web import error_page, render

router = APIRouter()
LeadViewer = Annotated[Viewer, Depends(require_roles("lead", "admin"))]
AdminViewer = Annotated[Viewer, Depends(require_roles("admin"))]
AUDIT_LIMIT = 200


@router.get("/dashboard")
def dashboard(request: Request, viewer: CurrentViewer) -> Response:
    board = build_dashboard(request.app.state.store, request.app.state.tz)
    return render(request, "dashboard.html", board=board)


@router.get("/audit")
def audit_log(request: Request, viewer: LeadViewer) -> Response:
    rows = request.app.state.store.audit(limit=AUDIT_LIMIT)
    entries = list(zip(reversed(rows), audit_views(rows, True, request.app.state.tz), strict=True))
    return render(request, "audit.html", entries=entries)


@router.get("/admin/users")
def users_page(request: Request, viewer: AdminViewer) -> Response:
    return render(request, "users.html", users=request.app.state.accounts.all(), roles=ROLES, error=None)


@router.post("/admin/users")
async def add_user(request: Request, viewer: CsrfViewer) -> Response:
    if not viewer.is_admin:
        raise HTTPException(status_code=403)
    form = await request.form()
    name, role, password = (str(form.get(k, "")).strip() for k in ("name", "role", "password"))
    accounts = request.app.state.accounts
    try:
        password_hash = await run_in_threadpool(hash_password, password)
        await run_in_threadpool(accounts.add, name, password_hash, role)
    except DuplicateAccountError:
        return error_page(request, 422, f"Tài khoản “{name}” đã tồn tại.")
    except ValueError as exc:
        return error_page(request, 422, str(exc).split(" / ")[0])
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/active")
async def set_active(request: Request, user_id: int, viewer: CsrfViewer) -> Response:
    if not viewer.is_admin:
        raise HTTPException(status_code=403)
    form = await request.form()
    if user_id == viewer.id:
        return error_page(request, 422, "Không thể khóa chính tài khoản đang dùng.")
    await run_in_threadpool(request.app.state.accounts.set_active, user_id, form.get("active") == "1")
    return RedirectResponse("/admin/users", status_code=303)
