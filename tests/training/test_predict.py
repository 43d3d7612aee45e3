"""python -m training.predict: the page's answers from the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from tests import pictures
from tests.conftest import SAMPLES_DIR
from training import decode, models, predict, preprocess


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    """Return a throwaway SavedModel (untrained, 28x28x1 -> 10 softmax) exported like training.train does."""
    import keras

    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    model_dir = tmp_path_factory.mktemp("models") / "1700000000"
    model.export(str(model_dir), verbose=False)
    return model_dir


@pytest.fixture()
def picture_files(tmp_path):
    """Return {name: path}: one digit, one blank picture, and files that are not pictures."""
    digit = tmp_path / "seven.png"
    Image.fromarray(pictures.digit_pictures()["transparent_png"][1]).save(digit)
    blank = tmp_path / "blank.png"
    Image.fromarray(pictures.blank_pictures()["uniform"]).save(blank)
    return {"digit": digit, "blank": blank, **pictures.write_bad_files(tmp_path)}


def test_json_gives_one_answer_per_file_and_bad_files_do_not_stop_the_others(tiny_model_dir, picture_files, capsys):
    files = [picture_files[name] for name in ("digit", "empty", "blank", "text_named_png", "corrupt_png")]
    exit_code = predict.main([str(path) for path in files] + ["--json", "--model", str(tiny_model_dir)])
    answers = json.loads(capsys.readouterr().out)
    assert exit_code == 1  # some files were unreadable
    assert [answer["file"] for answer in answers] == [str(path) for path in files]
    digit, empty, blank, text, corrupt = answers
    assert digit["digit"] in range(10)
    assert len(digit["probabilities"]) == 10 and abs(sum(digit["probabilities"]) - 1) < 1e-4
    assert digit["confidence"] == max(digit["probabilities"])
    assert empty["digit"] is None and empty["reason"] == "empty.png: this file is empty (0 bytes)."
    assert blank["digit"] is None and blank["reason"] == preprocess.NO_CONTRAST and "unreadable" not in blank
    assert text["digit"] is None and "not a picture" in text["reason"]
    assert corrupt["digit"] is None and "damaged" in corrupt["reason"]


def test_blank_pictures_are_answers_not_errors(tiny_model_dir, picture_files, capsys):
    exit_code = predict.main([str(picture_files["digit"]), str(picture_files["blank"]), "--model", str(tiny_model_dir)])
    assert exit_code == 0


def test_table_names_each_file_with_its_digit_or_reason(tiny_model_dir, picture_files, capsys):
    predict.main([str(picture_files["digit"]), str(picture_files["blank"]), "--model", str(tiny_model_dir)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["file", "digit", "confidence"]
    assert lines[1].startswith(str(picture_files["digit"]))
    assert lines[2].startswith(str(picture_files["blank"])) and lines[2].endswith(preprocess.NO_CONTRAST)


def test_missing_model_dir_names_the_path(tmp_path, picture_files, capsys):
    exit_code = predict.main([str(picture_files["digit"]), "--model", str(tmp_path / "nowhere")])
    assert exit_code == 2
    assert str(tmp_path / "nowhere") in capsys.readouterr().err


@pytest.mark.skipif(not models.model_dirs(), reason="no shipped model in training/models yet (python -m training.train)")
def test_shipped_model_reads_every_shared_sample():
    paths = sorted(SAMPLES_DIR.iterdir())
    assert len(paths) == 14
    classify = models.load_classifier(models.newest_model_dir())
    answers = predict.predict_files(paths, classify, preprocess.load_spec())
    wrong = {answer["file"]: answer["digit"] for answer, path in zip(answers, paths) if answer["digit"] != int(path.name[0])}
    assert not wrong, f"misread samples: {wrong}"


def test_predict_files_feeds_the_model_the_preprocessed_input(picture_files):
    seen = []

    def classify(images: np.ndarray) -> np.ndarray:
        seen.append(images)
        return np.tile(np.eye(10, dtype=np.float32)[3], (len(images), 1))

    answers = predict.predict_files([picture_files["digit"]], classify, preprocess.load_spec())
    expected = preprocess.preprocess(decode.decode_file(picture_files["digit"]), preprocess.load_spec()).input
    assert np.array_equal(seen[0][0], expected)
    assert answers[0]["digit"] == 3 and answers[0]["confidence"] == 1.0
