"""The store goes away mid-run: a real PostgreSQL server stopped (``pg_ctl stop -m immediate``, as a
crash or a power cut would) while `petitions process` stores letters.

* restarted within the retry budget: the run waits, retries with backoff and finishes (exit 0);
* gone for good: the run stops with exit 4 (store_unavailable) and a clear message, and every
  record it reported (--out) is stored; after the server is back a re-run stores the rest.

Each test starts its own throw-away cluster (initdb + pg_ctl on a free port; the server runs as the
``postgres`` user when the tests run as root), so stopping it disturbs no other test.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import PG_URL_ENV, REQUIRE_PG_ENV
from tests.reliability_inputs import text_pdf
from tests.reliability_store import check_store, file_ids, read_out
from tests.test_reliability_inputs import cli_env

SCRIPT = Path(sys.executable).parent / "petitions"
pytestmark = pytest.mark.postgres


@dataclass
class Cluster:
    bin: Path
    data: Path
    port: int
    run_as: list[str]
    database: str = "postgres"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://petitions@127.0.0.1:{self.port}/{self.database}"

    def ctl(self, *args: str) -> None:
        subprocess.run([*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.data), *args], check=True,
                       capture_output=True, timeout=60)

    def start(self) -> None:
        self.ctl("-l", str(self.data.parent / "log"), "-w", "-o",
                 f"-h 127.0.0.1 -p {self.port} -k {self.data.parent} -c fsync=off", "start")

    def stop(self) -> None:
        self.ctl("-m", "immediate", "-w", "stop")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[Cluster]:
    if not os.environ.get(PG_URL_ENV) and os.environ.get(REQUIRE_PG_ENV) != "1":
        pytest.skip(f"PostgreSQL tests run with {PG_URL_ENV} set (source .ci/start-postgres), as in CI")
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        pytest.skip("PostgreSQL is not installed (.ci/start-postgres installs it)")
    root = Path(tempfile.mkdtemp(prefix="petitions-pg-"))  # pytest's tmp is private to root
    run_as: list[str] = []
    if os.geteuid() == 0:
        if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
            pytest.skip("no postgres user to run the server as")
        shutil.chown(root, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    bindir = Path(bins[-1]).parent
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(root / "data"), "-U", "petitions", "--auth=trust",
                    "-E", "UTF8"], check=True, capture_output=True, timeout=120)
    c = Cluster(bindir, root / "data", _free_port(), run_as)
    c.start()
    try:
        yield c
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(c.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture()
def cluster(server: Cluster) -> Cluster:
    """The shared server, running, with a fresh database for this test."""
    status = subprocess.run([*server.run_as, str(server.bin / "pg_ctl"), "-D", str(server.data), "status"],
                            capture_output=True)
    if status.returncode != 0:
        server.start()
    server.database = f"t_{uuid.uuid4().hex[:10]}"
    subprocess.run([str(server.bin / "createdb"), "-h", "127.0.0.1", "-p", str(server.port), "-U", "petitions",
                    server.database], check=True, capture_output=True, timeout=60)
    return server


@pytest.fixture()
def letters(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    from tests.pages import LETTER_LINES

    return [text_pdf(folder / f"đơn {i:02d}.pdf", [*LETTER_LINES, f"Tái bút số {i}: xin giải quyết sớm."])
            for i in range(14)]


def _stored(url: str) -> int:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM letters")).scalar() or 0
    except Exception:  # not migrated yet, or the server is down
        return -1
    finally:
        engine.dispose()


def _start_run(folder: Path, out: Path, url: str, tmp_path: Path, retry_total: float) -> subprocess.Popen[str]:
    env = cli_env(tmp_path)
    env.update(PETITIONS_DB_URL=url, PETITIONS_STORE_RETRY_TOTAL_S=str(retry_total),
               PETITIONS_STORE_RETRY_FIRST_S="0.25", PETITIONS_WORKERS="1")
    return subprocess.Popen([str(SCRIPT), "-v", "process", str(folder), "--out", str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_letters(url: str, n: int, proc: subprocess.Popen[str], timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while _stored(url) < n:
        assert proc.poll() is None, "the run ended before the server was stopped"
        assert time.monotonic() < end, "no letters stored"
        time.sleep(0.05)


def test_server_restarted_mid_run_is_waited_for(cluster: Cluster, letters: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = _start_run(letters[0].parent, out, cluster.url, tmp_path, retry_total=60)
    _wait_for_letters(cluster.url, 2, proc)
    cluster.stop()
    time.sleep(2.0)
    cluster.start()
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err[-3000:]
    assert "store unavailable" in err and "retrying in" in err, "the outage is logged"
    check_store(cluster.url, set(file_ids(letters)))
    assert len(read_out(out)) == len(letters)


def test_server_gone_for_good_stops_the_run_with_exit_4(cluster: Cluster, letters: list[Path],
                                                       tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = _start_run(letters[0].parent, out, cluster.url, tmp_path, retry_total=3)
    _wait_for_letters(cluster.url, 2, proc)
    cluster.stop()
    started = time.monotonic()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 4, err[-3000:]
    assert time.monotonic() - started < 60
    last = err.strip().splitlines()[-1]
    assert last.startswith("petitions: error:") and "unavailable" in last and "run the command again" in last
    assert "Traceback" not in err
    reported = {r["id"] for r in read_out(out)}

    cluster.start()
    check_store(cluster.url)  # what was committed is whole
    engine = create_engine(cluster.url, poolclass=NullPool)
    with engine.connect() as conn:
        stored = {r[0] for r in conn.execute(text("SELECT id FROM letters"))}
    engine.dispose()
    assert reported <= stored, "a letter was reported done but not stored"
    assert len(stored) < len(letters)

    rerun = _start_run(letters[0].parent, tmp_path / "rerun.jsonl", cluster.url, tmp_path, retry_total=30)
    _, err = rerun.communicate(timeout=180)
    assert rerun.returncode == 0, err[-3000:]
    check_store(cluster.url, set(file_ids(letters)))
