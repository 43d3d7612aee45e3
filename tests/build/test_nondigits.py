"""build.nondigits: held-out non-digit pictures are what they claim, reproducibly."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from build import nondigits
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
