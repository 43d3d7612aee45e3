"""build.examples: example pictures drawn by our own code, the same on every build, read as what they show."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from build import examples


def test_examples_are_data_urls_of_small_jpegs_with_alt_text() -> None:
    pictures = examples.example_pictures()
    assert [picture["text"] for picture in pictures] == ["7", "3", "12"]
    for picture in pictures:
        assert picture["url"].startswith("data:image/jpeg;base64,")
        data = base64.b64decode(picture["url"].split(",", 1)[1])
        assert len(data) < 8_000  # three of them sit inside index.html
        image = Image.open(io.BytesIO(data))
        assert image.size == (examples.SIDE, examples.SIDE)
        assert image.format == "JPEG"
        assert picture["alt"].startswith("Example: ")
        assert picture["text"] in picture["alt"]


def test_examples_are_deterministic() -> None:
    assert examples.example_pictures() == examples.example_pictures()


def test_ink_is_darker_than_the_paper_and_centred() -> None:
    image = np.asarray(examples.render(examples.EXAMPLES[0]).convert("L"), dtype=float)
    ink = image < image.mean() - 40
    assert 0.02 < ink.mean() < 0.2
    rows, cols = np.nonzero(ink)
    assert abs(rows.mean() - examples.SIDE / 2) < examples.SIDE * 0.15
    assert abs(cols.mean() - examples.SIDE / 2) < examples.SIDE * 0.15


@pytest.mark.slow  # runs the shipped SavedModel
def test_the_shipped_model_reads_the_single_digit_examples(tmp_path) -> None:
    """The page's Python twin (`python -m training.predict --json`) reads each one-digit example as its digit."""
    import json
    import subprocess
    import sys

    single = [example for example in examples.EXAMPLES if len(example.text) == 1]
    paths = [tmp_path / f"{example.name}.jpg" for example in single]
    for example, path in zip(single, paths, strict=False):
        path.write_bytes(examples.encode(examples.render(example)))
    completed = subprocess.run(
        [sys.executable, "-m", "training.predict", "--json", *map(str, paths)],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    answers = json.loads(completed.stdout)
    assert [str(answer["digit"]) for answer in answers] == [example.text for example in single]
