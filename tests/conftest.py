"""Shared fixtures: the shared data beside the repo (its absence fails with a clear line), and a headless Chromium
for browser tests. Paths are defined in tests/paths.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import slow
from tests.paths import MNIST_DIR, REAL_DIR, SAMPLES_DIR

CHROMIUM_INSTALL_HINT = (
    "Chromium not found: run `make test` (it installs Debian's `chromium` with apt-get), "
    "or set SNAPMATH_CHROMIUM to the browser's path."
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` the tests that use a fixture declared slow (tests/slow.py), before `-m` selects."""
    slow.mark_users(items)


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


@slow.fixture(scope="session")
def mnist_dir() -> Path:
    """The full MNIST as IDX .gz files; CI has it beside the repo, so its absence is a failure."""
    if not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.fail(f"MNIST not found in {MNIST_DIR}: set SNAPMATH_MNIST_DIR", pytrace=False)
    return MNIST_DIR


@slow.fixture(scope="session")
def samples_dir() -> Path:
    """The 14 real uploads of ../shared/data/samples (label = first character of the name)."""
    return shared_folder(SAMPLES_DIR, "sample uploads")


@slow.fixture(scope="session")
def real_dir() -> Path:
    """The pictures people published, in ../shared/data/real (label = first character of the name)."""
    return shared_folder(REAL_DIR, "real pictures")


def shared_folder(folder: Path, what: str) -> Path:
    """Return `folder` of the shared data; CI has it beside the repo, so its absence fails the test, naming it."""
    if not folder.is_dir():
        pytest.fail(f"{what} not found in {folder}: set SNAPMATH_SHARED_DATA", pytrace=False)
    return folder
