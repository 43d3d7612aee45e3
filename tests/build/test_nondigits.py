"""build.nondigits and build.numbers: held-out non-digit pictures and numbers are what they claim, reproducibly."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from build import nondigits, numbers
from training import negatives


def test_the_benchmark_uses_the_odd_fonts_and_training_the_even_ones():
    benchmark = set(nondigits.benchmark_fonts())
    assert benchmark
    assert benchmark <= set(negatives.FONT_FILES[1::2])
    assert not benchmark & set(negatives.FONT_FILES[0::2])
    assert list(negatives.FONT_FILES) == sorted(negatives.FONT_FILES)


def test_no_digit_look_alike_is_drawn_as_a_letter_word_or_symbol():
    drawn = set(nondigits.LETTERS) | set("".join(nondigits.WORDS)) | set(nondigits.SYMBOLS)
    assert not drawn & set(nondigits.LOOK_ALIKES)
    assert not drawn & set("0123456789/\\()[]{}")
    assert "A" in nondigits.LETTERS  # the example: an A must be refused, not read as 4


@pytest.mark.slow  # renders every kind of picture
def test_kinds_rotate_and_every_picture_decodes():
    pictures = nondigits.render_nondigits(len(nondigits.KIND_CYCLE), seed=3)
    assert [p.kind for p in pictures] == list(nondigits.KIND_CYCLE)
    assert set(nondigits.KINDS) == {p.kind for p in pictures}
    for picture in pictures:
        image = Image.open(io.BytesIO(picture.data))
        assert picture.label is None
        assert image.format == {"jpg": "JPEG", "png": "PNG"}[picture.extension]
        assert min(image.size) >= 32


@pytest.mark.slow  # renders every kind of picture
def test_non_digits_are_reproducible_from_their_seed():
    first = nondigits.render_nondigits(5, seed=9)
    assert [p.data for p in first] == [p.data for p in nondigits.render_nondigits(5, seed=9)]
    assert [p.data for p in first] != [p.data for p in nondigits.render_nondigits(5, seed=10)]


def fake_digits() -> tuple[np.ndarray, np.ndarray]:
    images = np.zeros((20, 28, 28), np.uint8)
    images[:, 6:22, 11:16] = 255
    return images, np.arange(20) % 10


@pytest.mark.slow  # renders every kind of picture
def test_a_number_is_its_digits_in_order_without_a_leading_zero():
    images, labels = fake_digits()
    pictures = numbers.render_numbers(12, seed=4, images=images, labels=labels)
    for picture in pictures:
        assert 2 <= picture.digits <= 3
        assert len(str(picture.label)) == picture.digits  # no leading zero, so the digits are the label's
        Image.open(io.BytesIO(picture.data)).verify()
    assert [p.data for p in pictures[:3]] == [p.data for p in numbers.render_numbers(3, 4, images, labels)]


def test_the_digits_of_a_number_stand_apart_in_a_row():
    images, _ = fake_digits()
    mask = numbers.number_mask([images[0], images[1], images[2]], np.random.default_rng(0))
    columns = (mask > 0.3).any(axis=0)
    starts = np.flatnonzero(columns[1:] & ~columns[:-1])  # where a run of inked columns begins
    assert len(starts) + int(columns[0]) == 3
    assert mask.shape[1] > mask.shape[0]
