"""python -m training.predict on what goes wrong: hostile names, unopenable files, broken models, a bad spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from tests import example_metrics, pictures, slow
from training import cli, predict, spec_check


@slow.fixture(scope="module")
def export_model(tmp_path_factory):
    """Return a function exporting an untrained 28x28x1 -> `classes` softmax SavedModel (with its metrics.json)."""
    import keras

    def export(classes: int) -> str:
        model = keras.Sequential(
            [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(classes, activation="softmax")]
        )
        model_dir = tmp_path_factory.mktemp("models") / "1700000000"
        model.export(str(model_dir), verbose=False)
        return str(example_metrics.write(model_dir))

    return export


@pytest.fixture
def seven(tmp_path):
    path = tmp_path / "seven.png"
    Image.fromarray(pictures.digit_picture("transparent_png")[1]).save(path)
    return path


def test_control_characters_in_file_names_are_escaped_in_the_table(export_model, tmp_path, capsys):
    hostile = tmp_path / "\x1b[2J\x1b[31mred.png"
    hostile.write_bytes(b"")
    assert predict.main([str(hostile), "--model", export_model(10)]) == cli.EXIT_RESULT_FAILED
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\\x1b[2J\\x1b[31mred.png: this file is empty (0 bytes)." in out


def test_a_file_that_cannot_be_opened_is_not_called_damaged(export_model, seven, monkeypatch, capsys):
    # Tests run as root here, where chmod 000 does not stop a read: the refusal is raised where the OS would.
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(seven))

    monkeypatch.setattr(Image, "open", refuse)
    assert predict.main([str(seven), "--json", "--model", export_model(10)]) == cli.EXIT_RESULT_FAILED
    (answer,) = json.loads(capsys.readouterr().out)
    assert answer["reason"] == "seven.png: this file cannot be opened (permission denied)."


@pytest.mark.slow  # loads a SavedModel with TensorFlow
def test_a_broken_model_exits_with_its_own_code_and_one_line(seven, tmp_path, capsys):
    broken = tmp_path / "1700000001"
    broken.mkdir()
    (broken / "saved_model.pb").write_bytes(b"this is not a protocol buffer")
    assert predict.main([str(seven), "--model", str(broken)]) == cli.EXIT_ERROR != cli.EXIT_RESULT_FAILED
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: cannot load the model in {broken}: ")
    assert captured.err.count("\n") == 1
    assert captured.out == ""


def test_a_model_without_ten_outputs_is_refused(export_model, seven, capsys):
    five = export_model(5)
    assert predict.main([str(seven), "--model", five]) == cli.EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.err == f"error: the model in {five} answers 5 values per picture, not the 10 digit probabilities\n"
    assert captured.out == ""


def test_a_bad_spec_is_one_error_before_any_picture_is_read(export_model, seven, tmp_path, monkeypatch, capsys):
    bad = json.loads(spec_check.SPEC_PATH.read_text())
    bad["decode"]["max_pixels"] = -1
    bad["canvas"]["box_side"] = 100
    path = tmp_path / "preprocess_spec.json"
    path.write_text(json.dumps(bad))
    monkeypatch.setattr(spec_check, "SPEC_PATH", path)
    assert predict.main([str(seven), "--model", export_model(10)]) == cli.EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"error: {path}: 2 bad fields: decode.max_pixels is -1, expected a whole number >= 1; "
        "canvas.box_side is 100, expected a whole number >= 1 and <= 28\n"
    )


def test_a_model_without_metrics_is_one_error_line_naming_the_file(export_model, seven, capsys):
    model_dir = export_model(10)
    metrics = Path(model_dir) / "metrics.json"
    metrics.unlink()
    assert predict.main([str(seven), "--model", model_dir]) == cli.EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.err == (
        f"error: no model metrics {metrics}: `python -m training.train` writes it beside the SavedModel it exports\n"
    )
    assert captured.out == ""
