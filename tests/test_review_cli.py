"""`petitions users add` and `petitions review` (the real server in a subprocess, on the CLI's store)."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from models.accounts import Accounts
from models.store import Store
from petitions.cli import main
from petitions.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PETITIONS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("PETITIONS_DB_URL", raising=False)
    return tmp_path / "var"


def test_users_add_and_list(var_dir: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("mot-mat-khau-dai\n"))
    assert main(["users", "add", "lanhdao", "--role", "lead", "--password-stdin"]) == 0
    assert "lanhdao (lead) created" in capsys.readouterr().out
    with Store.open(load_settings()) as store:
        account = Accounts(store).by_name("lanhdao")
        assert account is not None and account.role == "lead" and account.active
        assert account.password_hash.startswith("$argon2id$") and "mot-mat-khau-dai" not in account.password_hash
    monkeypatch.setattr(sys, "stdin", io.StringIO("mot-mat-khau-dai\n"))
    assert main(["users", "add", "lanhdao", "--role", "admin", "--password-stdin"]) != 0  # exists already
    monkeypatch.setattr(sys, "stdin", io.StringIO("ngan\n"))
    assert main(["users", "add", "x", "--role", "reviewer", "--password-stdin"]) != 0  # too short
    assert "ít nhất 10 ký tự" in capsys.readouterr().err
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.strip() == "lanhdao\tlead\tactive"


def test_users_passwd_sets_a_password_and_logs_the_user_out(var_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    from review.passwords import verify_password

    monkeypatch.setattr(sys, "stdin", io.StringIO("mot-mat-khau-dai\n"))
    assert main(["users", "add", "chuyenvien", "--role", "reviewer", "--password-stdin"]) == 0
    with Store.open(load_settings()) as store:
        account = Accounts(store).by_name("chuyenvien")
        assert account is not None
        Accounts(store).open_session(account.id, "s" * 64, "csrf", dt.timedelta(hours=1))
        old_hash = account.password_hash
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO("mat-khau-moi-quen-roi\n"))
    assert main(["users", "passwd", "chuyenvien", "--password-stdin"]) == 0
    assert "password of chuyenvien changed" in capsys.readouterr().out
    with Store.open(load_settings()) as store:
        accounts = Accounts(store)
        account = accounts.by_name("chuyenvien")
        assert account is not None and account.password_hash.startswith("$argon2id$")
        assert account.password_hash != old_hash and verify_password(account.password_hash, "mat-khau-moi-quen-roi")
        assert not verify_password(account.password_hash, "mot-mat-khau-dai")
        assert accounts.session("s" * 64) is None  # logged out everywhere
    monkeypatch.setattr(sys, "stdin", io.StringIO("mat-khau-moi-quen-roi\n"))
    assert main(["users", "passwd", "khong-co-ai", "--password-stdin"]) != 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("ngan\n"))
    assert main(["users", "passwd", "chuyenvien", "--password-stdin"]) != 0
    assert "ít nhất 10 ký tự" in capsys.readouterr().err


def test_petitions_review_serves_the_store(var_dir: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PETITIONS_VAR_DIR": str(var_dir)}
    env.pop("PETITIONS_DB_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "petitions.cli", "review", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline, response = time.monotonic() + 30, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/queue", follow_redirects=True, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None, proc.stderr.read().decode() if proc.stderr else ""
        assert response.status_code == 200 and "Đăng nhập" in response.text
        assert response.headers["x-frame-options"] == "DENY"
        with Store.open(load_settings(var_dir=var_dir)) as store:
            assert store.schema_revision() == "0004"  # the same store as the CLI, migrated on start
    finally:
        proc.terminate()
        proc.wait(timeout=10)
