"""Where exported models live, which one ships, and how Python calls one."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from training import data

MODELS_DIR = Path(os.environ.get("SNAPMATH_MODELS_DIR", Path(__file__).resolve().parent / "models"))
SERVING_SIGNATURE = "serving_default"
INPUT_NAME = "image"
PROBABILITIES_OUTPUT = "output_0"  # [N,10] digit probabilities; the name Keras gave the model's only output
NOT_DIGIT_OUTPUT = "not_digit"  # [N,1] probability that the input is not a digit (models from issue 10 on)
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


def checked_model_dir(model_dir: Path | str) -> Path:
    """Return model_dir as a Path if it holds a SavedModel, else raise ModelNotFoundError."""
    model_dir = Path(model_dir)
    if not (model_dir / "saved_model.pb").is_file():
        raise ModelNotFoundError(f"{model_dir} is not a SavedModel directory (no saved_model.pb)")
    return model_dir


def load_reader(model_dir: Path | str) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return a function mapping float32 images [N,28,28,1] in 0..1 to (digit probabilities [N,10], not_digit [N]).

    A model exported before the "not_digit" output existed reads as never refusing (not_digit 0)."""
    import tensorflow as tf

    model_dir = checked_model_dir(model_dir)
    loaded = tf.saved_model.load(str(model_dir))
    serving = loaded.signatures[SERVING_SIGNATURE]
    input_name = next(iter(serving.structured_input_signature[1]))
    output_names = list(serving.structured_outputs)
    probabilities_name = PROBABILITIES_OUTPUT if PROBABILITIES_OUTPUT in output_names else output_names[0]

    def read(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        images = np.asarray(images, dtype=np.float32).reshape(-1, *data.MODEL_INPUT_SHAPE)
        probabilities, not_digit = [np.zeros((0, data.NUM_CLASSES), np.float32)], [np.zeros((0,), np.float32)]
        for start in range(0, len(images), BATCH_SIZE):
            batch = images[start : start + BATCH_SIZE]
            outputs = serving(**{input_name: tf.constant(batch)})
            probabilities.append(outputs[probabilities_name].numpy())
            not_digit.append(
                outputs[NOT_DIGIT_OUTPUT].numpy().reshape(-1)
                if NOT_DIGIT_OUTPUT in outputs
                else np.zeros(len(batch), np.float32)
            )
        return np.concatenate(probabilities), np.concatenate(not_digit)

    read.model_dir = model_dir  # type: ignore[attr-defined]
    return read


def load_classifier(model_dir: Path | str) -> Callable[[np.ndarray], np.ndarray]:
    """Return a function mapping float32 images [N,28,28,1] in 0..1 to digit probabilities [N,10]."""
    read = load_reader(model_dir)

    def classify(images: np.ndarray) -> np.ndarray:
        return read(images)[0]

    classify.model_dir = read.model_dir  # type: ignore[attr-defined]
    return classify
