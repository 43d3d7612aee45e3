"""python -m training.recalibrate: an exported model's thresholds chosen again on its held-out pictures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from training import calibration, cli, data, exports, recalibrate

# A committed model with a not_digit output, recalibrated in a copy on fewer held-out pictures than it was
# trained with, so the test renders in seconds.
MODEL = exports.MODELS_DIR / "1796531726"
SMALL_PARTS = {"mnist": 59_000, "printed": 300, "crops": 600, "non_digits": 600}
HELD_OUT = 1_000


@pytest.fixture
def small_copy(tmp_path: Path) -> Path:
    """Return a copy of MODEL whose metrics.json says it held out fewer pictures."""
    model_dir = tmp_path / MODEL.name
    shutil.copytree(MODEL, model_dir)
    metrics = json.loads((model_dir / "metrics.json").read_text())
    metrics["training_parts"] = {**metrics["training_parts"], **SMALL_PARTS}
    metrics["held_out_images"] = HELD_OUT
    (model_dir / "metrics.json").write_text(json.dumps(metrics))
    return model_dir


def test_recalibration_records_thresholds_that_keep_their_promises(small_copy: Path, mnist_dir, capsys) -> None:
    before = json.loads((small_copy / "metrics.json").read_text())
    assert recalibrate.main([str(small_copy), "--data-dir", str(mnist_dir)]) == cli.EXIT_OK
    after = json.loads((small_copy / "metrics.json").read_text())
    assert [path.name for path in small_copy.iterdir() if path.name.startswith(".")] == []
    # What training chose stays recorded; the temperature (in the graph) and the test score are untouched.
    assert after["recalibrated"]["earlier"]["not_digit_threshold"] == before["not_digit_threshold"]
    assert after["temperature"] == before["temperature"]
    assert after["test_accuracy"] == before["test_accuracy"]
    assert after["held_out_counts"] == {
        "mnist": HELD_OUT,
        "printed": 50,
        "crops": 100,
        "non_digits_held_out": 200,
        "non_digits_benchmark_fonts": 150,
    }
    # The recorded share of MNIST test refused is what the model does at the new threshold.
    mnist = data.load_mnist(mnist_dir)
    _, not_digit = exports.load_reader(small_copy)(data.as_model_input(mnist.test_images))
    refused = float(np.mean(not_digit >= after["not_digit_threshold"]))
    assert after["refused"]["mnist_test"] == pytest.approx(refused, abs=1e-6)
    assert after["refused"]["held_out_mnist"] <= calibration.MAX_WRONGLY_REFUSED["mnist"]
    assert after["refused"]["held_out_crops"] <= calibration.MAX_WRONGLY_REFUSED["crops"]
    out = capsys.readouterr().out
    assert f"not_digit_threshold: {before['not_digit_threshold']} -> {after['not_digit_threshold']}" in out


def test_a_model_that_does_not_say_what_it_held_out_is_one_error_line(small_copy: Path, mnist_dir, capsys) -> None:
    metrics = json.loads((small_copy / "metrics.json").read_text())
    del metrics["training_parts"]
    (small_copy / "metrics.json").write_text(json.dumps(metrics))
    assert recalibrate.main([str(small_copy), "--data-dir", str(mnist_dir)]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert err == f"error: {small_copy}/metrics.json does not say which images were held out (training_parts)\n"
    assert json.loads((small_copy / "metrics.json").read_text()) == metrics


def test_a_missing_model_is_one_error_line(tmp_path: Path, capsys) -> None:
    assert recalibrate.main([str(tmp_path / "nope")]) == cli.EXIT_ERROR
    assert capsys.readouterr().err == f"error: {tmp_path / 'nope'} is not a SavedModel directory (no saved_model.pb)\n"
