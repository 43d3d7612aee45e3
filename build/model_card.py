"""The model card: its figures and charts (confusion matrix, reliability diagram) as display strings."""

from __future__ import annotations

import datetime
import math

NOT_MEASURED = "not measured"
QUANTIZATION_NOTES = {
    "none": "none (32-bit float weights)",
    "float16": "float16 (weights stored as 16-bit floats, widened to 32-bit on load)",
    "uint8": "uint8 (weights stored as 8-bit steps of each tensor's range, widened to 32-bit on load)",
}

# Confusion-matrix drawing, in SVG user units.
CELL = 34
MARGIN_LEFT = 58
MARGIN_TOP = 58
CORRECT_FILL = "#2f7d4f"
ERROR_FILL = "#c2352b"


def model_card(version: str, metrics: dict, size_bytes: int, quantize: str) -> dict:
    """Return the model card's display strings and confusion-matrix drawing from `metrics.json` values."""
    confusion = metrics.get("confusion_matrix")
    if not _is_square_matrix(confusion):
        confusion = None
    per_class = metrics.get("per_class_accuracy")
    if not (isinstance(per_class, list) and len(per_class) == 10) and confusion is not None:
        per_class = [_ratio(row[digit], sum(row)) for digit, row in enumerate(confusion)]
    if not (isinstance(per_class, list) and len(per_class) == 10):
        per_class = [None] * 10
    test_accuracy = metrics.get("test_accuracy")
    if test_accuracy is None and confusion is not None:
        test_accuracy = _ratio(sum(confusion[i][i] for i in range(10)), sum(map(sum, confusion)))

    return {
        "version": version,
        "created": _created(version),
        "parameters": _count(metrics.get("parameters")),
        "size": f"{format_bytes(size_bytes)} (model.json and weights)",
        "quantization": QUANTIZATION_NOTES[quantize],
        "test_accuracy": format_percent(test_accuracy),
        "test_set": _test_set(metrics.get("test_count"), confusion),
        "per_class": [{"digit": digit, "accuracy": format_percent(value)} for digit, value in enumerate(per_class)],
        "confusion": confusion_chart(confusion),
        "top_confusions": top_confusions(confusion),
        "details": _details(metrics),
        "released": _released(version),
        "calibration": calibration_card(metrics),
        "refusals": refusal_rows(metrics),
        "benchmark": benchmark_rows(metrics),
    }


def top_confusions(matrix: list[list[int]] | None, count: int = 6) -> list[str]:
    """Return the most frequent misreadings as sentences, e.g. `true 9 read as 4: 4 of 1,009 (0.40%)`.

    They repeat what the matrix's cells say on hover, as text a touch screen can show."""
    if matrix is None:
        return []
    errors = [
        (cell, true_digit, read_digit, sum(row))
        for true_digit, row in enumerate(matrix) for read_digit, cell in enumerate(row)
        if read_digit != true_digit and cell
    ]  # fmt: skip
    errors.sort(key=lambda error: (-error[0], error[1], error[2]))
    return [
        f"true {true_digit} read as {read_digit}: {cell:,} of {total:,} ({format_percent(cell / total)})"
        for cell, true_digit, read_digit, total in errors[:count]
    ]


# Reliability diagram, in SVG user units: confidence on x, accuracy on y, both 0..1.
CHART_SIZE = 240
CHART_LEFT = 48
CHART_TOP = 12


