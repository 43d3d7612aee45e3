"""training.train's TensorBoard logging: each run writes its curves into its own folder under the log dir."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.paths import REPO_ROOT

# training.train imports TensorFlow: imported in the tests, not at collection.
pytestmark = pytest.mark.slow


def logged_tags(run_dir: Path) -> set[str]:
    """Return the scalar tags written in a run's training event files."""
    import tensorflow as tf

    tags = set()
    for events in (run_dir / "train").glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(events)):
            tags.update(value.tag for value in event.summary.value)
    return tags


def test_callback_writes_the_epoch_curves_under_a_run_folder(tmp_path: Path) -> None:
    import keras

    from training import train

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    features, labels = np.random.default_rng(0).normal(size=(32, 4)), np.arange(32) % 2
    model.fit(features, labels, epochs=2, verbose=0, callbacks=[train.tensorboard_callback(tmp_path)])
    (run_dir,) = tmp_path.iterdir()
    assert run_dir.name.isdigit()  # unix time of the run, like the exported model's version
    assert {"epoch_loss", "epoch_accuracy"} <= logged_tags(run_dir)


def test_default_log_dir_is_ignored_by_git() -> None:
    from training import train

    assert train.LOG_DIR == REPO_ROOT / "logs"
    ignored = subprocess.run(["git", "check-ignore", "-q", "logs/1795600000/train/x"], cwd=REPO_ROOT)
    assert ignored.returncode == 0
