"""training.gate and `python -m training.evaluate --compare`: the promotion gate."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests import example_metrics, slow
from training import cli, data, evaluate, exports, gate, model_metrics

ACCURACY = gate.Rule("accuracy", "accuracy", "percent", True, 0.01)
MILLISECONDS = gate.Rule("ms", "ms", "ms", False, 0.5, relative=True)


# ---------------------------------------------------------------------------------------------
# Verdicts and the table (no model)


@pytest.mark.parametrize(
    ("rule", "new", "old", "verdict"),
    [
        (ACCURACY, 0.95, 0.95, "same"),
        (ACCURACY, 0.96, 0.95, "better"),
        (ACCURACY, 0.945, 0.95, "within"),
        (ACCURACY, 0.939, 0.95, "worse"),
        (ACCURACY, None, 0.95, "worse"),  # NEW lost something OLD had
        (ACCURACY, 0.95, None, "new"),
        (ACCURACY, None, None, "n/a"),
        (MILLISECONDS, 1.4, 1.0, "within"),
        (MILLISECONDS, 1.6, 1.0, "worse"),
        (MILLISECONDS, 0.5, 1.0, "better"),
    ],
)
def test_verdict_respects_direction_and_tolerance(rule: gate.Rule, new, old, verdict: str) -> None:
    assert rule.verdict(new, old) == verdict


def test_every_rule_states_a_tolerance_in_the_table() -> None:
    rows = gate.compare({}, {})
    table = gate.format_table(rows, "2", "1")
    for rule in gate.RULES:
        assert rule.label in table
    for tolerance in ("-0.1 pt", "+50%", "+25%"):
        assert tolerance in table


def test_worse_row_fails_and_is_named() -> None:
    old = {"mnist_accuracy": 0.995, "parameters": 27_000.0, "classify_ms": 0.7}
    new = {"mnist_accuracy": 0.990, "parameters": 27_000.0, "classify_ms": 0.7}
    rows = gate.compare(new, old)
    assert not gate.passed(rows)
    table = gate.format_table(rows, "200", "100")
    for text in ("NEW 200", "OLD 100", "99.00%", "99.50%", "WORSE"):
        assert text in table
    assert table.splitlines()[-1] == "FAIL: NEW is worse than OLD beyond the tolerance in: MNIST test accuracy"


def test_small_loss_within_tolerance_passes() -> None:
    old = {"mnist_accuracy": 0.995, "uploads_accuracy": 0.99, "tfjs_bytes": 66_000.0}
    new = {"mnist_accuracy": 0.9945, "uploads_accuracy": 0.985, "tfjs_bytes": 70_000.0}
    rows = gate.compare(new, old)
    assert gate.passed(rows)
    assert gate.format_table(rows, "2", "1").splitlines()[-1].startswith("PASS")


def test_gaining_the_not_digit_output_is_not_a_regression_but_losing_it_is() -> None:
    assert gate.passed(gate.compare({"non_digits_refused": 0.97, "mnist_refused": 0.003}, {}))
    assert not gate.passed(gate.compare({}, {"non_digits_refused": 0.97, "mnist_refused": 0.003}))


# ---------------------------------------------------------------------------------------------
# Measuring on tiny data with a tiny SavedModel whose answers are known


def export_rule_model(directory: Path, with_not_digit: bool, graded: bool = False) -> Path:
    """Export a SavedModel that reads digit round(9 * pixel[0,0]) and refuses images whose mean is above 0.5
    (not_digit 1, else 0; `graded`: not_digit is the mean itself), with a metrics.json as training writes it."""
    import tensorflow as tf

    class RuleModel(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32, name="image")])
        def serve(self, image):
            digit = tf.cast(tf.round(image[:, 0, 0, 0] * 9), tf.int32)
            outputs = {"output_0": tf.one_hot(digit, 10)}
            if with_not_digit:
                mean = tf.reduce_mean(image, axis=[1, 2, 3])
                outputs["not_digit"] = (mean if graded else tf.cast(mean > 0.5, tf.float32))[:, None]
            return outputs

    module = RuleModel()
    tf.saved_model.save(module, str(directory), signatures={"serving_default": module.serve})
    return example_metrics.write(directory)


def image_reading(digit: int, fill: float = 0.0) -> np.ndarray:
    """Return a float32 [28,28,1] image the rule model reads as `digit` (and refuses if fill > 0.5)."""
    image = np.full((28, 28, 1), fill, np.float32)
    image[0, 0, 0] = digit / 9
    return image


@slow.fixture(scope="module")
def rule_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return export_rule_model(tmp_path_factory.mktemp("models") / "1700000001", with_not_digit=True)


def test_measure_counts_reads_refusals_and_dropped_pictures(rule_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "model_bytes", lambda model_dir: 1234)  # conversion is tested in tests/build
    mnist_images = np.stack([image_reading(3), image_reading(4), image_reading(5, fill=0.9), image_reading(7)])
    uploads = gate.LabelledPictures(
        "uploads",
        inputs=np.stack([image_reading(1), image_reading(2)]),
        kept=np.array([True, False, True]),  # the second picture gave preprocessing nothing: counts as wrong
        labels=np.array([1, 8, 2]),
    )
    inputs = gate.Inputs(
        mnist_images=mnist_images,
        mnist_labels=np.array([3, 4, 5, 1]),
        uploads=uploads,
        real=None,
        # Four pictures: the first gave two digit inputs, one refused; the second one, refused; the third one,
        # read as a digit; in the fourth preprocessing found nothing (the page says "no digit found").
        non_digits=gate.NonDigitPictures(
            inputs=np.stack(
                [
                    image_reading(0, fill=0.1),
                    image_reading(0, fill=0.8),
                    image_reading(0, fill=1.0),
                    image_reading(0, fill=0.1),
                ]
            ),
            picture=np.array([0, 0, 1, 2]),
            count=4,
        ),
    )
    figures = gate.measure(rule_model, gate.load_runner(rule_model), inputs)
    assert figures["mnist_accuracy"] == 3 / 4
    assert figures["mnist_refused"] == 1 / 4
    assert figures["uploads_accuracy"] == 2 / 3
    assert figures["real_accuracy"] is None
    assert figures["non_digits_refused"] == 3 / 4
    assert figures["parameters"] == example_metrics.METRICS["parameters"]  # as recorded at export
    assert figures["tfjs_bytes"] == 1234


@pytest.mark.slow  # exports a SavedModel with TensorFlow
def test_model_without_not_digit_has_no_refusal_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "model_bytes", lambda model_dir: 1)
    model_dir = export_rule_model(tmp_path / "1700000002", with_not_digit=False)
    inputs = gate.Inputs(np.stack([image_reading(5, fill=0.9)]), np.array([5]), None, None, None)
    figures = gate.measure(model_dir, gate.load_runner(model_dir), inputs)
    assert figures["mnist_accuracy"] == 1.0
    assert figures["mnist_refused"] is None
    assert figures["non_digits_refused"] is None


@pytest.mark.slow  # exports a SavedModel with TensorFlow
def test_refusals_use_the_threshold_the_model_was_calibrated_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    monkeypatch.setattr(gate, "model_bytes", lambda model_dir: 1)
    strict = export_rule_model(tmp_path / "1700000003", with_not_digit=True, graded=True)
    lenient = tmp_path / "1700000004"
    shutil.copytree(strict, lenient)
    example_metrics.write(strict, not_digit_threshold=0.5)
    example_metrics.write(lenient, not_digit_threshold=0.9)
    picture = image_reading(0, fill=0.8)  # not_digit 0.799: refused from 0.5, read below 0.9
    pictures = gate.NonDigitPictures(np.stack([picture]), np.array([0]), 1)
    inputs = gate.Inputs(np.stack([picture]), np.array([0]), None, None, pictures)
    strict_figures = gate.measure(strict, gate.load_runner(strict), inputs)
    lenient_figures = gate.measure(lenient, gate.load_runner(lenient), inputs)
    assert (strict_figures["non_digits_refused"], strict_figures["mnist_refused"]) == (1.0, 1.0)
    assert (lenient_figures["non_digits_refused"], lenient_figures["mnist_refused"]) == (0.0, 0.0)


@pytest.mark.slow  # exports a SavedModel with TensorFlow
def test_a_model_without_metrics_is_refused_naming_the_file(tmp_path: Path) -> None:
    model_dir = export_rule_model(tmp_path / "1700000005", with_not_digit=True)
    (model_dir / "metrics.json").unlink()
    inputs = gate.Inputs(np.stack([image_reading(1)]), np.array([1]), None, None, None)
    with pytest.raises(model_metrics.MetricsError, match=f"^no model metrics {model_dir / 'metrics.json'}: "):
        gate.measure(model_dir, gate.load_runner(model_dir), inputs)


@pytest.mark.slow  # pictures up to 2000 px, drawn and preprocessed
def test_non_digit_uploads_are_rendered_and_preprocessed() -> None:
    pictures = gate.non_digit_pictures(3, gate.preprocess.load_spec())
    assert pictures.count == 3
    assert pictures.inputs.shape[1:] == (28, 28, 1)
    assert len(pictures.picture) == len(pictures.inputs)
    assert set(pictures.picture.tolist()) <= set(range(3))


def test_output_names_are_read_from_the_saved_model(rule_model: Path, tmp_path: Path) -> None:
    assert gate.output_names(rule_model) == {"output_0", "not_digit"}
    assert gate.output_names(export_rule_model(tmp_path / "1", with_not_digit=False)) == {"output_0"}


def test_classify_milliseconds_times_every_runner(rule_model: Path) -> None:
    run = gate.load_runner(rule_model)
    times = gate.classify_milliseconds([run, run], repeats=3)
    assert len(times) == 2
    assert all(value > 0 for value in times)


def test_real_pictures_take_the_label_from_the_name(tmp_path: Path) -> None:
    digit = np.zeros((60, 60, 3), np.uint8) + 255
    digit[10:50, 27:33] = 0  # a dark vertical bar on white: a 1
    Image.fromarray(digit).save(tmp_path / "1-0001.png")
    Image.fromarray(np.full((60, 60, 3), 255, np.uint8)).save(tmp_path / "7-0002.png")  # blank: dropped
    (tmp_path / "SOURCES.tsv").write_text("not a picture\n")
    pictures = gate.real_pictures(tmp_path, gate.preprocess.load_spec())
    assert pictures is not None
    assert pictures.labels.tolist() == [1, 7]
    assert pictures.kept.tolist() == [True, False]
    assert pictures.inputs.shape == (1, 28, 28, 1)
    assert gate.real_pictures(tmp_path / "missing", {}) is None


def test_shipped_model_is_the_newest_committed_one(tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    for version in ("100", "200", "300"):
        (models_dir / version).mkdir(parents=True)
        (models_dir / version / "saved_model.pb").write_bytes(b"")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "models/100", "models/200"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "ship 200"], check=True)
    assert gate.shipped_model_dir(models_dir) == models_dir / "200"  # 300 is a fresh, uncommitted candidate


def test_shipped_model_outside_git_is_the_newest(tmp_path: Path) -> None:
    for version in ("100", "200"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "saved_model.pb").write_bytes(b"")
    assert gate.shipped_model_dir(tmp_path) == tmp_path / "200"


# ---------------------------------------------------------------------------------------------
# The command line, with measurements mocked


def fake_model_dirs(tmp_path: Path) -> tuple[Path, Path]:
    for version in ("100", "200"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "saved_model.pb").write_bytes(b"")
    return tmp_path / "200", tmp_path / "100"


@pytest.fixture
def mocked_measurements(monkeypatch: pytest.MonkeyPatch):
    """Replace MNIST, the pictures and the measuring by figures the test sets (`figures["new"]`, `["old"]`)."""
    tiny = data.Mnist(*(np.zeros(shape, np.uint8) for shape in [(2, 28, 28), (2,), (2, 28, 28), (2,)]), "tiny", {})
    monkeypatch.setattr(gate.data, "load_mnist", lambda data_dir: tiny)
    monkeypatch.setattr(gate, "output_names", lambda model_dir: {"output_0"})
    monkeypatch.setattr(
        gate,
        "gather_inputs",
        lambda mnist, uploads, real_dir, non_digits: gate.Inputs(
            mnist.test_images[..., None].astype(np.float32), mnist.test_labels, None, None, None
        ),
    )
    figures: dict[str, dict] = {}
    monkeypatch.setattr(gate, "measure_pair", lambda new_dir, old_dir, inputs: (figures["new"], figures["old"]))
    return figures


def test_compare_exits_with_a_failed_result_when_new_is_worse(
    tmp_path: Path, mocked_measurements: dict, capsys
) -> None:
    new_dir, old_dir = fake_model_dirs(tmp_path)
    mocked_measurements.update(
        new={"mnist_accuracy": 0.98, "classify_ms": 3.0}, old={"mnist_accuracy": 0.995, "classify_ms": 1.0}
    )
    assert evaluate.main(["--compare", str(new_dir), str(old_dir)]) == cli.EXIT_RESULT_FAILED == 3
    captured = capsys.readouterr()
    assert captured.err == ""  # a worse model is the gate's answer, not an error
    printed = captured.out
    assert "MNIST test accuracy" in printed
    assert printed.splitlines()[-1].startswith("FAIL")
    assert "classify ms" in printed.splitlines()[-1]


def test_compare_exits_0_when_new_holds_up(tmp_path: Path, mocked_measurements: dict, capsys) -> None:
    new_dir, old_dir = fake_model_dirs(tmp_path)
    mocked_measurements.update(new={"mnist_accuracy": 0.996}, old={"mnist_accuracy": 0.995})
    assert evaluate.main(["--compare", str(new_dir), str(old_dir)]) == 0
    assert "PASS" in capsys.readouterr().out


def test_compare_defaults_to_the_shipped_model(tmp_path: Path, mocked_measurements: dict, monkeypatch, capsys) -> None:
    new_dir, old_dir = fake_model_dirs(tmp_path)
    monkeypatch.setattr(gate, "shipped_model_dir", lambda: old_dir)
    mocked_measurements.update(new={}, old={})
    assert evaluate.main(["--compare", str(new_dir)]) == 0
    assert "OLD 100" in capsys.readouterr().out


def test_compare_with_a_missing_model_is_one_error_line(tmp_path: Path, capsys) -> None:
    assert evaluate.main(["--compare", str(tmp_path / "nope"), str(tmp_path)]) == cli.EXIT_ERROR
    captured = capsys.readouterr()
    assert captured.err == f"error: {tmp_path / 'nope'} is not a SavedModel directory (no saved_model.pb)\n"
    assert captured.out == ""


def test_compare_takes_at_most_two_models(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        evaluate.main(["--compare", "a", "b", "c"])


# ---------------------------------------------------------------------------------------------
# The real thing: the shipped model against itself must pass


@pytest.mark.slow
def test_shipped_model_against_itself_passes(mnist_dir: Path, capsys) -> None:
    shipped = exports.newest_model_dir()
    assert (
        evaluate.main(["--compare", str(shipped), str(shipped), "--data-dir", str(mnist_dir), "--uploads", "60"]) == 0
    )
    printed = capsys.readouterr().out
    assert "PASS" in printed
    mnist_row = next(line for line in printed.splitlines() if line.startswith("MNIST test accuracy"))
    accuracy = f"{model_metrics.read(shipped)['test_accuracy']:.2%}"
    assert mnist_row.split().count(accuracy) == 2, mnist_row  # NEW and OLD both match metrics.json
