"""Duplicates: near-duplicates of the same writer are linked to the earlier letter and filed."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from models.record import LetterRecord, Petitioner
from models.store import Store
from petitions.settings import Settings
from routing.duplicates import DUPLICATE_RULE, DuplicateIndex, mark_duplicate, minhash, similarity
from tests.routing_helpers import analysed, fixture_letters

SETTINGS = Settings(province="Ninh Bình")


def _resent(text: str) -> str:
    """The same letter sent again: new date, one sentence added, without tone marks in one line."""
    lines = text.splitlines()
    out = [("Ninh Bình, ngày 02 tháng 12 năm 2026" if "ngày" in ln and "tháng" in ln and len(ln) < 60 else ln)
           for ln in lines]
    out.insert(len(out) // 2, "Tôi đã gửi đơn một lần nhưng đến nay chưa nhận được trả lời.")
    return "\n".join(out)


def _rec(letter_id: str, text: str, name: str | None, received: dt.date = dt.date(2026, 11, 1)) -> LetterRecord:
    return LetterRecord(id=letter_id, source=letter_id, status="routed", text=text, received_date=received,
                        petitioners=[Petitioner(name=name)] if name else [])


def test_resent_letter_is_found_and_other_writers_are_not() -> None:
    letters = [x for x in fixture_letters() if not x["gold"]["anonymous"]][:120]
    index = DuplicateIndex()
    for x in letters:
        rec = _rec(x["id"], x["text"], x["gold"]["petitioner_names"][0])
        assert index.find(rec) is None or x["id"] == "never"
        index.add(rec)
    for x in letters[:20]:
        again = _rec(x["id"] + "-again", _resent(x["text"]), x["gold"]["petitioner_names"][0],
                     received=dt.date(2026, 12, 2))
        assert index.find(again) == x["id"]
        # the same content signed by someone else is another person's letter
        other = _rec(x["id"] + "-other", _resent(x["text"]), "Hoàng Thị Mận")
        assert index.find(other) is None


def test_unaccented_resubmission_same_writer() -> None:
    from petitions.text import fold

    x = next(x for x in fixture_letters() if not x["gold"]["anonymous"])
    a = _rec("a", x["text"], x["gold"]["petitioner_names"][0])
    b = _rec("b", fold(x["text"]), fold(x["gold"]["petitioner_names"][0]))
    assert similarity(minhash(a.text or ""), minhash(b.text or "")) > 0.95
    index = DuplicateIndex()
    index.add(a)
    assert index.find(b) == "a"
    assert index.find(a) is None  # a letter is never its own duplicate (same id = same file)


def test_earliest_original_wins() -> None:
    x = fixture_letters()[5]
    name = x["gold"]["petitioner_names"][0] if x["gold"]["petitioner_names"] else None
    index = DuplicateIndex()
    index.add(_rec("late", x["text"], name, dt.date(2026, 11, 20)))
    index.add(_rec("early", _resent(x["text"]), name, dt.date(2026, 11, 2)))
    assert index.find(_rec("new", x["text"] + "\nXin cảm ơn.", name, dt.date(2026, 12, 1))) == "early"


def test_duplicate_is_filed_not_forwarded_and_store_index(tmp_path: Path) -> None:
    x = next(x for x in fixture_letters() if x["gold"]["category"] == "to_cao" and not x["gold"]["anonymous"])
    first = analysed(x, SETTINGS, letter_id=hashlib.sha256(b"first").hexdigest())
    assert first.route is not None and first.route.action in ("forward", "accept")
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    store.migrate()
    store.save(first, [])
    index = DuplicateIndex.from_store(store)
    assert first.id in index
    second = analysed({**x, "text": _resent(x["text"])}, SETTINGS, letter_id=hashlib.sha256(b"second").hexdigest())
    original = index.find(second)
    assert original == first.id
    filed = mark_duplicate(second, original, SETTINGS)
    assert filed.duplicate_of == first.id
    assert filed.route is not None
    assert (filed.route.agency_kind, filed.route.action, filed.route.rule) == ("luu_don", "file", DUPLICATE_RULE)
    assert filed.route.agency_id == "luu_don:ninh-binh"
    store.save(filed, [])
    assert store.queue("luu_don:ninh-binh")[0].letter_id == filed.id
