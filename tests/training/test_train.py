"""training.train: a smoke run on a little data exports a SavedModel with both outputs, calibrated."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.paths import REPO_ROOT
from training import calibration, cli, data, exports, model_metrics

# Every test runs training.train, which imports TensorFlow.
pytestmark = pytest.mark.slow


@pytest.fixture
def train():
    """Return training.train, imported here rather than at collection, which would wait for TensorFlow."""
    from training import train as train_module

    return train_module


def test_smoke_run_exports_a_calibrated_savedmodel_with_both_outputs(train, mnist_dir, tmp_path, capsys):
    assert (
        train.main(
            [
                "--data-dir",
                str(mnist_dir),
                "--epochs",
                "2",
                "--plain-epochs",
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
    model_dir = exports.newest_model_dir(tmp_path / "models")
    assert model_dir.name.isdigit()
    assert not list((tmp_path / "models").glob(".*partial"))

    import tensorflow as tf

    serving = tf.saved_model.load(str(model_dir)).signatures[exports.SERVING_SIGNATURE]
    ((name, spec),) = serving.structured_input_signature[1].items()
    assert name == exports.INPUT_NAME
    assert spec.shape.as_list() == [None, 28, 28, 1]
    assert spec.dtype == tf.float32
    outputs = {key: value.shape.as_list() for key, value in serving.structured_outputs.items()}
    assert outputs == {exports.PROBABILITIES_OUTPUT: [None, 10], exports.NOT_DIGIT_OUTPUT: [None, 1]}

    test_images = data.as_model_input(data.load_mnist(mnist_dir).test_images[:64])
    probabilities, not_digit = exports.load_reader(model_dir)(test_images)
    assert probabilities.shape == (64, 10)
    assert not_digit.shape == (64,)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (probabilities >= 0).all()
    assert ((not_digit >= 0) & (not_digit <= 1)).all()
    np.testing.assert_array_equal(exports.load_classifier(model_dir)(test_images), probabilities)
    from training import quantize

    variables = tf.saved_model.load(str(model_dir)).variables
    weights = [variable.numpy() for variable in variables if variable.dtype == tf.float32]  # not dropout's seed
    assert len(weights) == 8  # 3 convolutions with their folded biases, the dense layer's kernel and bias
    for weight in weights:  # each on its uint8 grid: the page reads these very weights
        np.testing.assert_allclose(quantize.snapped(weight), weight, rtol=1e-6, atol=0)

    model_metrics.read(model_dir)  # every field the build and the gate require, each plausible
    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert metrics["version"] == model_dir.name
    assert metrics["epochs"] == 2
    assert metrics["plain_epochs"] == 1
    assert metrics["weight_grid"] == "uint8"
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


def test_missing_data_is_one_error_line(train, tmp_path, capsys):
    assert train.main(["--data-dir", str(tmp_path / "nowhere"), "--models-dir", str(tmp_path)]) == cli.EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.err == f"error: {tmp_path / 'nowhere'}: no such MNIST directory\n"
    assert captured.out == ""
    assert not any(tmp_path.iterdir())


def test_calibration_needs_held_out_images(train, mnist_dir, tmp_path, capsys):
    assert (
        train.main(["--data-dir", str(mnist_dir), "--held-out", "0", "--models-dir", str(tmp_path)]) == cli.EXIT_ERROR
    )
    captured = capsys.readouterr()
    assert captured.err == "error: held-out size 0 must be from 1 to 59999 training images\n"
    assert captured.out == ""
    assert not any(tmp_path.iterdir())


@pytest.fixture
def recorded_recipe(train, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Run train.main up to the start of training (no data, no fitting) and record what it was asked to do."""
    recorded: dict = {}
    full_mnist = data.Mnist(np.zeros((60_000, 0), np.uint8), np.zeros(0), np.zeros(0), np.zeros(0), "fake", {})
    monkeypatch.setattr(data, "load_mnist", lambda data_dir: full_mnist)

    def make_training_data(mnist, limit, held_out, printed_digits, digit_crops, non_digits):
        recorded.update(limit=limit, held_out=held_out, printed=printed_digits, crops=digit_crops, non=non_digits)

    def fit(training, epochs, head, stage_filters, log_dir, init_from, plain_epochs):
        recorded.update(epochs=epochs, head=head, stages=stage_filters, init_from=init_from, plain=plain_epochs)
        raise ValueError("stopped before training")

    monkeypatch.setattr(train, "make_training_data", make_training_data)
    monkeypatch.setattr(train, "train", fit)
    return recorded


def test_no_flags_is_the_shipped_recipe(train, recorded_recipe: dict, capsys) -> None:
    assert train.main([]) == cli.EXIT_ERROR  # the recorder stops it before training
    assert recorded_recipe == {
        "limit": None,
        "held_out": train.HELD_OUT,
        "printed": train.PRINTED_DIGITS,
        "crops": train.DIGIT_CROPS,
        "non": train.NON_DIGITS,
        "epochs": train.EPOCHS,
        "plain": None,  # the last sixth of the epochs
        "head": train.HEAD,
        "stages": train.STAGE_FILTERS,
        "init_from": None,  # from scratch: the held-out slice is unseen by every weight
    }


def test_the_data_source_is_recorded_relative_to_the_repository_when_beside_it(train, tmp_path) -> None:
    assert train.recorded_source(str(REPO_ROOT / "training" / "models")) == "training/models"
    assert train.recorded_source(str(REPO_ROOT.parent)) == ".."
    assert train.recorded_source(str(tmp_path)) == str(tmp_path)  # elsewhere: as given
    assert train.recorded_source("keras download") == "keras download"


def test_stages_sets_the_filters_per_stage(train, recorded_recipe: dict, capsys) -> None:
    assert train.main(["--stages", "12-24-48"]) == cli.EXIT_ERROR
    assert recorded_recipe["stages"] == (12, 24, 48)
    with pytest.raises(SystemExit) as exit_info:
        train.main(["--stages", "12-x-48"])
    assert exit_info.value.code == cli.EXIT_USAGE
    assert "'12-x-48' is not filters per stage such as 12-24-64" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        train.main(["--stages", "16-0-64"])  # a stage needs at least one filter
    assert "'16-0-64' is not filters per stage" in capsys.readouterr().err


def test_init_from_none_trains_from_scratch(train, recorded_recipe: dict, tmp_path) -> None:
    assert train.main(["--init-from", "none"]) == cli.EXIT_ERROR
    assert recorded_recipe["init_from"] is None
    assert train.main(["--init-from", str(tmp_path)]) == cli.EXIT_ERROR
    assert recorded_recipe["init_from"] == tmp_path


def test_the_readme_states_the_recipe_make_model_runs(train) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index("`make model` (= `python -m training.train`, no flags)") :].split("\n\n")[0]
    assert "trains from scratch" in paragraph
    assert f"{train.EPOCHS} epochs" in paragraph
    assert f"{train.HELD_OUT // 1000}k held out" in paragraph
    assert f"{train.PRINTED_DIGITS // 1000}k printed digits" in paragraph
    assert f"{train.DIGIT_CROPS // 1000}k digit crops" in paragraph
    assert f"{train.NON_DIGITS // 1000}k rendered non-digits" in paragraph


def test_plain_epochs_beyond_the_schedule_are_refused(train) -> None:
    with pytest.raises(ValueError, match="--plain-epochs 4 must be from 0 to the 3 epochs of the schedule"):
        train.train(None, epochs=3, plain_epochs=4)
