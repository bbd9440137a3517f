"""Retrain on fixtures + corrections, promote only if not worse, list versions, roll back.

Training here runs on a tiny subset of the fixtures (a few seconds); the shipped model is rebuilt
with `python -m classifiers.train`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import classifiers.retrain as retrain_mod
import classifiers.train as train_mod
from classifiers.versions import active_version, history, list_versions, load_model, rollback
from models.record import CATEGORIES, Extraction
from models.store import Store
from petitions.cli import main
from petitions.settings import Settings
from tests.test_store import letter_id, make_pages, make_record

QUICK = {"folds": 2, "epochs": 2, "augment_copies": 1}


@pytest.fixture
def tiny_fixtures(monkeypatch: pytest.MonkeyPatch) -> list[train_mod.TrainLetter]:
    full = train_mod.fixture_letters()
    subset = [x for c in CATEGORIES for x in [y for y in full if y.category == c][:8]]
    monkeypatch.setattr(train_mod, "fixture_letters", lambda: subset)
    return subset


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var")


def test_build_trains_a_versioned_model(tmp_path: Path, tiny_fixtures: list) -> None:
    models = tmp_path / "models"
    result = train_mod.build(models, **QUICK)
    assert result.version == "hybrid-0001" and active_version(models) == "hybrid-0001"
    frozen = train_mod.frozen_eval(models)
    assert len(frozen) == 8  # one in four per category
    train_ids = {x.id for x in train_mod.training_letters((), models)}
    assert not train_ids & {x.id for x in frozen}
    meta = result.meta["petitions"]
    assert meta["data"]["n_letters"] == 24 and meta["labels"] == list(CATEGORIES)
    assert meta["combiner"]["mode"] in ("hybrid", "rules", "textcat")
    assert "reliability, frozen evaluation set" in result.report
    model = load_model(models / "hybrid-0001")
    assert model.passage_reader and meta["passage_reader"]["n_examples"] > 0  # built and loaded with the model
    from classifiers.category import analyse_rules

    probs = model.probabilities(analyse_rules(tiny_fixtures[0].text, Extraction()))
    assert abs(sum(probs.values()) - 1) < 1e-6
    # the frozen set is frozen: a second build reads it, never re-draws it
    (models / "frozen_eval.jsonl").write_text(
        (models / "frozen_eval.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8"
    )
    assert len(train_mod.frozen_eval(models)) == 1


def test_retrain_uses_corrections_promotes_and_rolls_back(
    tmp_path: Path, tiny_fixtures: list, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path / "models"
    train_mod.build(models, **QUICK)
    text = "Tôi tố cáo ông Lê Văn C, trưởng thôn, đã chiếm đoạt tiền hỗ trợ bão lũ của bà con trong thôn."
    with Store.open(settings) as store:
        store.save(make_record(text=text, category="kien_nghi"), make_pages())
        store.add_correction(letter_id(1), "category", "kien_nghi", "to_cao", "reviewer")
        extra = retrain_mod.correction_letters(store)
        assert [(x.category, x.source) for x in extra] == [("to_cao", "correction")]
        outcome = retrain_mod.retrain(settings, models_dir=models, store=store, **QUICK)
    assert outcome.candidate == "hybrid-0002" and outcome.n_corrections == 1
    assert outcome.promoted == (outcome.candidate_scores["macro_f1"] >= outcome.active_scores["macro_f1"])
    meta = load_model(models / "hybrid-0002").meta["petitions"]
    assert meta["data"]["n_corrections"] == 1 and meta["data"]["n_letters"] == 25

    # a worse candidate is kept but not promoted
    monkeypatch.setattr(retrain_mod, "score_model",
                        lambda model, letters: {"n": 1, "accuracy": 0.0,
                                                "macro_f1": 0.1 if model.version == "hybrid-0003" else 0.9})
    before = active_version(models)
    worse = retrain_mod.retrain(settings, models_dir=models, **QUICK)
    assert not worse.promoted and active_version(models) == before
    assert history(models)[-1]["event"] == "rejected"
    assert [r["version"] for r in list_versions(models)] == ["hybrid-0001", "hybrid-0002", "hybrid-0003"]

    # rollback by name, and back to the previous one
    assert rollback("hybrid-0001", models) == "hybrid-0001"
    assert active_version(models) == "hybrid-0001"
    assert rollback(None, models) == before
    from petitions.errors import NotFoundError

    with pytest.raises(NotFoundError):
        rollback("hybrid-0999", models)


def test_cli_models_and_rollback(tmp_path: Path, tiny_fixtures: list, capsys: pytest.CaptureFixture[str]) -> None:
    models = tmp_path / "models"
    train_mod.build(models, **QUICK)
    train_mod.build(models, **QUICK)
    assert main(["models", "--models-dir", str(models)]) == 0
    out = capsys.readouterr().out
    assert "* hybrid-0002" in out and "hybrid-0001" in out
    assert main(["rollback", "--models-dir", str(models)]) == 0
    assert active_version(models) == "hybrid-0001"
    assert main(["rollback", "hybrid-0002", "--models-dir", str(models)]) == 0
    assert active_version(models) == "hybrid-0002"


def test_retrain_flow_runs_the_same_function(
    tmp_path: Path, tiny_fixtures: list, settings: Settings, monkeypatch: pytest.MonkeyPatch, prefect_harness: None
) -> None:
    monkeypatch.setenv("PETITIONS_VAR_DIR", str(settings.var_dir))  # flows read settings from the environment
    models = tmp_path / "models"
    train_mod.build(models, **QUICK)
    from flows.retrain import run_retrain

    summary = run_retrain(settings, models_dir=models, **QUICK)
    assert summary["candidate"] == "hybrid-0002" and summary["corrections"] == 0
    assert active_version(models) == ("hybrid-0002" if summary["promoted"] else "hybrid-0001")


def test_retrain_if_needed_only_after_new_corrections(
    tmp_path: Path, tiny_fixtures: list, settings: Settings
) -> None:
    """What the nightly ingestion calls after its run: retrain only when reviewers corrected letters
    after the active model was built."""
    models = tmp_path / "models"
    train_mod.build(models, **QUICK)
    with Store.open(settings) as store:
        said = retrain_mod.retrain_if_needed(settings, models_dir=models, store=store, **QUICK)
        assert said.startswith("no corrections") and active_version(models) == "hybrid-0001"
        store.save(make_record(text="Tôi tố cáo ông Lê Văn C chiếm đoạt tiền hỗ trợ.", category="kien_nghi"),
                   make_pages())
        store.add_correction(letter_id(1), "category", "kien_nghi", "to_cao", "reviewer")
        said = retrain_mod.retrain_if_needed(settings, models_dir=models, store=store, **QUICK)
    assert "hybrid-0002" in said and "1 corrections" in said


def test_a_correction_saved_during_a_retrain_triggers_the_next_one(
    tmp_path: Path, tiny_fixtures: list, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Corrections are compared by id with what the last attempt saw, not by time: one saved while a
    candidate was training (after the corrections were read, before the model's build time) is not
    lost, and an attempt that saw every correction is not repeated."""
    models = tmp_path / "models"
    train_mod.build(models, **QUICK)
    with Store.open(settings) as store:
        for n in (1, 2):
            store.save(make_record(id=letter_id(n), text=f"Tôi tố cáo ông Lê Văn C{n} chiếm đoạt tiền hỗ trợ.",
                                   category="kien_nghi"), make_pages())
        store.add_correction(letter_id(1), "category", "kien_nghi", "to_cao", "reviewer")
        real_build = train_mod.build

        def build_while_a_reviewer_corrects(*args, **kwargs):  # type: ignore[no-untyped-def]
            store.add_correction(letter_id(2), "category", "kien_nghi", "to_cao", "reviewer")
            return real_build(*args, **kwargs)

        monkeypatch.setattr(retrain_mod, "build", build_while_a_reviewer_corrects)
        said = retrain_mod.retrain_if_needed(settings, models_dir=models, store=store, **QUICK)
        assert "1 corrections" in said  # the second correction came too late for this candidate
        monkeypatch.setattr(retrain_mod, "build", real_build)
        said = retrain_mod.retrain_if_needed(settings, models_dir=models, store=store, **QUICK)
        assert "2 corrections" in said
        said = retrain_mod.retrain_if_needed(settings, models_dir=models, store=store, **QUICK)
        assert said.startswith("no corrections since the last retrain")
    assert [e["corrections_through"] for e in history(models) if "corrections_through" in e] == [1, 2]
