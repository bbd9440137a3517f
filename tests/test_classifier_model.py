"""The trained half of the classifier: tokenizer, augmentation, combiner, threshold, shipped model."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import spacy

from classifiers import classify
from classifiers.augment import augment, ocr_noise, strip_marks
from classifiers.hybrid import Combiner, choose_threshold, fit_combiner, reliability, wilson_lower
from classifiers.textcat import build_nlp, make_docs, predict, train_textcat
from classifiers.versions import MODELS_DIR, active_model, active_version, review_threshold
from classifiers.vi_tokenizer import TOKENIZER_NAME, norm_of
from models.record import CATEGORIES, Extraction
from petitions.settings import Settings

TINY = [
    ("Tôi khiếu nại Quyết định số 12/QĐ-UBND thu hồi đất của gia đình tôi, đề nghị hủy quyết định.", "khieu_nai"),
    ("Tôi tố cáo ông Trần Văn B, cán bộ địa chính, lợi dụng chức vụ nhận tiền của dân.", "to_cao"),
    ("Kiến nghị xã đưa đường thôn vào kế hoạch bê tông hóa, mong các cấp quan tâm hỗ trợ.", "kien_nghi"),
    ("Phản ánh tình trạng ngập úng, cống thoát nước bị lấp, nước tràn vào nhà dân.", "phan_anh"),
]


def test_tokenizer_segments_words_per_line_and_folds_norms() -> None:
    nlp = build_nlp()
    text = "Quyết định số 245/QĐ-UBND\nthu hồi đất"
    doc = nlp.make_doc(text)
    assert doc.text == text
    words = [t.text for t in doc if not t.is_space]
    assert "Quyết định" in words and "thu hồi" in words
    assert all("\n" not in w for w in words)  # no word crosses a line
    assert norm_of("Quyết định") == "quyet_dinh"
    assert norm_of("245/QĐ") == "000/qd"
    # accented and unaccented text share features
    assert {t.norm_ for t in nlp.make_doc("tố cáo")} <= {"to_cao", "to", "cao"}


def test_a_saved_pipeline_reloads_with_the_registered_tokenizer_and_no_pyvi(tmp_path: Path) -> None:
    base = build_nlp()
    docs = make_docs(base, [t for t, _ in TINY] * 2)
    nlp = train_textcat(docs, [c for _, c in TINY] * 2, base.vocab, {"epochs": 3})
    nlp.to_disk(tmp_path / "m")
    cfg = (tmp_path / "m" / "config.cfg").read_text(encoding="utf-8")
    assert TOKENIZER_NAME in cfg and "petitions.TextCatBOWNorm.v1" in cfg
    loaded = spacy.load(tmp_path / "m")
    assert "pyvi" not in sys.modules
    a, b = predict(nlp, [TINY[1][0]]), predict(loaded, [TINY[1][0]])
    assert np.allclose(a, b)
    assert a.shape == (1, 4) and abs(a.sum() - 1) < 1e-5


def test_augmentation_is_seeded() -> None:
    text = "Tôi tố cáo ông Trần Văn B đã nhận tiền của dân."
    assert augment(text, "x") == augment(text, "x")
    assert strip_marks("Tố cáo Đảng") == "To cao Dang"
    import random

    noisy = ocr_noise(text * 5, random.Random(1), rate=0.5)
    assert noisy != text * 5


def test_combiner_fit_learns_which_input_to_trust() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 400)
    good = np.eye(4)[y] * 3 + rng.normal(0, 1, (400, 4))  # informative rule scores
    noise = np.full((400, 4), 0.25)  # uninformative text classifier
    c = fit_combiner(good, noise, y, "hybrid", steps=800)
    assert c.w_rules > 0.5
    probs = c.probs(good, noise)
    assert (probs.argmax(1) == y).mean() > 0.8
    assert Combiner.from_json(c.to_json()) == c
    only = fit_combiner(good, noise, y, "rules", steps=300)
    assert only.w_textcat == 0


def test_threshold_and_reliability() -> None:
    conf = np.array([0.99] * 200 + [0.7] * 50 + [0.4] * 50)
    correct = np.array([True] * 200 + [True] * 35 + [False] * 15 + [True] * 20 + [False] * 30)
    t = choose_threshold(conf, correct, target=0.97)
    assert t.threshold == 0.99 and t.covered == 200
    assert wilson_lower(200, 200) > 0.97 > wilson_lower(97, 100)
    bins = reliability(conf, correct)
    assert sum(b.n for b in bins) == 300


def test_shipped_model_is_small_versioned_and_described() -> None:
    version = active_version()
    assert version is not None, "classifiers/models/ACTIVE names the active model"
    path = MODELS_DIR / version
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    assert size < 5_000_000
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    ours = meta["petitions"]
    assert ours["labels"] == list(CATEGORIES)
    assert len(ours["data"]["sha256"]) == 64 and ours["versions"]["spacy"]
    assert 0.5 <= ours["threshold"]["threshold"] <= 1.0
    assert ours["threshold"]["lower_bound"] >= 0.97
    assert (MODELS_DIR / "frozen_eval.jsonl").exists()


def test_classify_uses_the_active_model_and_is_fast() -> None:
    from fixtures.letters import load_handwritten

    letters = load_handwritten()
    settings = Settings()
    first = classify(letters[0]["text"], Extraction(), settings)  # warm-up (loads the model)
    assert first.model_version == active_version()
    assert abs(sum(first.scores.values()) - 1) < 1e-3
    assert first.signals  # the rules' evidence stays visible to reviewers
    started = time.perf_counter()
    for x in letters:
        classify(x["text"], Extraction(), settings)
    per_letter_ms = (time.perf_counter() - started) * 1000 / len(letters)
    assert per_letter_ms < 50


def test_review_threshold_comes_from_the_model_unless_set() -> None:
    model = active_model()
    assert model is not None
    assert review_threshold(Settings()) == model.threshold
    assert review_threshold(Settings(category_review_threshold=0.42)) == 0.42


@pytest.mark.parametrize("text,category", TINY)
def test_short_clear_letters_still_classified_by_content(text: str, category: str) -> None:
    assert classify(text, Extraction(), Settings()).category == category


def test_classify_is_safe_from_several_threads_at_first_use() -> None:
    """underthesea loads its model lazily; letters are classified from several threads at once."""
    import subprocess
    import sys

    code = (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from classifiers.category import classify\n"
        "from models.record import Extraction\n"
        "from petitions.settings import load_settings\n"
        "s = load_settings()\n"
        "texts = [f'Tôi xin phản ánh tình trạng đường thôn {i} bị sụt lún, đề nghị xã sửa chữa.' for i in range(8)]\n"
        "with ThreadPoolExecutor(4) as pool:\n"
        "    out = list(pool.map(lambda t: classify(t, Extraction(), s).category, texts))\n"
        "print(len(out))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "8"


def test_settling_a_new_model_frees_what_an_earlier_freeze_kept() -> None:
    import gc
    import weakref

    from classifiers.versions import _settled

    class Node:
        pass

    node = Node()
    node.me = node  # a cycle: only the cyclic collector can free it
    ref = weakref.ref(node)
    try:
        _settled(None)  # frozen while still in use (an earlier model)
        del node  # dropped, as a replaced model is after a retrain
        _settled(None)  # the next model's load
        assert ref() is None
    finally:
        gc.unfreeze()
