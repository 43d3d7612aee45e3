"""Refuse a model's metrics.json whose figures cannot be true before the model card shows them.

The card prints what metrics.json says; a NaN accuracy, an infinite training time or a negative count
would appear as "nan %", "inf s" or "Parameters -5". Values are judged by their key's name, so figures
added to metrics.json later are checked too when they follow the naming (…accuracy, …_count, …_seconds).
"""

from __future__ import annotations

import math

COUNT_KEYS = ("count", "parameters", "epochs")  # whole numbers >= 0, also any key ending in _count or _images
FRACTION_KEYS = ("refused",)  # a mapping of fractions 0..1, also any key ending in accuracy or _threshold


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


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


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


def _is_matrix(value: object) -> bool:
    """Return whether value is a non-empty square list of lists."""
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(row, list) and len(row) == len(value) for row in value)
    )
