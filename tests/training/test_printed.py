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


@pytest.mark.slow  # renders fonts
@pytest.mark.parametrize("style", ["solid", *printed.STYLE_SHARES])
def test_every_clip_art_style_comes_out_as_a_digit(monkeypatch, style):
    """Each style, drawn alone, gives digits the preprocessing frames like MNIST (ink across the 20 px box)."""
    monkeypatch.setattr(printed, "pick_style", lambda rng: style)
    images, labels = printed.render_printed_digits(10, seed=5)
    assert labels.tolist() == list(range(10))
    sides = [max(np.ptp(rows), np.ptp(cols)) + 1 for rows, cols in (np.nonzero(image > 0) for image in images)]
    assert all(19 <= side <= 21 for side in sides), sides


def test_styles_are_drawn_with_their_shares():
    rng = np.random.default_rng(0)
    drawn = [printed.pick_style(rng) for _ in range(4000)]
    for style, share in printed.STYLE_SHARES.items():
        assert drawn.count(style) / len(drawn) == pytest.approx(share, abs=0.02)
    assert drawn.count("solid") / len(drawn) == pytest.approx(1 - sum(printed.STYLE_SHARES.values()), abs=0.02)


def test_a_gradient_background_is_light_and_soft(monkeypatch):
    monkeypatch.setattr(printed, "GRADIENT_PROBABILITY", 1.0)
    pixels = np.asarray(printed.background(np.random.default_rng(1)), dtype=np.int16)
    assert pixels.shape == (printed.CANVAS_SIDE, printed.CANVAS_SIDE, 4)
    assert pixels[..., :3].min() >= 165
    assert pixels[..., 3].min() == 255
    assert np.ptp(pixels[..., :3]) > 0  # a gradient, not one colour
    steps = np.abs(np.diff(pixels[..., :3], axis=0)).max(), np.abs(np.diff(pixels[..., :3], axis=1)).max()
    assert max(steps) <= 2  # no edge the localisation could take for a mark
