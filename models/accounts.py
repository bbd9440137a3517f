"""Review-desk accounts and their server-side sessions, on the store's database.

Passwords arrive here already hashed (the review app hashes with argon2id); session tokens arrive as
their sha256, so neither a password nor a usable cookie value is ever stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from models.store import Store, _as_utc, _utcnow
from models.tables import ROLES, User, UserSession


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str
    role: str  # reviewer | lead | admin
    active: bool
    created_at: dt.datetime
    password_hash: str = field(repr=False, default="")


@dataclass(frozen=True, slots=True)
class SessionInfo:
    account: Account
    csrf_token: str
    expires_at: dt.datetime


class DuplicateAccountError(ValueError):
    pass


def _account(row: User) -> Account:
    return Account(row.id, row.name, row.role, row.active, _as_utc(row.created_at), row.password_hash)


class Accounts:
    """Users and sessions; every method is one short transaction on the store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, name: str, password_hash: str, role: str) -> Account:
        name = name.strip()
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        if not name or len(name) > 100:
            raise ValueError("a user name has 1 to 100 characters")
        try:
            with self._store._session(write=True) as session:
                row = User(name=name, password_hash=password_hash, role=role, active=True, created_at=_utcnow())
                session.add(row)
                session.flush()
                return _account(row)
        except IntegrityError as exc:
            raise DuplicateAccountError(f"user {name!r} exists already") from exc

    def by_name(self, name: str) -> Account | None:
        with self._store._session() as session:
            row = session.scalar(select(User).where(User.name == name.strip()))
            return None if row is None else _account(row)

    def all(self) -> list[Account]:
        with self._store._session() as session:
            return [_account(r) for r in session.scalars(select(User).order_by(User.name))]

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self._store._session(write=True) as session:
            row = session.get(User, user_id, with_for_update=True)
            if row is not None:
                row.password_hash = password_hash

    def by_id(self, user_id: int) -> Account | None:
        with self._store._session() as session:
            row = session.get(User, user_id)
            return None if row is None else _account(row)

    def change_password(self, user_id: int, password_hash: str, keep_session: str | None = None) -> bool:
        """A new password hash, and every session of the user closed but ``keep_session`` (a token
        hash: the session that changed it). False if there is no such user."""
        with self._store._session(write=True) as session:
            row = session.get(User, user_id, with_for_update=True)
            if row is None:
                return False
            row.password_hash = password_hash
            ended = delete(UserSession).where(UserSession.user_id == user_id)
            if keep_session is not None:
                ended = ended.where(UserSession.id != keep_session)
            session.execute(ended)
            return True

    def set_active(self, user_id: int, active: bool) -> None:
        with self._store._session(write=True) as session:
            row = session.get(User, user_id, with_for_update=True)
            if row is not None:
                row.active = active
                if not active:
                    session.execute(delete(UserSession).where(UserSession.user_id == user_id))

    # ---- sessions ------------------------------------------------------------------------------

    def open_session(self, user_id: int, token_hash: str, csrf_token: str, ttl: dt.timedelta) -> None:
        now = _utcnow()
        with self._store._session(write=True) as session:
            session.execute(delete(UserSession).where(UserSession.expires_at < now))
            session.add(UserSession(id=token_hash, user_id=user_id, csrf_token=csrf_token,
                                    created_at=now, expires_at=now + ttl))

    def session(self, token_hash: str) -> SessionInfo | None:
        """The live session with this token hash and its active account, or None."""
        with self._store._session() as session:
            found = session.execute(
                select(UserSession, User).join(User, User.id == UserSession.user_id)
                .where(UserSession.id == token_hash)
            ).first()
        if found is None:
            return None
        sess, user = found
        expires = _as_utc(sess.expires_at)
        if expires <= _utcnow() or not user.active:
            return None
        return SessionInfo(_account(user), sess.csrf_token, expires)

    def close_session(self, token_hash: str) -> None:
        with self._store._session(write=True) as session:
            session.execute(delete(UserSession).where(UserSession.id == token_hash))
