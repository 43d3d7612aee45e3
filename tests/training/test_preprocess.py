"""training.preprocess: real-looking uploads become MNIST-like 28x28 inputs; no-digit and bad files say so."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from tests import pictures
from tests.paths import REPO_ROOT
from training import decode, preprocess

SPEC = preprocess.load_spec()
UNBOUNDED = {**SPEC["decode"], "max_decoded_side": 4096}  # decode at full size, to compare pixels
INK_THRESHOLD = 0.1


def ink_box_side(image: np.ndarray) -> int:
    """Return the long side of the bounding box of pixels above INK_THRESHOLD."""
    rows = np.flatnonzero(image.max(axis=1) > INK_THRESHOLD)
    columns = np.flatnonzero(image.max(axis=0) > INK_THRESHOLD)
    return int(max(rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1))


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    rows, columns = np.mgrid[: image.shape[0], : image.shape[1]]
    return float((image * rows).sum() / image.sum()), float((image * columns).sum() / image.sum())


def assert_mnist_like(image: np.ndarray) -> None:
    """White ink on black, max 1, ink in a ~20 px box, centre of mass near the centre."""
    assert image.shape == (28, 28)
    assert image.dtype == np.float32
    assert image.min() >= 0
    assert image.max() == pytest.approx(1.0)
    assert np.median(image) == 0, "the background must be black"
    assert 0.03 < image.mean() < 0.45, "ink, not paper, must be white"
    assert 17 <= ink_box_side(image) <= 21
    row, column = centre_of_mass(image)
    assert abs(row - 14) <= 1
    assert abs(column - 14) <= 1


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.slow) if name == "thin_strokes_big_photo" else name  # 3000x2000
        for name in sorted(pictures.DIGIT_PICTURES)
    ],
)
def test_digit_pictures_come_out_mnist_like(name):
    _, rgba = pictures.digit_picture(name)
    result = preprocess.preprocess(rgba, SPEC)
    assert result.reason is None
    assert_mnist_like(result.input)


@pytest.mark.parametrize("name", sorted(pictures.BLANK_PICTURES))
def test_pictures_without_a_digit_say_so(name):
    result = preprocess.preprocess(pictures.blank_picture(name), SPEC)
    assert result.input is None
    assert result.reason.endswith("no digit found.")


def test_specks_alone_are_not_a_digit():
    assert preprocess.preprocess(pictures.blank_picture("specks_only"), SPEC).reason == preprocess.ONLY_SPECKS


def test_light_on_dark_and_dark_on_light_give_the_same_input():
    _, rgba = pictures.digit_picture("transparent_png")
    over_white = preprocess.composite_alpha(rgba, SPEC)
    dark_on_light = np.concatenate([over_white.astype(np.uint8), rgba[..., 3:] * 0 + 255], axis=2)
    light_on_dark = dark_on_light.copy()
    light_on_dark[..., :3] = 255 - light_on_dark[..., :3]
    first = preprocess.preprocess(dark_on_light, SPEC).input
    second = preprocess.preprocess(light_on_dark, SPEC).input
    assert np.abs(first - second).max() < 1e-5


@pytest.mark.slow  # a 3000x2000 picture
def test_thin_strokes_in_a_big_photo_are_thickened_to_mnist_width():
    _, rgba = pictures.digit_picture("thin_strokes_big_photo")
    image = preprocess.preprocess(rgba, SPEC).input
    # MNIST's strokes are about 2 px wide: a hairline would put ink above 0.5 in far fewer pixels.
    assert (image > 0.5).sum() >= 40
    assert preprocess.stroke_width(image) >= 1.5


def test_ruled_lines_are_removed():
    _, rgba = pictures.digit_picture("lined_paper")
    image = preprocess.preprocess(rgba, SPEC).input
    assert (image[:, :2] < 0.05).all(), "a ruled line runs across the canvas"
    assert (image[:, -2:] < 0.05).all(), "a ruled line runs across the canvas"


def test_a_digit_small_in_a_corner_is_found_and_scaled_up():
    _, rgba = pictures.digit_picture("small_in_corner")
    assert ink_box_side(preprocess.preprocess(rgba, SPEC).input) >= 18


def test_a_box_close_around_a_small_digit_is_not_read_with_it():
    # On the coarse map the box is two pixels from the 7 and is taken off as a frame; the reading's mask,
    # widened to keep the strokes' faint edges, would reach it: the 7 is read as if the box were not there.
    (boxed,) = preprocess.preprocess(pictures.small_seven(box_gap=11), SPEC).digits
    (alone,) = preprocess.preprocess(pictures.small_seven(box_gap=None), SPEC).digits
    assert boxed.box == alone.box
    np.testing.assert_allclose(boxed.input, alone.input, atol=0.02)


def test_area_matrix_rows_average_and_preserve_mass():
    for size_in, size_out in [(7, 3), (3, 7), (512, 20), (20, 20), (1, 5)]:
        weights = preprocess.area_matrix(size_in, size_out)
        assert weights.shape == (size_out, size_in)
        assert np.allclose(weights.sum(axis=1), 1, atol=1e-6)
        assert np.allclose(weights.sum(axis=0), size_out / size_in, atol=1e-6)


def test_order_statistic_is_an_element_of_the_data():
    values = np.array([5, 1, 4, 2, 3], dtype=np.float32)
    assert preprocess.order_statistic(values, 50) == 3
    assert preprocess.order_statistic(values, 100) == 5
    assert preprocess.order_statistic(values, 0) == 1


def test_bad_input_shape_is_a_value_error():
    with pytest.raises(ValueError, match=r"^expected RGBA uint8 \[H,W,4\], got shape \(10, 10, 3\)$"):
        preprocess.preprocess(np.zeros((10, 10, 3), np.uint8), SPEC)


def test_spec_is_the_json_file_both_twins_read():
    assert json.loads((REPO_ROOT / "training" / "preprocess_spec.json").read_text()) == SPEC
    # Digits are located on a coarse map and read from the finer decoded pixels.
    assert SPEC["decode"]["max_decoded_side"] > SPEC["locate"]["map_side"]
    assert (SPEC["canvas"]["box_side"], SPEC["canvas"]["canvas_side"]) == (20, 28)


# ---- decode_file -------------------------------------------------------------------------------


def test_decode_file_gives_rgba_of_a_png(tmp_path):
    _, rgba = pictures.digit_picture("transparent_png")
    path = tmp_path / "seven.png"
    Image.fromarray(rgba).save(path)
    decoded = decode.decode_file(path, UNBOUNDED)
    assert decoded.dtype == np.uint8
    assert decoded.shape == rgba.shape
    assert np.array_equal(decoded, rgba)


def test_decode_file_applies_exif_orientation(tmp_path):
    path = tmp_path / "sideways.jpg"
    pictures.write_exif_rotated_jpeg(path)
    decoded = decode.decode_file(path, UNBOUNDED)
    assert decoded.shape == (400, 300, 4)  # stored 400 wide, shown upright 300 wide
    assert preprocess.preprocess(decoded, SPEC).input is not None
    # The 7's bar is at the top once upright.
    assert decoded[52:68, 70:230, 0].mean() < 60
    assert decoded[300:340, 180:240, 0].mean() > 200


def test_decode_file_takes_the_first_frame_of_an_animation(tmp_path):
    path = tmp_path / "two.gif"
    pictures.write_animated_gif(path)
    decoded = decode.decode_file(path, UNBOUNDED)
    first = np.asarray(pictures.draw_digit((200, 260), "1", (40, 30, 160, 230), (0, 0, 0), 20, (255, 255, 255)))
    assert np.array_equal(decoded[..., :3], first)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty", "empty.png: this file is empty (0 bytes)."),
        ("text_named_png", "notes.png: this file is not a picture this app can read."),
        ("corrupt_png", "corrupt.png: this picture is damaged and cannot be read"),
    ],
)
def test_decode_file_refuses_bad_files_with_a_sentence(tmp_path, name, message):
    path = pictures.write_bad_files(tmp_path)[name]
    with pytest.raises(decode.UnreadableImageError) as error:
        decode.decode_file(path)
    assert str(error.value).startswith(message)
    assert isinstance(error.value, ValueError)


def test_decode_file_shrinks_big_pictures_to_the_decoded_side(tmp_path):
    path = tmp_path / "phone.jpg"
    pictures.write_big_exif_rotated_jpeg(path)
    side = SPEC["decode"]["max_decoded_side"]
    decoded = decode.decode_file(path)
    assert decoded.shape == (side, round(side * 1500 / 2000), 4)  # upright 1500x2000, long side bounded
    width = decoded.shape[1]
    # The 7's bar runs across at 15% of the height once upright; above it is paper.
    bar = decoded[int(0.14 * side) : int(0.16 * side), width // 4 : width * 3 // 4, 0]
    assert decoded[: side // 10, :, 0].mean() > 200
    assert bar.mean() < 60


def test_decode_file_refuses_a_pixel_bomb_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("L", (2000, 1000)).save(path)
    limits = {**SPEC["decode"], "max_pixels": 1_000_000}
    with pytest.raises(decode.UnreadableImageError, match=r"too large \(2000x1000 pixels"):
        decode.decode_file(path, limits)


def test_decode_file_refuses_a_file_over_the_byte_limit(tmp_path):
    path = tmp_path / "big.png"
    Image.fromarray(pictures.digit_picture("blue_on_brown")[1]).save(path)
    with pytest.raises(decode.UnreadableImageError, match="too large"):
        decode.decode_file(path, {**SPEC["decode"], "max_file_bytes": 1000})


def test_shared_samples_come_out_mnist_like(samples_dir, subtests):
    paths = sorted(samples_dir.iterdir())
    assert paths, f"no pictures in {samples_dir}"
    for path in paths:
        with subtests.test(path.name):
            result = preprocess.preprocess(decode.decode_file(path), SPEC)
            assert result.reason is None
            assert_mnist_like(result.input)


def test_area_resize_rounds_as_the_js_twins_loops():
    # The JS twin sums each output cell's band in doubles, in order, and rounds to float32 once per product
    # (rows first). numpy's float32 matrix products rounded apart in the last bit, which the ink map's
    # percentiles widened to 4.3e-4 in a reading (a clip-art 8 cropped tight).
    rng = np.random.default_rng(4)
    image = np.sqrt(rng.integers(0, 195_075, size=(97, 131))).astype(np.float32)
    height, width = 61, 83

    def banded(values: np.ndarray, size_out: int) -> np.ndarray:  # [size_in, n] -> [size_out, n], as the loops
        weights = preprocess.area_matrix(values.shape[0], size_out)
        out = np.zeros((size_out, values.shape[1]), dtype=np.float32)
        for row in range(size_out):
            for column in range(values.shape[1]):
                total = 0.0
                for index in np.flatnonzero(weights[row]):
                    total += float(weights[row, index]) * float(values[index, column])
                out[row, column] = total
        return out

    expected = banded(banded(image, height).T, width).T
    assert np.array_equal(preprocess.area_resize(image, height, width), expected)


def test_bound_size_averages_whole_blocks_exactly_as_the_js_twin():
    # The JS twin sums each block in doubles: exact for colour distances (square roots of whole numbers, at most
    # 442), so the twins agree bit for bit. Summed in float32 they differed in the last bits, and a percentile of
    # the map taken from the other side of a near tie moved a reading by 4e-3 (a real picture lit from one side).
    side = SPEC["bound"]["max_working_side"]
    rng = np.random.default_rng(3)
    distance = np.sqrt(rng.integers(0, 195_075, size=(8 * side, 6 * side))).astype(np.float32)
    blocks = distance.reshape(side, 8, 6 * side // 8, 8).astype(np.float64)
    exact = (blocks.sum(axis=(1, 3)) / 64).astype(np.float32)  # 8x8 blocks: the long side comes to max_working_side
    assert np.array_equal(preprocess.bound_size(distance, SPEC), exact)
