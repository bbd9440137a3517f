"""The store on SQLite and PostgreSQL (see the ``store_url`` fixture in conftest.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select
from sqlalchemy.pool import NullPool

from models.record import (
    Accused,
    ErrorInfo,
    LegacyUnits,
    LetterRecord,
    Location,
    PageText,
    Petitioner,
    Route,
)
from models.store import Store
from models.tables import Base, Letter, QueueItem
from petitions.errors import NotFoundError, StoreUnavailableError
from petitions.settings import Settings

TODAY = dt.date(2026, 12, 1)


def letter_id(n: int) -> str:
    return hashlib.sha256(f"letter-{n}".encode()).hexdigest()


def make_route(**overrides: Any) -> Route:
    values: dict[str, Any] = {
        "agency_kind": "chu_tich_ubnd_xa",
        "unit": "Liêm Hà",
        "agency_id": "chu_tich_ubnd_xa:liem-ha",
        "agency_name": "Chủ tịch UBND xã Liêm Hà",
        "action": "forward",
        "rule": "R1",
        "due_date": dt.date(2026, 12, 7),
    }
    return Route(**{**values, **overrides})


def make_record(**overrides: Any) -> LetterRecord:
    """A full routed letter record; override any field (``id`` defaults to letter_id(1))."""
    values: dict[str, Any] = {
        "id": letter_id(1),
        "source": "inbox/2026-11-25/scan_0042.pdf",
        "status": "routed",
        "pages": 2,
        "text_source": "ocr",
        "ocr_confidence": 0.91,
        "text": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nĐƠN KHIẾU NẠI",
        "petitioners": [
            Petitioner(
                name="Nguyễn Văn An",
                id_number="035080001234",
                address="xóm 3, xã Thanh Hà, huyện Thanh Liêm, tỉnh Hà Nam",
            )
        ],
        "signatory_count": 1,
        "location": Location(
            as_written="xóm 3, xã Thanh Hà, huyện Thanh Liêm, tỉnh Hà Nam",
            province="Ninh Bình",
            commune="Liêm Hà",
            legacy=LegacyUnits(province="Hà Nam", district="Thanh Liêm", commune="Thanh Hà"),
        ),
        "subject": "Khiếu nại Quyết định 245/QĐ-UBND về thu hồi đất",
        "accused": Accused(name="Trần Văn Hùng", position="cán bộ địa chính", organization="UBND xã Liêm Hà"),
        "decision_refs": ["245/QĐ-UBND"],
        "category": "khieu_nai",
        "category_confidence": 0.93,
        "title_category": "khieu_nai",
        "complaint_round": 1,
        "domain": "dat_dai",
        "route": make_route(),
        "received_date": dt.date(2026, 11, 25),
        "letter_date": dt.date(2026, 11, 20),
        "category_signals": ["tiêu đề: ĐƠN KHIẾU NẠI"],
        "model_version": "test-1",
    }
    return LetterRecord(**{**values, **overrides})


def make_pages(n: int = 2) -> list[PageText]:
    return [
        PageText(
            number=i,
            text=f"Trang {i}: Kính gửi Chủ tịch UBND xã Liêm Hà",
            source="ocr",
            confidence=0.9,
            word_count=8,
            low_confidence_words=["Liêm"] if i == 1 else [],
            preparation=["deskew 1.5°"] if i == 1 else [],
        )
        for i in range(1, n + 1)
    ]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store(store_url) as s:
        s.migrate()
        yield s


def count(store: Store, model: type[Base]) -> int:
    with store._session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# ---- schema ---------------------------------------------------------------------------------------


def test_migrate_twice_is_idempotent(store_url: str) -> None:
    with Store(store_url) as s:
        assert s.schema_revision() is None
        s.migrate()
        s.save(make_record(), make_pages())
        s.migrate()
        assert s.schema_revision() == "0004"
        assert s.get(letter_id(1)) == make_record()
        engine = create_engine(store_url, poolclass=NullPool)
        try:
            tables = set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert {"letters", "pages", "queue_items", "audit_log", "corrections", "alembic_version"} <= tables


def test_migrations_match_the_models(store: Store) -> None:
    with store._connect(write=False) as conn:
        changes = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert changes == []


def test_open_creates_the_sqlite_folder_and_migrates(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var" / "nested")
    with Store.open(settings) as s:
        assert s.schema_revision() == "0004"
    assert (tmp_path / "var" / "nested" / "petitions.db").is_file()


# ---- the write path ---------------------------------------------------------------------------


def test_round_trip_of_a_full_record(store: Store) -> None:
    record = make_record()
    store.save(record, make_pages())
    got = store.get(record.id)
    assert got == record
    assert got is not None and got.route is not None
    assert got.route.due_date == dt.date(2026, 12, 7)
    assert got.location is not None and got.location.legacy is not None
    assert got.location.legacy.district == "Thanh Liêm"
    assert got.petitioners[0].name == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", got.text or "")
    assert store.get_pages(record.id) == make_pages()
    assert store.get(letter_id(99)) is None
    assert store.get_pages(letter_id(99)) == []


def test_nfd_input_is_stored_as_nfc(store: Store) -> None:
    subject = "Tố cáo cán bộ địa chính"
    decomposed = unicodedata.normalize("NFD", subject)
    assert decomposed != subject
    store.save(make_record(subject=decomposed), [PageText(number=1, text=decomposed, source="text_layer")])
    got = store.get(letter_id(1))
    assert got is not None and got.subject == subject
    assert store.get_pages(letter_id(1))[0].text == subject


def test_resave_is_idempotent_and_audits_changes(store: Store) -> None:
    record = make_record()
    store.save(record, make_pages())
    store.save(record, make_pages())
    assert count(store, Letter) == 1
    assert count(store, QueueItem) == 1
    assert [a.action for a in store.audit(record.id)] == ["stored"]

    changed = make_record(subject="Khiếu nại về bồi thường đất", category_confidence=0.8)
    store.save(changed, make_pages(), actor="clerk:lan")
    store.save(changed, make_pages(), actor="clerk:lan")
    assert count(store, Letter) == 1
    assert count(store, QueueItem) == 1
    audit = store.audit(record.id)
    assert [a.action for a in audit] == ["stored", "reprocessed"]
    assert audit[1].actor == "clerk:lan"
    assert audit[1].before == {"category_confidence": 0.93, "subject": record.subject}
    assert audit[1].after == {"category_confidence": 0.8, "subject": changed.subject}
    assert audit[1].at.tzinfo is not None
    assert store.get(record.id) == changed
    with store._session() as session:
        assert session.scalar(select(Letter.version)) == 2

    store.save(changed, make_pages(3))  # only the pages changed
    audit = store.audit(record.id)
    assert [a.action for a in audit] == ["stored", "reprocessed", "reprocessed"]
    assert set(audit[2].after or {}) == {"page_texts"}
    assert len(store.get_pages(record.id)) == 3


def test_resave_keeps_the_queue_status(store: Store) -> None:
    store.save(make_record(), make_pages())
    store.set_queue_status(letter_id(1), "assigned", actor="clerk:lan")
    store.save(make_record(needs_review=True, review_reasons=["low_confidence"]), make_pages())
    [row] = store.queue()
    assert row.status == "assigned"
    assert [a.action for a in store.audit(letter_id(1))] == ["stored", "queue_status", "reprocessed"]

    moved = make_route(agency_id="chu_tich_ubnd_tinh:ninh-binh", agency_kind="chu_tich_ubnd_tinh",
                       agency_name="Chủ tịch UBND tỉnh Ninh Bình", unit="Ninh Bình")
    store.save(make_record(route=moved), make_pages())
    [row] = store.queue()
    assert (row.agency_id, row.status) == ("chu_tich_ubnd_tinh:ninh-binh", "new")


def test_set_queue_status_checks_its_input(store: Store) -> None:
    store.save(make_record(), make_pages())
    with pytest.raises(ValueError):
        store.set_queue_status(letter_id(1), "lost")
    with pytest.raises(NotFoundError):
        store.set_queue_status(letter_id(2), "assigned")


def test_quarantined_record_has_no_queue_item(store: Store) -> None:
    quarantined = LetterRecord(
        id=letter_id(2),
        source="inbox/locked.pdf",
        status="quarantined",
        error=ErrorInfo(code="encrypted_pdf", message="PDF có mật khẩu"),
    )
    store.save(quarantined, [])
    assert store.get(quarantined.id) == quarantined
    assert store.queue() == []
    assert store.is_complete(quarantined.id)

    # A routed letter that is reprocessed into quarantine leaves its queue.
    store.save(make_record(), make_pages())
    assert len(store.queue()) == 1
    store.save(make_record(status="quarantined", route=None), make_pages())
    assert store.queue() == []


# ---- reads ------------------------------------------------------------------------------------


def _three_letters(store: Store) -> None:
    store.save(make_record(id=letter_id(1), route=make_route(due_date=dt.date(2026, 11, 28))), make_pages())
    store.save(
        make_record(id=letter_id(2), category="to_cao", route=make_route(due_date=dt.date(2026, 12, 5))),
        make_pages(),
    )
    other = make_route(
        agency_kind="chu_tich_ubnd_tinh", unit="Ninh Bình", agency_id="chu_tich_ubnd_tinh:ninh-binh",
        agency_name="Chủ tịch UBND tỉnh Ninh Bình", due_date=dt.date(2026, 11, 20),
    )
    store.save(make_record(id=letter_id(3), route=other), make_pages())
    store.save(LetterRecord(id=letter_id(4), source="inbox/empty.pdf", status="quarantined"), [])
    # a proposed route waits in the review queue, not in the agency's queue
    store.save(make_record(id=letter_id(5), status="needs_review", needs_review=True, route=other), make_pages())


def test_queue_listing_and_overdue(store: Store) -> None:
    _three_letters(store)
    rows = store.queue(today=TODAY)
    assert [r.letter_id for r in rows] == [letter_id(3), letter_id(1), letter_id(2)]  # by due date
    assert [r.overdue for r in rows] == [True, True, False]

    commune = store.queue("chu_tich_ubnd_xa:liem-ha", today=TODAY)
    assert [r.letter_id for r in commune] == [letter_id(1), letter_id(2)]
    first = commune[0]
    assert first.agency_name == "Chủ tịch UBND xã Liêm Hà"
    assert (first.status, first.category, first.source) == ("new", "khieu_nai", "inbox/2026-11-25/scan_0042.pdf")
    assert first.subject == "Khiếu nại Quyết định 245/QĐ-UBND về thu hồi đất"
    assert first.due_date == dt.date(2026, 11, 28)

    store.set_queue_status(letter_id(1), "answered")
    assert not store.queue("chu_tich_ubnd_xa:liem-ha", today=TODAY)[0].overdue  # answered: not overdue
    assert store.queue("nobody") == []


def test_summary_counts(store: Store) -> None:
    _three_letters(store)
    store.set_queue_status(letter_id(2), "closed")
    summary = store.summary(today=TODAY)
    assert summary["letters"] == 5
    assert summary["needs_review"] == 1
    assert summary["by_status"] == {"routed": 3, "needs_review": 1, "quarantined": 1}
    assert summary["by_category"] == {"khieu_nai": 3, "to_cao": 1}
    assert summary["queues"] == {
        "chu_tich_ubnd_tinh:ninh-binh": {
            "agency_name": "Chủ tịch UBND tỉnh Ninh Bình", "total": 1, "open": 1, "overdue": 1,
            "by_status": {"new": 1},
        },
        "chu_tich_ubnd_xa:liem-ha": {
            "agency_name": "Chủ tịch UBND xã Liêm Hà", "total": 2, "open": 1, "overdue": 1,
            "by_status": {"new": 1, "closed": 1},
        },
    }


def test_completed_ids_for_resuming_a_backlog(store: Store) -> None:
    for n in range(1, 4):
        store.save(make_record(id=letter_id(n)), make_pages())
    wanted = [letter_id(n) for n in range(0, 1200)]  # more than one IN (...) chunk
    assert store.completed_ids(wanted) == {letter_id(1), letter_id(2), letter_id(3)}
    assert store.completed_ids([]) == set()
    assert store.is_complete(letter_id(2))
    assert not store.is_complete(letter_id(7))


def test_resolve_id_by_prefix(store: Store) -> None:
    a, b = "ab12cd34" + "0" * 56, "ab12cd34" + "f" * 56
    store.save(make_record(id=a), [])
    store.save(make_record(id=b), [])
    assert store.resolve_id("AB12CD340") == a
    assert store.resolve_id(" ab12cd34f ") == b
    assert store.resolve_id("ab12cd34") is None  # ambiguous
    assert store.resolve_id("ab12cd3") is None  # too short
    assert store.resolve_id("ab12cd3%") is None  # not hex
    assert store.resolve_id("99999999") is None
    assert store.resolve_id(a) == a


def test_audit_lists_all_letters_oldest_first(store: Store) -> None:
    store.save(make_record(id=letter_id(1)), [])
    store.save(make_record(id=letter_id(2)), [], actor="import")
    rows = store.audit()
    assert [(r.letter_id, r.action, r.actor) for r in rows] == [
        (letter_id(1), "stored", "pipeline"),
        (letter_id(2), "stored", "import"),
    ]
    assert rows[0].after == {
        "status": "routed", "category": "khieu_nai", "agency_id": "chu_tich_ubnd_xa:liem-ha", "needs_review": False,
    }
    assert [r.letter_id for r in store.audit(limit=1)] == [letter_id(2)]


def test_logs_carry_ids_not_contents(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    record = make_record()
    store.save(record, make_pages())
    store.save(make_record(subject="Đơn tố cáo mới"), make_pages())
    assert record.id in caplog.text
    for secret in ("Nguyễn Văn An", "035080001234", "Khiếu nại", "Đơn tố cáo", "Kính gửi"):
        assert secret not in caplog.text


# ---- concurrency and failures ------------------------------------------------------------------


def test_concurrent_saves_from_four_threads(store_url: str) -> None:
    with Store(store_url) as s:
        s.migrate()
        errors: list[BaseException] = []
        barrier = threading.Barrier(4)

        def worker(t: int) -> None:
            try:
                barrier.wait()
                for n in range(25):
                    # Threads overlap on ids (n % 10 is shared) to exercise upsert races too.
                    s.save(make_record(id=letter_id(n if n < 10 else 100 * t + n)), make_pages())
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert errors == []
        assert count(s, Letter) == 10 + 4 * 15
        assert count(s, QueueItem) == 10 + 4 * 15
        assert len([a for a in s.audit() if a.action == "stored"]) == 70


def test_unreachable_postgres_raises_store_unavailable() -> None:
    s = Store("postgresql+psycopg://clerk:s3cr3t-pw@127.0.0.1:1/petitions?connect_timeout=3")
    with pytest.raises(StoreUnavailableError) as info:
        s.migrate()
    message = str(info.value)
    assert "s3cr3t-pw" not in message
    assert "127.0.0.1:1" in message
    with pytest.raises(StoreUnavailableError):
        s.get(letter_id(1))
    s.close()


def test_unopenable_sqlite_raises_store_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError):
        Store(f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}").migrate()


def test_malformed_url_raises_store_unavailable() -> None:
    with pytest.raises(StoreUnavailableError):
        Store("not a url")
    with pytest.raises(StoreUnavailableError):
        Store("nosuchdb://host/db")
