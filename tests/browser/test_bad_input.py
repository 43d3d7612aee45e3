"""Bad input gets a clear message on its operand, and the page still computes afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.page_helpers import digit_text, give_file, recognize_file, wait_settled

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
    assert digit_text(app, "a") == ""
    give_file(app, "a", digit_files[9])
    give_file(app, "b", digit_files[4])
    app.get_by_test_id("op-sub").click()
    app.get_by_test_id("equals").click()
    assert app.get_by_test_id("result").inner_text().strip() == "5"
    assert app.locator("#operand-a-message").is_hidden()


@pytest.mark.parametrize("name", NO_DIGIT)
def test_uniform_or_tiny_picture_is_no_digit_not_a_guess(app, bad_files, name):
    assert give_file(app, "a", bad_files[name]) == "no-digit"
    assert recognize_file(app, bad_files[name], "image/png")["digit"] is None


def test_animated_gif_reads_its_first_frame(app, bad_files):
    assert give_file(app, "b", bad_files["animated.gif"]) in ("read", "low")
    assert digit_text(app, "b") == "7"


def test_forty_megapixel_photo_is_downscaled_and_read(app, bad_files):
    assert give_file(app, "a", bad_files["40-megapixels.jpg"]) in ("read", "low")
    assert digit_text(app, "a") == "7"


# ---- odd files: hidden sizes, rare encodings, and the same formats in both twins (issue 15) ---------

READ_FILE = """async ([bytes, name, options]) => {
  const limits = JSON.parse(document.getElementById('snapmath-config').textContent).limits;
  const file = new File([new Uint8Array(bytes)], name);
  try {
    const rgba = await snapmathDecode.toRgba(file, limits, options || {});
    return {width: rgba.width, height: rgba.height, data: Array.from(rgba.data)};
  } catch (error) {
    return {error: error.message, name: error.name};
  }
}"""


@pytest.fixture(scope="session")
def odd(tmp_path_factory) -> dict:
    from tests import odd_files

    return odd_files.write_odd_files(tmp_path_factory.mktemp("odd"))


def page_decode(page, path) -> dict:
    return page.evaluate(READ_FILE, [list(path.read_bytes()), path.name, None])


@pytest.mark.parametrize("name", ["hidden-size.jpg", "hidden-frame.gif"])
def test_a_size_hidden_deep_in_the_file_is_found_and_refused_before_decoding(app, odd, name):
    decoded = page_decode(app, odd[name])
    assert decoded == {
        "error": "This picture is too large (20000×20000 pixels); the limit is 50 megapixels.",
        "name": "Error",
    }
    assert give_file(app, "a", odd[name]) == "error"  # and the page says so where the picture was given


@pytest.mark.parametrize("name", ["os2.bmp", "grey-16-bit.png", "big-text.png", "tem-marker.jpg"])
def test_odd_encodings_decode_to_the_same_pixels_in_both_twins(app, odd, name):
    import numpy as np

    from training import decode

    decoded = page_decode(app, odd[name])
    assert "error" not in decoded, decoded
    page_pixels = np.asarray(decoded["data"], dtype=np.int16).reshape(decoded["height"], decoded["width"], 4)
    python_pixels = decode.decode_file(odd[name]).astype(np.int16)
    assert page_pixels.shape == python_pixels.shape == (200, 200, 4)
    difference = np.abs(page_pixels - python_pixels)
    if name.endswith(".jpg"):  # two JPEG decoders: rounding differs by a few levels at the edges of strokes
        assert difference.mean() < 1.0
    else:
        assert difference.max() == 0
    assert recognize_file(app, odd[name])["digit"] == 7


def test_a_format_only_pillow_reads_is_refused_by_both_twins_alike(app, odd):
    from training import decode

    sentence = "this file is not a picture this app can read. Please use a PNG, JPEG, GIF, WebP or BMP picture."
    assert page_decode(app, odd["digit.tiff"])["error"] == sentence[0].upper() + sentence[1:]
    with pytest.raises(decode.UnreadableImageError) as error:
        decode.decode_file(odd["digit.tiff"])
    assert str(error.value) == f"digit.tiff: {sentence}"


# ---- memory: superseded readings stop, one decode at a time (issue 15 item 8) -----------------------

COUNT_DECODES = """async ([bytes, abortFirst]) => {
  const limits = JSON.parse(document.getElementById('snapmath-config').textContent).limits;
  const file = new File([new Uint8Array(bytes)], 'seven.png', {type: 'image/png'});
  const real = window.createImageBitmap;
  let running = 0, most = 0, calls = 0;
  window.createImageBitmap = (...args) => {
    calls += 1; running += 1; most = Math.max(most, running);
    return real(...args).finally(() => { running -= 1; });
  };
  try {
    const controllers = Array.from({length: 5}, () => new AbortController());
    const runs = controllers.map((controller) =>
      snapmathDecode.toRgba(file, limits, {signal: controller.signal})
        .then((rgba) => rgba.width, (error) => error.name));
    if (abortFirst) controllers.slice(0, 4).forEach((controller) => controller.abort());
    return {results: await Promise.all(runs), calls, most};
  } finally {
    window.createImageBitmap = real;
  }
}"""


@pytest.fixture
def seven_png(tmp_path) -> Path:
    """Return a 200 px PNG of a 7 (tests/odd_files.py's plain one)."""
    from tests import odd_files

    path = tmp_path / "seven.png"
    odd_files.seven().save(path)
    return path


def test_readings_replaced_before_they_start_decode_nothing(app, seven_png):
    outcome = app.evaluate(COUNT_DECODES, [list(seven_png.read_bytes()), True])
    assert outcome == {"results": ["AbortError"] * 4 + [200], "calls": 1, "most": 1}


def test_pictures_given_at_once_are_decoded_one_at_a_time(app, seven_png):
    outcome = app.evaluate(COUNT_DECODES, [list(seven_png.read_bytes()), False])
    assert outcome == {"results": [200] * 5, "calls": 5, "most": 1}


def test_pictures_replaced_quickly_are_not_all_decoded(app, seven_png):
    path = seven_png
    # Every decode made slow (a second, as a big photo on a slow phone): the pictures given meanwhile replace
    # each other, and only the one being decoded and the last one given should be decoded.
    app.evaluate("""() => {
      const real = window.createImageBitmap;
      window.__decodes = 0;
      window.createImageBitmap = async (...args) => {
        if (args[0] instanceof Blob) {
          window.__decodes += 1;
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        return real(...args);
      };
    }""")
    for _ in range(10):
        app.get_by_test_id("operand-a-file").set_input_files(str(path))
    assert wait_settled(app, "a") in ("read", "low")
    assert digit_text(app, "a") == "7"
    assert app.evaluate("() => window.__decodes") <= 3
