"""The review desk's web app, server side: the real FastAPI app over a migrated temp SQLite store.

Log-in, roles, CSRF, security headers, page images (no path traversal), the queue, conflicts,
corrections with their audit and corrections rows, and re-routing on a category change.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from review.app import create_app
from review.auth import SESSION_COOKIE, LoginThrottle
from tests.review_helpers import (
    COMPLAINT_FIELD_CONFIDENCE,
    DENOUNCER,
    DENOUNCER_ID,
    PASSWORD,
    Seeded,
    csrf_of,
    login,
    record_of,
    seed_store,
)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Seeded]:
    s = seed_store(tmp_path)
    yield s
    s.store.close()


@pytest.fixture
def app(seeded: Seeded):  # noqa: ANN201
    return create_app(seeded.settings, seeded.store, throttle=LoginThrottle(max_failures=5, window=900))


def client_for(app, name: str | None = None) -> TestClient:  # noqa: ANN001
    client = TestClient(app)
    if name:
        assert login(client, name).status_code == 303
    return client


def letter_form(client: TestClient, letter_id: str, **changes: str) -> dict[str, str]:
    """The letter page's review form as a browser would submit it, with ``changes`` applied."""
    html = client.get(f"/letters/{letter_id}").text
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    form.update(re.findall(r'<input name="(p\d+_[a-z_]+)" value="([^"]*)"', html))
    checked = re.search(r'name="category" value="([a-z_]+)"[^>]*checked', html)
    assert checked
    form["category"] = checked.group(1)
    for name in ("domain", "complaint_round", "secondary_category"):
        select = re.search(rf'<select name="{name}">(.*?)</select>', html, re.S)
        assert select
        chosen = re.search(r'<option value="([^"]*)" selected', select.group(1))
        form[name] = chosen.group(1) if chosen else ""
    for name in ("mixed", "crime_signs", "party_discipline"):
        if re.search(rf'name="{name}" value="1"[^>]*checked', html):
            form[name] = "1"
    form.update(changes)
    return form


# ---- log-in, sessions, headers ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/queue", "/dashboard", "/audit", "/admin/users",
                                  "/letters/{id}", "/letters/{id}/pages/1.jpg"])
def test_every_page_needs_a_login(app, seeded: Seeded, path: str) -> None:  # noqa: ANN001
    client = client_for(app)
    response = client.get(path.format(id=seeded.complaint), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert client.post(f"/letters/{seeded.complaint}/save", data={"version": "1"},
                       follow_redirects=False).status_code == 303


def test_login_logout_and_wrong_password(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app)
    wrong = login(client, "chuyenvien", "sai-mat-khau-000")
    assert wrong.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng" in wrong.text
    assert login(client, "khong-co-ai").status_code == 401
    ok = login(client, "chuyenvien")
    assert ok.status_code == 303 and ok.headers["location"] == "/queue"
    cookie = ok.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    page = client.get("/queue")
    assert page.status_code == 200 and "Hàng chờ kiểm tra" in page.text
    assert client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False).status_code == 303
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_login_is_rate_limited(app) -> None:  # noqa: ANN001
    client = client_for(app)
    for _ in range(5):
        assert login(client, "chuyenvien", "doan-sai-mat-khau").status_code == 401
    blocked = login(client, "chuyenvien")  # even the right password waits now
    assert blocked.status_code == 429
    assert "thử lại sau" in blocked.text and int(blocked.headers["retry-after"]) > 0


def test_login_form_needs_its_csrf_token(app) -> None:  # noqa: ANN001
    client = client_for(app)
    response = client.post("/login", data={"name": "chuyenvien", "password": PASSWORD, "csrf_token": "x"})
    assert response.status_code == 403 and "CSRF" in response.text


