"""The passage reader: paragraphs labelled with their own matter, trained, shipped and agreeing with
the letter classifier before a paragraph counts as a second matter without a signal of its class."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from classifiers.category import model_paragraph_matters
from classifiers.passages import passage_examples
from classifiers.rules import load_rules
from classifiers.textcat import predict
from classifiers.train import TrainLetter
from classifiers.versions import MODELS_DIR, PASSAGES_DIR, active_model, active_version, load_model
from fixtures.letters import LETTERS_DIR, PASSAGES_PATH, read_jsonl
from models.record import CATEGORIES

_STORY = ("Ngày 12/3/2026 Ủy ban nhân dân xã ban hành Quyết định số 45/QĐ-UBND thu hồi 200 m2 đất vườn của gia đình "
          "tôi để làm đường, nhưng giá bồi thường chỉ bằng một nửa giá thị trường.")
_WOVEN = "Hôm đo đạc, tôi thấy ông Lê Văn Khang, cán bộ địa chính, nhận phong bì của nhà hàng xóm để đo thêm cho họ."
_ASK = ("Tôi đề nghị Chủ tịch Ủy ban nhân dân xã xem xét lại Quyết định số 45/QĐ-UBND, bồi thường đúng giá cho "
        "gia đình tôi theo quy định của pháp luật.")


def _letter(body: str, *, mixed: bool = False, passages: tuple[tuple[str, str], ...] = ()) -> TrainLetter:
    return TrainLetter("T-1", "ĐƠN KHIẾU NẠI\n\n" + body, "khieu_nai", "hand:T-1", mixed=mixed, passages=passages)


def test_a_marked_passage_is_the_second_matter_and_the_rest_of_its_paragraph_the_letters() -> None:
    letter = _letter(f"{_STORY} {_WOVEN}\n{_ASK}\n", mixed=True, passages=((_WOVEN, "to_cao"),))
    examples = passage_examples(letter)
    assert (_WOVEN, "to_cao") in examples
    assert (_STORY, "khieu_nai") in examples  # the paragraph without the marked passage
    assert (_ASK, "khieu_nai") in examples
    assert not any(_WOVEN in text for text, label in examples if label == "khieu_nai")
    # a paragraph mostly made of the marked passage is the second matter's, whole
    mostly = f"{_WOVEN} Tôi rất bức xúc."
    assert (mostly, "to_cao") in passage_examples(_letter(f"{_STORY}\n{mostly}\n", mixed=True,
                                                          passages=((_WOVEN, "to_cao"),)))
    # the title is not read; a single-matter letter's paragraphs are all its category
    assert passage_examples(_letter(f"{_STORY}\n{_ASK}\n")) == [(_STORY, "khieu_nai"), (_ASK, "khieu_nai")]
    # a mixed letter with no marks says nothing about its paragraphs
    assert passage_examples(_letter(f"{_STORY} {_WOVEN}\n{_ASK}\n", mixed=True)) == []


def test_the_marked_passages_are_in_their_letters_which_are_mixed_of_that_category() -> None:
    rows = read_jsonl(PASSAGES_PATH)
    assert len(rows) >= 200
    letters = {}
    for row in rows:
        if row["file"] not in letters:
            letters[row["file"]] = {x["id"]: x for x in read_jsonl(LETTERS_DIR / row["file"])}
        letter = letters[row["file"]][row["id"]]
        assert letter["gold"]["mixed"] and letter["gold"]["secondary_category"] == row["secondary_category"]
        assert row["passages"] and all(p in letter["text"] and "\n" not in p for p in row["passages"])


def test_the_shipped_model_has_a_passage_reader_and_reads_paragraphs_with_both() -> None:
    model = active_model()
    assert model is not None and model.passage_reader and model.passage_nlp is not None
    meta = model.meta["petitions"]["passage_reader"]
    assert meta["marked_letters"] >= 150 and set(meta["by_category"]) == set(CATEGORIES)
    texts = [_WOVEN, _STORY]
    both = model.read_paragraphs(texts)
    letter, reader = model.predict_texts(texts), predict(model.passage_nlp, texts)
    assert both is not None and letter is not None
    assert np.allclose(both, np.minimum(letter, reader))
    # the two readers differ: the passage reader was taught the woven-in sentence's kind of words
    assert not np.allclose(letter, reader)


def test_a_model_without_a_passage_reader_still_loads_and_reads_with_the_letter_classifier(tmp_path: Path) -> None:
    version = active_version()
    assert version is not None
    old = tmp_path / version
    shutil.copytree(MODELS_DIR / version, old, ignore=shutil.ignore_patterns(PASSAGES_DIR))
    model = load_model(old)
    assert not model.passage_reader
    assert np.allclose(model.read_paragraphs([_WOVEN]), model.predict_texts([_WOVEN]))


class _Confirmed:
    """A stand-in pair of readers that agree on one class for every paragraph."""

    def __init__(self, category: str, confirmed: bool = True) -> None:
        self.row = [0.9 if c == category else 0.1 / 3 for c in CATEGORIES]
        self.passage_reader = confirmed

    def read_paragraphs(self, texts: list[str]) -> np.ndarray:
        return np.array([self.row] * len(texts))


_FAMILY = ("Gia đình tôi có bốn người, vợ tôi làm ruộng, hai con đang đi học ở trường tiểu học của xã, cuộc sống "
           "trông cả vào mấy sào ruộng và chuồng lợn.")


@pytest.mark.parametrize(("read", "confirmed", "found"), [
    ("to_cao", True, ["to_cao"]),  # confirmed by the passage reader: no signal needed
    ("to_cao", False, []),  # the letter classifier alone needs a signal of the class
    ("khieu_nai", True, []),  # a complaint always needs one (such readings were a complaint's own story)
])
def test_a_confirmed_reading_counts_without_a_signal_only_for_some_classes(read: str, confirmed: bool,
                                                                           found: list[str]) -> None:
    rules = load_rules()
    assert rules.set.mixed.paragraph_unsupported_min <= 0.9
    matters = model_paragraph_matters(_FAMILY + "\n", _Confirmed(read, confirmed), "phan_anh", rules)
    assert [m.category for m in matters] == found


def test_the_passages_file_names_only_training_or_tuning_sets() -> None:
    from fixtures.letters import TRAINING_HANDWRITTEN_PATHS

    names = {row["file"] for row in read_jsonl(PASSAGES_PATH)}
    allowed = {p.name for p in TRAINING_HANDWRITTEN_PATHS} | {f"tuning{n}.jsonl" for n in range(8, 13)}
    assert names <= allowed, "only letters read for training or tuning are marked; the others measure mail never read"


def test_a_confirmed_reading_of_a_signal_that_is_no_support_does_not_count() -> None:
    rules = load_rules()
    waited = "Tôi đã gửi đơn này một lần từ tháng 5 nhưng đến nay vẫn chưa nhận được trả lời của xã.\n"
    # the writer's own earlier letter unanswered: a reflection's words, about his own matter
    assert model_paragraph_matters(waited, _Confirmed("phan_anh"), "to_cao", rules) == []
    assert [m.category for m in model_paragraph_matters(_FAMILY + "\n", _Confirmed("phan_anh"), "to_cao", rules)] == [
        "phan_anh"]
