"""build.model_card: the model card's figures and charts."""

from __future__ import annotations

import pytest

from build import model_card
from tests.example_metrics import METRICS

CONFUSION = [[90 if row == col else (10 if col == (row + 1) % 10 else 0) for col in range(10)] for row in range(10)]


def test_model_card_formats_metrics_for_display() -> None:
    metrics = {
        **METRICS,
        "test_accuracy": 0.9921,
        "per_class_accuracy": [0.99] * 9 + [0.976214],
        "confusion_matrix": CONFUSION,
        "parameters": 21094,
        "test_count": 10000,
        "training_images": 55000,
        "held_out_images": 5000,
        "epochs": 17,
        "training_seconds": 252.5,
        "versions": {"tensorflow": "2.19.0", "keras": "3.15.1"},
    }
    card = model_card.model_card("1795595699", metrics, 52_345, "float16")
    assert card["version"] == "1795595699"
    assert card["created"] == "2026-11-25 08:34 UTC"
    assert card["parameters"] == "21,094"
    assert card["size"] == "52.3 KB (model.json and weights)"
    assert card["quantization"].startswith("float16 (")
    assert "trained onto" not in card["quantization"]
    on_grid = model_card.model_card("1795595699", {**metrics, "weight_grid": "uint8"}, 52_345, "uint8")
    assert on_grid["quantization"].startswith("uint8 (")
    assert on_grid["quantization"].endswith("trained onto these steps, so the page computes the figures below")
    plain = model_card.model_card("1795595699", {**metrics, "plain_epochs": 3}, 52_345, "float16")
    assert plain["details"][1] == {"label": "Training epochs", "value": "17 (the last 3 without augmentation)"}
    assert card["test_accuracy"] == "99.21%"
    assert card["per_class"][9] == {"digit": 9, "accuracy": "97.62%"}
    assert card["test_set"] == "10,000 MNIST test images"
    assert card["details"] == [
        {"label": "Trained on", "value": "55,000 MNIST training images (5,000 more held out for calibration)"},
        {"label": "Training epochs", "value": "17"},
        {"label": "Training time", "value": "252 s"},
        {"label": "Trained with", "value": "keras 3.15.1, tensorflow 2.19.0"},
    ]


def test_a_model_folder_named_freely_has_no_export_time() -> None:
    card = model_card.model_card("my-model", METRICS, 1_234_567, "none")
    assert card["created"] == "not measured"
    assert card["released"] == "my-model"
    assert card["size"] == "1.23 MB (model.json and weights)"


def test_confusion_chart_places_and_shades_every_cell() -> None:
    chart = model_card.confusion_chart(CONFUSION)
    assert len(chart["cells"]) == 100
    diagonal = chart["cells"][0]
    error = chart["cells"][1]  # true 0 read as 1: 10 of 100
    empty = chart["cells"][2]
    assert (diagonal["x"], diagonal["y"]) == (model_card.MARGIN_LEFT, model_card.MARGIN_TOP)
    assert (error["x"] - diagonal["x"], chart["cells"][10]["y"] - diagonal["y"]) == (model_card.CELL, model_card.CELL)
    assert (diagonal["fill"], diagonal["opacity"], diagonal["text"]) == (model_card.CORRECT_FILL, "0.900", "90")
    assert (error["fill"], error["opacity"], error["text"]) == (model_card.ERROR_FILL, "0.800", "10")
    assert (empty["opacity"], empty["text"]) == ("0.000", "")
    assert error["title"] == "true 0, read as 1: 10 of 100 (10.00%)"
    assert chart["summary"] == "900 of 1,000 test images read correctly; rows are the true digit"
    assert [label["text"] for label in chart["column_labels"]] == [str(d) for d in range(10)]


def test_rarer_errors_are_shaded_lighter_than_the_worst() -> None:
    matrix = [[100 if row == col else 0 for col in range(10)] for row in range(10)]
    matrix[9][4], matrix[9][7], matrix[9][9] = 10, 2, 88
    cells = {(cell["true_digit"], cell["read_digit"]): cell for cell in model_card.confusion_chart(matrix)["cells"]}
    assert [cells[9, read]["opacity"] for read in (4, 7, 9, 0)] == ["0.800", "0.280", "0.880", "0.000"]
    assert cells[9, 9]["text_fill"] == "#ffffff"
    assert cells[9, 7]["text_fill"] == "#1b1f24"


