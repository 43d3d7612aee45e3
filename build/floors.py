"""Quality floors: the least a model's metrics.json must show before the build will ship it.

The promotion gate (`python -m training.evaluate --compare`) compares a candidate with the shipped
model; the floors are the last line: a smoke-run or broken model never reaches the page by accident.
`python -m build.site --allow-below-floors` builds one anyway, says so in its output, and hands the
missed floors to the model card as `Config.below_floors`.
"""

from __future__ import annotations

from collections.abc import Mapping

# metrics.json key -> the least value that ships. A CNN this size reaches 99.5 % on MNIST's test set;
# below 99 % something went wrong (too little data or training, a broken export).
METRIC_FLOORS: Mapping[str, float] = {"test_accuracy": 0.99}
OVERRIDE_FLAG = "--allow-below-floors"


def shortfalls(metrics: Mapping[str, object], floors: Mapping[str, float]) -> list[str]:
    """Return one phrase per floor that `metrics` misses, in key order; a figure that is absent misses its floor."""
    missed = []
    for key, floor in sorted(floors.items()):
        value = metrics.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            missed.append(f"{key} not measured (floor {floor:g})")
        elif value < floor:
            missed.append(f"{key} {value:g} < floor {floor:g}")
    return missed
