"""The one reader of a model's metrics.json, shared by the build (model card, floors, page thresholds) and training/.

training/train.py writes metrics.json beside every SavedModel it exports, so the fields it always writes
are required here: a missing one is an error, not a "not measured" on the card. Values are checked too:
the card prints what metrics.json says, and a NaN accuracy, an infinite training time or a negative count
would appear as "nan %", "inf s" or "Parameters -5". Beyond the required fields, values are judged by their
key's name, so figures added later are checked when they follow the naming (…accuracy, …_count, …_seconds).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import NotRequired, TypedDict, TypeGuard, cast

from training import data

FILE_NAME = "metrics.json"
COUNT_KEYS = ("count", "parameters", "epochs")  # whole numbers >= 0, also any key ending in _count or _images
FRACTION_KEYS = ("refused",)  # a mapping of fractions 0..1, also any key ending in accuracy or _threshold


class CalibrationErrors(TypedDict):
    """Expected calibration error on MNIST test before and after temperature scaling, over `bins` bins."""

    bins: int
    test_before: float
    test_after: float


class ReliabilityRow(TypedDict):
    """One confidence bin of a reliability diagram (confidence and accuracy are None for an empty bin)."""

    lower: float
    upper: float
    count: int
    confidence: float | None
    accuracy: float | None


class BenchmarkResult(TypedDict):
    """One accuracy that `python -m build.bench --record` stored with the model."""

    accuracy: float
    count: NotRequired[int]


class ModelMetrics(TypedDict):
    """metrics.json as read: the fields train.py always writes, and `benchmark`, which build.bench adds."""

    test_accuracy: float
    test_count: int
    per_class_accuracy: list[float]
    confusion_matrix: list[list[int]]  # rows: true digit, columns: digit read
    parameters: int
    epochs: int
    training_seconds: float
    seconds_per_epoch: float
    training_images: int
    held_out_images: int  # MNIST training images kept out of training for calibration
    versions: dict[str, str]
    temperature: float
    expected_calibration_error: CalibrationErrors
    reliability_diagram: list[ReliabilityRow]
    reliability_diagram_before: list[ReliabilityRow]
    not_digit_threshold: float
    low_confidence_threshold: float
    refused: dict[str, float]
    benchmark: NotRequired[dict[str, BenchmarkResult]]
    training_parts: NotRequired[dict[str, int]]  # images of each kind trained on (and held out); since 1796523074
    # "uint8": the SavedModel's weights lie on the converter's uint8 grid (training/quantize.py), so the build
    # ships them as uint8 by default and loses nothing; absent for the models before
    weight_grid: NotRequired[str]
    plain_epochs: NotRequired[int]  # of the last epochs, how many saw the pictures without augmentation


class MetricsError(ValueError):
    """metrics.json is missing, unreadable, incomplete or impossible; the message names the file and says why."""


def read(model_dir: Path | str) -> ModelMetrics:
    """Return the checked metrics.json beside the SavedModel in `model_dir`; MetricsError saying what is wrong."""
    path = Path(model_dir) / FILE_NAME
    if not path.is_file():
        raise MetricsError(
            f"no model metrics {path}: `python -m training.train` writes it beside the SavedModel it exports"
        )
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MetricsError(f"cannot read the model metrics {path}: {error}") from error
    if not isinstance(metrics, dict):
        raise MetricsError(f"the model metrics {path} is not a JSON object")
    missing = [key for key in REQUIRED if key not in metrics]
    if missing:
        raise MetricsError(
            f"{path} lacks {', '.join(missing)}: `python -m training.train` writes them; retrain or restore the file"
        )
    problems = metrics_problems(metrics) or _shape_problems(metrics)
    if problems:
        raise MetricsError(f"{path}: figures the model card cannot show: {'; '.join(problems)}")
    return cast(ModelMetrics, metrics)


def write(model_dir: Path | str, metrics: dict) -> None:
    """Replace the metrics.json in `model_dir` in one step: a reader (the build, the model card) sees the old
    file or the new one, never half of it."""
    path = Path(model_dir) / FILE_NAME
    partial = path.with_name(f".{FILE_NAME}.partial")
    partial.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)


def metrics_problems(metrics: object, path: str = "") -> list[str]:
    """Return one sentence per impossible value in metrics.json ([] when all can be true)."""
    problems: list[str] = []
    if isinstance(metrics, dict):
        for key, value in metrics.items():
            where = f"{path}.{key}" if path else str(key)
            problems.extend(_key_problems(str(key), value, where))
            problems.extend(metrics_problems(value, where))
    elif isinstance(metrics, list):
        for index, value in enumerate(metrics):
            problems.extend(metrics_problems(value, f"{path}[{index}]"))
    elif isinstance(metrics, float) and not math.isfinite(metrics):
        problems.append(f"{path} is {metrics}")
    return problems


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_fraction(value: object) -> bool:
    return _is_number(value) and 0 <= value <= 1


def _is_reliability(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(row, dict)
        and all(_is_number(row.get(edge)) for edge in ("lower", "upper"))
        and _is_count(row.get("count"))
        # None for an empty bin, but present: the card's table has a column for each
        and all(
            figure in row and (row[figure] is None or _is_fraction(row[figure]))
            for figure in ("confidence", "accuracy")
        )
        for row in value
    )


# What a field must be, and the test. Plausible ranges of the figures are metrics_problems' job.
Kind = tuple[str, Callable[[object], bool]]
FRACTION: Kind = ("a fraction", _is_fraction)
COUNT: Kind = ("a whole number", _is_count)
SECONDS: Kind = ("seconds", _is_number)
RELIABILITY: Kind = ("a list of {lower, upper, count, confidence, accuracy} rows", _is_reliability)

REQUIRED: dict[str, Kind] = {
    "test_accuracy": FRACTION,
    "test_count": COUNT,
    "per_class_accuracy": (
        f"{data.NUM_CLASSES} fractions",
        lambda value: isinstance(value, list) and len(value) == data.NUM_CLASSES and all(map(_is_fraction, value)),
    ),
    "confusion_matrix": (
        f"a {data.NUM_CLASSES}x{data.NUM_CLASSES} table",
        lambda value: (
            isinstance(value, list)
            and len(value) == data.NUM_CLASSES
            and all(
                isinstance(row, list) and len(row) == data.NUM_CLASSES and all(map(_is_count, row)) for row in value
            )
        ),
    ),
    "parameters": COUNT,
    "epochs": COUNT,
    "training_seconds": SECONDS,
    "seconds_per_epoch": SECONDS,
    "training_images": COUNT,
    "held_out_images": COUNT,
    "versions": (
        "a mapping of library names to versions",
        lambda value: isinstance(value, dict) and all(isinstance(version, str) for version in value.values()),
    ),
    "temperature": ("a number above 0", lambda value: _is_number(value) and value > 0),
    "expected_calibration_error": (
        "a mapping with bins, test_before and test_after",
        lambda value: (
            isinstance(value, dict)
            and _is_count(value.get("bins"))
            and all(_is_fraction(value.get(key)) for key in ("test_before", "test_after"))
        ),
    ),
    "reliability_diagram": RELIABILITY,
    "reliability_diagram_before": RELIABILITY,
    "not_digit_threshold": FRACTION,
    "low_confidence_threshold": FRACTION,
    "refused": (
        "a mapping of fractions, not empty",
        lambda value: isinstance(value, dict) and bool(value) and all(map(_is_fraction, value.values())),
    ),
}

# Optional field -> (what it must be, the test), checked when present.
OPTIONAL: dict[str, Kind] = {
    "weight_grid": ('"uint8", the one grid training snaps to', lambda value: value == "uint8"),
    "plain_epochs": ("a whole number of epochs >= 0", lambda value: _is_count(value)),
    "training_parts": (
        "a mapping of image counts",
        lambda value: isinstance(value, dict) and all(map(_is_count, value.values())),
    ),
    "benchmark": (
        "a mapping of {accuracy, count} results",
        lambda value: (
            isinstance(value, dict)
            and all(
                isinstance(result, dict)
                and _is_fraction(result.get("accuracy"))
                and ("count" not in result or _is_count(result["count"]))
                for result in value.values()
            )
        ),
    ),
}


def _shape_problems(metrics: dict) -> list[str]:
    """Return one sentence per field that is not what train.py (or build.bench) writes ([] when all are)."""
    fields = {**REQUIRED, **OPTIONAL}
    return [
        f"{key} must be {shape}" for key, (shape, test) in fields.items() if key in metrics and not test(metrics[key])
    ]


def _key_problems(key: str, value: object, where: str) -> list[str]:
    """Return the problems of one value judged by its key's name (non-finite numbers are reported elsewhere)."""
    if isinstance(value, float) and not math.isfinite(value):
        return []
    if key == "confusion_matrix":
        cells = [cell for row in value for cell in row] if _is_matrix(value) else None
        if cells is None or any(not isinstance(cell, int) or isinstance(cell, bool) or cell < 0 for cell in cells):
            return [f"{where} must be a square table of whole numbers >= 0"]
        return []
    if key in COUNT_KEYS or key.endswith(("_count", "_images")):
        if value is None:
            return []
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return [f"{where} is {value!r}, expected a whole number >= 0"]
        return []
    if key.endswith("_seconds"):
        return (
            []
            if value is None or (_is_number(value) and value >= 0)
            else [f"{where} is {value!r}, expected seconds >= 0"]
        )
    fractions = list(value.values()) if key in FRACTION_KEYS and isinstance(value, dict) else None
    if key.endswith(("accuracy", "_threshold")):
        fractions = value if isinstance(value, list) else [value]
    if fractions is not None:
        bad = [item for item in fractions if item is not None and not (_is_number(item) and 0 <= item <= 1)]
        bad = [item for item in bad if not (isinstance(item, float) and not math.isfinite(item))]
        return [f"{where} holds {bad[0]!r}, expected a fraction from 0 to 1"] if bad else []
    return []


def _is_matrix(value: object) -> TypeGuard[list[list[object]]]:
    """Return whether value is a non-empty square list of lists."""
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(row, list) and len(row) == len(value) for row in value)
    )