def test_security_headers(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app)
    for response in (client.get("/login"), client_for(app, "chuyenvien").get(f"/letters/{seeded.complaint}")):
        h = response.headers
        assert "script-src 'self'" in h["content-security-policy"]
        assert "unsafe-inline" not in h["content-security-policy"]
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert h["x-frame-options"] == "DENY"
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
        assert h["cache-control"] == "no-store"
        assert "<script>" not in response.text and " style=" not in response.text  # no inline code
    assert client.get("/static/review.js").status_code == 200
    assert "cdn" not in client.get("/static/review.css").text.lower()


def test_post_without_csrf_token_is_rejected(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app, "chuyenvien")
    form = letter_form(client, seeded.complaint, category="to_cao")
    for token in (None, "sai", csrf_of(client_for(app, "chuyenvien2").get("/queue").text)):
        data = {k: v for k, v in form.items() if k != "csrf_token"}
        if token:
            data["csrf_token"] = token
        response = client.post(f"/letters/{seeded.complaint}/save", data=data, follow_redirects=False)
        assert response.status_code == 403 and "CSRF" in response.text
    preview = client.post(f"/letters/{seeded.complaint}/preview", data={"category": "to_cao"},
                          headers={"Accept": "application/json"})
    assert preview.status_code == 403
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert record_of(seeded.store, seeded.complaint).category == "khieu_nai"
    assert seeded.store.corrections() == []


# ---- roles and the denouncer's identity ------------------------------------------------------


def test_reviewer_cannot_reach_admin_pages_or_identity(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app, "chuyenvien")
    csrf = csrf_of(client.get("/queue").text)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/audit").status_code == 403
    assert client.post("/admin/users", data={"csrf_token": csrf, "name": "x", "role": "admin",
                                             "password": "mot-mat-khau-dai"}).status_code == 403
    page = client.get(f"/letters/{seeded.denunciation}")
    assert page.status_code == 200
    assert DENOUNCER not in page.text and DENOUNCER_ID not in page.text and "thôn Đông" not in page.text
    assert "[đã ẩn]" in page.text and "Trần Văn Hùng" in page.text  # the accused stays visible
    assert "/pages/1.jpg" not in page.text
    assert client.get(f"/letters/{seeded.denunciation}/pages/1.jpg").status_code == 403
    assert client.get(f"/letters/{seeded.denunciation}?identity=1").status_code == 403
    assert not [a for a in seeded.store.audit(seeded.denunciation) if a.action == "identity_viewed"]


def test_reclassifying_a_denunciation_does_not_reveal_its_writer(app, seeded: Seeded) -> None:  # noqa: ANN001
    lead = client_for(app, "lanhdao")
    form = letter_form(lead, seeded.denunciation, category="kien_nghi")
    assert lead.post(f"/letters/{seeded.denunciation}/save", data=form, follow_redirects=False).status_code == 303
    assert record_of(seeded.store, seeded.denunciation).category == "kien_nghi"
    reviewer = client_for(app, "chuyenvien")
    assert DENOUNCER not in reviewer.get(f"/letters/{seeded.denunciation}").text
    assert reviewer.get(f"/letters/{seeded.denunciation}/pages/1.jpg").status_code == 403


def test_lead_sees_identity_on_request_and_it_is_logged(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app, "lanhdao")
    hidden = client.get(f"/letters/{seeded.denunciation}")
    assert DENOUNCER not in hidden.text and "Hiện danh tính người tố cáo" in hidden.text
    shown = client.get(f"/letters/{seeded.denunciation}?identity=1")
    assert shown.status_code == 200 and DENOUNCER in shown.text and DENOUNCER_ID in shown.text
    image = client.get(f"/letters/{seeded.denunciation}/pages/1.jpg")
    assert image.status_code == 200 and image.content[:2] == b"\xff\xd8"
    views = [a for a in seeded.store.audit(seeded.denunciation) if a.action == "identity_viewed"]
    assert [(a.actor, a.after["what"]) for a in views] == [("lanhdao", "letter_page"), ("lanhdao", "page_image")]
    assert client.get("/audit").status_code == 200
    assert client.get("/admin/users").status_code == 403
    assert client_for(app, "quantri").get("/admin/users").status_code == 200


