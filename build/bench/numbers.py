"""Numbers of 2-3 handwritten digits in a row, from MNIST test digits, as uploads (issue 10's numbers).

Each picture is a number with no leading zero, its digits drawn as pen ink (build.scenes.digit_ink)
at about one height, with gaps of different widths between them and the row on a slight slope,
painted like the rendered uploads (build.uploads.paint). recognize() must read `number` = the label.
Only MNIST test digits are drawn, and these pictures are for measuring, never for training.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from build import scenes, uploads

ROW_HEIGHT = 120  # px of the digits in the row before the row is scaled into the picture
GAP = (0.04, 0.45)  # the gap between two digits' ink, as a fraction of the row's height
SLOPE = 0.12  # at most this much rise per unit of width


@dataclass(frozen=True)
class NumberPicture:
    """One rendered number: file bytes, extension, the number it shows, how many digits, paint style."""

    data: bytes
    extension: str
    label: int
    digits: int
    style: str

    @property
    def name(self) -> str:
        """The file name stem when written out: `<number>-number-<style>`."""
        return f"{self.label}-number-{self.style}"


def number_mask(digits: Sequence[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Return the ink of MNIST digits written left to right: similar heights, uneven gaps, a slight slope."""
    inks = [scenes.digit_ink(digit, ROW_HEIGHT * rng.uniform(0.88, 1.12), rng) for digit in digits]
    gaps = [ROW_HEIGHT * rng.uniform(*GAP) for _ in inks[1:]]
    width = int(sum(ink.shape[1] for ink in inks) + sum(gaps)) + 4
    slope = rng.uniform(-SLOPE, SLOPE)
    rise = abs(slope) * width
    canvas = np.zeros((int(ROW_HEIGHT * 1.4 + rise) + 4, width), np.float32)
    left = 2.0
    for index, ink in enumerate(inks):
        baseline = canvas.shape[0] - 2 - ROW_HEIGHT * 0.15 - (slope * left if slope > 0 else rise + slope * left)
        top = int(baseline - ink.shape[0] + rng.normal(0, 0.04) * ROW_HEIGHT)
        scenes.paste(canvas, ink, max(0, top), int(left))
        left += ink.shape[1] + (gaps[index] if index < len(gaps) else 0)
    box = scenes.ink_box(canvas, 0.05)
    assert box is not None  # every MNIST digit has ink
    x, y, w, h = box
    return np.pad(canvas[y : y + h, x : x + w], 2)


def pick_number(labels: np.ndarray, rng: np.random.Generator) -> list[int]:
    """Return the indices of 2 or 3 MNIST test digits making a number without a leading zero."""
    count = int(rng.integers(2, 4))
    first = int(rng.choice(np.flatnonzero(labels != 0)))
    return [first] + [int(i) for i in rng.choice(len(labels), size=count - 1)]


def render_numbers(
    count: int, seed: int = 2, images: np.ndarray | None = None, labels: np.ndarray | None = None
) -> list[NumberPicture]:
    """Return `count` number pictures; picture i uses its own generator seeded by (seed, i): same seed, same bytes."""
    if images is None or labels is None:
        images, labels = scenes.load_test_digits()
    pictures = []
    for n in range(count):
        rng = np.random.default_rng([seed, n])
        chosen = pick_number(labels, rng)
        style = uploads.STYLES[n % len(uploads.STYLES)]
        mark = number_mask([images[i] for i in chosen], rng)
        image, extension = uploads.paint(uploads.place(mark, rng, fill=(0.2, 0.7), margin=0.04), style, rng)
        label = int("".join(str(int(labels[i])) for i in chosen))
        pictures.append(NumberPicture(scenes.encode(image, extension, rng), extension, label, len(chosen), style))
    return pictures


def main(argv: Sequence[str] | None = None) -> int:
    """Write number pictures to look at."""
    return scenes.look_command(
        argv, "build.bench.numbers", __doc__, "number pictures", count=24, seed=2, render=render_numbers
    )


if __name__ == "__main__":
    sys.exit(main())
