"""build.bench.numbers: numbers of 2-3 digits are what they claim, reproducibly."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from build.bench import numbers


def fake_digits() -> tuple[np.ndarray, np.ndarray]:
    images = np.zeros((20, 28, 28), np.uint8)
    images[:, 6:22, 11:16] = 255
    return images, np.arange(20) % 10


@pytest.mark.slow  # renders numbers of MNIST-like digits
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