# ---- page images ------------------------------------------------------------------------------


def _dark_pixels(jpeg: bytes) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(jpeg)) as image:
        return sum(image.convert("L").point(lambda v: 255 if v < 60 else 0).histogram()[255:])


def test_restricted_roles_get_redacted_page_images_of_a_denunciation(app, seeded: Seeded) -> None:  # noqa: ANN001
    reviewer = client_for(app, "chuyenvien")
    page = reviewer.get(f"/letters/{seeded.denunciation}").text
    redacted_url = f"/letters/{seeded.denunciation}/redacted/1.jpg"
    assert redacted_url in page and "/pages/1.jpg" not in page and "đã che thông tin người tố cáo" in page
    redacted = reviewer.get(redacted_url)
    assert redacted.status_code == 200 and redacted.headers["content-type"] == "image/jpeg"
    assert redacted.content[:2] == b"\xff\xd8" and "no-store" in redacted.headers["cache-control"]
    original_url = f"/letters/{seeded.denunciation}/pages/1.jpg"
    for query in ("", "?identity=1"):
        refused = reviewer.get(original_url + query)  # refused server-side, whatever the page links to
        assert refused.status_code == 403 and refused.content[:2] != b"\xff\xd8"
    assert not [a for a in seeded.store.audit(seeded.denunciation) if a.action == "identity_viewed"]

    lead = client_for(app, "lanhdao")
    masked = lead.get(f"/letters/{seeded.denunciation}").text  # not revealed: the lead sees the redacted ones too
    assert redacted_url in masked and original_url not in masked
    assert lead.get(redacted_url).content == redacted.content
    assert not [a for a in seeded.store.audit(seeded.denunciation) if a.action == "identity_viewed"]
    original = lead.get(original_url)
    assert original.status_code == 200 and original.content[:2] == b"\xff\xd8"
    # the name, ID number, address and signature are blacked out: far more black than the original
    assert _dark_pixels(redacted.content) > 2 * _dark_pixels(original.content)
    revealed = lead.get(f"/letters/{seeded.denunciation}?identity=1").text
    assert original_url in revealed and redacted_url not in revealed
    admin = client_for(app, "quantri")
    assert admin.get(original_url).status_code == 200
    views = [(a.actor, a.after["what"], a.after.get("role")) for a in seeded.store.audit(seeded.denunciation)
             if a.action == "identity_viewed"]
    assert views == [("lanhdao", "page_image", "lead"), ("lanhdao", "letter_page", "lead"),
                     ("quantri", "page_image", "admin")]  # every access to the original is logged
    # a letter that protects nobody has no redacted images: its originals are shown
    assert reviewer.get(f"/letters/{seeded.complaint}/redacted/1.jpg").status_code == 404
    assert reviewer.get(f"/letters/{seeded.denunciation}/redacted/2.jpg").status_code == 404


def test_page_images_render_png_tiff_and_pdf(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app, "chuyenvien")
    for letter_id, page in ((seeded.complaint, 1), (seeded.reflection, 2)):
        response = client.get(f"/letters/{letter_id}/pages/{page}.jpg")
        assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
        assert response.content[:2] == b"\xff\xd8"
    missing = client.get(f"/letters/{seeded.recommendation}/pages/1.jpg")
    assert missing.status_code == 404 and "Không tìm thấy tệp gốc" in missing.text


def test_page_images_follow_the_archive(app, seeded: Seeded, tmp_path: Path) -> None:  # noqa: ANN001
    source = Path(record_of(seeded.store, seeded.complaint).source)
    archived = tmp_path / "archive" / "2026-11-30" / source.name
    archived.parent.mkdir(parents=True)
    source.rename(archived)
    seeded.store.log_event(seeded.complaint, "archived", {"to": str(archived)})
    assert client_for(app, "chuyenvien").get(f"/letters/{seeded.complaint}/pages/1.jpg").status_code == 200


