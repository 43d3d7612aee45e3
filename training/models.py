"""Where exported models live, which one ships, and how Python calls one."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

MODELS_DIR = Path(os.environ.get("SNAPMATH_MODELS_DIR", Path(__file__).resolve().parent / "models"))
SERVING_SIGNATURE = "serving_default"
BATCH_SIZE = 1024


class ModelNotFoundError(FileNotFoundError):
    """No exported SavedModel where one was expected."""


def model_dirs(models_dir: Path = MODELS_DIR) -> list[Path]:
    """Return the exported model directories (`<unix-timestamp>/saved_model.pb`), oldest first."""
    if not models_dir.is_dir():
        return []
    found = [path for path in models_dir.iterdir() if path.name.isdigit() and (path / "saved_model.pb").is_file()]
    return sorted(found, key=lambda path: int(path.name))


def newest_model_dir(models_dir: Path = MODELS_DIR) -> Path:
    """Return the shipped model: the newest `<unix-timestamp>` directory."""
    found = model_dirs(models_dir)
    if not found:
        raise ModelNotFoundError(
            f"no exported model in {models_dir} (expected <unix-timestamp>/saved_model.pb); "
            "train one with `python -m training.train`"
        )
    return found[-1]


def read_metrics(model_dir: Path) -> dict:
    """Return the `metrics.json` written beside a SavedModel at export time ({} if absent)."""
    path = Path(model_dir) / "metrics.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def checked_model_dir(model_dir: Path | str) -> Path:
    """Return model_dir as a Path if it holds a SavedModel, else raise ModelNotFoundError."""
    model_dir = Path(model_dir)
    if not (model_dir / "saved_model.pb").is_file():
        raise ModelNotFoundError(f"{model_dir} is not a SavedModel directory (no saved_model.pb)")
    return model_dir


def load_classifier(model_dir: Path | str) -> Callable[[np.ndarray], np.ndarray]:
    """Return a function mapping float32 images [N,28,28,1] in 0..1 to probabilities [N,10]."""
    import tensorflow as tf

    model_dir = checked_model_dir(model_dir)
    loaded = tf.saved_model.load(str(model_dir))
    serving = loaded.signatures[SERVING_SIGNATURE]
    input_name = next(iter(serving.structured_input_signature[1]))

    def classify(images: np.ndarray) -> np.ndarray:
        images = np.asarray(images, dtype=np.float32).reshape(-1, 28, 28, 1)
        batches = []
        for start in range(0, len(images), BATCH_SIZE):
            outputs = serving(**{input_name: tf.constant(images[start : start + BATCH_SIZE])})
            batches.append(next(iter(outputs.values())).numpy())
        return np.concatenate(batches) if batches else np.zeros((0, 10), np.float32)

    classify.model_dir = model_dir  # type: ignore[attr-defined]
    return classify
