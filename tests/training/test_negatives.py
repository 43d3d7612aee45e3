"""training.negatives: non-digits and digit crops drawn here, preprocessed as the page does."""

from __future__ import annotations

import numpy as np
import pytest

from training import data, negatives


def test_font_split_is_even_indices_for_training_and_odd_for_the_benchmark():
    assert list(negatives.FONT_FILES) == sorted(negatives.FONT_FILES)
    train, benchmark = negatives.split_fonts("train"), negatives.split_fonts("benchmark")
    assert train == list(negatives.FONT_FILES[0::2])
    assert benchmark == list(negatives.FONT_FILES[1::2])
    assert not set(train) & set(benchmark)
    assert len(train) + len(benchmark) == len(negatives.FONT_FILES)
    assert set(negatives.available_fonts("train")) <= set(train)
    assert set(negatives.available_fonts("benchmark")) <= set(benchmark)
    with pytest.raises(ValueError, match="unknown font split 'test'"):
        negatives.split_fonts("test")


def test_handwriting_like_fonts_are_on_both_sides():
    for split in negatives.SPLITS:
        assert any(
            name.startswith(("ComicNeue", "dkg", "BecauseWe", "Kristi", "Humor", "femke", "Breip"))
            for name in negatives.available_fonts(split)
        ), split


def test_no_digit_look_alikes_are_drawn():
    drawn = set(negatives.LETTERS) | set(negatives.SYMBOLS) | set("".join(negatives.WORDS))
    assert not drawn & negatives.LOOK_ALIKES
    assert not drawn & set("0123456789")
    for look_alike in "OoIlZzSsBgq":
        assert look_alike in negatives.LOOK_ALIKES
    assert "A" in negatives.LETTERS
    assert "x" in negatives.LETTERS  # issue 10 found these read as digits


@pytest.mark.slow  # renders fonts and shapes
def test_renders_model_inputs_deterministically():
    images, kinds = negatives.render_negatives(40, seed=5)
    again, again_kinds = negatives.render_negatives(40, seed=5)
    np.testing.assert_array_equal(images, again)
    assert kinds == again_kinds
    assert images.shape == (40, 28, 28)
    assert images.dtype == np.uint8
    assert (images.max(axis=(1, 2)) == 255).all()  # contrast stretched like every page input
    assert set(kinds) <= set(negatives.KINDS)
    assert len(set(kinds)) >= 4
    other, _ = negatives.render_negatives(40, seed=6)
    assert not np.array_equal(images, other)


@pytest.mark.slow  # renders fonts and shapes
def test_every_kind_renders():
    for kind in negatives.KINDS:
        images, kinds = negatives.render_negatives(3, seed=1, kinds=(kind,))
        assert len(images) == 3
        assert set(kinds) == {kind}


def test_benchmark_split_uses_other_fonts(monkeypatch):
    used = []
    real = negatives.ImageFont.truetype

    def spy(name, size):
        used.append(name)
        return real(name, size)

    monkeypatch.setattr(negatives.ImageFont, "truetype", spy)
    negatives.render_negatives(2, seed=1, split="benchmark", kinds=("letter",))
    assert used
    assert set(used) <= set(negatives.split_fonts("benchmark"))


def test_a_straight_vertical_stroke_is_never_taught_as_a_non_digit():
    stroke = np.zeros((28, 28), np.float32)
    stroke[4:24, 13:15] = 1.0
    assert negatives.looks_like_a_one(stroke)
    cross = stroke.copy()
    cross[13:15, 4:24] = 1.0
    assert not negatives.looks_like_a_one(cross)


def test_no_fonts_says_what_to_install(monkeypatch):
    monkeypatch.setattr(negatives, "FONT_FILES", ("NoSuchFont-Regular.ttf", "NoSuchFont-Bold.ttf"))
    with pytest.raises(negatives.NoFontsError, match="apt-get install"):
        negatives.render_negatives(1, seed=0)


def test_digit_crops_keep_their_labels(mnist_dir):
    mnist = data.load_mnist(mnist_dir)
    images, labels = negatives.render_digit_crops(mnist.train_images[:200], mnist.train_labels[:200], 30, seed=2)
    again, _ = negatives.render_digit_crops(mnist.train_images[:200], mnist.train_labels[:200], 30, seed=2)
    np.testing.assert_array_equal(images, again)
    assert images.shape[1:] == (28, 28)
    assert len(images) == len(labels) >= 25
    assert set(labels.tolist()) <= set(range(10))
    assert len(set(labels.tolist())) >= 5