@pytest.mark.parametrize("path", [
    "/letters/..%2F..%2F..%2Fetc%2Fpasswd/pages/1.jpg",
    "/letters/%2Fetc%2Fpasswd/pages/1.jpg",
    "/letters/{id}/pages/0.jpg",
    "/letters/{id}/pages/2.jpg",
    "/letters/{id}/pages/-1.jpg",
    "/letters/{id}/pages/..%2F..%2Fetc%2Fpasswd",
    "/letters/{id}/pages/1.jpg/../../../../etc/passwd",
    "/letters/{short}/pages/1.jpg",
])
def test_page_images_cannot_traverse_paths(app, seeded: Seeded, path: str) -> None:  # noqa: ANN001
    client = client_for(app, "chuyenvien")
    response = client.get(path.format(id=seeded.complaint, short=seeded.complaint[:12]))
    assert response.status_code in (404, 422)
    assert b"root:" not in response.content


# ---- per-field confidence ------------------------------------------------------------------------


def _field_rows(html: str) -> dict[str, tuple[str, str]]:
    """data-field -> (the row's class, the row's HTML) of the letter page's extracted-fields table."""
    table = re.search(r'<table class="fields" id="fields-table">(.*?)</table>', html, re.S)
    assert table
    rows: dict[str, tuple[str, str]] = {}
    for cls, key, body in re.findall(r'<tr class="([^"]*)" data-field="([a-z_]+)">(.*?)</tr>', table.group(1), re.S):
        rows.setdefault(key, (cls, body))
    return rows


def test_letter_page_shows_each_fields_confidence_and_flags_low_ones(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app, "chuyenvien")
    rows = _field_rows(client.get(f"/letters/{seeded.complaint}").text)
    for key, value in COMPLAINT_FIELD_CONFIDENCE.items():
        cls, body = rows[key]
        assert f"{value:.0%}" in body, key
        assert ("low-conf" in cls) == (value < 0.6), key
        assert ("thấp, cần đối chiếu" in body) == (value < 0.6), key
    assert "low-conf" in rows["accused"][0] and "warn" in rows["accused"][0]  # 42%: flagged
    assert 'class="conf' not in rows["incident_location"][1]  # no confidence for it: nothing shown, not 0%
    assert 'class="conf' not in rows["letter_date"][1]

    record = record_of(seeded.store, seeded.complaint)  # a zero is shown (and flagged), unlike a missing key
    seeded.store.save(record.model_copy(update={"field_confidence": {"subject": 0.0, "letter_date": 0.8}}),
                      seeded.store.get_pages(seeded.complaint))
    rows = _field_rows(client.get(f"/letters/{seeded.complaint}").text)
    assert "0%" in rows["subject"][1] and "low-conf" in rows["subject"][0]
    assert "80%" in rows["letter_date"][1] and "low-conf" not in rows["letter_date"][0]
    assert 'class="conf' not in rows["accused"][1]


def test_records_without_field_confidence_show_none(app, seeded: Seeded) -> None:  # noqa: ANN001
    from models.tables import Letter

    with seeded.store._session(write=True) as session:  # a record stored before the field existed
        letter = session.get(Letter, seeded.reflection)
        assert letter is not None
        letter.record = {k: v for k, v in letter.record.items() if k != "field_confidence"}
    client = client_for(app, "chuyenvien")
    for letter_id in (seeded.reflection, seeded.recommendation):
        html = client.get(f"/letters/{letter_id}").text
        assert 'class="conf' not in html and "low-conf" not in html
        assert "Độ tin cậy dưới" not in html
        assert "OCR" in html  # the reading-quality note is still there


def test_masked_identity_fields_keep_their_confidence(app, seeded: Seeded) -> None:  # noqa: ANN001
    record = record_of(seeded.store, seeded.denunciation)
    seeded.store.save(record.model_copy(update={"field_confidence": {"petitioners": 0.35, "accused": 0.9}}),
                      seeded.store.get_pages(seeded.denunciation))
    html = client_for(app, "chuyenvien").get(f"/letters/{seeded.denunciation}").text
    rows = _field_rows(html)
    assert "[đã ẩn]" in rows["petitioners"][1] and "35%" in rows["petitioners"][1]
    assert DENOUNCER not in html


