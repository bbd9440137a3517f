"""Log-in, server-side sessions, roles and CSRF: the checks every route goes through.

- The session cookie holds a random token; the store keeps only its sha256 (models.accounts).
- Every session has its own CSRF token; every POST must carry it (form field ``csrf_token`` or
  header ``X-CSRF-Token``). The log-in form, before any session, uses a double-submit cookie.
- Failed log-ins are throttled per client address and per user name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

SESSION_COOKIE = "petitions_session"
LOGIN_CSRF_COOKIE = "petitions_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_TTL = dt.timedelta(hours=10)
IDENTITY_ROLES: tuple[str, ...] = ("lead", "admin")  # may see a denouncer's identity (logged)
ALL_ROLES: tuple[str, ...] = ("reviewer", "lead", "admin")


@dataclass(frozen=True, slots=True)
class Viewer:
    """The logged-in user of this request."""

    id: int
    name: str
    role: str
    csrf_token: str
    token_hash: str

    @property
    def may_see_identity(self) -> bool:
        return self.role in IDENTITY_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class LoginRequired(Exception):  # noqa: N818 - control flow: redirect to the log-in page
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def safe_next(path: str | None) -> str:
    """A local path to go to after log-in (never another site)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


class LoginThrottle:
    """At most ``max_failures`` failed log-ins per key (address, user name) within ``window`` seconds."""

    def __init__(self, max_failures: int = 5, window: float = 900.0, clock: Callable[[], float] = time.monotonic):
        self.max_failures, self.window, self._clock = max_failures, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, keys: Iterable[str]) -> int:
        """Seconds until a log-in may be tried again (0: allowed now)."""
        now = self._clock()
        with self._lock:
            waits = [
                q[0] + self.window - now
                for q in (self._recent(k, now) for k in keys)
                if len(q) >= self.max_failures
            ]
        return int(max(waits, default=0.0)) + (1 if waits else 0)

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, user_key: str) -> None:
        with self._lock:
            self._failures.pop(user_key, None)


def throttle_keys(request: Request, name: str) -> tuple[str, str]:
    client = request.client.host if request.client else "unknown"
    return f"ip:{client}", f"user:{name.strip().casefold()}"


def current_viewer(request: Request) -> Viewer:
    """The logged-in user; anyone else is sent to the log-in page."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    info = request.app.state.accounts.session(token_hash(token)) if token else None
    if info is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path if request.method == "GET" else "/")
    viewer = Viewer(info.account.id, info.account.name, info.account.role, info.csrf_token, token_hash(token or ""))
    request.state.viewer = viewer
    return viewer


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


def require_roles(*roles: str) -> Callable[..., Viewer]:
    """A dependency: the viewer, if their role is one of ``roles`` (403 otherwise)."""

    def dependency(viewer: CurrentViewer) -> Viewer:
        if viewer.role not in roles:
            raise HTTPException(status_code=403)
        return viewer

    return dependency


async def csrf_checked(request: Request, viewer: CurrentViewer) -> Viewer:
    """A dependency for every POST: the viewer, if the request carries their session's CSRF token."""
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not same_token(sent, viewer.csrf_token):
        raise HTTPException(status_code=403, detail="csrf")
    return viewer


CsrfViewer = Annotated[Viewer, Depends(csrf_checked)]
