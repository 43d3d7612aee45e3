"""build.context: the model card's figures and the page context contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from build import config as build_config
from build import context, runtime
from build.errors import BuildError
from tests.paths import REPO_ROOT

CONFUSION = [[90 if row == col else (10 if col == (row + 1) % 10 else 0) for col in range(10)] for row in range(10)]


def test_model_card_formats_metrics_for_display() -> None:
    metrics = {
        "test_accuracy": 0.9921,
        "per_class_accuracy": [0.99] * 9 + [0.976214],
        "confusion_matrix": CONFUSION,
        "parameters": 21094,
        "test_count": 10000,
        "training_images": 55000,
        "validation_images": 5000,
        "epochs": 17,
        "training_seconds": 252.5,
        "versions": {"tensorflow": "2.19.0", "keras": "3.15.1"},
    }
    card = context.model_card("1795595699", metrics, 52_345, "float16")
    assert card["version"] == "1795595699"
    assert card["created"] == "2026-11-25 08:34 UTC"
    assert card["parameters"] == "21,094"
    assert card["size"] == "52.3 KB (model.json and weights)"
    assert card["quantization"].startswith("float16 (")
    assert card["test_accuracy"] == "99.21%"
    assert card["per_class"][9] == {"digit": 9, "accuracy": "97.62%"}
    assert card["test_set"] == "10,000 MNIST test images"
    assert card["details"] == [
        {"label": "Trained on", "value": "55,000 MNIST training images (5,000 more held out for validation)"},
        {"label": "Training epochs", "value": "17"},
        {"label": "Training time", "value": "252 s"},
        {"label": "Trained with", "value": "keras 3.15.1, tensorflow 2.19.0"},
    ]


def test_absent_metrics_read_not_measured() -> None:
    card = context.model_card("my-model", {}, 1_234_567, "none")
    assert card["created"] == card["parameters"] == card["test_accuracy"] == "not measured"
    assert card["test_set"] == "the MNIST test images"
    assert card["size"] == "1.23 MB (model.json and weights)"
    assert {row["accuracy"] for row in card["per_class"]} == {"not measured"}
    assert card["confusion"]["available"] is False
    assert card["confusion"]["cells"] == []
    assert card["details"] == []


def test_accuracies_are_derived_from_the_confusion_matrix_when_absent() -> None:
    card = context.model_card("1", {"confusion_matrix": CONFUSION}, 10, "none")
    assert card["test_accuracy"] == "90.00%"
    assert card["per_class"][3]["accuracy"] == "90.00%"


def test_confusion_chart_places_and_shades_every_cell() -> None:
    chart = context.confusion_chart(CONFUSION)
    assert chart["available"]
    assert len(chart["cells"]) == 100
    diagonal = chart["cells"][0]
    error = chart["cells"][1]  # true 0 read as 1: 10 of 100
    empty = chart["cells"][2]
    assert (diagonal["x"], diagonal["y"]) == (context.MARGIN_LEFT, context.MARGIN_TOP)
    assert (error["x"] - diagonal["x"], chart["cells"][10]["y"] - diagonal["y"]) == (context.CELL, context.CELL)
    assert (diagonal["fill"], diagonal["opacity"], diagonal["text"]) == (context.CORRECT_FILL, "0.900", "90")
    assert (error["fill"], error["opacity"], error["text"]) == (context.ERROR_FILL, "0.800", "10")
    assert (empty["opacity"], empty["text"]) == ("0.000", "")
    assert error["title"] == "true 0, read as 1: 10 of 100 (10.00%)"
    assert chart["summary"] == "900 of 1,000 test images read correctly; rows are the true digit"
    assert [label["text"] for label in chart["column_labels"]] == [str(d) for d in range(10)]


def test_rarer_errors_are_shaded_lighter_than_the_worst() -> None:
    matrix = [[100 if row == col else 0 for col in range(10)] for row in range(10)]
    matrix[9][4], matrix[9][7], matrix[9][9] = 10, 2, 88
    cells = {(cell["true_digit"], cell["read_digit"]): cell for cell in context.confusion_chart(matrix)["cells"]}
    assert [cells[9, read]["opacity"] for read in (4, 7, 9, 0)] == ["0.800", "0.280", "0.880", "0.000"]
    assert cells[9, 9]["text_fill"] == "#ffffff"
    assert cells[9, 7]["text_fill"] == "#1b1f24"


def test_malformed_confusion_matrix_is_not_drawn() -> None:
    assert (
        context.model_card("1", {"confusion_matrix": [[1, 2], [3, 4]]}, 10, "none")["confusion"]["available"] is False
    )


@pytest.mark.parametrize(("size", "text"), [(999, "999 B"), (668_292, "668.3 KB"), (1_470_000, "1.47 MB")])
def test_format_bytes(size: int, text: str) -> None:
    assert context.format_bytes(size) == text


def test_page_context_follows_the_contract(model_dir: Path, fixture_settings: dict, tmp_path: Path) -> None:
    settings = build_config.load_config(model=model_dir, out=tmp_path / "dist", **fixture_settings)
    static = {url: url.encode() for url in (*context.STYLESHEETS, *context.APP_SCRIPTS)}
    files = runtime.gather_runtime(
        REPO_ROOT / "node_modules", {"modelTopology": {"node": [{"name": "x", "op": "Placeholder"}]}}, {}
    )
    card = context.model_card("1700000000", {}, 1, "float16")
    decode = {"max_file_bytes": 26_214_400, "max_pixels": 50_000_000, "max_decoded_side": 256}
    page = context.page_context(settings, {"decode": decode}, files, static, card)
    assert set(page) == {
        "site",
        "csp",
        "stylesheets",
        "ui_scripts",
        "runtime_scripts",
        "app_scripts",
        "all_scripts",
        "config",
        "model",
        "pages",
        "examples",
        "below_floors",
    }
    assert page["all_scripts"] == page["ui_scripts"] + page["runtime_scripts"] + page["app_scripts"]
    # The calculator's scripts load before the runtime, recognition's after it.
    assert [s["url"].rsplit("/", 1)[1] for s in page["ui_scripts"]] == [
        "arithmetic.js",
        "calculator.js",
        "ui-pad.js",
        "ui-picture.js",
        "ui-operand.js",
        "ui-inputs.js",
        "ui.js",
        "app.js",
    ]
    assert page["site"]["title"] == "snapmath"
    assert page["stylesheets"] == [{"url": "static/app.css", "integrity": runtime.sri(b"static/app.css")}]
    assert [s["url"].rsplit("/", 1)[1] for s in page["app_scripts"]] == [
        "decode.js",
        "pixels.js",
        "locate.js",
        "preprocess.js",
        "model.js",
        "main.js",
    ]
    assert [example["name"] for example in page["examples"]] == ["seven", "three", "twelve"]
    assert [s["url"] for s in page["runtime_scripts"]] == [file.url for file in files]
    assert page["config"]["limits"] == {"maxFileBytes": 26_214_400, "maxPixels": 50_000_000, "maxSide": 256}
    assert page["pages"] == {"index": "index.html", "model_card": "model-card.html"}
    json.dumps(page)  # plain data only


def test_missing_app_script_is_named(model_dir: Path, fixture_settings: dict, tmp_path: Path) -> None:
    settings = build_config.load_config(model=model_dir, out=tmp_path / "dist", **fixture_settings)
    with pytest.raises(BuildError, match=r"^site_templates/static/app\.css is missing: the page loads it$"):
        context.page_context(settings, {}, [], {}, {})


def test_spec_without_input_limits_is_named(model_dir: Path, fixture_settings: dict, tmp_path: Path) -> None:
    settings = build_config.load_config(model=model_dir, out=tmp_path / "dist", **fixture_settings)
    static = {url: url.encode() for url in (*context.STYLESHEETS, *context.APP_SCRIPTS)}
    with pytest.raises(
        BuildError, match=r"preprocess_spec\.json: decode\.max_pixels, decode\.max_decoded_side missing"
    ):
        context.page_context(settings, {"decode": {"max_file_bytes": 10}}, [], static, {})


def test_model_card_version_reads_as_a_date() -> None:
    assert context.model_card("1795595699", {}, 1, "none")["released"] == "25 November 2026"
    assert context.model_card("my-model", {}, 1, "none")["released"] == "my-model"


def test_top_confusions_are_sentences_a_touch_screen_can_show() -> None:
    assert context.top_confusions(CONFUSION, count=2) == [
        "true 0 read as 1: 10 of 100 (10.00%)",
        "true 1 read as 2: 10 of 100 (10.00%)",
    ]
    assert context.top_confusions(None) == []


RELIABILITY = [
    {"lower": 0.0, "upper": 0.5, "count": 0, "confidence": None, "accuracy": None},
    {"lower": 0.5, "upper": 1.0, "count": 9_990, "confidence": 0.99, "accuracy": 0.995},
]


def test_calibration_shows_ece_before_and_after_and_a_reliability_diagram() -> None:
    metrics = {
        "temperature": 1.3125,
        "expected_calibration_error": {"bins": 15, "test_before": 0.0123, "test_after": 0.0045},
        "reliability_diagram": RELIABILITY,
        "reliability_diagram_before": [{**row, "accuracy": 0.9} if row["count"] else row for row in RELIABILITY],
    }
    card = context.model_card("1", metrics, 10, "none")["calibration"]
    assert (card["ece_before"], card["ece_after"], card["temperature"], card["bins"]) == ("1.23%", "0.45%", "1.31", 15)
    # Empty bins are left out; a bin's dot sits at (its mean confidence, its accuracy).
    assert [dot["count"] for dot in card["after"]] == [9_990]
    x = context.CHART_LEFT + 0.99 * context.CHART_SIZE
    y = context.CHART_TOP + (1 - 0.995) * context.CHART_SIZE
    assert (card["after"][0]["x"], card["after"][0]["y"]) == (f"{x:.1f}", f"{y:.1f}")
    assert float(card["before"][0]["y"]) > float(card["after"][0]["y"])  # lower accuracy, lower on the chart
    assert card["table"] == [{"range": "0.5 to 1.0", "count": "9,990", "confidence": "99.00%", "accuracy": "99.50%"}]


def test_calibration_and_refusals_are_absent_without_their_metrics() -> None:
    card = context.model_card("1", {}, 10, "none")
    assert (card["calibration"], card["refusals"], card["benchmark"]) == (None, [], [])


def test_refusals_and_benchmark_figures_are_labelled() -> None:
    metrics = {
        "refused": {"mnist_test": 0.0021, "non_digits_benchmark_fonts": 0.968, "unknown_set": 0.5},
        "benchmark": {"real_pictures": {"accuracy": 0.97, "count": 159}, "broken": "x"},
    }
    card = context.model_card("1", metrics, 10, "none")
    assert card["refusals"] == [
        {"label": "MNIST test digits wrongly refused", "value": "0.21%"},
        {"label": "rendered non-digits refused (fonts never trained on)", "value": "96.80%"},
    ]
    assert card["benchmark"] == [{"label": "Real pictures", "value": "97.00% of 159"}]


def test_no_hold_out_is_not_mentioned() -> None:
    card = context.model_card("1", {"training_images": 60_000, "validation_images": 0}, 10, "none")
    assert card["details"] == [{"label": "Trained on", "value": "60,000 MNIST training images"}]