def calibration_card(metrics: dict) -> dict | None:
    """Return the expected calibration error before/after temperature scaling and a reliability diagram, or None.

    Needs `expected_calibration_error` ({test_before, test_after, bins}) and `reliability_diagram`
    (and optionally `reliability_diagram_before`): rows {lower, upper, count, confidence, accuracy}."""
    errors = metrics.get("expected_calibration_error")
    after = metrics.get("reliability_diagram")
    if not (isinstance(errors, dict) and isinstance(after, list)):
        return None
    before_rows = metrics.get("reliability_diagram_before")
    before: list = before_rows if isinstance(before_rows, list) else []

    def point(confidence: float, accuracy: float) -> tuple[float, float]:
        return CHART_LEFT + confidence * CHART_SIZE, CHART_TOP + (1 - accuracy) * CHART_SIZE

    def series(rows: list) -> list[dict]:
        dots = []
        for row in rows:
            if isinstance(row, dict) and row.get("count") and row.get("confidence") is not None:
                x, y = point(row["confidence"], row["accuracy"])
                dots.append({"x": f"{x:.1f}", "y": f"{y:.1f}", "count": row["count"]})
        return dots

    table = [
        {
            "range": f"{row['lower']:.1f} to {row['upper']:.1f}",
            "count": f"{row['count']:,}",
            "confidence": format_percent(row.get("confidence")),
            "accuracy": format_percent(row.get("accuracy")),
        }
        for row in after if isinstance(row, dict) and row.get("count")
    ]  # fmt: skip
    ticks = [
        {"text": f"{value:.1f}", "x": f"{point(value, 0)[0]:.1f}", "y": f"{point(0, value)[1]:.1f}"}
        for value in (0, 0.5, 1)
    ]
    return {
        "temperature": f"{metrics['temperature']:.3g}"
        if isinstance(metrics.get("temperature"), (int, float))
        else NOT_MEASURED,
        "ece_before": format_percent(errors.get("test_before")),
        "ece_after": format_percent(errors.get("test_after")),
        "bins": errors.get("bins", len(after)),
        "width": CHART_LEFT + CHART_SIZE + 16,
        "height": CHART_TOP + CHART_SIZE + 44,
        "diagonal": {"x1": CHART_LEFT, "y1": CHART_TOP + CHART_SIZE, "x2": CHART_LEFT + CHART_SIZE, "y2": CHART_TOP},
        "frame": {"x": CHART_LEFT, "y": CHART_TOP, "size": CHART_SIZE},
        "ticks": ticks,
        "axis_y": CHART_TOP + CHART_SIZE + 16,
        "label_x": CHART_LEFT - 16,
        "title_x": CHART_LEFT + CHART_SIZE // 2,
        "title_y": CHART_TOP + CHART_SIZE + 36,
        "y_title": {
            "x": 14,
            "y": CHART_TOP + CHART_SIZE // 2,
            "transform": f"rotate(-90 14 {CHART_TOP + CHART_SIZE // 2})",
        },
        "before": series(before),
        "after": series(after),
        "table": table,
    }


REFUSAL_NAMES = {
    "mnist_test": "MNIST test digits wrongly refused",
    "non_digits_benchmark_fonts": "rendered non-digits refused (fonts never trained on)",
    "non_digits_held_out": "rendered non-digits refused (held out from training)",
    "held_out_mnist": "held-out MNIST digits wrongly refused",
    "held_out_printed": "held-out printed digits wrongly refused",
    "held_out_crops": "held-out digit crops wrongly refused",
}


def refusal_rows(metrics: dict) -> list[dict]:
    """Return how often the not-a-digit output refuses, per set in metrics.json `refused`: [{label, value}]."""
    refused = metrics.get("refused")
    if not isinstance(refused, dict):
        return []
    return [
        {"label": label, "value": format_percent(refused[name])}
        for name, label in REFUSAL_NAMES.items() if isinstance(refused.get(name), (int, float))
    ]  # fmt: skip


def benchmark_rows(metrics: dict) -> list[dict]:
    """Return the benchmark's accuracies stored with the model (metrics.json `benchmark`: {name: {accuracy, count}})."""
    benchmark = metrics.get("benchmark")
    if not isinstance(benchmark, dict):
        return []
    rows = []
    for name, result in sorted(benchmark.items()):
        if isinstance(result, dict) and isinstance(result.get("accuracy"), (int, float)):
            count = result.get("count")
            suffix = f" of {count:,}" if isinstance(count, int) else ""
            rows.append(
                {"label": name.replace("_", " ").capitalize(), "value": f"{format_percent(result['accuracy'])}{suffix}"}
            )
    return rows


