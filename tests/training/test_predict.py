"""python -m training.predict: the page's answers from the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from tests import example_metrics, pictures, slow
from training import cli, decode, exports, predict, preprocess


@slow.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    """Return a throwaway SavedModel (untrained, 28x28x1 -> 10 softmax) exported like training.train does."""
    import keras

    model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    )
    model_dir = tmp_path_factory.mktemp("models") / "1700000000"
    model.export(str(model_dir), verbose=False)
    return example_metrics.write(model_dir)


@pytest.fixture
def picture_files(tmp_path):
    """Return {name: path}: one digit, one blank picture, and files that are not pictures."""
    digit = tmp_path / "seven.png"
    Image.fromarray(pictures.digit_picture("transparent_png")[1]).save(digit)
    blank = tmp_path / "blank.png"
    Image.fromarray(pictures.blank_picture("uniform")).save(blank)
    return {"digit": digit, "blank": blank, **pictures.write_bad_files(tmp_path)}


def test_json_gives_one_answer_per_file_and_bad_files_do_not_stop_the_others(tiny_model_dir, picture_files, capsys):
    files = [picture_files[name] for name in ("digit", "empty", "blank", "text_named_png", "corrupt_png")]
    exit_code = predict.main([str(path) for path in files] + ["--json", "--model", str(tiny_model_dir)])
    answers = json.loads(capsys.readouterr().out)
    assert exit_code == cli.EXIT_RESULT_FAILED  # some files were unreadable; the others are answered
    assert [answer["file"] for answer in answers] == [str(path) for path in files]
    digit, empty, blank, text, corrupt = answers
    assert digit["digit"] in range(10)
    assert len(digit["probabilities"]) == 10
    assert abs(sum(digit["probabilities"]) - 1) < 1e-4
    assert digit["confidence"] == max(digit["probabilities"])
    assert empty["digit"] is None
    assert empty["reason"] == "empty.png: this file is empty (0 bytes)."
    assert blank["digit"] is None
    assert blank["reason"] == preprocess.NO_CONTRAST
    assert "unreadable" not in blank
    assert text["digit"] is None
    assert "not a picture" in text["reason"]
    assert corrupt["digit"] is None
    assert "damaged" in corrupt["reason"]


def test_blank_pictures_are_answers_not_errors(tiny_model_dir, picture_files, capsys):
    exit_code = predict.main([str(picture_files["digit"]), str(picture_files["blank"]), "--model", str(tiny_model_dir)])
    assert exit_code == 0


def test_table_names_each_file_with_its_digit_or_reason(tiny_model_dir, picture_files, capsys):
    predict.main([str(picture_files["digit"]), str(picture_files["blank"]), "--model", str(tiny_model_dir)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["file", "read", "confidence"]
    assert lines[1].startswith(str(picture_files["digit"]))
    assert lines[2].startswith(str(picture_files["blank"]))
    assert lines[2].endswith(preprocess.NO_CONTRAST)


@pytest.mark.slow  # the command imports TensorFlow before it looks for the model
def test_missing_model_dir_names_the_path(tmp_path, picture_files, capsys):
    exit_code = predict.main([str(picture_files["digit"]), "--model", str(tmp_path / "nowhere")])
    assert exit_code == cli.EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ")
    assert str(tmp_path / "nowhere") in captured.err
    assert captured.err.count("\n") == 1
    assert captured.out == ""


@pytest.mark.skipif(
    not exports.model_dirs(), reason="no shipped model in training/models yet (python -m training.train)"
)
def test_shipped_model_reads_every_shared_sample(samples_dir):
    paths = sorted(samples_dir.iterdir())
    assert len(paths) == 14
    model_dir = exports.newest_model_dir()
    answers = predict.predict_files(
        paths, exports.load_reader(model_dir), preprocess.load_spec(), predict.refusal_threshold(model_dir)
    )
    wrong = {
        answer["file"]: answer["digit"]
        for answer, path in zip(answers, paths, strict=True)
        if answer["digit"] != int(path.name[0])
    }
    assert not wrong, f"misread samples: {wrong}"


def test_predict_files_feeds_the_model_the_preprocessed_input(picture_files):
    seen = []

    def read(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        seen.append(images)
        return np.tile(np.eye(10, dtype=np.float32)[3], (len(images), 1)), np.zeros(len(images), np.float32)

    answers = predict.predict_files([picture_files["digit"]], read, preprocess.load_spec())
    expected = preprocess.preprocess(decode.decode_file(picture_files["digit"]), preprocess.load_spec()).input
    assert np.array_equal(seen[0][0], expected)
    assert answers[0]["digit"] == 3
    assert answers[0]["confidence"] == 1.0


def two_digit_picture(path, scale: int = 1) -> None:
    """Write a 7 and a 1 side by side, dark on white, `scale` times a 600x400 picture."""
    from PIL import ImageDraw

    image = Image.new("RGB", (600 * scale, 400 * scale), (245, 245, 240))
    draw = ImageDraw.Draw(image)
    seven = [(150, 120), (240, 120), (180, 280)]
    one = [(330, 145), (350, 120), (350, 280)]
    for stroke in (seven, one):
        draw.line([(x * scale, y * scale) for x, y in stroke], fill=(20, 20, 60), width=8 * scale, joint="curve")
    image.save(path)


def test_json_gives_the_number_its_digits_and_their_boxes(tiny_model_dir, tmp_path, capsys):
    path = tmp_path / "seventy-one.png"
    two_digit_picture(path)
    predict.main([str(path), "--json", "--model", str(tiny_model_dir)])
    (answer,) = json.loads(capsys.readouterr().out)
    assert answer["reason"] is None
    assert answer["digit"] is None  # a number, not one digit
    assert len(answer["digits"]) == 2
    first, second = (digit["box"] for digit in answer["digits"])
    assert first["x"] < 200 < 320 < second["x"]  # left to right
    assert answer["number"] == int("".join(str(digit["digit"]) for digit in answer["digits"]))
    assert answer["box"]["x"] == first["x"]
    assert answer["box"]["x"] + answer["box"]["width"] == second["x"] + second["width"]
    assert {"not_digit", "probabilities", "confidence"} <= answer["digits"][0].keys()


def test_boxes_are_in_the_pictures_own_pixels_and_box_reads_only_that_part(tiny_model_dir, tmp_path, capsys):
    # Three times bigger than the decode keeps (1024 px): boxes still come back in the file's pixels.
    path = tmp_path / "big.png"
    two_digit_picture(path, scale=3)
    predict.main([str(path), "--json", "--model", str(tiny_model_dir), "--box", "900,300,300,600"])
    (answer,) = json.loads(capsys.readouterr().out)
    (digit,) = answer["digits"]
    assert answer["digit"] == digit["digit"]
    assert answer["number"] == digit["digit"]
    assert 960 <= digit["box"]["x"] <= 1040  # the 1, at x ~990-1050
    assert 330 <= digit["box"]["y"] <= 380
    assert 420 <= digit["box"]["height"] <= 540


def test_a_bad_box_is_a_usage_error(tiny_model_dir, picture_files, capsys):
    with pytest.raises(SystemExit) as exit_info:
        predict.main([str(picture_files["digit"]), "--box", "1,2,3", "--model", str(tiny_model_dir)])
    assert exit_info.value.code == 2
    assert "X,Y,W,H" in capsys.readouterr().err
