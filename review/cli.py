"""The review desk's subcommands.

    petitions review [--host H] [--port P]                  start the web app on the store
    petitions users add NAME --role reviewer|lead|admin [--password-stdin]
    petitions users passwd NAME [--password-stdin]           set a user's password (logs them out)
    petitions users list
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from petitions.errors import BadConfigError, ExitCode
from petitions.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from review.app import create_app

    app = create_app(settings)
    print(f"Bàn kiểm tra đơn thư: http://{args.host}:{args.port}/ (store {app.state.store.url})", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", proxy_headers=False)
    return ExitCode.ok


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu / password: ")
    if getpass.getpass("Nhập lại / again: ") != first:
        raise BadConfigError("Hai lần nhập mật khẩu không khớp / the passwords differ")
    return first


def cmd_users_add(args: argparse.Namespace, settings: Settings) -> int:
    from models.accounts import Accounts, DuplicateAccountError
    from models.store import Store
    from review.passwords import hash_password

    password = _read_password(args.password_stdin)
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise BadConfigError(str(exc)) from exc
    with Store.open(settings) as store:
        try:
            account = Accounts(store).add(args.name, password_hash, args.role)
        except DuplicateAccountError as exc:
            raise BadConfigError(f"Tài khoản {args.name!r} đã tồn tại / user exists already") from exc
    print(f"user {account.name} ({account.role}) created")
    return ExitCode.ok


def cmd_users_passwd(args: argparse.Namespace, settings: Settings) -> int:
    """An administrator sets a user's password (a forgotten one): hashed with argon2id, and every
    session of that user is closed."""
    from models.accounts import Accounts
    from models.store import Store
    from review.passwords import hash_password

    with Store.open(settings) as store:
        accounts = Accounts(store)
        account = accounts.by_name(args.name)
        if account is None:
            raise BadConfigError(f"Không có tài khoản {args.name!r} / no such user")
        password = _read_password(args.password_stdin)
        try:
            password_hash = hash_password(password)
        except ValueError as exc:
            raise BadConfigError(str(exc)) from exc
        accounts.change_password(account.id, password_hash)
    print(f"password of {account.name} changed; their sessions were logged out")
    return ExitCode.ok


def cmd_users_list(args: argparse.Namespace, settings: Settings) -> int:
    from models.accounts import Accounts
    from models.store import Store

    with Store.open(settings) as store:
        for a in Accounts(store).all():
            print(f"{a.name}\t{a.role}\t{'active' if a.active else 'disabled'}")
    return ExitCode.ok


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("review", help="start the review desk (web app) on the store")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.set_defaults(func=cmd_review)

    users = subparsers.add_parser("users", help="review-desk accounts")
    sub = users.add_subparsers(dest="users_command", required=True)
    p = sub.add_parser("add", help="create an account (asks for the password)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=("reviewer", "lead", "admin"))
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin (one line)")
    p.set_defaults(func=cmd_users_add)
    p = sub.add_parser("passwd", help="set a user's password (asks for it; logs the user out everywhere)")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin (one line)")
    p.set_defaults(func=cmd_users_passwd)
    p = sub.add_parser("list", help="list accounts")
    p.set_defaults(func=cmd_users_list)
