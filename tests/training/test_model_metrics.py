"""training.model_metrics: the one reader of metrics.json, its required fields and its checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import example_metrics
from training import exports, model_metrics


def refusal(model_dir: Path) -> str:
    """Return the message of the MetricsError that reading `model_dir`'s metrics.json raises."""
    with pytest.raises(model_metrics.MetricsError) as raised:
        model_metrics.read(model_dir)
    return str(raised.value)


def test_a_complete_metrics_file_reads_back_as_written(tmp_path: Path) -> None:
    example_metrics.write(tmp_path)
    assert model_metrics.read(tmp_path) == example_metrics.METRICS


def test_write_replaces_the_file_whole_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    example_metrics.write(tmp_path)
    changed = {**example_metrics.METRICS, "not_digit_threshold": 0.5}
    model_metrics.write(tmp_path, changed)
    assert model_metrics.read(tmp_path) == changed
    assert [path.name for path in tmp_path.iterdir()] == ["metrics.json"]


def test_the_shipped_model_has_every_required_field() -> None:
    metrics = model_metrics.read(exports.newest_model_dir())
    assert set(model_metrics.REQUIRED) <= set(metrics)


def test_a_missing_file_says_which_and_who_writes_it(tmp_path: Path) -> None:
    assert refusal(tmp_path) == (
        f"no model metrics {tmp_path / 'metrics.json'}: "
        "`python -m training.train` writes it beside the SavedModel it exports"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ("", "Expecting value: line 1 column 1 (char 0)"),
    ],
)
def test_a_broken_file_is_named_with_the_reason(tmp_path: Path, content: str, problem: str) -> None:
    (tmp_path / "metrics.json").write_text(content)
    assert refusal(tmp_path) == f"cannot read the model metrics {tmp_path / 'metrics.json'}: {problem}"


def test_a_file_that_is_no_object_is_refused(tmp_path: Path) -> None:
    (tmp_path / "metrics.json").write_text("[0.99]")
    assert refusal(tmp_path) == f"the model metrics {tmp_path / 'metrics.json'} is not a JSON object"


def test_every_missing_required_field_is_listed(tmp_path: Path) -> None:
    metrics = {key: value for key, value in example_metrics.METRICS.items() if key not in ("temperature", "refused")}
    (tmp_path / "metrics.json").write_text(json.dumps(metrics))
    assert refusal(tmp_path) == (
        f"{tmp_path / 'metrics.json'} lacks temperature, refused: "
        "`python -m training.train` writes them; retrain or restore the file"
    )


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"test_accuracy": float("nan")}, "test_accuracy is nan"),
        ({"parameters": -5}, "parameters is -5, expected a whole number >= 0"),
        ({"refused": {"mnist_test": 1.5}}, "refused holds 1.5, expected a fraction from 0 to 1"),
        (
            {"benchmark": {"uploads": {"accuracy": 2}}},
            "benchmark.uploads.accuracy holds 2, expected a fraction from 0 to 1",
        ),
        ({"confusion_matrix": [[1, 2], [3, 4]]}, "confusion_matrix must be a 10x10 table"),
        ({"per_class_accuracy": [0.99] * 9}, "per_class_accuracy must be 10 fractions"),
        ({"versions": ["tensorflow"]}, "versions must be a mapping of library names to versions"),
        ({"temperature": 0}, "temperature must be a number above 0"),
        ({"refused": {}}, "refused must be a mapping of fractions, not empty"),
        (
            {"expected_calibration_error": {"bins": 15, "test_before": 0.01}},
            "expected_calibration_error must be a mapping with bins, test_before and test_after",
        ),
        (
            {"reliability_diagram": [{"lower": 0, "upper": 1, "count": 5}]},
            "reliability_diagram must be a list of {lower, upper, count, confidence, accuracy} rows",
        ),
        ({"benchmark": {"uploads": "97%"}}, "benchmark must be a mapping of {accuracy, count} results"),
        ({"training_parts": {"mnist": -5}}, "training_parts must be a mapping of image counts"),
        ({"weight_grid": "float16"}, 'weight_grid must be "uint8", the one grid training snaps to'),
        ({"plain_epochs": 2.5}, "plain_epochs must be a whole number of epochs >= 0"),
    ],
)
def test_impossible_or_misshapen_figures_are_refused(tmp_path: Path, changes: dict, problem: str) -> None:
    example_metrics.write(tmp_path, **changes)
    assert refusal(tmp_path) == f"{tmp_path / 'metrics.json'}: figures the model card cannot show: {problem}"


def test_fields_beyond_the_required_ones_are_kept(tmp_path: Path) -> None:
    example_metrics.write(tmp_path, refusal_head="softmax", benchmark={"real": {"accuracy": 0.9, "count": 10}})
    metrics = model_metrics.read(tmp_path)
    assert metrics["benchmark"] == {"real": {"accuracy": 0.9, "count": 10}}
    assert json.loads((tmp_path / "metrics.json").read_text())["refusal_head"] == "softmax"
