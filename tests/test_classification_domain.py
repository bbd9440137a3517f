"""The letter's field (domain): keyword signals, the gate, the shipped field classifier."""

from __future__ import annotations

import json
import time
from pathlib import Path

from classifiers.category import _domain, analyse_rules, classify
from classifiers.domain_model import (
    DOMAIN_MODEL_NAME,
    DomainLetter,
    build_domain_model,
    keyword_choice,
    keyword_totals,
    keywords_confident,
    load_domain_model,
)
from classifiers.matching import Hit
from classifiers.rules import load_rules
from classifiers.versions import MODELS_DIR, domain_model
from models.record import DOMAINS, Extraction

ROOT = Path(__file__).resolve().parents[1]
HOLDOUT = ROOT / "fixtures" / "letters" / "holdout.jsonl"


def _keywords(text: str) -> str:
    rules = load_rules()
    return _domain(analyse_rules(text, Extraction(), rules).other_hits, rules)


def test_keyword_totals_choice_and_gate() -> None:
    hits = [Hit("a", "domain:dat_dai", 2.0, "thửa đất"), Hit("b", "domain:tham_nhung", 0.5, "vụ lợi"),
            Hit("c", "to_cao", 3.0, "tố cáo"), Hit("d", "domain:dat_dai", 1.0, "sổ đỏ")]
    totals = keyword_totals(hits)
    assert totals == {"dat_dai": 3.0, "tham_nhung": 0.5}
    assert keyword_choice(totals, 1.0, "khac") == "dat_dai"
    assert keyword_choice({}, 1.0, "khac") == "khac"
    assert keyword_choice({"y_te": 0.5}, 1.0, "khac") == "khac"
    assert keyword_choice({"xay_dung": 1.0, "dat_dai": 1.0}, 1.0, "khac") == "dat_dai"  # ties: DOMAINS order
    gate = {"min_score": 1.0, "margin": 1.0}
    assert keywords_confident(totals, gate)
    assert not keywords_confident({"dat_dai": 2.0, "xay_dung": 1.5}, gate)  # two fields close together
    assert not keywords_confident({"y_te": 0.5}, gate)
    assert not keywords_confident({}, gate)


def test_crime_against_a_person_is_public_order_even_in_a_land_dispute() -> None:
    text = ("Do tranh chấp ranh giới thửa đất, ông B đã hành hung, gây thương tích cho tôi. "
            "Đề nghị công an xử lý hành vi cố ý gây thương tích.")
    assert _keywords(text) == "an_ninh_trat_tu"


def test_abuse_of_office_stays_in_its_field_money_makes_it_corruption() -> None:
    abuse = ("Tôi tố cáo cán bộ địa chính xã lợi dụng chức vụ xác nhận sai nguồn gốc thửa đất "
             "để cấp giấy chứng nhận quyền sử dụng đất cho người nhà.")
    assert _keywords(abuse) == "dat_dai"
    bribe = "Tôi tố cáo trưởng thôn tham ô, biển thủ tiền đóng góp của dân, không công khai thu chi."
    assert _keywords(bribe) == "tham_nhung"


def test_the_shipped_field_classifier_is_small_loads_once_and_knows_every_field() -> None:
    path = MODELS_DIR / DOMAIN_MODEL_NAME
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert size < 3 * 1024 * 1024
    model = domain_model()
    assert model is not None and domain_model() is model
    assert model.meta["petitions"]["labels"] == list(DOMAINS)
    assert set(model.gate) == {"min_score", "margin"}
    probs = model.probabilities("Trạm y tế xã thiếu thuốc, bác sĩ không có mặt để khám bệnh cho người dân.")
    assert set(probs) == set(DOMAINS) and abs(sum(probs.values()) - 1.0) < 1e-4


def test_the_model_decides_when_the_keywords_do_not() -> None:
    text = "Kính gửi UBND xã.\nĐề nghị UBND xã sớm giải quyết việc này cho gia đình tôi.\nXin cảm ơn."
    result = classify(text, Extraction())
    assert result.domain in DOMAINS
    # a rules override (tests, experiments) keeps the keywords alone: no keyword -> the default
    from classifiers.rules import parse_rules

    custom = parse_rules((ROOT / "classifiers" / "signals.yaml").read_text(encoding="utf-8"))
    assert classify(text, Extraction(), rules=custom).domain == "khac"


def test_holdout_domain_accuracy_does_not_regress() -> None:
    letters = [json.loads(line) for line in HOLDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    right = sum(classify(x["text"], Extraction()).domain == x["gold"]["domain"] for x in letters)
    assert right / len(letters) >= 0.78  # keywords alone were 0.717


def test_classification_with_the_field_classifier_stays_fast() -> None:
    letters = [json.loads(line)["text"] for line in HOLDOUT.read_text(encoding="utf-8").splitlines()[:20]]
    for text in letters[:3]:
        classify(text, Extraction())  # warm-up: models and underthesea load
    start = time.perf_counter()
    for text in letters:
        classify(text, Extraction())
    assert (time.perf_counter() - start) / len(letters) <= 0.050


def test_a_field_classifier_builds_saves_and_reloads(tmp_path: Path) -> None:
    samples = [
        ("Đề nghị sửa chữa con đường liên thôn bị xuống cấp, nhiều ổ gà.", "giao_thong"),
        ("Trạm y tế xã thiếu thuốc bảo hiểm y tế cho người bệnh.", "y_te"),
        ("Nhà trường thu học phí cao hơn quy định.", "giao_duc"),
        ("Tôi khiếu nại việc thu hồi đất của gia đình tôi.", "dat_dai"),
    ]
    letters = [DomainLetter(f"T{i}", text, dom, f"g{i % 4}") for i, (text, dom) in enumerate(samples * 3)]
    meta = build_domain_model(tmp_path, folds=1, epochs=3, letters=letters)
    assert meta["petitions"]["gate"] == {"min_score": 1.0, "margin": 1.0}
    model = load_domain_model(tmp_path / DOMAIN_MODEL_NAME)
    assert model.decide({}, "Trạm y tế xã thiếu thuốc bảo hiểm y tế.") in DOMAINS
    assert model.decide({"dat_dai": 3.0}, "bất kỳ") == "dat_dai"  # confident keywords decide alone
