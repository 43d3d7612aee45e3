"""Issue 10 on the page: a picture of a number reads as that number, each digit correctable on its own, and
a mark that is not a digit is refused with its message while the answer waits, until a digit is picked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.page_helpers import (
    compute,
    digit_text,
    give_example,
    give_file,
    refused_letter_file,
    refuses_non_digits,
    result_text,
)  # fmt: skip


def mnist_number(mnist_dir: Path, folder: Path, digits: str) -> Path:
    """Write MNIST test digits side by side, dark on white with a gap between them, as a PNG upload."""
    import numpy as np
    from PIL import Image

    from training import data

    mnist = data.load_mnist(mnist_dir)
    tiles = []
    for character in digits:
        index = int(np.flatnonzero(mnist.test_labels == int(character))[0])
        tiles.append(255 - np.asarray(Image.fromarray(mnist.test_images[index]).resize((112, 112))))
    gap = np.full((112, 24), 255, np.uint8)
    row = np.concatenate([part for tile in tiles for part in (tile, gap)][:-1], axis=1)
    page = np.pad(row, 40, constant_values=255)
    path = folder / f"number-{digits}.png"
    Image.fromarray(page).save(path)
    return path


def single_digit(mnist_dir: Path, folder: Path, digit: int) -> Path:
    return mnist_number(mnist_dir, folder, str(digit))


def test_twelve_plus_three_is_fifteen_through_the_file_inputs(desktop, mnist_dir, tmp_path):
    assert give_file(desktop, "a", mnist_number(mnist_dir, tmp_path, "12")) in ("read", "low")
    assert give_file(desktop, "b", single_digit(mnist_dir, tmp_path, 3)) in ("read", "low")
    assert (digit_text(desktop, "a"), digit_text(desktop, "b")) == ("12", "3")
    assert compute(desktop, "add") == "15"
    # One box per digit is drawn on the picture.
    assert desktop.locator("#operand-a-boxes .read-box").count() == 2


def test_each_digit_of_a_number_is_corrected_on_its_own(desktop, mnist_dir, tmp_path):
    give_file(desktop, "a", mnist_number(mnist_dir, tmp_path, "12"))
    desktop.locator("#operand-b").focus()
    desktop.keyboard.type("34")
    assert compute(desktop, "mul") == "408"
    places = desktop.locator("#operand-a-places button")
    assert places.evaluate_all("(buttons) => buttons.map((b) => b.firstChild.textContent)") == ["1", "2"]
    places.nth(1).click()
    desktop.get_by_test_id("operand-a-pick-7").click()
    assert digit_text(desktop, "a") == "17"
    assert desktop.get_attribute("#operand-a", "data-state") == "corrected"
    assert result_text(desktop) == "578"


def test_a_letter_is_refused_the_answer_waits_and_a_picked_digit_overrides(desktop, mnist_dir, tmp_path):
    if not refuses_non_digits(desktop):
        pytest.skip("the shipped model has no not-a-digit output yet (notDigitThreshold is 1: never refuse)")
    give_file(desktop, "a", single_digit(mnist_dir, tmp_path, 8))
    assert give_file(desktop, "b", refused_letter_file(tmp_path)) == "not-digit"
    # The contract's reason, whichever apostrophe it is written with.
    said = desktop.locator("#operand-b-confidence").inner_text()
    assert said.replace("\u2019", "'") == "This doesn't look like a digit."
    assert desktop.locator("#operand-b-picker button").count() == 10  # the digits are still offered
    assert compute(desktop, "add").startswith("The second picture doesn\u2019t look like a digit")
    assert desktop.get_attribute(".answer", "data-state") == "refused"
    desktop.get_by_test_id("operand-b-pick-4").click()
    assert desktop.get_attribute("#operand-b", "data-state") == "corrected"
    assert result_text(desktop) == "12"


def test_the_twelve_example_reads_as_twelve_and_each_digit_is_corrected_on_its_own(desktop):
    give_example(desktop, "a", "twelve")
    desktop.locator("#operand-b").focus()
    desktop.keyboard.type("34")
    assert compute(desktop, "mul") == "408"
    assert desktop.locator("#operand-a-boxes .read-box").count() == 2
    places = desktop.locator("#operand-a-places button")
    assert places.evaluate_all("(buttons) => buttons.map((b) => b.firstChild.textContent)") == ["1", "2"]
    places.nth(0).click()
    desktop.get_by_test_id("operand-a-pick-9").click()
    assert digit_text(desktop, "a") == "92"
    assert result_text(desktop) == "3128"
