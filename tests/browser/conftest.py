"""The built page in Chromium: built once per session, opened from disk and over http under /snapmath/."""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SUB_PATH = "snapmath"
ARTIFACTS_DIR = REPO_ROOT / ".artifacts"  # gitignored: screenshots for people to look at
READY_TIMEOUT_MS = 60_000


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """Return dist/ built by `python -m build.site` from the committed model, inside a web root."""
    web_root = tmp_path_factory.mktemp("www")
    out_dir = web_root / SUB_PATH
    result = subprocess.run(
        [sys.executable, "-m", "build.site", "--out", str(out_dir)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(f"python -m build.site failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
    return out_dir


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture(scope="session")
def site_url(built_site) -> Iterator[str]:
    """Return the http URL of the built site, served by the stdlib on 127.0.0.1 under /snapmath/."""
    handler = functools.partial(QuietHandler, directory=str(built_site.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{SUB_PATH}/"
    server.shutdown()
    server.server_close()


@dataclass
class PageRecord:
    """What a page did: every request it made and every console error or page error."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def open_app(browser, url: str, viewport_width: int = 1280):
    """Return (page, record) for the app at url, after window.snapmath.ready resolved."""
    context = browser.new_context(viewport={"width": viewport_width, "height": 900})
    page = context.new_page()
    record = PageRecord()
    page.on("request", lambda request: record.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and record.errors.append(message.text))
    page.on("pageerror", lambda error: record.errors.append(str(error)))
    page.goto(url)
    page.wait_for_function("window.snapmath && window.snapmath.ready", timeout=READY_TIMEOUT_MS)
    page.evaluate("window.snapmath.ready")
    return page, record


@pytest.fixture(scope="session", params=["file", "http"])
def app_url(request, built_site) -> str:
    """The page's URL, opened from disk (file://) and over http under a sub-path."""
    if request.param == "file":
        return (built_site / "index.html").as_uri()
    return request.getfixturevalue("site_url") + "index.html"


@pytest.fixture
def app(browser, app_url):
    """A fresh page of the app, ready; after the test, no console errors and no foreign requests."""
    page, record = open_app(browser, app_url)
    yield page
    origin = app_url.split("/index.html")[0]
    foreign = [url for url in record.requests if not (url.startswith(origin) or url.startswith(("blob:", "data:")))]
    page.context.close()
    assert not foreign, f"requests outside the site: {foreign}"
    assert not record.errors, f"console errors: {record.errors}"
