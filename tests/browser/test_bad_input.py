"""Bad input gets a clear message on its operand, and the page still computes afterwards."""

from __future__ import annotations

import pytest

from tests.browser.conftest import give_file

REFUSED = {
    "text-named.png": "not a picture this app can read",
    "empty.png": "This file is empty (0 bytes).",
    "photo.heic": "HEIC photo",
    "document.pdf": "PDF document",
    "drawing.svg": "SVG drawings are not supported",
    "truncated.png": "damaged or not really a picture",
    "huge-file.jpg": "too large (26 MB); the limit is 25 MB",
    "60-megapixels.png": "megapixels",
}
NO_DIGIT = ["white.png", "black.png", "one-pixel.png"]


def message(page, operand: str) -> str:
    return page.locator(f"#operand-{operand}-message").inner_text()


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_file_says_why_and_the_page_still_computes(app, bad_files, digit_files, name):
    assert give_file(app, "a", bad_files[name]) == "error"
    assert REFUSED[name] in message(app, "a")
    assert app.get_by_test_id("operand-a-digit").inner_text().strip() == ""
    give_file(app, "a", digit_files[9])
    give_file(app, "b", digit_files[4])
    app.get_by_test_id("op-sub").click()
    app.get_by_test_id("equals").click()
    assert app.get_by_test_id("result").inner_text().strip() == "5"
    assert app.locator("#operand-a-message").is_hidden()


@pytest.mark.parametrize("name", NO_DIGIT)
def test_uniform_or_tiny_picture_is_no_digit_not_a_guess(app, bad_files, name):
    assert give_file(app, "a", bad_files[name]) == "no-digit"
    reading = app.evaluate(
        "async ([bytes, name]) => snapmath.recognize(new File([new Uint8Array(bytes)], name, {type: 'image/png'}))",
        [list(bad_files[name].read_bytes()), name],
    )
    assert reading["digit"] is None


def test_animated_gif_reads_its_first_frame(app, bad_files):
    assert give_file(app, "b", bad_files["animated.gif"]) in ("read", "low")
    assert app.get_by_test_id("operand-b-digit").inner_text().strip() == "7"


def test_forty_megapixel_photo_is_downscaled_and_read(app, bad_files):
    assert give_file(app, "a", bad_files["40-megapixels.jpg"]) in ("read", "low")
    assert app.get_by_test_id("operand-a-digit").inner_text().strip() == "7"
