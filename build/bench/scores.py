"""How the benchmark scores the page's readings: right, wrong, refused, by kind of picture."""

from __future__ import annotations

from typing import Any

import numpy as np

from build.bench import inputs


def mnist_agreement(python: np.ndarray, browser: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Return the accuracy of both probability sets and how closely the browser's follow Python's."""
    return {
        "count": len(labels),
        "python_accuracy": float((python.argmax(1) == labels).mean()),
        "browser_accuracy": float((browser.argmax(1) == labels).mean()),
        "same_digit": int((python.argmax(1) == browser.argmax(1)).sum()),
        "max_probability_difference": float(np.abs(python - browser).max()),
    }


def value_of(reading: dict[str, Any]) -> int | None:
    """Return what a reading says the picture shows: its `number` (issue 10's contract), else its `digit`."""
    number = reading.get("number")
    return number if number is not None else reading.get("digit")


def refused(reading: dict[str, Any]) -> bool:
    """Return whether recognize refused the picture: digit null and number null (a missing field counts as null)."""
    return reading.get("digit") is None and reading.get("number") is None


def is_right(reading: dict[str, Any], label: int | None) -> bool:
    """Return whether a reading is right: it shows the label, or for a picture without a digit it reads nothing."""
    return refused(reading) if label is None else value_of(reading) == label


def score_readings(readings: list[dict[str, Any]], files: list[inputs.InputFile]) -> dict[str, Any]:
    """Return {count, correct, accuracy, by_kind: {kind: {count, correct, accuracy}}, misses}."""

    def tally(pairs: list[tuple[dict[str, Any], inputs.InputFile]]) -> dict[str, Any]:
        correct = sum(is_right(reading, file.label) for reading, file in pairs)
        return {"count": len(pairs), "correct": correct, "accuracy": correct / len(pairs) if pairs else 0.0}

    pairs = list(zip(readings, files, strict=True))
    kinds = sorted({file.kind for file in files})
    misses = [
        {"file": file.path, "label": file.label, **reading}
        for reading, file in pairs
        if not is_right(reading, file.label)
    ]
    return {
        **tally(pairs),
        "by_kind": {kind: tally([p for p in pairs if p[1].kind == kind]) for kind in kinds},
        "misses": misses,
    }


def scene_scores(readings: list[dict[str, Any]], files: list[inputs.InputFile]) -> dict[str, Any]:
    """Return score_readings over all scenes, plus the accuracy on the digit scenes and the blanks read as something."""
    digit_pairs = [(reading, file) for reading, file in zip(readings, files, strict=True) if file.label is not None]
    digits = score_readings([reading for reading, _ in digit_pairs], [file for _, file in digit_pairs])
    blanks = [reading for reading, file in zip(readings, files, strict=True) if file.label is None]
    return {
        **score_readings(readings, files),
        "digits": {key: digits[key] for key in ("count", "correct", "accuracy")},
        "blanks": {"count": len(blanks), "read": sum(not refused(reading) for reading in blanks)},
    }


def refusal_scores(readings: list[dict[str, Any]], files: list[inputs.InputFile]) -> dict[str, Any]:
    """Return {count, refused, rate, errors, by_kind: {kind: {count, refused, rate}}, read_as} of non-digit pictures."""

    def tally(chosen: list[dict[str, Any]]) -> dict[str, Any]:
        count = sum(refused(reading) for reading in chosen)
        return {"count": len(chosen), "refused": count, "rate": count / len(chosen) if chosen else 0.0}

    kinds = sorted({file.kind for file in files})
    by_kind = {kind: tally([r for r, f in zip(readings, files, strict=True) if f.kind == kind]) for kind in kinds}
    read_as = [
        {
            "file": file.path,
            "kind": file.kind,
            "digit": reading.get("digit"),
            "number": reading.get("number"),
            "confidence": reading.get("confidence"),
        }
        for reading, file in zip(readings, files, strict=True)
        if not refused(reading)
    ]
    return {
        **tally(readings),
        "errors": sum(reading.get("error") is not None for reading in readings),
        "by_kind": by_kind,
        "read_as": read_as,
    }


def wrongly_refused(readings: list[dict[str, Any]]) -> dict[str, Any]:
    """Return {count, refused, rate} of pictures of digits that recognize refused."""
    count = sum(refused(reading) for reading in readings)
    return {"count": len(readings), "refused": count, "rate": count / len(readings) if readings else 0.0}


def mnist_refusals(not_digit: np.ndarray, threshold: float) -> dict[str, Any]:
    """Return {count, refused, rate, threshold}: MNIST test images whose not_digit reaches the page's threshold."""
    count = int((np.asarray(not_digit) >= threshold).sum())
    return {
        "count": len(not_digit),
        "refused": count,
        "rate": count / len(not_digit) if len(not_digit) else 0.0,
        "threshold": threshold,
    }
