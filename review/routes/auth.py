"""Log-in, log-out and changing one's own password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from review.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_TTL,
    CsrfViewer,
    CurrentViewer,
    new_token,
    safe_next,
    same_token,
    throttle_keys,
    token_hash,
)
from review.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from review.web import CSRF_MESSAGE, error_page, render

router = APIRouter()


def _login_form(request: Request, next_path: str, error: str | None = None, status: int = 200) -> Response:
    token = new_token()
    response = render(request, "login.html", status_code=status, csrf_token=token, next_path=next_path,
                      error=error, viewer=None)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login",
                        secure=request.url.scheme == "https", max_age=3600)
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:  # noqa: A002 - the query parameter's name
    return _login_form(request, safe_next(next))


def _throttled(request: Request, keys: tuple[str, str], what: str) -> Response | None:
    """The 429 page when too many wrong passwords came from this client or for this account."""
    wait = request.app.state.throttle.retry_after(keys)
    if not wait:
        return None
    minutes = max(1, (wait + 59) // 60)
    return error_page(request, 429, f"Bạn đã {what} quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
                      headers={"Retry-After": str(wait)})


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    name, password = str(form.get("name", ""))[:100], str(form.get("password", ""))[:1000]
    next_path = safe_next(str(form.get("next", "/")))
    if not same_token(str(form.get("csrf_token", "")), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return error_page(request, 403, CSRF_MESSAGE)
    throttle = request.app.state.throttle
    keys = throttle_keys(request, name)
    if (refused := _throttled(request, keys, "đăng nhập sai")) is not None:
        return refused
    accounts = request.app.state.accounts
    account = await run_in_threadpool(accounts.by_name, name) if name else None
    ok = await run_in_threadpool(verify_password, account.password_hash if account else None, password)
    if not ok or account is None or not account.active:
        throttle.failed(keys)
        return _login_form(request, next_path, "Tên đăng nhập hoặc mật khẩu không đúng.", status=401)
    throttle.succeeded(keys[1])
    if needs_rehash(account.password_hash):
        await run_in_threadpool(accounts.set_password_hash, account.id, hash_password(password))
    token = new_token()
    await run_in_threadpool(accounts.open_session, account.id, token_hash(token), new_token(), SESSION_TTL)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        max_age=int(SESSION_TTL.total_seconds()), path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, viewer: CsrfViewer) -> Response:
    await run_in_threadpool(request.app.state.accounts.close_session, viewer.token_hash)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _password_form(request: Request, error: str | None = None, status: int = 200, done: bool = False) -> Response:
    return render(request, "password.html", status_code=status, error=error, done=done, min_length=MIN_LENGTH)


@router.get("/account/password")
def password_page(request: Request, viewer: CurrentViewer) -> Response:
    return _password_form(request, done=request.query_params.get("done") == "1")


@router.post("/account/password")
async def change_password(request: Request, viewer: CsrfViewer) -> Response:
    """The logged-in user's new password: the current one is required (and throttled like a log-in);
    the new one is hashed with argon2id and every other session of the user is logged out."""
    form = await request.form()
    current = str(form.get("current_password", ""))[:1000]
    new, again = str(form.get("new_password", ""))[:1000], str(form.get("new_password_again", ""))[:1000]
    throttle = request.app.state.throttle
    keys = throttle_keys(request, viewer.name)
    if (refused := _throttled(request, keys, "nhập sai mật khẩu")) is not None:
        return refused
    accounts = request.app.state.accounts
    account = await run_in_threadpool(accounts.by_id, viewer.id)
    ok = await run_in_threadpool(verify_password, account.password_hash if account else None, current)
    if not ok or account is None:
        throttle.failed(keys)
        return _password_form(request, "Mật khẩu hiện tại không đúng.", status=400)
    if new != again:
        return _password_form(request, "Hai lần nhập mật khẩu mới không khớp.", status=422)
    if new == current:
        return _password_form(request, "Mật khẩu mới phải khác mật khẩu hiện tại.", status=422)
    try:
        password_hash = await run_in_threadpool(hash_password, new)
    except ValueError as exc:
        return _password_form(request, str(exc).split(" / ")[0] + ".", status=422)
    await run_in_threadpool(accounts.change_password, account.id, password_hash, viewer.token_hash)
    throttle.succeeded(keys[1])
    return RedirectResponse("/account/password?done=1", status_code=303)
