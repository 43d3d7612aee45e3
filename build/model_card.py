"""The model card: its figures and charts (confusion matrix, reliability diagram) as display strings."""

from __future__ import annotations

import datetime

from training.model_metrics import ModelMetrics, ReliabilityRow

NOT_MEASURED = "not measured"
QUANTIZATION_NOTES = {
    "none": "none (32-bit float weights)",
    "float16": "float16 (weights stored as 16-bit floats, widened to 32-bit on load)",
    "uint8": "uint8 (weights stored as 8-bit steps of each tensor's range, widened to 32-bit on load)",
}
ON_GRID_NOTE = "; the model was trained onto these steps, so the page computes the figures below"

# Confusion-matrix drawing, in SVG user units.
CELL = 34
MARGIN_LEFT = 58
MARGIN_TOP = 58
CORRECT_FILL = "#2f7d4f"
ERROR_FILL = "#c2352b"


def model_card(version: str, metrics: ModelMetrics, size_bytes: int, quantize: str) -> dict:
    """Return the model card's display strings and charts from the model's checked metrics.json."""
    confusion = metrics["confusion_matrix"]
    return {
        "version": version,
        "created": _created(version),
        "parameters": f"{metrics['parameters']:,}",
        "size": f"{format_bytes(size_bytes)} (model.json and weights)",
        "quantization": QUANTIZATION_NOTES[quantize] + (ON_GRID_NOTE if metrics.get("weight_grid") == quantize else ""),
        "test_accuracy": format_percent(metrics["test_accuracy"]),
        "test_set": f"{metrics['test_count']:,} MNIST test images",
        "per_class": [
            {"digit": digit, "accuracy": format_percent(value)}
            for digit, value in enumerate(metrics["per_class_accuracy"])
        ],
        "confusion": confusion_chart(confusion),
        "top_confusions": top_confusions(confusion),
        "details": _details(metrics),
        "released": _released(version),
        "calibration": calibration_card(metrics),
        "refusals": refusal_rows(metrics),
        "benchmark": benchmark_rows(metrics),
    }


def top_confusions(matrix: list[list[int]], count: int = 6) -> list[str]:
    """Return the most frequent misreadings as sentences, e.g. `true 9 read as 4: 4 of 1,009 (0.40%)`.

    They repeat what the matrix's cells say on hover, as text a touch screen can show."""
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


def calibration_card(metrics: ModelMetrics) -> dict:
    """Return the expected calibration error before/after temperature scaling and a reliability diagram."""
    errors = metrics["expected_calibration_error"]
    after = metrics["reliability_diagram"]

    def point(confidence: float, accuracy: float) -> tuple[float, float]:
        return CHART_LEFT + confidence * CHART_SIZE, CHART_TOP + (1 - accuracy) * CHART_SIZE

    def series(rows: list[ReliabilityRow]) -> list[dict]:
        dots = []
        for row in rows:
            confidence, accuracy = row["confidence"], row["accuracy"]
            if row["count"] and confidence is not None and accuracy is not None:
                x, y = point(confidence, accuracy)
                dots.append({"x": f"{x:.1f}", "y": f"{y:.1f}", "count": row["count"]})
        return dots

    table = [
        {
            "range": f"{row['lower']:.1f} to {row['upper']:.1f}",
            "count": f"{row['count']:,}",
            "confidence": format_percent(row["confidence"]),
            "accuracy": format_percent(row["accuracy"]),
        }
        for row in after if row["count"]
    ]  # fmt: skip
    ticks = [
        {"text": f"{value:.1f}", "x": f"{point(value, 0)[0]:.1f}", "y": f"{point(0, value)[1]:.1f}"}
        for value in (0, 0.5, 1)
    ]
    return {
        "temperature": f"{metrics['temperature']:.3g}",
        "ece_before": format_percent(errors["test_before"]),
        "ece_after": format_percent(errors["test_after"]),
        "bins": errors["bins"],
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
        "before": series(metrics["reliability_diagram_before"]),
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


def refusal_rows(metrics: ModelMetrics) -> list[dict]:
    """Return how often the not-a-digit output refuses, per set in metrics.json `refused`: [{label, value}]."""
    refused = metrics["refused"]
    return [
        {"label": label, "value": format_percent(refused[name])}
        for name, label in REFUSAL_NAMES.items() if name in refused
    ]  # fmt: skip


def benchmark_rows(metrics: ModelMetrics) -> list[dict]:
    """Return the benchmark's accuracies stored with the model (metrics.json `benchmark`: {name: {accuracy, count}})."""
    rows = []
    for name, result in sorted(metrics.get("benchmark", {}).items()):
        suffix = f" of {result['count']:,}" if "count" in result else ""
        rows.append(
            {"label": name.replace("_", " ").capitalize(), "value": f"{format_percent(result['accuracy'])}{suffix}"}
        )
    return rows


def confusion_chart(matrix: list[list[int]]) -> dict:
    """Return an SVG drawing of a 10x10 confusion matrix: sizes, labelled axes and shaded cells.

    Rows are the true digit, columns the digit read. A correct cell's shade is its share of the row.
    Errors are rare (well under 1% of a row), so they are shaded relative to the largest error share,
    from a visible 0.15 up to 0.8: the worst confusions stand out.
    """
    size = MARGIN_LEFT + 10 * CELL + 8
    cells: list[dict] = []
    chart = {
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
    }
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
    """Return a 0..1 ratio as `99.12%`, or `not measured` for None (an empty bin's mean)."""
    return NOT_MEASURED if value is None else f"{value * 100:.2f}%"


def _epochs(metrics: ModelMetrics) -> str:
    """Return the epochs, and how many of the last ones saw the pictures without augmentation."""
    plain = metrics.get("plain_epochs", 0)
    return f"{metrics['epochs']} (the last {plain} without augmentation)" if plain else f"{metrics['epochs']}"


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


# metrics.json training_parts key -> what the card calls those images
TRAINING_PARTS = {"mnist": "MNIST", "printed": "printed digits", "crops": "digit crops", "non_digits": "non-digits"}


def _details(metrics: ModelMetrics) -> list[dict]:
    """Return further training facts from metrics.json as [{label, value}]."""
    held_out = metrics["held_out_images"]
    total = metrics["training_images"]
    parts = metrics.get("training_parts", {})
    if parts.get("mnist", total) == total:  # MNIST alone
        trained_on = f"{total:,} MNIST training images"
    else:  # printed digits, crops, non-digits mixed in
        named = (f"{parts[key]:,} {name}" for key, name in TRAINING_PARTS.items() if parts.get(key))
        trained_on = f"{total:,} training images: " + ", ".join(named)
    if held_out > 0:
        trained_on += f" ({held_out:,} more held out for calibration)"
    details = [
        {"label": "Trained on", "value": trained_on},
        {"label": "Training epochs", "value": _epochs(metrics)},
        {"label": "Training time", "value": f"{metrics['training_seconds']:.0f} s"},
    ]
    if metrics["versions"]:
        text = ", ".join(f"{name} {value}" for name, value in sorted(metrics["versions"].items()))
        details.append({"label": "Trained with", "value": text})
    return details
