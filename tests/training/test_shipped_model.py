"""The committed model: the newest training/models/<ts>/ reaches 99.5% on MNIST's 10k test set."""

from __future__ import annotations

import json

import pytest

from training import data, evaluate, models
from training.model import build_model

REQUIRED_ACCURACY = 0.995
PARAMETER_BUDGET = 100_000


@pytest.fixture(scope="module")
def shipped_dir():
    return models.newest_model_dir()


@pytest.mark.slow
def test_shipped_model_reaches_the_required_accuracy(shipped_dir, mnist_dir):
    metrics = evaluate.evaluate_model_dir(shipped_dir, data.load_mnist(mnist_dir))
    assert metrics["test_count"] == 10_000
    assert metrics["test_accuracy"] >= REQUIRED_ACCURACY
    recorded = json.loads((shipped_dir / "metrics.json").read_text())
    assert abs(recorded["test_accuracy"] - metrics["test_accuracy"]) < 1e-4, "metrics.json disagrees with the model"


def test_model_fits_the_parameter_budget():
    assert build_model().count_params() <= PARAMETER_BUDGET


def test_evaluate_cli_names_a_missing_model(tmp_path, capsys):
    assert evaluate.main([str(tmp_path / "nope")]) == 1
    assert "is not a SavedModel directory" in capsys.readouterr().out
