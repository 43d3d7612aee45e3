"""training.printed: typed digits from system fonts, preprocessed like the page does."""

from __future__ import annotations

import numpy as np
import pytest

from training import printed


@pytest.mark.slow  # renders fonts
def test_renders_labelled_digits_as_the_page_presents_them():
    images, labels = printed.render_printed_digits(20, seed=3)
    assert images.shape == (20, 28, 28)
    assert images.dtype == np.uint8
    assert labels.tolist() == [i % 10 for i in range(20)]
    assert (images.max(axis=(1, 2)) == 255).all()  # contrast stretched, white ink
    for image in images:  # the ink's longer side fills the 20 px box, like MNIST
        rows, cols = np.nonzero(image > 0)
        assert 19 <= max(np.ptp(rows), np.ptp(cols)) + 1 <= 21


@pytest.mark.slow  # renders fonts
def test_same_seed_same_digits():
    first, _ = printed.render_printed_digits(10, seed=4)
    second, _ = printed.render_printed_digits(10, seed=4)
    np.testing.assert_array_equal(first, second)


def test_no_fonts_says_what_to_install(monkeypatch):
    monkeypatch.setattr(printed, "FONT_NAMES", ("NoSuchFont-Regular.ttf",))
    with pytest.raises(printed.NoFontsError, match="apt-get install fonts-dejavu-core"):
        printed.render_printed_digits(1, seed=0)
