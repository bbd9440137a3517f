"""The review desk end to end in a real headless Chromium (Debian's /usr/bin/chromium + Playwright).

The real app runs under uvicorn in a thread on 127.0.0.1 and a free port, over a migrated, seeded
temp SQLite store. Skipped when /usr/bin/chromium or playwright is missing, unless
PETITIONS_REQUIRE_BROWSER=1 (CI), where that fails instead. With PETITIONS_SCREENSHOTS=1 the main
pages are also saved to docs/screenshots/ (for the README).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.review_helpers import PASSWORD, Seeded, record_of, seed_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def _browser_or_skip() -> Any:
    required = os.environ.get("PETITIONS_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("PETITIONS_REQUIRE_BROWSER=1 but the playwright package is not installed")
        pytest.skip("the playwright package is not installed (pip install playwright; no browser download)")
    if not CHROMIUM.exists():
        if required:
            pytest.fail("PETITIONS_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing: apt-get install -y chromium")
        pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium, or make setup as root)")
    return sync_playwright


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    s = seed_store(tmp_path_factory.mktemp("review-browser"))
    yield s
    s.store.close()


@pytest.fixture(scope="module")
def base_url(seeded: Seeded) -> Iterator[str]:
    import uvicorn

    from review.app import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(seeded.settings, seeded.store), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the review server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Any]:
    sync_playwright = _browser_or_skip()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def shot(page: Any, name: str, tmp: Path) -> None:
    """A screenshot into tmp; copied to docs/screenshots/ when PETITIONS_SCREENSHOTS=1."""
    target = tmp / f"{name}.png"
    page.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size < 300_000
    if os.environ.get("PETITIONS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, SCREENSHOTS / target.name)


def shot_element(locator: Any, name: str, tmp: Path) -> None:
    """A screenshot of one part of a page (e.g. the extracted fields with their confidences)."""
    target = tmp / f"{name}.png"
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(target))
    assert target.stat().st_size < 300_000
    if os.environ.get("PETITIONS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, SCREENSHOTS / target.name)


def new_page(browser: Any, csp_errors: list[str]) -> Any:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    return page


def log_in(page: Any, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/queue")
    assert "/login" in page.url
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/queue")


def test_review_a_letter_by_keyboard(browser: Any, base_url: str, seeded: Seeded, tmp_path: Path) -> None:
    csp: list[str] = []
    page = new_page(browser, csp)
    page.goto(f"{base_url}/queue")
    page.wait_for_selector("text=Đăng nhập")
    shot(page, "login", tmp_path)
    log_in(page, base_url, "chuyenvien")
    rows = page.locator("#queue-table tr[data-href]")
    assert rows.count() == 4
    assert "selected" in (rows.nth(0).get_attribute("class") or "")
    page.keyboard.press("j")
    assert "selected" in (rows.nth(1).get_attribute("class") or "")
    page.keyboard.press("k")
    shot(page, "queue", tmp_path)
    page.keyboard.press("Enter")  # the first letter: the complaint that needs review
    page.wait_for_url(f"{base_url}/letters/{seeded.complaint}")
    page.wait_for_selector(".images img")
    page.wait_for_load_state("load")  # the page images have loaded
    assert page.locator(".images img").first.evaluate("img => img.naturalWidth") > 0
    assert page.locator("mark.low").count() >= 1  # low-confidence OCR words are highlighted
    flagged = page.locator("#fields-table tr.low-conf")  # each field's confidence, low ones flagged
    assert flagged.count() == 1 and "42%" in flagged.inner_text() and "thấp" in flagged.inner_text()
    assert "93%" in page.inner_text('#fields-table tr[data-field="subject"]')
    shot(page, "letter", tmp_path)
    shot_element(page.locator("fieldset:has(#fields-table)"), "letter-fields", tmp_path)
    page.evaluate("window.scrollTo(0, 0)")

    page.keyboard.press("2")  # category: Tố cáo
    assert page.locator('input[name="category"][value="to_cao"]').is_checked()
    page.wait_for_selector("#route-preview:not([hidden])")
    expect(page.locator("#preview-agency")).to_contain_text("Chủ tịch UBND tỉnh Ninh Bình")
    shot(page, "letter-corrected", tmp_path)
    page.keyboard.press("c")
    page.keyboard.type("Nội dung là tố cáo chủ tịch xã")
    page.keyboard.press("Escape")
    page.keyboard.press("s")  # save and go to the next letter in the queue
    page.wait_for_url(f"{base_url}/letters/{seeded.reflection}")

    record = record_of(seeded.store, seeded.complaint)
    assert record.category == "to_cao" and record.status == "routed"
    assert record.route is not None and record.route.agency_id == "chu_tich_ubnd_tinh:ninh-binh"
    assert [(c.field, c.after, c.actor) for c in seeded.store.corrections()] == [("category", "to_cao", "chuyenvien")]

    page.goto(f"{base_url}/letters/{seeded.complaint}")  # the letter just saved: its audit entry is there
    history = page.inner_text("#audit-table")
    assert "Kiểm tra & sửa" in history and "chuyenvien" in history and "Nội dung là tố cáo chủ tịch xã" in history
    # it was a complaint and is now a denunciation: the reviewer sees only redacted page images
    page.wait_for_function("() => [...document.querySelectorAll('.images img')].every(i => i.complete && i.naturalWidth > 0)")
    sources = page.locator(".images img").evaluate_all("imgs => imgs.map(i => i.getAttribute('src'))")
    assert sources == [f"/letters/{seeded.complaint}/redacted/1.jpg"]
    assert csp == []


def test_two_reviewers_get_a_conflict(browser: Any, base_url: str, seeded: Seeded) -> None:
    csp: list[str] = []
    first, second = new_page(browser, csp), new_page(browser, csp)
    log_in(first, base_url, "chuyenvien")
    log_in(second, base_url, "chuyenvien2")
    url = f"{base_url}/letters/{seeded.recommendation}"
    first.goto(url)
    second.goto(url)
    first.keyboard.press("4")
    first.keyboard.press("Shift+S")  # save and stay
    first.wait_for_selector("#saved-msg")
    second.keyboard.press("1")
    second.keyboard.press("Shift+S")
    second.wait_for_selector(".conflict")
    text = second.inner_text("main")
    assert "Chưa lưu: đơn vừa được người khác thay đổi" in text and "chuyenvien" in text
    assert "Khiếu nại" in text  # the late reviewer's choice is shown, not lost
    assert record_of(seeded.store, seeded.recommendation).category == "phan_anh"
    second.click("a.button.primary")
    second.wait_for_url(url)
    assert second.locator('input[name="category"][value="phan_anh"]').is_checked()
    assert csp == []


def test_dashboard_and_redacted_denunciation(browser: Any, base_url: str, seeded: Seeded, tmp_path: Path) -> None:
    csp: list[str] = []
    page = new_page(browser, csp)
    log_in(page, base_url, "lanhdao")
    page.goto(f"{base_url}/dashboard")
    page.wait_for_selector("svg.chart")
    assert page.locator("svg.chart").count() == 2
    shot(page, "dashboard", tmp_path)
    page.goto(f"{base_url}/letters/{seeded.denunciation}")
    assert "[đã ẩn]" in page.inner_text(".col.text")
    loaded = "() => [...document.querySelectorAll('.images img')].every(i => i.complete && i.naturalWidth > 0)"
    page.wait_for_function(loaded)  # the redacted page image (OCR'd for its word boxes) is there
    assert "/redacted/1.jpg" in (page.locator(".images img").first.get_attribute("src") or "")
    shot(page, "letter-denunciation-redacted", tmp_path)
    page.click("#reveal-identity")
    page.wait_for_selector(".images img")
    page.wait_for_function(loaded)
    assert "/pages/1.jpg" in (page.locator(".images img").first.get_attribute("src") or "")
    assert "Phạm Thị Hoa" in page.inner_text(".col.text")
    views = [a.after["what"] for a in seeded.store.audit(seeded.denunciation)
             if a.action == "identity_viewed" and a.actor == "lanhdao"]
    assert views == ["letter_page", "page_image"]  # the reveal and the original image, each logged
    assert csp == []


def test_queue_pages_and_password_change(browser: Any, base_url: str, seeded: Seeded) -> None:
    csp: list[str] = []
    page = new_page(browser, csp)
    log_in(page, base_url, "quantri")
    page.goto(f"{base_url}/queue?size=25")
    assert "Trang 1/1" in page.inner_text("#page-info")
    assert page.locator("#next-page").count() == 0 and page.locator("#prev-page").count() == 0
    page.select_option('select[name="category"]', "phan_anh")  # the filter form keeps the page size
    page.wait_for_url("**category=phan_anh**")
    assert "size=25" in page.url
    page.click("#change-password")
    page.wait_for_url(f"{base_url}/account/password")
    page.fill("#current_password", PASSWORD)
    page.fill("#new_password", "mat-khau-moi-cua-quantri")
    page.fill("#new_password_again", "mat-khau-moi-cua-quantri")
    page.click("#password-form button[type=submit]")
    page.wait_for_selector("#password-changed")
    assert csp == []
