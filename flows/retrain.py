"""The retrain flow: the same function as `petitions retrain`, run by Prefect (on its own, or by the
nightly ingestion when reviewers made corrections since the active model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from petitions.settings import Settings, load_settings


@task(name="train-candidate-and-compare", cache_policy=NO_CACHE, persist_result=False)
def train_and_compare(models_dir: str | None, actor: str, options: dict[str, Any]) -> dict[str, Any]:
    from classifiers.retrain import retrain as retrain_models
    from classifiers.versions import MODELS_DIR

    outcome = retrain_models(load_settings(), models_dir=Path(models_dir) if models_dir else MODELS_DIR,
                             actor=actor, **options)
    return {"candidate": outcome.candidate, "previous": outcome.previous, "promoted": outcome.promoted,
            "candidate_macro_f1": outcome.candidate_scores["macro_f1"],
            "active_macro_f1": (outcome.active_scores or {}).get("macro_f1"),
            "corrections": outcome.n_corrections}


@flow(name="retrain", persist_result=False)
def retrain(models_dir: str | None = None, actor: str = "retrain-flow", options: dict[str, Any] | None = None) -> dict:
    """Train a candidate on fixtures + corrections; promote it only if not worse on the frozen set."""
    return train_and_compare(models_dir, actor, options or {})


def run_retrain(settings: Settings | None = None, *, models_dir: Path | None = None, actor: str = "retrain-flow",
                **options: Any) -> dict[str, Any]:
    return retrain(str(models_dir) if models_dir else None, actor, options)


if __name__ == "__main__":
    print(run_retrain())