def confusion_chart(matrix: list[list[int]] | None) -> dict:
    """Return an SVG drawing of a 10x10 confusion matrix: sizes, labelled axes and shaded cells.

    Rows are the true digit, columns the digit read. A correct cell's shade is its share of the row.
    Errors are rare (well under 1% of a row), so they are shaded relative to the largest error share,
    from a visible 0.15 up to 0.8: the worst confusions stand out.
    """
    size = MARGIN_LEFT + 10 * CELL + 8
    cells: list[dict] = []
    chart = {
        "available": matrix is not None,
        "width": size,
        "height": MARGIN_TOP + 10 * CELL + 8,
        "cell_size": CELL,
        "cells": cells,
        "column_labels": [
            {"text": str(digit), "x": MARGIN_LEFT + digit * CELL + CELL // 2, "y": MARGIN_TOP - 10}
            for digit in range(10)
        ],
        "row_labels": [
            {"text": str(digit), "x": MARGIN_LEFT - 12, "y": MARGIN_TOP + digit * CELL + CELL // 2 + 4}
            for digit in range(10)
        ],
        "x_title": {"text": "digit read by the model", "x": MARGIN_LEFT + 5 * CELL, "y": 18},
        "y_title": {
            "text": "true digit",
            "x": 16,
            "y": MARGIN_TOP + 5 * CELL,
            "transform": f"rotate(-90 16 {MARGIN_TOP + 5 * CELL})",
        },
        "summary": NOT_MEASURED,
    }
    if matrix is None:
        return chart
    total = sum(map(sum, matrix))
    correct = sum(matrix[digit][digit] for digit in range(10))
    chart["summary"] = f"{correct:,} of {total:,} test images read correctly; rows are the true digit"
    error_shares = [
        count / sum(row)
        for true_digit, row in enumerate(matrix)
        for read_digit, count in enumerate(row)
        if read_digit != true_digit and count
    ]
    largest_error_share = max(error_shares, default=1.0)
    for true_digit, row in enumerate(matrix):
        row_total = sum(row)
        for read_digit, count in enumerate(row):
            share = count / row_total if row_total else 0.0
            is_correct = true_digit == read_digit
            shade = share if is_correct else 0.15 + 0.65 * share / largest_error_share if count else 0.0
            x = MARGIN_LEFT + read_digit * CELL
            y = MARGIN_TOP + true_digit * CELL
            cells.append(
                {
                    "true_digit": true_digit,
                    "read_digit": read_digit,
                    "x": x,
                    "y": y,
                    "fill": CORRECT_FILL if is_correct else ERROR_FILL,
                    "opacity": f"{shade:.3f}",
                    "text": f"{count}" if count else "",
                    "text_x": x + CELL // 2,
                    "text_y": y + CELL // 2 + 4,
                    "text_fill": "#ffffff" if shade > 0.55 else "#1b1f24",
                    "title": (
                        f"true {true_digit}, read as {read_digit}: {count:,} of {row_total:,} ({format_percent(share)})"
                    ),
                }
            )
    return chart


def format_bytes(size: int) -> str:
    """Return a size in decimal units as people read them: `812 B`, `104.6 KB`, `1.47 MB`."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} KB"
    return f"{size / 1_000_000:.2f} MB"


def format_percent(value: float | None) -> str:
    """Return a 0..1 ratio as `99.12%`, or `not measured`."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
        return NOT_MEASURED
    return f"{value * 100:.2f}%"


def _created(version: str) -> str:
    """Return the export time encoded in a model's `<unix-timestamp>` directory name."""
    if not version.isdigit():
        return NOT_MEASURED
    moment = datetime.datetime.fromtimestamp(int(version), tz=datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _released(version: str) -> str:
    """Return the model's version as a date people read, e.g. `25 November 2026`, or the version itself."""
    if not version.isdigit():
        return version
    moment = datetime.datetime.fromtimestamp(int(version), tz=datetime.UTC)
    return f"{moment.day} {moment:%B %Y}"


def _count(value: object) -> str:
    """Return a whole number with thousands separators, or `not measured`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return NOT_MEASURED


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _is_square_matrix(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 10
        and all(isinstance(row, list) and len(row) == 10 and all(isinstance(n, int) for n in row) for row in value)
    )


def _test_set(test_count: object, confusion: list[list[int]] | None) -> str:
    """Return what the test accuracy was measured on, e.g. `10,000 MNIST test images`."""
    if not (isinstance(test_count, int) and not isinstance(test_count, bool)) and confusion is not None:
        test_count = sum(map(sum, confusion))
    if isinstance(test_count, int) and not isinstance(test_count, bool):
        return f"{test_count:,} MNIST test images"
    return "the MNIST test images"


def _details(metrics: dict) -> list[dict]:
    """Return further training facts present in metrics.json as [{label, value}] (absent ones omitted)."""
    details = []
    if isinstance(metrics.get("training_images"), int):
        held_out = metrics.get("validation_images")
        text = f"{metrics['training_images']:,} MNIST training images"
        if isinstance(held_out, int) and held_out > 0:
            text += f" ({held_out:,} more held out for validation)"
        details.append({"label": "Trained on", "value": text})
    if isinstance(metrics.get("epochs"), int):
        details.append({"label": "Training epochs", "value": f"{metrics['epochs']}"})
    if isinstance(metrics.get("training_seconds"), (int, float)):
        details.append({"label": "Training time", "value": f"{metrics['training_seconds']:.0f} s"})
    versions = metrics.get("versions")
    if isinstance(versions, dict) and versions:
        text = ", ".join(f"{name} {value}" for name, value in sorted(versions.items()))
        details.append({"label": "Trained with", "value": text})
    return details
