"""The review desk's FastAPI application, built on the same Store as the command line."""

from __future__ import annotations

import logging
from http import HTTPStatus
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.accounts import Accounts
from models.store import Store
from petitions.settings import Settings
from review.auth import LoginRequired, LoginThrottle
from review.routes import auth, desk, overview
from review.security import install_security_headers
from review.web import CSRF_MESSAGE, HERE, error_page

log = logging.getLogger(__name__)


def create_app(settings: Settings, store: Store | None = None, *, throttle: LoginThrottle | None = None) -> FastAPI:
    """The app over ``store`` (default: ``Store.open(settings)``, migrated)."""
    app = FastAPI(title="Bàn kiểm tra đơn thư", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.store = store or Store.open(settings)
    app.state.accounts = Accounts(app.state.store)
    app.state.throttle = throttle or LoginThrottle()
    app.state.tz = ZoneInfo(settings.timezone)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (auth, desk, overview):
        app.include_router(module.router)
    install_security_headers(app)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        if "application/json" in request.headers.get("accept", ""):
            return error_page(request, 401)
        target = "/login" if exc.next_path in ("", "/") else f"/login?next={quote(exc.next_path, safe='')}"
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else None
        if detail == "csrf":
            return error_page(request, 403, CSRF_MESSAGE)
        try:
            default = HTTPStatus(exc.status_code).phrase
        except ValueError:
            default = None
        known = detail if detail and detail != default else None  # our own (Vietnamese) messages only
        return error_page(request, exc.status_code, known, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_page(request, 422)

    return app