@pytest.mark.parametrize(("size", "text"), [(999, "999 B"), (668_292, "668.3 KB"), (1_470_000, "1.47 MB")])
def test_format_bytes(size: int, text: str) -> None:
    assert model_card.format_bytes(size) == text


def test_model_card_version_reads_as_a_date() -> None:
    assert model_card.model_card("1795595699", METRICS, 1, "none")["released"] == "25 November 2026"
    assert model_card.model_card("my-model", METRICS, 1, "none")["released"] == "my-model"


def test_top_confusions_are_sentences_a_touch_screen_can_show() -> None:
    assert model_card.top_confusions(CONFUSION, count=2) == [
        "true 0 read as 1: 10 of 100 (10.00%)",
        "true 1 read as 2: 10 of 100 (10.00%)",
    ]
    assert model_card.top_confusions([[5 if row == col else 0 for col in range(10)] for row in range(10)]) == []


RELIABILITY = [
    {"lower": 0.0, "upper": 0.5, "count": 0, "confidence": None, "accuracy": None},
    {"lower": 0.5, "upper": 1.0, "count": 9_990, "confidence": 0.99, "accuracy": 0.995},
]


def test_calibration_shows_ece_before_and_after_and_a_reliability_diagram() -> None:
    metrics = {
        **METRICS,
        "temperature": 1.3125,
        "expected_calibration_error": {"bins": 15, "test_before": 0.0123, "test_after": 0.0045},
        "reliability_diagram": RELIABILITY,
        "reliability_diagram_before": [{**row, "accuracy": 0.9} if row["count"] else row for row in RELIABILITY],
    }
    card = model_card.model_card("1", metrics, 10, "none")["calibration"]
    assert (card["ece_before"], card["ece_after"], card["temperature"], card["bins"]) == ("1.23%", "0.45%", "1.31", 15)
    # Empty bins are left out; a bin's dot sits at (its mean confidence, its accuracy).
    assert [dot["count"] for dot in card["after"]] == [9_990]
    x = model_card.CHART_LEFT + 0.99 * model_card.CHART_SIZE
    y = model_card.CHART_TOP + (1 - 0.995) * model_card.CHART_SIZE
    assert (card["after"][0]["x"], card["after"][0]["y"]) == (f"{x:.1f}", f"{y:.1f}")
    assert float(card["before"][0]["y"]) > float(card["after"][0]["y"])  # lower accuracy, lower on the chart
    assert card["table"] == [{"range": "0.5 to 1.0", "count": "9,990", "confidence": "99.00%", "accuracy": "99.50%"}]


def test_benchmark_figures_are_absent_until_the_benchmark_records_them() -> None:
    assert "benchmark" not in METRICS
    assert model_card.model_card("1", METRICS, 10, "none")["benchmark"] == []


def test_refusals_and_benchmark_figures_are_labelled() -> None:
    metrics = {
        **METRICS,
        "refused": {"mnist_test": 0.0021, "non_digits_benchmark_fonts": 0.968, "unknown_set": 0.5},
        "benchmark": {"real_pictures": {"accuracy": 0.97, "count": 159}, "uploads": {"accuracy": 0.9}},
    }
    card = model_card.model_card("1", metrics, 10, "none")
    assert card["refusals"] == [
        {"label": "MNIST test digits wrongly refused", "value": "0.21%"},
        {"label": "rendered non-digits refused (fonts never trained on)", "value": "96.80%"},
    ]
    assert card["benchmark"] == [
        {"label": "Real pictures", "value": "97.00% of 159"},
        {"label": "Uploads", "value": "90.00%"},
    ]


def test_the_kinds_of_training_images_are_named_when_more_than_mnist() -> None:
    parts = {"mnist": 55_000, "printed": 3_000, "crops": 4_000, "non_digits": 18_000, "held_out_mnist": 5_000}
    metrics = {**METRICS, "training_images": 80_000, "held_out_images": 5_000, "training_parts": parts}
    card = model_card.model_card("1", metrics, 10, "none")
    assert card["details"][0] == {
        "label": "Trained on",
        "value": "80,000 training images: 55,000 MNIST, 3,000 printed digits, 4,000 digit crops, "
        "18,000 non-digits (5,000 more held out for calibration)",
    }


def test_no_hold_out_is_not_mentioned() -> None:
    card = model_card.model_card("1", {**METRICS, "training_images": 60_000, "held_out_images": 0}, 10, "none")
    assert card["details"][0] == {"label": "Trained on", "value": "60,000 MNIST training images"}
