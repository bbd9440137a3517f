"""Scale-out, for real, on loopback: a Prefect server on PostgreSQL, N process workers as separate
processes pulling from one work pool, a shared PostgreSQL store; then checks every letter was
processed exactly once.

    python -m benchmarks.scaleout check  --pg postgresql+psycopg://user@127.0.0.1:55432/db --letters 8
    python -m benchmarks.scaleout bench  --pg ... --letters 1000        # 1 and 2 workers, letters/min

``--pg`` is a PostgreSQL server the caller may create databases on (`.ci/start-postgres` gives one).
Prints one JSON object. Everything it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POOL = "petitions"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_database(pg_url: str, prefix: str) -> str:
    """A fresh database on the server; returns its URL (psycopg driver)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(pg_url).set(database=name).render_as_string(hide_password=False)


def drop_database(pg_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(pg_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def base_env(work: Path, api_url: str, store_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PETITIONS_"))}
    env.update({
        "PREFECT_HOME": str(work / "prefect-home"),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PETITIONS_DB_URL": store_url,
        "PETITIONS_VAR_DIR": str(work / "var"),
        "PETITIONS_WORKERS": "1",  # one letter at a time per flow run: a worker is one core
        "OMP_THREAD_LIMIT": "1",
        "PREFECT_WORKER_QUERY_SECONDS": "2",  # how often an idle worker asks the pool for work
    })
    return env


@contextlib.contextmanager
def prefect_server(pg_url: str, work: Path) -> Iterator[tuple[str, str]]:
    """A `prefect server start` backed by its own PostgreSQL database; yields (api_url, db_url)."""
    db = create_database(pg_url, "prefect")
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = base_env(work, api_url, "")
    env["PREFECT_API_DATABASE_CONNECTION_URL"] = make_url(db).set(drivername="postgresql+asyncpg").render_as_string(
        hide_password=False)
    env["PREFECT_UI_ENABLED"] = "false"
    log = (work / "server.log").open("w")
    proc = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{api_url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prefect server did not start; see {work / 'server.log'}")
            time.sleep(0.5)
        yield api_url, db
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        if proc.poll() is None:
            proc.kill()
        log.close()
        drop_database(pg_url, db)


@contextlib.contextmanager
def workers(n: int, env: dict[str, str], work: Path) -> Iterator[list[subprocess.Popen]]:
    procs = []
    try:
        for i in range(n):
            log = (work / f"worker-{i}.log").open("w")
            procs.append(subprocess.Popen(
                [str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--type", "process", "--limit", "1",
                 "--name", f"worker-{i}"],
                env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT))
        yield procs
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=20)
            if p.poll() is None:
                p.kill()


def run_python(code: str, env: dict[str, str]) -> Any:
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_backlog(folder: Path, n: int, scans: int = 0) -> list[Path]:
    """n of our own generated letters as text PDFs (and the first ``scans`` as PNG scans)."""
    from fixtures.letters import generate_letters
    from fixtures.render import render_pages, write_png, write_text_pdf

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, letter in enumerate(generate_letters(n, seed=7)):
        if i < scans:
            path = folder / f"scan_{i:05d}.png"
            write_png(render_pages(letter["text"], dpi=200)[0], path)
        else:
            path = folder / f"letter_{i:05d}.pdf"
            write_text_pdf(letter["text"], path)
        paths.append(path)
    return paths


def verify(store_url: str, expected: int) -> dict[str, Any]:
    """Exactly once: one letter row per file, one 'stored' audit entry each, nothing reprocessed."""
    engine = create_engine(store_url, poolclass=NullPool)
    with engine.connect() as conn:
        letters = conn.execute(text("SELECT count(*) FROM letters")).scalar_one()
        stored = conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'stored'")).scalar_one()
        again = conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'reprocessed'")).scalar_one()
        dup = conn.execute(text(
            "SELECT count(*) FROM (SELECT letter_id FROM audit_log WHERE action = 'stored' "
            "GROUP BY letter_id HAVING count(*) > 1) d")).scalar_one()
    engine.dispose()
    return {"letter_rows": letters, "stored_entries": stored, "reprocessed": again, "stored_twice": dup,
            "exactly_once": letters == expected and stored == expected and again == 0 and dup == 0}


def run_scaleout(pg_url: str, files_dir: Path, n_workers: int, expected: int, chunk_size: int) -> dict[str, Any]:
    """Server + pool + deployment + n workers; dispatch the backlog, wait, verify."""
    with tempfile.TemporaryDirectory(prefix="petitions-scaleout-") as tmp:
        work = Path(tmp)
        store_url = create_database(pg_url, "store")
        try:
            with prefect_server(pg_url, work) as (api_url, _db):
                env = base_env(work, api_url, store_url)
                subprocess.run([str(BIN / "prefect"), "work-pool", "create", POOL, "--type", "process"],
                               env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
                run_python("import json; from models.store import Store; from petitions.settings import "
                           "load_settings; Store.open(load_settings()); "
                           "from flows.scaleout import deploy_batch_flow; "
                           f"print(json.dumps(deploy_batch_flow({POOL!r})))", env)
                with workers(n_workers, env, work):
                    started = time.monotonic()
                    result = run_python(
                        "import json; from pathlib import Path; from flows.scaleout import dispatch, wait_for; "
                        f"ids = dispatch(Path({str(files_dir)!r}), chunk_size={chunk_size}); "
                        "print(json.dumps({'runs': len(ids), **wait_for(ids)}))", env)
                    seconds = time.monotonic() - started
            states = result.pop("states")
            return {
                "workers": n_workers, "letters": expected, "flow_runs": result["runs"],
                "run_states": sorted(set(states.values())), "seconds": round(seconds, 1),
                "letters_per_minute": round(expected / seconds * 60, 1),
                **verify(store_url, expected),
            }
        finally:
            drop_database(pg_url, store_url)


def direct_baseline(pg_url: str, files: list[Path]) -> float:
    """Seconds to process the same files in one process, one at a time, without Prefect."""
    store_url = create_database(pg_url, "direct")
    try:
        env = base_env(Path(tempfile.mkdtemp()), "", store_url)
        env.pop("PREFECT_API_URL")
        code = ("import json, time; from pathlib import Path; from models.store import Store; "
                "from petitions.settings import load_settings; from petitions.pipeline import process_file; "
                "s = load_settings(); st = Store.open(s); "
                f"files = [Path(p) for p in {[str(f) for f in files]!r}]; t = time.monotonic(); "
                "[st.save(d.record, d.pages) for d in (process_file(f, s) for f in files)]; "
                "print(json.dumps(time.monotonic() - t))")
        return float(run_python(code, env))
    finally:
        drop_database(pg_url, store_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["check", "bench"])
    parser.add_argument("--pg", default=os.environ.get("PETITIONS_TEST_PG_URL"), help="PostgreSQL server URL")
    parser.add_argument("--letters", type=int, default=8)
    parser.add_argument("--scans", type=int, default=2, help="how many of the letters are OCR'd scans")
    parser.add_argument("--chunk-size", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.pg:
        parser.error("--pg or PETITIONS_TEST_PG_URL is required")
    with tempfile.TemporaryDirectory(prefix="petitions-backlog-") as tmp:
        files = make_backlog(Path(tmp), args.letters, scans=args.scans)
        if args.mode == "check":
            result = run_scaleout(args.pg, Path(tmp), 2, len(files), args.chunk_size)
        else:
            runs = [run_scaleout(args.pg, Path(tmp), n, len(files), args.chunk_size) for n in (1, 2)]
            direct = direct_baseline(args.pg, files)
            one = runs[0]["seconds"]
            result = {
                "machine": {"cores": os.cpu_count()},
                "runs": runs,
                "direct_seconds_one_process": round(direct, 1),
                "scheduler_seconds_per_letter": round((one - direct) / len(files), 3),
                "speedup_2_workers": round(one / runs[1]["seconds"], 2),
            }
    print(json.dumps(result, ensure_ascii=False))
    ok = result["exactly_once"] if args.mode == "check" else all(r["exactly_once"] for r in result["runs"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
