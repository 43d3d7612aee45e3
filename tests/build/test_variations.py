"""build.variations: each variation is the picture changed the way it says, decodable, and the same every time."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from build import variations
from tests import pictures
from training import decode


def seven(size: tuple[int, int] = (200, 240)) -> Image.Image:
    """A black 7 on white, as a person draws one."""
    width, height = size
    box = (0.25 * width, 0.2 * height, 0.75 * width, 0.8 * height)
    return pictures.draw_digit(size, "7", box, (0, 0, 0), max(4, width // 14), (255, 255, 255))


def varied(name: str, image: Image.Image | None = None) -> variations.Varied:
    (picture,) = variations.vary(image or seven(), 7, "real-7-0001", [name])
    return picture


def pixels(picture: variations.Varied) -> np.ndarray:
    """The picture's RGB pixels, upright, as the page and training.decode read them."""
    return np.asarray(Image.open(io.BytesIO(picture.data)).convert("RGB"), dtype=np.float64)


@pytest.mark.parametrize("name", list(variations.VARIATIONS))
def test_every_variation_is_a_picture_the_reader_decodes(tmp_path, name):
    picture = varied(name)
    path = tmp_path / f"{picture.name}.{picture.extension}"
    path.write_bytes(picture.data)
    rgba = decode.decode_file(path)
    assert rgba.shape[2] == 4
    assert min(rgba.shape[:2]) > 0
    assert picture.label == 7
    assert picture.name == f"{name}-real-7-0001"


def test_the_same_picture_and_seed_give_the_same_bytes():
    first = variations.vary(seven(), 7, "real-7-0001", list(variations.VARIATIONS))
    again = variations.vary(seven(), 7, "real-7-0001", list(variations.VARIATIONS))
    assert [picture.data for picture in first] == [picture.data for picture in again]


def test_light_from_one_side_darkens_the_paper_steadily_to_the_far_side():
    paper = pixels(varied("light_from_one_side"))[0]  # the top row: paper only
    assert paper[0].mean() == pytest.approx(255, abs=1)
    assert paper[-1].mean() == pytest.approx(255 * variations.FAR_SIDE_LIGHT, abs=1)
    assert np.all(np.diff(paper[:, 0]) <= 0)


def test_sizes_are_what_the_variation_says():
    source = seven((200, 240))
    assert Image.open(io.BytesIO(varied("tiny", source).data)).size == (53, 64)
    assert Image.open(io.BytesIO(varied("big", source).data)).size == (1333, 1600)
    assert Image.open(io.BytesIO(varied("small_in_a_larger_picture", source).data)).size == (600, 720)
    width, height = Image.open(io.BytesIO(varied("cropped_tight", source).data)).size
    assert (width, height) == (168, 202)


def test_the_picture_stored_turned_decodes_upright(tmp_path):
    picture = varied("stored_turned_exif_6")
    assert Image.open(io.BytesIO(picture.data)).size == (240, 200)  # stored on its side
    path = tmp_path / "turned.jpg"
    path.write_bytes(picture.data)
    assert decode.decode_file(path).shape[:2] == (240, 200)  # read upright: 240 tall, 200 wide


def test_light_on_dark_is_the_picture_inverted():
    assert pixels(varied("light_on_dark"))[0, 0] == pytest.approx([0, 0, 0])
    assert pixels(varied("as_is"))[0, 0] == pytest.approx([255, 255, 255])


def test_transparent_pixels_are_taken_over_white():
    _, rgba = pictures.transparent_png()
    flat = np.asarray(variations.flattened(rgba))
    assert flat[0, 0].tolist() == [255, 255, 255]  # transparent
    assert flat[rgba[..., 3] == 255].max() == 0  # the opaque black 7 stays black


def shared_data(root: Path) -> Path:
    """A shared-data folder with one drawn 7 in real/ and one in samples/, beside files that are no pictures."""
    for folder in variations.FOLDERS:
        (root / folder).mkdir(parents=True)
        seven().save(root / folder / "7-drawn.png")
    (root / "real" / "SOURCES.tsv").write_text("file\tkind\n")
    return root


def test_out_writes_every_variation_of_every_picture(tmp_path, capsys):
    out = tmp_path / "out"
    assert variations.main(["--shared-data", str(shared_data(tmp_path / "shared")), "--out", str(out)]) == 0
    assert len(list(out.iterdir())) == 2 * len(variations.VARIATIONS)
    assert f"wrote {2 * len(variations.VARIATIONS)} pictures" in capsys.readouterr().out


def test_a_missing_shared_folder_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(SystemExit):
        variations.main(["--shared-data", str(tmp_path / "nowhere")])
    assert "no folder" in capsys.readouterr().err


@pytest.mark.slow  # reads with TensorFlow and the shipped model
def test_reading_scores_each_variation(tmp_path, capsys):
    shared = shared_data(tmp_path / "shared")
    assert variations.main(["--shared-data", str(shared), "--only", "as_is", "--only", "light_on_dark"]) == 0
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()[2:]}
    assert rows["as_is"] == ["2/2"]  # a plain drawn 7 is read, in real/ and in samples/
    assert rows["light_on_dark"] == ["2/2", "+0"]