# ---- the queue ---------------------------------------------------------------------------------


def test_queue_puts_review_first_with_filters_and_counts(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app, "chuyenvien")
    html = client.get("/queue").text
    order = [m for m in re.findall(r'data-href="/letters/([0-9a-f]{64})', html)]
    assert order[:2] == [seeded.complaint, seeded.reflection]  # needs_review first, earliest due first
    assert set(order[2:]) == {seeded.denunciation, seeded.recommendation}
    assert "Độ tin cậy phân loại thấp <b>1</b>" in html and "Tiêu đề khác nội dung <b>1</b>" in html
    by_reason = client.get("/queue?reason=title_mismatch").text
    assert re.findall(r'data-href="/letters/([0-9a-f]{64})', by_reason) == [seeded.reflection]
    by_category = client.get("/queue?category=to_cao&status=routed").text
    assert re.findall(r'data-href="/letters/([0-9a-f]{64})', by_category) == [seeded.denunciation]
    assert client.get("/queue?status=bogus&category=x&reason=y").status_code == 200  # ignored, not an error


BACKLOG = 300


def _backlog(seeded: Seeded) -> None:
    """BACKLOG more letters: a third needs review (low confidence or mixed), categories alternate."""
    from tests.test_store import letter_id, make_pages, make_record, make_route

    today = seeded.store.today()
    for i in range(100, 100 + BACKLOG):
        reasons = ["low_confidence"] if i % 3 == 0 else (["mixed"] if i % 3 == 1 and i % 2 else [])
        seeded.store.save(make_record(
            id=letter_id(i), status="needs_review" if reasons else "routed", needs_review=bool(reasons),
            review_reasons=reasons, category=("khieu_nai", "kien_nghi", "phan_anh")[i % 3],
            received_date=today - dt.timedelta(days=i % 20),
            route=make_route(due_date=today + dt.timedelta(days=i % 11)),
        ), make_pages(1))


def _ids(html: str) -> list[str]:
    return re.findall(r'<tr data-href="/letters/([0-9a-f]{64})', html)


