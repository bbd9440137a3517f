"""Many machines, simulated on loopback: a real Prefect server on PostgreSQL, two process workers as
separate processes, one shared PostgreSQL store; every letter processed exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import pg_base_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.postgres
def test_two_workers_process_a_backlog_exactly_once() -> None:
    pg = pg_base_url()
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.scaleout", "check", "--pg", pg, "--letters", "6", "--scans", "1",
         "--chunk-size", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=dict(os.environ),
    )
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["flow_runs"] == 3 and result["run_states"] == ["Completed"]
    assert result["letter_rows"] == 6 and result["exactly_once"]
