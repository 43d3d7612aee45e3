"""training.train: a smoke run on a little MNIST exports a SavedModel that serves probabilities."""

from __future__ import annotations

import json

import numpy as np
import pytest

from training import data, evaluate, models, train


@pytest.mark.slow
def test_smoke_run_exports_a_serving_savedmodel(mnist_dir, tmp_path, capsys):
    assert train.main(["--data-dir", str(mnist_dir), "--epochs", "1", "--limit", "1500", "--printed-digits", "50",
                       "--models-dir", str(tmp_path)]) == 0
    model_dir = models.newest_model_dir(tmp_path)
    assert model_dir.name.isdigit() and not list(tmp_path.glob(".*partial"))

    import tensorflow as tf

    serving = tf.saved_model.load(str(model_dir)).signatures[models.SERVING_SIGNATURE]
    (spec,) = serving.structured_input_signature[1].values()
    assert spec.shape.as_list() == [None, 28, 28, 1] and spec.dtype == tf.float32

    test_images = evaluate.as_model_input(data.load_mnist(mnist_dir).test_images[:64])
    probabilities = models.load_classifier(model_dir)(test_images)
    assert probabilities.shape == (64, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (probabilities >= 0).all()

    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert metrics["version"] == model_dir.name
    assert metrics["epochs"] == 1 and metrics["training_images"] == 1200 and metrics["validation_images"] == 300
    assert metrics["printed_digits"] == 50 and metrics["printed_digit_fonts"]
    assert len(metrics["per_class_accuracy"]) == 10 and np.array(metrics["confusion_matrix"]).sum() == 10_000
    assert set(metrics["data_checksums"]) == {f"{stem}.gz" for stem in data.IDX_FILES.values()}
    assert metrics["versions"]["tensorflow"] == tf.__version__
    assert "test accuracy:" in capsys.readouterr().out


def test_missing_data_is_one_error_line(tmp_path, capsys):
    assert train.main(["--data-dir", str(tmp_path / "nowhere"), "--models-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().out == f"error: {tmp_path / 'nowhere'}: no such MNIST directory\n"
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_validation_size_zero_trains_on_every_image(mnist_dir, tmp_path):
    assert train.main(["--data-dir", str(mnist_dir), "--epochs", "1", "--limit", "600", "--printed-digits", "20",
                       "--validation-size", "0", "--models-dir", str(tmp_path)]) == 0
    metrics = json.loads((models.newest_model_dir(tmp_path) / "metrics.json").read_text())
    assert metrics["training_images"] == 600 and metrics["validation_images"] == 0
    assert metrics["validation_accuracy"] is None and metrics["epochs"] == 1
