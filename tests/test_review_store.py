"""The store's review-desk methods on SQLite and PostgreSQL: save_review (optimistic locking, one
transaction, corrections + audit), the review listing, letters per day, accounts and sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from models.accounts import Accounts, DuplicateAccountError
from models.rows import VersionConflict
from models.store import Store
from tests.test_store import letter_id, make_pages, make_record, make_route


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store(store_url) as s:
        s.migrate()
        yield s


def test_save_review_corrects_reroutes_and_audits_in_one_go(store: Store) -> None:
    store.save(make_record(status="needs_review", needs_review=True, review_reasons=["low_confidence"]), make_pages())
    assert store.version(letter_id(1)) == 1 and store.queue() == []
    new_route = make_route(agency_kind="chu_tich_ubnd_tinh", unit="Ninh Bình", agency_id="chu_tich_ubnd_tinh:ninh-binh",
                           agency_name="Chủ tịch UBND tỉnh Ninh Bình", rule="R15").model_dump(mode="json")
    result = store.save_review(
        letter_id(1), 1,
        {"category": "to_cao", "route": new_route, "status": "routed", "needs_review": False, "review_reasons": []},
        "chuyên viên A", "nội dung là tố cáo", derived={"route"},
    )
    assert result.version == 2 and result.corrections == 1
    assert set(result.changed) == {"category", "route", "status", "needs_review", "review_reasons"}
    record = store.get(letter_id(1))
    assert record is not None and record.category == "to_cao" and record.status == "routed"
    assert [r.agency_id for r in store.queue()] == ["chu_tich_ubnd_tinh:ninh-binh"]  # it entered its queue
    [c] = store.corrections()
    assert (c.field, c.before, c.after, c.actor, c.comment, c.model_version) == (
        "category", "khieu_nai", "to_cao", "chuyên viên A", "nội dung là tố cáo", "test-1")
    audit = store.audit(letter_id(1))[-1]
    assert audit.action == "reviewed" and audit.before["route"]["rule"] == "R1"
    assert audit.after["route"]["rule"] == "R15" and audit.after["comment"] == "nội dung là tố cáo"
    assert [a.action for a in store.audit(action="reviewed")] == ["reviewed"]


def test_save_review_with_a_stale_version_changes_nothing(store: Store) -> None:
    store.save(make_record(), make_pages())
    store.save_review(letter_id(1), 1, {"domain": "moi_truong"}, "a")
    with pytest.raises(VersionConflict) as caught:
        store.save_review(letter_id(1), 1, {"domain": "xay_dung"}, "b")
    assert (caught.value.expected, caught.value.current, caught.value.actor) == (1, 2, "a")
    record = store.get(letter_id(1))
    assert record is not None and record.domain == "moi_truong"
    assert [c.actor for c in store.corrections()] == ["a"]
    with pytest.raises(ValueError):
        store.save_review(letter_id(1), 2, {"text": "x"}, "b")
    with pytest.raises(ValueError):
        store.save_review(letter_id(1), 2, {"category": "khong_co"}, "b")
    assert store.version(letter_id(1)) == 2


def test_review_rows_and_letters_per_day(store: Store) -> None:
    day = dt.date(2026, 11, 25)
    store.save(make_record(), make_pages())
    store.save(make_record(id=letter_id(2), status="needs_review", needs_review=True, review_reasons=["mixed"],
                           route=make_route(due_date=dt.date(2026, 12, 20))), make_pages())
    store.save(make_record(id=letter_id(3), category="to_cao", received_date=day + dt.timedelta(days=1)), make_pages())
    rows = store.review_rows()
    assert [r.letter_id for r in rows][0] == letter_id(2) and rows[0].review_reasons == ("mixed",)
    assert [r.letter_id for r in store.review_rows(category="to_cao")] == [letter_id(3)]
    assert [r.letter_id for r in store.review_rows(statuses=["needs_review"])] == [letter_id(2)]
    assert store.letters_per_day(day) == {day: 2, day + dt.timedelta(days=1): 1}


def test_accounts_and_sessions(store: Store) -> None:
    accounts = Accounts(store)
    user = accounts.add("chuyên viên A", "$argon2id$fake", "reviewer")
    with pytest.raises(DuplicateAccountError):
        accounts.add("chuyên viên A", "$argon2id$fake", "lead")
    with pytest.raises(ValueError):
        accounts.add("b", "$argon2id$fake", "superuser")
    accounts.open_session(user.id, "h" * 64, "csrf", dt.timedelta(hours=1))
    info = accounts.session("h" * 64)
    assert info is not None and info.account.name == "chuyên viên A" and info.csrf_token == "csrf"
    accounts.open_session(user.id, "e" * 64, "csrf2", dt.timedelta(seconds=-1))
    assert accounts.session("e" * 64) is None  # expired
    accounts.set_active(user.id, False)
    assert accounts.session("h" * 64) is None
    accounts.set_active(user.id, True)
    accounts.open_session(user.id, "k" * 64, "c", dt.timedelta(hours=1))
    accounts.close_session("k" * 64)
    assert accounts.session("k" * 64) is None
    assert [a.name for a in accounts.all()] == ["chuyên viên A"]
