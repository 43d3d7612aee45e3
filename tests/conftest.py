"""Shared fixtures: paths of the repo and shared data, and a headless Chromium for browser tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("SNAPMATH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
MNIST_DIR = Path(os.environ.get("SNAPMATH_MNIST_DIR", SHARED_DATA / "mnist"))
SAMPLES_DIR = SHARED_DATA / "samples"

CHROMIUM_INSTALL_HINT = (
    "Chromium not found: run `make test` (it installs Debian's `chromium` with apt-get), "
    "or set SNAPMATH_CHROMIUM to the browser's path."
)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session (Playwright driving Debian's browser)."""
    from build.bench import browser as bench_browser

    try:
        bench_browser.chromium_path()
    except FileNotFoundError:
        pytest.fail(CHROMIUM_INSTALL_HINT, pytrace=False)
    with bench_browser.chromium() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The full MNIST as IDX .gz files; CI has it beside the repo, so its absence is a failure."""
    if not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.fail(f"MNIST not found in {MNIST_DIR}: set SNAPMATH_MNIST_DIR", pytrace=False)
    return MNIST_DIR


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The 14 real uploads of ../shared/data/samples (label = first character of the name)."""
    if not SAMPLES_DIR.is_dir():
        pytest.fail(f"sample uploads not found in {SAMPLES_DIR}: set SNAPMATH_SHARED_DATA", pytrace=False)
    return SAMPLES_DIR
