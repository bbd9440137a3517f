"""The store's review-desk methods on SQLite and PostgreSQL: save_review (optimistic locking, one
transaction, corrections + audit), the review listing, letters per day, accounts and sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import event

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


def test_review_page_reads_one_page_with_limit_and_offset(store: Store) -> None:
    n = 240
    for i in range(1, n + 1):
        reasons = ["low_confidence"] if i % 3 == 0 else (["mixed", "title_mismatch"] if i % 5 == 0 else [])
        route = make_route(due_date=dt.date(2026, 12, 1) + dt.timedelta(days=i % 9)) if i % 7 else make_route(
            agency_id="so_noi_vu:ninh-binh", agency_name="Sở Nội vụ tỉnh Ninh Bình", due_date=None)
        store.save(make_record(id=letter_id(i), status="needs_review" if reasons else "routed",
                               needs_review=bool(reasons), review_reasons=reasons,
                               category="to_cao" if i % 2 else "khieu_nai", route=route,
                               received_date=dt.date(2026, 11, 1) + dt.timedelta(days=i % 13)), make_pages(1))
    everything = [r.letter_id for r in store.review_rows()]
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(store._engine, "before_cursor_execute", seen)
    try:
        page = store.review_page(limit=25, offset=50)
    finally:
        event.remove(store._engine, "before_cursor_execute", seen)
    assert [r.letter_id for r in page.rows] == everything[50:75]
    assert page.total == n
    listing = [s for s in statements if "ORDER BY" in s.upper()]
    assert listing and all("LIMIT" in s.upper() and "OFFSET" in s.upper() for s in listing)

    low = [r for r in store.review_rows() if "low_confidence" in r.review_reasons]
    assert page.reason_counts["low_confidence"] == len(low) == n // 3
    assert page.reason_counts["mixed"] == page.reason_counts["title_mismatch"] == len(
        [i for i in range(1, n + 1) if i % 3 and i % 5 == 0])
    assert list(page.reason_counts)[0] == "low_confidence"  # most frequent first
    assert page.agencies == {"chu_tich_ubnd_xa:liem-ha": "Chủ tịch UBND xã Liêm Hà",
                             "so_noi_vu:ninh-binh": "Sở Nội vụ tỉnh Ninh Bình"}
    by_reason = store.review_page(reason="low_confidence", category="to_cao", limit=1000)
    assert [r.letter_id for r in by_reason.rows] == [r.letter_id for r in low if r.category == "to_cao"]
    assert by_reason.total == len(by_reason.rows)
    assert by_reason.reason_counts["low_confidence"] == len(by_reason.rows)  # counts ignore the reason filter…
    assert "mixed" in by_reason.reason_counts  # …so the other reasons stay visible
    mixed = store.review_page(reason="mixed", statuses=["needs_review"], agency_id="so_noi_vu:ninh-binh")
    assert {r.letter_id for r in mixed.rows} == {
        r.letter_id for r in store.review_rows(statuses=["needs_review"], agency_id="so_noi_vu:ninh-binh")
        if "mixed" in r.review_reasons}
    assert store.review_page(offset=n, limit=10).rows == [] and store.review_page(offset=n).total == n
    with pytest.raises(ValueError):
        store.review_page(reason="x%' OR 1=1 --")
    with pytest.raises(ValueError):
        store.review_page(limit=0)

    for k in (0, 1, 117, n - 1):
        assert store.review_neighbours(everything[k]) == (
            everything[k - 1] if k else None, everything[k + 1] if k + 1 < n else None)
    filtered = [r.letter_id for r in low if r.category == "to_cao"]
    assert store.review_neighbours(filtered[3], reason="low_confidence", category="to_cao") == (
        filtered[2], filtered[4])
    outside = next(i for i in everything if i not in filtered)
    assert store.review_neighbours(outside, reason="low_confidence", category="to_cao") == (None, filtered[0])


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


def test_change_password_keeps_only_the_changing_session(store: Store) -> None:
    accounts = Accounts(store)
    user = accounts.add("a", "$argon2id$old", "reviewer")
    other = accounts.add("b", "$argon2id$b", "reviewer")
    for token in ("1" * 64, "2" * 64):
        accounts.open_session(user.id, token, "c", dt.timedelta(hours=1))
    accounts.open_session(other.id, "3" * 64, "c", dt.timedelta(hours=1))
    assert accounts.change_password(user.id, "$argon2id$new", keep_session="1" * 64)
    assert accounts.session("1" * 64) is not None and accounts.session("2" * 64) is None
    assert accounts.session("3" * 64) is not None  # another user's session is untouched
    found = accounts.by_id(user.id)
    assert found is not None and found.password_hash == "$argon2id$new"
    assert accounts.change_password(user.id, "$argon2id$newer")  # no session kept: all closed
    assert accounts.session("1" * 64) is None
    assert not accounts.change_password(9999, "$argon2id$x") and accounts.by_id(9999) is None
