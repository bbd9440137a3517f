"""Scale-out: the backlog split into batches, each a flow run that any worker of one work pool picks.

A dispatcher lists the files not stored yet and creates one `ingest-batch` flow run per chunk; process
workers on several machines pull the runs from the pool and write to one shared PostgreSQL store
(files on a shared location). Each file is in exactly one batch, each flow run is claimed by exactly
one worker, and the store's upsert is idempotent, so every letter is processed once.
See docs/scale-out.md.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.deployments import run_deployment
from prefect.task_runners import ThreadPoolTaskRunner

from flows.backlog import chunks, pending, process_letter, summarise_outcomes
from petitions.cli import iter_inputs
from petitions.settings import default_settings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BATCH_FLOW = "ingest-batch"
BATCH_DEPLOYMENT = f"{BATCH_FLOW}/{BATCH_FLOW}"


@flow(name=BATCH_FLOW, task_runner=ThreadPoolTaskRunner(max_workers=default_settings().workers),
      persist_result=False)
def ingest_batch(paths: list[str]) -> dict:
    """Process and store one batch of files (paths on the shared file location)."""
    outcomes = [fut.result() for fut in process_letter.map(paths)]
    return {"processed": len(outcomes), **summarise_outcomes(outcomes)}


def deploy_batch_flow(work_pool: str, source: Path = PROJECT_ROOT) -> str:
    """Register the batch deployment on the server named by PREFECT_API_URL; returns its id."""
    remote = ingest_batch.from_source(source=str(source), entrypoint="flows/scaleout.py:ingest_batch")
    return str(remote.deploy(name=BATCH_FLOW, work_pool_name=work_pool, print_next_steps=False))


def dispatch(folder: Path, chunk_size: int = 50) -> list[str]:
    """One flow run per chunk of files not stored yet; returns the flow run ids (does not wait)."""
    settings = load_settings()
    todo = pending(list(iter_inputs([folder])), settings)
    runs = []
    for chunk in chunks(todo, chunk_size):
        run = run_deployment(BATCH_DEPLOYMENT, parameters={"paths": [str(p) for p in chunk]}, timeout=0)
        runs.append(str(run.id))
    return runs


def wait_for(run_ids: Sequence[str], timeout_s: float = 1800, poll_s: float = 1.0) -> dict[str, Any]:
    """Wait until every flow run is final; returns their state names and the wall time."""
    from uuid import UUID

    from prefect.client.orchestration import get_client

    started = time.monotonic()
    states: dict[str, str] = {}
    with get_client(sync_client=True) as client:
        while time.monotonic() - started < timeout_s:
            states = {rid: client.read_flow_run(UUID(rid)).state.name for rid in run_ids}
            if all(s in ("Completed", "Failed", "Crashed", "Cancelled") for s in states.values()):
                break
            time.sleep(poll_s)
    return {"states": states, "seconds": round(time.monotonic() - started, 1)}
