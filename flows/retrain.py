"""The retrain flow: the same function as `petitions retrain`, run by Prefect (e.g. on a schedule).

Prefect is imported only after :func:`flows.prefect_env.configure_prefect`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flows.prefect_env import configure_prefect
from petitions.settings import Settings, load_settings


def _build_flow(settings: Settings, models_dir: Path | None, actor: str, options: dict[str, Any]):  # noqa: ANN202 - Prefect objects are created after configure_prefect
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    @task(name="train-candidate-and-compare", cache_policy=NO_CACHE, persist_result=False)
    def train_and_compare() -> dict[str, Any]:
        from classifiers.retrain import retrain as retrain_models
        from classifiers.versions import MODELS_DIR

        outcome = retrain_models(settings, models_dir=models_dir or MODELS_DIR, actor=actor, **options)
        return {"candidate": outcome.candidate, "previous": outcome.previous, "promoted": outcome.promoted,
                "candidate_macro_f1": outcome.candidate_scores["macro_f1"],
                "active_macro_f1": (outcome.active_scores or {}).get("macro_f1"),
                "corrections": outcome.n_corrections}

    @flow(name="retrain", persist_result=False)
    def retrain() -> dict[str, Any]:
        return train_and_compare()

    return retrain


def run_retrain(settings: Settings | None = None, *, models_dir: Path | None = None, actor: str = "retrain-flow",
                **options: Any) -> dict[str, Any]:
    """Run the retrain flow: train a candidate on fixtures + corrections, promote it if not worse."""
    settings = settings or load_settings()
    configure_prefect(settings)
    return _build_flow(settings, models_dir, actor, options)()


if __name__ == "__main__":
    print(run_retrain())
