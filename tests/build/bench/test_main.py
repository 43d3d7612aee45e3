"""python -m build.bench: a quick run, as a person runs it, writes a report and a table that hold up."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from build import config as build_config
from build import parity, scenes
from build.bench import __main__ as bench_main
from build.bench import measure
from build.bench import report as bench_report
from tests.paths import REPO_ROOT

# The build's own bound for its default quantization (build/parity.py).
PROBABILITY_TOLERANCE = parity.TOLERANCES[build_config.DEFAULT_QUANTIZE]
UPLOAD_STYLES = {"paper", "coloured_ink", "dark_board", "transparent"}


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory, mnist_dir, samples_dir) -> tuple[dict, str]:
    """Return (report.json, report.md) of `python -m build.bench --quick`, run as a person runs it."""
    out = tmp_path_factory.mktemp("bench")
    result = subprocess.run(
        [sys.executable, "-m", "build.bench", "--quick", "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"python -m build.bench --quick failed:\n{result.stdout}\n{result.stderr}"
    assert "| Measure |" in result.stdout  # the table is printed, not only written
    return json.loads((out / "report.json").read_text()), (out / "report.md").read_text()


@pytest.mark.slow
@pytest.mark.browser
def test_quick_run_reads_mnist_in_the_browser_as_python_does(quick_report):
    report, _ = quick_report
    mnist = report["mnist"]
    assert mnist["count"] == measure.QUICK.mnist
    assert mnist["same_digit"] == mnist["count"]  # the TF.js model gives the SavedModel's digit on every image
    assert mnist["browser_accuracy"] == mnist["python_accuracy"]
    assert mnist["max_probability_difference"] <= PROBABILITY_TOLERANCE
    assert mnist["python_accuracy"] >= 0.97  # the shipped model reads 99.5% of MNIST's test set (floor: 99%)


def assert_tally(score: dict) -> None:
    """The accuracy, the misses and the kinds of a tally agree with its counts."""
    assert score["accuracy"] == pytest.approx(score["correct"] / score["count"])
    assert len(score["misses"]) == score["count"] - score["correct"]
    assert sum(kind["count"] for kind in score["by_kind"].values()) == score["count"]
    assert sum(kind["correct"] for kind in score["by_kind"].values()) == score["correct"]


@pytest.mark.slow
@pytest.mark.browser
def test_quick_run_scores_samples_and_uploads_ours_well_above_the_original_recipe(quick_report):
    report, _ = quick_report
    samples, uploads = report["samples"], report["uploads"]
    assert samples["ours"]["count"] == samples["original"]["count"] == 14
    assert uploads["ours"]["count"] == uploads["original"]["count"] == measure.QUICK.uploads
    assert set(uploads["ours"]["by_kind"]) == set(uploads["original"]["by_kind"]) == UPLOAD_STYLES
    for score in (samples["ours"], samples["original"], uploads["ours"], uploads["original"]):
        assert_tally(score)
    assert samples["ours"]["correct"] >= samples["original"]["correct"]
    assert uploads["ours"]["accuracy"] >= uploads["original"]["accuracy"] + 0.10  # the uploads_gain target


@pytest.mark.slow
@pytest.mark.browser
def test_quick_run_reports_scenes_refusals_and_numbers(quick_report):
    report, markdown = quick_report
    assert report["scenes"]["count"] == measure.QUICK.scenes
    assert report["scenes"]["blanks"]["count"] + report["scenes"]["digits"]["count"] == measure.QUICK.scenes
    assert set(report["scenes"]["by_kind"]) == set(scenes.KINDS)
    assert_tally(report["scenes"])
    nondigits = report["nondigits"]
    assert nondigits["count"] == measure.QUICK.nondigits
    assert nondigits["errors"] == 0  # every rendered picture decodes: a refusal is the page's answer, not a failure
    assert nondigits["rate"] == pytest.approx(nondigits["refused"] / nondigits["count"])
    assert len(nondigits["read_as"]) == nondigits["count"] - nondigits["refused"]
    assert sum(kind["refused"] for kind in nondigits["by_kind"].values()) == nondigits["refused"]
    assert report["numbers"]["count"] == measure.QUICK.numbers
    assert set(report["numbers"]["by_kind"]) <= {"2_digits", "3_digits"}
    assert_tally(report["numbers"])
    assert report["real"]["count"] == measure.QUICK.real  # ../shared/data/real holds more than the quick count
    assert report["refused_digits"]["samples"]["count"] == 14
    assert report["refused_digits"]["mnist"]["count"] == measure.QUICK.mnist
    assert report["latency"]["recognize_jpeg_4000x3000"]["p50"] > 0
    assert "Blank sheets and empty desks read as a digit" in markdown


@pytest.mark.slow
@pytest.mark.browser
def test_quick_run_reports_positive_timings_and_weights(quick_report):
    report, _ = quick_report
    assert report["build"]["seconds"] > 0
    for variant in ("ours", "full_tfjs"):
        for opening in ("file", "http"):
            measured = report["cold_start"][variant][opening]
            assert 0 < measured["best_ms"] <= measured["median_ms"]
            assert len(measured["runs"]) == measure.QUICK.repeats
            assert measured["page_errors"] == []
            weight = measured["weight"]
            assert 0 < weight["total"]["gzip"] < weight["total"]["raw"]
            assert weight["total"]["raw"] == sum(weight[part]["raw"] for part in ("runtime", "model", "app"))
    for name in ("recognize_png_200x200", "recognize_jpeg_2000x1500", "classify"):
        assert 0 < report["latency"][name]["p50"] <= report["latency"][name]["p95"]
    for name in ("recognize_png_200x200", "recognize_jpeg_2000x1500"):
        assert set(report["latency"][name]["stages_p50"]) == {"decode", "preprocess", "classify"}
        assert all(ms > 0 for ms in report["latency"][name]["stages_p50"].values())
    ours, full = report["cold_start"]["ours"]["http"]["weight"], report["cold_start"]["full_tfjs"]["http"]["weight"]
    assert "model/model.json" in ours["model"]["files"]
    assert "model/embedded.js" not in ours["model"]["files"]
    assert report["cold_start"]["ours"]["file"]["weight"]["model"]["files"] == ["model/embedded.js"]
    assert full["runtime"]["files"] == ["static/vendor/tfjs/tf.min.js"]
    assert full["runtime"]["raw"] > ours["runtime"]["raw"]


@pytest.mark.slow
@pytest.mark.browser
def test_quick_run_writes_the_table_with_every_target(quick_report):
    report, markdown = quick_report
    assert "| Measure | snapmath | Reference | Target | |" in markdown
    assert set(report["targets"]) == {target.key for target in bench_report.TARGETS}
    targets = report["targets"]
    for target in targets.values():
        assert target["target"] in markdown
    # Each target's verdict follows from its value, and each target has one row saying so.
    passed = [key for key, target in targets.items() if target["passed"]]
    for key, target in targets.items():
        value, limit = target["value"], target["limit"]
        within = value is not None and (value >= limit if target["comparison"] == ">=" else value <= limit)
        assert target["passed"] is within, key
    assert markdown.count(" | pass |\n") == len(passed)
    missed = markdown.count(" | **miss** |\n") + markdown.count(" | not measured |\n")
    assert missed == len(targets) - len(passed)
    assert f"Targets met: {len(passed)}/{len(bench_report.TARGETS)}." in markdown
    # The figures checked are the report's own.
    assert targets["mnist_python"]["value"] == report["mnist"]["python_accuracy"]
    assert targets["mnist_match"]["passed"] is (report["mnist"]["same_digit"] == report["mnist"]["count"])
    assert targets["samples"]["passed"] is (report["samples"]["ours"]["correct"] == 14)
    assert targets["page_weight"]["value"] == report["cold_start"]["ours"]["http"]["weight"]["total"]["raw"]
    assert targets["real"]["value"] == report["real"]["accuracy"]


def test_counts_given_replace_those_of_the_chosen_setting():
    parser = bench_main.make_parser()
    settings = bench_main.parse_settings(parser, parser.parse_args(["--quick", "--mnist", "50", "--real", "3"]))
    assert settings == dataclasses.replace(measure.QUICK, mnist=50, real=3)
    assert bench_main.parse_settings(parser, parser.parse_args([])) == measure.Settings()


@pytest.mark.parametrize("argv", [["--mnist", "0"], ["--mnist", "10001"], ["--uploads", "0"], ["--repeats", "-1"]])
def test_a_count_out_of_range_is_a_usage_error_before_anything_runs(argv, monkeypatch, capsys):
    monkeypatch.setattr(measure, "run", lambda *args: pytest.fail("the benchmark ran"))
    with pytest.raises(SystemExit) as exited:
        bench_main.main(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().err.endswith(
        "error: --mnist must be 1..10000; --uploads, --scenes, --nondigits, --numbers, --real, --repeats at least 1\n"
    )
