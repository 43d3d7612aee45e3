"""build.scenes: photo scenes are reproducible, hold what they claim, and decode upright."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from build import scenes
from tests import slow

KIND_COUNT = len(scenes.KINDS)


def fake_digits(seed: int, count: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Return MNIST-shaped uint8 'digits' (a thick random bar and a hook, white on black) and labels 0..9."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28), np.uint8)
    for image in images:
        left, top = rng.integers(6, 14, 2)
        image[top : top + 14, left : left + 4] = 255
        image[top : top + 4, left : left + 9] = 255
    return images, np.arange(count) % 10


@slow.fixture(scope="module")
def rendered() -> list[scenes.Scene]:
    """One scene of every kind, drawn from fake digits."""
    images, labels = fake_digits(0)
    return scenes.render_scenes(KIND_COUNT, seed=7, images=images, labels=labels)


def decoded(scene: scenes.Scene) -> Image.Image:
    """Return the scene's picture turned upright as its EXIF says, in RGB."""
    return ImageOps.exif_transpose(Image.open(io.BytesIO(scene.data))).convert("RGB")


@pytest.mark.slow  # renders photo-sized scenes
def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes():
    images, labels = fake_digits(0)
    first = scenes.render_scenes(2, seed=3, images=images, labels=labels)
    again = scenes.render_scenes(2, seed=3, images=images, labels=labels)
    other = scenes.render_scenes(2, seed=4, images=images, labels=labels)
    assert [s.data for s in first] == [s.data for s in again]
    assert all(a.data != b.data for a, b in zip(first, other, strict=True))


def test_kinds_come_in_rotation_and_only_blanks_have_no_label(rendered):
    assert [scene.kind for scene in rendered] == list(scenes.KINDS)
    for scene in rendered:
        assert (scene.label is None) == (scene.kind in scenes.BLANK_KINDS)
        assert (scene.box is None) == (scene.label is None)
        assert scene.label is None or 0 <= scene.label <= 9


@pytest.mark.slow  # renders photo-sized scenes
def test_blank_scenes_hold_no_mnist_ink():
    # The same seed drawn from two different sets of digits: scenes with a digit change, blanks do not.
    images, labels = fake_digits(0)
    kinds = ("plain_sheet", "blank_sheet", "empty_desk")
    first = scenes.render_scenes(6, seed=5, images=images, labels=labels, kinds=kinds)
    second = scenes.render_scenes(6, seed=5, images=images[:, ::-1, :].copy(), labels=labels, kinds=kinds)
    for a, b in zip(first, second, strict=True):
        assert (a.data == b.data) == (a.kind in scenes.BLANK_KINDS), a.kind


def test_photos_are_phone_jpegs_and_form_cells_small_scans(rendered):
    for scene in rendered:
        image = Image.open(io.BytesIO(scene.data))
        upright = decoded(scene)
        assert upright.size == scene.size
        if scene.kind == "form_cell":
            assert max(image.size) <= scenes.CELL_SIDE[1] * 2
        else:
            assert image.format == "JPEG"
            assert scene.extension == "jpg"
            assert scenes.PHOTO_LONG_SIDE[0] <= max(image.size) <= scenes.PHOTO_LONG_SIDE[1]


def test_exif_rotated_files_are_stored_turned_and_decode_upright(rendered):
    turned = [scene for scene in rendered if scene.kind == "exif_rotated"]
    assert turned
    for scene in turned:
        stored = Image.open(io.BytesIO(scene.data))
        assert scene.orientation in (6, 8)
        assert stored.getexif()[scenes.EXIF_ORIENTATION] == scene.orientation
        assert stored.size == scene.size[::-1]
    assert all(scene.orientation == 1 for scene in rendered if scene.kind != "exif_rotated")


@pytest.mark.parametrize("orientation", [6, 8])
def test_exif_orientation_says_how_to_turn_the_stored_pixels_upright(orientation):
    upright = np.zeros((40, 60, 3), np.uint8)
    upright[:10, :20] = 255  # a mark in the top-left corner tells the turns apart
    data = scenes.encode(Image.fromarray(upright), "png", np.random.default_rng(0), orientation)
    stored = Image.open(io.BytesIO(data))
    assert stored.size == (40, 60)
    assert np.array_equal(np.asarray(ImageOps.exif_transpose(stored).convert("RGB")), upright)


def test_the_box_holds_the_digits_ink(rendered):
    for scene in rendered:
        if scene.box is None:
            continue
        x, y, width, height = scene.box
        grey = np.asarray(decoded(scene).convert("L"), np.float32)
        assert min(x, y) >= 0
        assert x + width <= grey.shape[1]
        assert y + height <= grey.shape[0]
        inside = grey[y : y + height, x : x + width]
        assert np.percentile(inside, 1) < np.percentile(inside, 99) - 60, scene.kind  # dark ink on light paper
        if scene.kind != "form_cell":
            assert 0.04 <= height / min(scene.size) <= 0.5, scene.kind


def test_a_digit_wider_than_the_sheets_writable_part_is_not_placed_on_it():
    # The caller then writes a smaller digit in the middle of what the photo shows of the sheet.
    rng = np.random.default_rng(0)
    assert scenes.place_digit((100, 200), (60, 190), np.eye(3), (400, 300), rng) is None
    assert scenes.place_digit((100, 200), (60, 100), np.eye(3), (400, 300), rng) is not None


def test_an_unknown_kind_is_a_named_error():
    images, labels = fake_digits(0)
    with pytest.raises(ValueError, match="unknown scene kinds"):
        scenes.render_scenes(1, images=images, labels=labels, kinds=("sunset",))


@pytest.mark.slow  # renders photo-sized scenes
def test_scores_count_blanks_read_and_prefer_number_over_digit():
    images, labels = fake_digits(0)
    chosen = scenes.render_scenes(KIND_COUNT, seed=1, images=images, labels=labels)
    answers = [{"digit": None, "number": scene.label} for scene in chosen]  # every digit read via `number`
    answers[-1] = {"digit": 3, "number": 3}  # an empty desk read as 3
    result = scenes.score(chosen, answers)
    assert result["blanks_read"] == 1
    assert result["blanks"] == 2
    assert result["digits_correct"] == result["digits"] == KIND_COUNT - 2
    assert result["by_kind"]["empty_desk"]["correct"] == 0
