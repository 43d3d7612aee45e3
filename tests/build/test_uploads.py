"""build.uploads: photo-like uploads rendered from MNIST digits decode to what they claim."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from build import uploads


def square_digit() -> np.ndarray:
    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 10:18] = 255
    return digit


@pytest.mark.slow  # renders photo-sized uploads
def test_every_style_decodes_with_its_size_mode_and_label():
    rng = np.random.default_rng(1)
    for style in uploads.STYLES:
        upload = uploads.render(square_digit(), 7, rng, style)
        image = Image.open(io.BytesIO(upload.data))
        assert upload.label == 7
        assert upload.style == style
        assert image.format == {"jpg": "JPEG", "png": "PNG"}[upload.extension]
        assert image.mode == ("RGBA" if style == "transparent" else "RGB")
        assert uploads.MIN_SIDE * 0.8 <= max(image.size) <= uploads.MAX_SIDE * 1.4


def test_ink_differs_from_the_background_where_the_digit_is():
    upload = uploads.render(square_digit(), 1, np.random.default_rng(2), "coloured_ink")
    pixels = np.asarray(Image.open(io.BytesIO(upload.data)).convert("L"), np.float32)
    assert pixels.max() - pixels.min() > 60


@pytest.mark.slow  # renders photo-sized uploads
def test_a_set_is_reproducible_from_its_seed():
    images = np.stack([square_digit()] * 20)
    labels = np.arange(20) % 10
    first = uploads.render_set(images, labels, 6, seed=5)
    second = uploads.render_set(images, labels, 6, seed=5)
    assert [u.data for u in first] == [u.data for u in second]
    assert [u.style for u in first[:4]] == list(uploads.STYLES)
