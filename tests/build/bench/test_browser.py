"""build.bench.browser: a fresh page is measured once ready, and its browser context never outlives it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from build.bench import browser as bench_browser

pytestmark = pytest.mark.browser

READY = """<!doctype html><title>ready</title><script>
window.snapmath = {ready: Promise.resolve(), classify: async () => new Array(10).fill(0.1)};
</script>"""
REJECTED = """<!doctype html><title>rejected</title><script>
window.snapmath = {ready: Promise.reject(new Error("no model")), classify: async () => []};
</script>"""
NEVER_READY = "<!doctype html><title>never ready</title><p>no snapmath here</p>"
SHORT_TIMEOUT_MS = 1_500


def page_url(tmp_path: Path, html: str) -> str:
    path = tmp_path / "index.html"
    path.write_text(html, encoding="utf-8")
    return path.as_uri()


def test_a_ready_page_is_measured_and_its_context_closed_on_leaving(browser, tmp_path):
    url = page_url(tmp_path, READY)
    contexts = len(browser.contexts)
    with bench_browser.open_fresh(browser, url) as opened:
        assert len(browser.contexts) == contexts + 1
        assert opened.ready_ms > 0
        assert opened.first_classify_ms is not None
        assert opened.first_classify_ms >= 0
        assert opened.requests == [url]
        assert opened.errors == []
        assert opened.page.title() == "ready"
    assert len(browser.contexts) == contexts


def test_a_page_that_never_gets_ready_times_out_and_leaves_no_context(browser, tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    contexts = len(browser.contexts)
    with (
        pytest.raises(PlaywrightTimeoutError),
        bench_browser.open_fresh(browser, page_url(tmp_path, NEVER_READY), timeout_ms=SHORT_TIMEOUT_MS),
    ):
        pytest.fail("a page that is never ready must not be yielded")
    assert len(browser.contexts) == contexts


def test_a_rejected_ready_names_the_page_and_leaves_no_context(browser, tmp_path):
    url = page_url(tmp_path, REJECTED)
    contexts = len(browser.contexts)
    with (
        pytest.raises(RuntimeError, match=f"^{re.escape(url)}: snapmath.ready rejected: no model$"),
        bench_browser.open_fresh(browser, url, timeout_ms=SHORT_TIMEOUT_MS),
    ):
        pytest.fail("a page whose ready rejected must not be yielded")
    assert len(browser.contexts) == contexts


def test_the_context_is_closed_when_the_measuring_code_fails(browser, tmp_path):
    contexts = len(browser.contexts)
    with (
        pytest.raises(ValueError, match="measuring failed"),
        bench_browser.open_fresh(browser, page_url(tmp_path, READY)),
    ):
        raise ValueError("measuring failed")
    assert len(browser.contexts) == contexts
