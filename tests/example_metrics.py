"""A complete metrics.json as training/train.py writes it (small and made up), for tests that export models."""

from __future__ import annotations

import json
from pathlib import Path

RELIABILITY = [
    {"lower": 0.0, "upper": 0.5, "count": 0, "confidence": None, "accuracy": None},
    {"lower": 0.5, "upper": 1.0, "count": 9_990, "confidence": 0.99, "accuracy": 0.995},
]
METRICS = {
    "test_accuracy": 0.9912,  # above build/floors.py's floor, so builds with the default floors accept it
    "test_count": 1_000,
    "per_class_accuracy": [0.99, 0.995, 0.98, 0.985, 0.99, 0.98, 0.99, 0.975, 0.97, 0.97],
    "confusion_matrix": [
        [98 if row == col else (2 if col == (row + 1) % 10 else 0) for col in range(10)] for row in range(10)
    ],
    "parameters": 6_814,
    "epochs": 1,
    "training_seconds": 3.4,
    "seconds_per_epoch": 3.4,
    "training_images": 600,
    "held_out_images": 100,
    "versions": {"tensorflow": "2.19.0", "keras": "3.15.1"},
    "temperature": 1.25,
    "expected_calibration_error": {"bins": 15, "test_before": 0.0123, "test_after": 0.0045},
    "reliability_diagram": RELIABILITY,
    "reliability_diagram_before": [{**row, "accuracy": 0.9} if row["count"] else row for row in RELIABILITY],
    "not_digit_threshold": 0.95,
    "low_confidence_threshold": 0.8,
    "refused": {"mnist_test": 0.0021, "held_out_mnist": 0.003},
}


def write(model_dir: Path, **changes: object) -> Path:
    """Write METRICS (with `changes`) as `model_dir`/metrics.json; return `model_dir`."""
    (model_dir / "metrics.json").write_text(json.dumps({**METRICS, **changes}))
    return model_dir
