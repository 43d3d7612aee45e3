"""training.train: a smoke run on a little data exports a SavedModel with both outputs, calibrated."""

from __future__ import annotations

import json

import numpy as np
import pytest

from training import calibration, data, evaluate, model_metrics, models

# Every test runs training.train, which imports TensorFlow (so it is imported in the tests, not at collection).
pytestmark = pytest.mark.slow


def test_smoke_run_exports_a_calibrated_savedmodel_with_both_outputs(mnist_dir, tmp_path, capsys):
    from training import train

    assert (
        train.main(
            [
                "--data-dir",
                str(mnist_dir),
                "--epochs",
                "1",
                "--limit",
                "1500",
                "--printed-digits",
                "50",
                "--digit-crops",
                "40",
                "--non-digits",
                "150",
                "--models-dir",
                str(tmp_path / "models"),
                "--log-dir",
                str(tmp_path / "logs"),
            ]
        )
        == 0
    )
    model_dir = models.newest_model_dir(tmp_path / "models")
    assert model_dir.name.isdigit()
    assert not list((tmp_path / "models").glob(".*partial"))

    import tensorflow as tf

    serving = tf.saved_model.load(str(model_dir)).signatures[models.SERVING_SIGNATURE]
    ((name, spec),) = serving.structured_input_signature[1].items()
    assert name == models.INPUT_NAME
    assert spec.shape.as_list() == [None, 28, 28, 1]
    assert spec.dtype == tf.float32
    outputs = {key: value.shape.as_list() for key, value in serving.structured_outputs.items()}
    assert outputs == {models.PROBABILITIES_OUTPUT: [None, 10], models.NOT_DIGIT_OUTPUT: [None, 1]}

    test_images = evaluate.as_model_input(data.load_mnist(mnist_dir).test_images[:64])
    probabilities, not_digit = models.load_reader(model_dir)(test_images)
    assert probabilities.shape == (64, 10)
    assert not_digit.shape == (64,)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (probabilities >= 0).all()
    assert ((not_digit >= 0) & (not_digit <= 1)).all()
    np.testing.assert_array_equal(models.load_classifier(model_dir)(test_images), probabilities)

    model_metrics.read(model_dir)  # every field the build and the gate require, each plausible
    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert metrics["version"] == model_dir.name
    assert metrics["epochs"] == 1
    assert metrics["held_out_images"] == 300
    parts = metrics["training_parts"]
    assert parts["mnist"] == 1200
    assert parts["printed"] == 50
    assert parts["non_digits"] == 150
    assert 0 < parts["crops"] <= 40
    assert metrics["training_images"] == parts["mnist"] + parts["printed"] + parts["crops"] + parts["non_digits"]
    assert metrics["printed_digit_fonts"]
    assert metrics["non_digit_fonts"]
    assert metrics["refusal_head"] in ("softmax", "sigmoid")
    assert metrics["temperature"] > 0
    assert 0 < metrics["not_digit_threshold"] < 1
    assert 0.5 <= metrics["low_confidence_threshold"] < 1
    assert set(metrics["expected_calibration_error"]) == {
        "bins",
        "held_out_before",
        "held_out_after",
        "test_before",
        "test_after",
    }
    bins = metrics["reliability_diagram"]
    assert len(bins) == calibration.ECE_BINS
    assert sum(row["count"] for row in bins) == 10_000
    assert {"held_out_mnist", "mnist_test", "non_digits_held_out", "non_digits_benchmark_fonts"} <= set(
        metrics["refused"]
    )
    assert len(metrics["per_class_accuracy"]) == 10
    assert np.array(metrics["confusion_matrix"]).sum() == 10_000
    assert set(metrics["data_checksums"]) == {f"{stem}.gz" for stem in data.IDX_FILES.values()}
    assert metrics["versions"]["tensorflow"] == tf.__version__
    assert "test accuracy:" in capsys.readouterr().out


def test_missing_data_is_one_error_line(tmp_path, capsys):
    from training import train

    assert train.main(["--data-dir", str(tmp_path / "nowhere"), "--models-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().out == f"error: {tmp_path / 'nowhere'}: no such MNIST directory\n"
    assert not any(tmp_path.iterdir())


def test_calibration_needs_held_out_images(mnist_dir, tmp_path, capsys):
    from training import train

    assert train.main(["--data-dir", str(mnist_dir), "--held-out", "0", "--models-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().out == "error: held-out size 0 must be from 1 to 59999 training images\n"
    assert not any(tmp_path.iterdir())
