"""training.decode on odd files (issue 15): sizes found wherever the file keeps them, rare encodings read as the
page reads them, and only the page's formats."""

from __future__ import annotations

import numpy as np
import pytest

from tests import odd_files
from training import decode, picture_format


@pytest.fixture(scope="module")
def odd(tmp_path_factory) -> dict:
    return odd_files.write_odd_files(tmp_path_factory.mktemp("odd"))


@pytest.mark.parametrize("name", ["hidden-size.jpg", "hidden-frame.gif"])
def test_a_hidden_size_is_found_and_refused_with_the_real_size(odd, name):
    with pytest.raises(decode.UnreadableImageError) as error:
        decode.decode_file(odd[name])
    assert str(error.value) == f"{name}: this picture is too large (20000x20000 pixels; the limit is 50 megapixels)."


def test_os2_bitmap_sizes_are_16_bit_fields():
    assert picture_format.picture_size(odd_files.os2_bmp(odd_files.seven()), "bmp") == (200, 200)


@pytest.mark.parametrize("name", ["os2.bmp", "grey-16-bit.png", "big-text.png", "tem-marker.jpg"])
def test_odd_encodings_of_a_seven_decode_to_its_pixels(odd, name):
    decoded = decode.decode_file(odd[name])
    expected = np.asarray(odd_files.seven(ink=60, paper=200) if "16-bit" in name else odd_files.seven())
    assert decoded.shape == (200, 200, 4)
    difference = np.abs(decoded[..., 0].astype(int) - expected)
    assert difference.mean() < 1.0  # JPEG: a few levels at stroke edges; the rest: exact
    assert np.array_equal(decoded[..., 0], decoded[..., 1])


def test_a_16_bit_grey_png_keeps_its_greys_instead_of_turning_white(odd):
    decoded = decode.decode_file(odd["grey-16-bit.png"])
    assert (decoded[..., 0].min(), decoded[..., 0].max()) == (60, 200)


def test_text_chunks_are_not_inflated(odd):
    data = odd["big-text.png"].read_bytes()
    kept = picture_format.decodable_bytes(data, "png")
    assert b"zTXt" in data
    assert b"zTXt" not in kept
    assert len(kept) < len(data)


def test_tiff_is_refused_as_on_the_page(odd):
    with pytest.raises(decode.UnreadableImageError) as error:
        decode.decode_file(odd["digit.tiff"])
    assert str(error.value) == (
        "digit.tiff: this file is not a picture this app can read. Please use a PNG, JPEG, GIF, WebP or BMP picture."
    )
