"""The built page in Chromium: built once per session, opened from disk and over http under /snapmath/.
The functions the tests share live in page_helpers.py."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from build import serve
from tests.browser.page_helpers import DESKTOP, PHONE, mnist_upload, new_page
from tests.paths import REPO_ROOT

SUB_PATH = "snapmath"
BROWSER_TESTS_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser/ `browser`, so `-m "not browser"` never starts Chromium."""
    for item in items:
        if BROWSER_TESTS_DIR in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """Return dist/ built by `python -m build.site` from the committed model, inside a web root."""
    web_root = tmp_path_factory.mktemp("www")
    out_dir = web_root / SUB_PATH
    result = subprocess.run(
        [sys.executable, "-m", "build.site", "--out", str(out_dir)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(f"python -m build.site failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
    return out_dir


@pytest.fixture(scope="session")
def site_url(built_site) -> Iterator[str]:
    """Return the http URL of the built site, served by the stdlib on 127.0.0.1 under /snapmath/."""
    with serve.serving(built_site.parent, quiet=True) as base_url:
        yield f"{base_url}{SUB_PATH}/"


@pytest.fixture(scope="session", params=["file", "http"])
def app_url(request, built_site) -> str:
    """The page's URL, opened from disk (file://) and over http under a sub-path."""
    if request.param == "file":
        return (built_site / "index.html").as_uri()
    return request.getfixturevalue("site_url") + "index.html"


@pytest.fixture
def app(browser, app_url):
    """A fresh page of the app, ready; after the test, no console errors and no foreign requests."""
    page, record = new_page(browser, app_url, {"width": 1280, "height": 900}, axe=False)
    yield page
    origin = app_url.split("/index.html")[0]
    foreign = [url for url in record.requests if not url.startswith((origin, "blob:", "data:"))]
    page.context.close()
    assert not foreign, f"requests outside the site: {foreign}"
    assert not record.errors, f"console errors: {record.errors}"


@pytest.fixture
def desktop(browser, site_url):
    """A fresh page on a 1280x800 desktop over http, ready, axe-core injected; after the test, no console errors."""
    yield from page_without_errors(browser, site_url + "index.html", DESKTOP)


@pytest.fixture
def phone(browser, site_url):
    """A fresh page on a 390x844 touch phone over http, ready, axe-core injected; after the test, no console errors."""
    yield from page_without_errors(browser, site_url + "index.html", PHONE, touch=True)


def page_without_errors(browser, url: str, viewport: dict, touch: bool = False) -> Iterator:
    """Yield a fresh page (page_helpers.new_page); once the test is done, close it and fail on any console error."""
    page, record = new_page(browser, url, viewport, touch=touch)
    yield page
    page.context.close()
    assert not record.errors, record.errors


@pytest.fixture(scope="session")
def digit_files(tmp_path_factory, mnist_dir) -> dict[int, Path]:
    """Return one upload per digit 0-9: an MNIST test digit as dark ink on white paper, 140 px PNG.

    Each is the first test image of its label that the Python reference (training.predict's
    pipeline on the shipped model) reads correctly, so the browser is held to Python's answer.
    """
    from training import data, exports, predict, preprocess

    mnist = data.load_mnist(mnist_dir)
    folder = tmp_path_factory.mktemp("digits")
    paths = []
    for index in range(200):  # the first 200 test images hold every digit many times
        paths.append(folder / f"test-{index}-label-{mnist.test_labels[index]}.png")
        mnist_upload(mnist.test_images[index]).save(paths[-1])
    model_dir = exports.newest_model_dir()
    answers = predict.predict_files(
        paths, exports.load_reader(model_dir), preprocess.load_spec(), predict.refusal_threshold(model_dir)
    )
    chosen: dict[int, Path] = {}
    for index, (path, answer) in enumerate(zip(paths, answers, strict=True)):
        label = int(mnist.test_labels[index])
        if label not in chosen and answer["digit"] == label and answer["confidence"] > 0.95:
            chosen[label] = path
    if len(chosen) < 10:
        pytest.fail(f"no confidently read MNIST upload for digits {set(range(10)) - set(chosen)}", pytrace=False)
    return chosen


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory) -> dict[str, Path]:
    """Return the inputs people get wrong, each written as a real file of that kind."""
    from PIL import Image, ImageDraw

    folder = tmp_path_factory.mktemp("bad")
    files = {
        "text-named.png": b"this is a text file, not a picture\n",
        "empty.png": b"",
        "photo.heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64),
        "document.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        "drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>7</text></svg>',
        "truncated.png": b"\x89PNG\r\n\x1a\n" + bytes(40),
    }
    paths = {name: folder / name for name in files}
    for name, content in files.items():
        paths[name].write_bytes(content)
    paths["huge-file.jpg"] = folder / "huge-file.jpg"
    with paths["huge-file.jpg"].open("wb") as handle:  # 26 MB: over the 25 MB limit
        handle.write(b"\xff\xd8\xff\xe0" + bytes(26 * 1024 * 1024))
    paths["60-megapixels.png"] = folder / "60-megapixels.png"
    Image.new("L", (10_000, 6_000), 255).save(paths["60-megapixels.png"])
    for name, value in (("white.png", 255), ("black.png", 0), ("one-pixel.png", 0)):
        paths[name] = folder / name
        Image.new("L", (1, 1) if name == "one-pixel.png" else (300, 300), value).save(paths[name])
    # An animated GIF whose first frame is a 7 and second is blank: the first frame counts.
    seven = Image.new("L", (120, 120), 255)
    ImageDraw.Draw(seven).line([(30, 25), (90, 25), (50, 100)], fill=0, width=9)
    paths["animated.gif"] = folder / "animated.gif"
    seven.save(
        paths["animated.gif"], save_all=True, append_images=[Image.new("L", (120, 120), 255)], duration=200, loop=0
    )
    # A 40-megapixel photo is allowed: downscaled while decoding, then read.
    photo = Image.new("RGB", (8_000, 5_000), (205, 190, 160))
    ImageDraw.Draw(photo).line([(3_400, 1_200), (4_600, 1_200), (3_800, 3_900)], fill=(30, 30, 40), width=160)
    paths["40-megapixels.jpg"] = folder / "40-megapixels.jpg"
    photo.save(paths["40-megapixels.jpg"], quality=85)
    return paths