def _link(html: str, link_id: str) -> str | None:
    found = re.search(rf'<a id="{link_id}" rel="[a-z]+" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_queue_is_paginated_with_filters_kept(app, seeded: Seeded) -> None:  # noqa: ANN001
    _backlog(seeded)
    client = client_for(app, "chuyenvien")
    everything = [r.letter_id for r in seeded.store.review_rows(statuses=("needs_review", "routed"))]
    assert len(everything) == BACKLOG + 4
    first = client.get("/queue").text
    assert _ids(first) == everything[:50]
    assert "Trang 1/7" in first and f"đơn 1–50 trong tổng số {BACKLOG + 4}" in first
    assert _link(first, "prev-page") is None and "‹ Trang trước" in first
    assert _link(first, "next-page") == "/queue?page=2" and "Trang sau ›" in first

    seen, url = [], "/queue"
    while url:  # following "Trang sau" visits every letter once, in queue order
        html = client.get(url).text
        seen += _ids(html)
        url = _link(html, "next-page")
    assert seen == everything

    wanted = [r.letter_id for r in seeded.store.review_rows(statuses=("needs_review", "routed"), category="khieu_nai")
              if "low_confidence" in r.review_reasons]
    assert len(wanted) == BACKLOG // 3 + 1  # and the seeded complaint
    url = "/queue?category=khieu_nai&reason=low_confidence&size=25&page=2"
    html = client.get(url).text
    assert _ids(html) == wanted[25:50]
    assert "Trang 2/5" in html and f"đơn 26–50 trong tổng số {len(wanted)}" in html
    for link in (_link(html, "next-page"), _link(html, "prev-page")):
        assert link and "category=khieu_nai" in link and "reason=low_confidence" in link and "size=25" in link
    assert _link(html, "prev-page") == "/queue?reason=low_confidence&category=khieu_nai&size=25"
    assert 'name="size" value="25"' in html  # the filter form keeps the page size too
    assert 'selected>Khiếu nại' in html and "Độ tin cậy phân loại thấp" in html
    last = client.get("/queue?category=khieu_nai&reason=low_confidence&size=25&page=999").text
    assert _ids(last) == wanted[100:] and "Trang 5/5" in last and _link(last, "next-page") is None
    # the letter page's previous/next follow the filtered queue across page boundaries
    letter = client.get(f"/letters/{wanted[25]}?category=khieu_nai&reason=low_confidence").text
    assert f'href="/letters/{wanted[24]}?' in letter and f'href="/letters/{wanted[26]}?' in letter
    assert client.get("/queue?page=abc&size=7").status_code == 200  # bad values: the defaults


# ---- reviewing: corrections, re-routing, confirmation, conflicts ------------------------------


def test_category_change_previews_and_saves_the_new_route(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app, "chuyenvien")
    form = letter_form(client, seeded.complaint, category="to_cao", comment="Nội dung là tố cáo chủ tịch xã")
    preview = client.post(f"/letters/{seeded.complaint}/preview", data=form,
                          headers={"Accept": "application/json", "X-CSRF-Token": form["csrf_token"]})
    assert preview.status_code == 200
    shown = preview.json()
    assert shown["changed"] and shown["agency_id"] == "chu_tich_ubnd_tinh:ninh-binh" and shown["rule"] != "R13"
    assert shown["rule_text"] and all(isinstance(t, str) for t in shown["rule_text"])
    assert record_of(seeded.store, seeded.complaint).category == "khieu_nai"  # a preview saves nothing

    saved = client.post(f"/letters/{seeded.complaint}/save", data={**form, "then": "next"}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].startswith(f"/letters/{seeded.reflection}")
    record = record_of(seeded.store, seeded.complaint)
    assert record.category == "to_cao" and record.route is not None
    assert record.route.agency_id == shown["agency_id"] and record.route.rule == shown["rule"]
    assert record.status == "routed" and not record.needs_review and record.review_reasons == []
    assert [(r.letter_id, r.agency_id) for r in seeded.store.queue("chu_tich_ubnd_tinh:ninh-binh")] == [
        (seeded.complaint, "chu_tich_ubnd_tinh:ninh-binh")]

    corrections = seeded.store.corrections()
    assert [(c.field, c.before, c.after, c.actor, c.comment) for c in corrections] == [
        ("category", "khieu_nai", "to_cao", "chuyenvien", "Nội dung là tố cáo chủ tịch xã")]
    assert corrections[0].model_version == "test-1"
    entry = seeded.store.audit(seeded.complaint)[-1]
    assert entry.action == "reviewed" and entry.actor == "chuyenvien"
    assert entry.before["category"] == "khieu_nai" and entry.after["category"] == "to_cao"
    assert entry.before["route"]["rule"] == "R13" and entry.after["route"]["agency_id"] == shown["agency_id"]
    assert entry.before["status"] == "needs_review" and entry.after["status"] == "routed"
    assert entry.after["comment"] == "Nội dung là tố cáo chủ tịch xã"
    page = client.get(f"/letters/{seeded.complaint}").text
    assert "Kiểm tra &amp; sửa" in page and "Nội dung là tố cáo chủ tịch xã" in page


def test_confirming_without_change_routes_the_letter(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app, "chuyenvien")
    assert seeded.store.queue("chu_tich_ubnd_xa:liem-ha") and seeded.reflection not in {
        r.letter_id for r in seeded.store.queue()}
    form = letter_form(client, seeded.reflection)
    response = client.post(f"/letters/{seeded.reflection}/save", data={**form, "then": "stay"}, follow_redirects=False)
    assert response.status_code == 303 and "saved=1" in response.headers["location"]
    record = record_of(seeded.store, seeded.reflection)
    assert record.status == "routed" and record.category == "phan_anh"
    assert seeded.reflection in {r.letter_id for r in seeded.store.queue()}
    assert seeded.store.corrections() == []
    assert seeded.store.audit(seeded.reflection)[-1].action == "confirmed"
    assert "Đã lưu kết quả kiểm tra" in client.get(response.headers["location"]).text


def test_manual_agency_and_petitioner_corrections(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app, "chuyenvien")
    form = letter_form(client, seeded.recommendation, agency="so_noi_vu:ninh-binh",
                       p0_name="Nguyễn Văn Ân", p0_id_number="035080001234", p0_address="xóm 3, xã Liêm Hà")
    assert client.post(f"/letters/{seeded.recommendation}/save", data=form, follow_redirects=False).status_code == 303
    record = record_of(seeded.store, seeded.recommendation)
    assert record.route is not None and record.route.agency_id == "so_noi_vu:ninh-binh" and record.route.rule == "manual"
    assert record.petitioners[0].name == "Nguyễn Văn Ân"
    assert sorted(c.field for c in seeded.store.corrections()) == ["petitioners", "route"]


def test_two_reviewers_saving_the_same_letter_conflict(app, seeded: Seeded) -> None:  # noqa: ANN001
    first, second = client_for(app, "chuyenvien"), client_for(app, "chuyenvien2")
    form_1 = letter_form(first, seeded.complaint, category="phan_anh")
    form_2 = letter_form(second, seeded.complaint, category="kien_nghi")
    assert first.post(f"/letters/{seeded.complaint}/save", data=form_1, follow_redirects=False).status_code == 303
    late = second.post(f"/letters/{seeded.complaint}/save", data=form_2, follow_redirects=False)
    assert late.status_code == 409
    assert "chưa được lưu" in late.text and "<strong>chuyenvien</strong>" in late.text
    assert "Kiến nghị" in late.text  # what the late reviewer chose is shown, not lost
    assert "Mở lại đơn" in late.text
    assert record_of(seeded.store, seeded.complaint).category == "phan_anh"  # nothing overwritten
    assert [c.actor for c in seeded.store.corrections()] == ["chuyenvien"]


def test_quarantined_and_invalid_input_cannot_be_saved(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app, "chuyenvien")
    form = letter_form(client, seeded.complaint, category="khong_co")
    response = client.post(f"/letters/{seeded.complaint}/save", data=form, follow_redirects=False)
    assert response.status_code == 422 and "không hợp lệ" in response.text
    assert client.get("/letters/" + "0" * 64).status_code == 404


# ---- dashboard and accounts -------------------------------------------------------------------


def test_dashboard(app, seeded: Seeded) -> None:  # noqa: ANN001
    client = client_for(app, "chuyenvien")
    form = letter_form(client, seeded.complaint, category="to_cao")
    client.post(f"/letters/{seeded.complaint}/save", data=form)
    form = letter_form(client, seeded.reflection)
    client.post(f"/letters/{seeded.reflection}/save", data=form)
    html = client.get("/dashboard").text
    assert "Tổng quan" in html and html.count("<svg") == 2 and "<polyline" in html
    assert "Phiên bản mô hình đang dùng" in html
    assert "50%" in html  # one of two reviews kept the model's category
    assert "Chủ tịch UBND tỉnh Ninh Bình" in html


def test_admin_adds_a_user_who_can_log_in(app) -> None:  # noqa: ANN001
    admin = client_for(app, "quantri")
    csrf = csrf_of(admin.get("/admin/users").text)
    response = admin.post("/admin/users", data={"csrf_token": csrf, "name": "canbo-moi", "role": "reviewer",
                                                "password": "mat-khau-moi-456"}, follow_redirects=False)
    assert response.status_code == 303
    assert "canbo-moi" in admin.get("/admin/users").text
    assert login(client_for(app), "canbo-moi", "mat-khau-moi-456").status_code == 303
    short = admin.post("/admin/users", data={"csrf_token": csrf, "name": "x", "role": "reviewer", "password": "ngan"})
    assert short.status_code == 422 and "ít nhất 10 ký tự" in short.text


# ---- changing one's password ---------------------------------------------------------------------


def test_user_changes_their_password(app, seeded: Seeded) -> None:  # noqa: ANN001
    from models.accounts import Accounts
    from review.passwords import verify_password

    client, other_session = client_for(app, "chuyenvien"), client_for(app, "chuyenvien")
    page = client.get("/account/password")
    assert page.status_code == 200 and "Đổi mật khẩu" in page.text and "Mật khẩu hiện tại" in page.text
    csrf = csrf_of(page.text)
    new = "mat-khau-moi-789"

    def post(**data: str):  # noqa: ANN202
        return client.post("/account/password", data=data, follow_redirects=False)

    assert post(current_password=PASSWORD, new_password=new, new_password_again=new).status_code == 403  # no CSRF
    wrong = post(csrf_token=csrf, current_password="khong-phai-mat-khau", new_password=new, new_password_again=new)
    assert wrong.status_code == 400 and "Mật khẩu hiện tại không đúng" in wrong.text
    differ = post(csrf_token=csrf, current_password=PASSWORD, new_password=new, new_password_again=new + "x")
    assert differ.status_code == 422 and "không khớp" in differ.text
    short = post(csrf_token=csrf, current_password=PASSWORD, new_password="ngan", new_password_again="ngan")
    assert short.status_code == 422 and "ít nhất 10 ký tự" in short.text
    same = post(csrf_token=csrf, current_password=PASSWORD, new_password=PASSWORD, new_password_again=PASSWORD)
    assert same.status_code == 422
    before = Accounts(seeded.store).by_name("chuyenvien")
    assert before is not None and verify_password(before.password_hash, PASSWORD)

    done = post(csrf_token=csrf, current_password=PASSWORD, new_password=new, new_password_again=new)
    assert done.status_code == 303 and done.headers["location"] == "/account/password?done=1"
    assert "Đã đổi mật khẩu" in client.get(done.headers["location"]).text
    after = Accounts(seeded.store).by_name("chuyenvien")
    assert after is not None and after.password_hash.startswith("$argon2id$") and new not in after.password_hash
    assert after.password_hash != before.password_hash and verify_password(after.password_hash, new)
    assert client.get("/queue").status_code == 200  # this session stays
    assert other_session.get("/queue", follow_redirects=False).status_code == 303  # the others are logged out
    assert login(client_for(app), "chuyenvien").status_code == 401  # the old password no longer works
    assert login(client_for(app), "chuyenvien", new).status_code == 303
    other = Accounts(seeded.store).by_name("chuyenvien2")
    assert other is not None and verify_password(other.password_hash, PASSWORD)  # nobody else changed


def test_wrong_current_passwords_are_throttled(app) -> None:  # noqa: ANN001
    client = client_for(app, "chuyenvien2")
    csrf = csrf_of(client.get("/account/password").text)
    data = {"csrf_token": csrf, "new_password": "mat-khau-moi-789", "new_password_again": "mat-khau-moi-789"}
    for _ in range(5):
        assert client.post("/account/password", data={**data, "current_password": "sai-sai-sai"}).status_code == 400
    blocked = client.post("/account/password", data={**data, "current_password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0


def test_letter_page_says_what_was_done_to_each_scan(app, seeded: Seeded) -> None:  # noqa: ANN001
    from tests.test_store import letter_id, make_pages, make_record

    seeded.store.save(make_record(id=letter_id(900)), make_pages(2))  # page 1 was deskewed, page 2 not
    html = client_for(app, "chuyenvien").get(f"/letters/{letter_id(900)}").text
    assert html.count("xử lý ảnh: deskew 1.5°") == 1
