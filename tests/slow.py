"""The `slow` marker where the time goes: a fixture that exports a SavedModel with TensorFlow, bundles TF.js or
reads the shared data beside the repo is declared with `slow.fixture`, and every test using it (directly or through
another fixture) is marked `slow`, so `make test-fast` leaves it to `make test`. A test that is slow without such a
fixture carries `@pytest.mark.slow` itself."""

from __future__ import annotations

from collections.abc import Callable

import pytest

FIXTURES: set[str] = set()  # names of the fixtures declared with `fixture` below


def fixture(function: Callable | None = None, **options) -> Callable:
    """Return pytest.fixture(function, **options), recording its name so that its users are marked `slow`."""

    def declare(function: Callable) -> Callable:
        FIXTURES.add(options.get("name") or function.__name__)
        return pytest.fixture(function, **options)

    return declare(function) if function is not None else declare


def mark_users(items: list[pytest.Item]) -> None:
    """Mark `slow` every test that uses a fixture declared with `fixture`."""
    for item in items:
        if FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
