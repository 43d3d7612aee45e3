"""python -m build.bench: a quick run, as a person runs it, writes a report and a table that hold up."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from build import scenes
from build.bench import __main__ as bench_main
from build.bench import measure
from build.bench import report as bench_report

REPO_ROOT = Path(__file__).resolve().parents[3]


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
def test_quick_run_reports_accuracies_as_fractions(quick_report):
    report, _ = quick_report
    assert report["mnist"]["count"] == measure.QUICK.mnist
    for key in ("python_accuracy", "browser_accuracy"):
        assert 0.0 <= report["mnist"][key] <= 1.0
    assert report["mnist"]["same_digit"] <= report["mnist"]["count"]
    assert report["samples"]["ours"]["count"] == 14
    for inputs in ("samples", "uploads"):
        for recipe in ("ours", "original"):
            assert 0.0 <= report[inputs][recipe]["accuracy"] <= 1.0
    assert report["uploads"]["ours"]["count"] == measure.QUICK.uploads
    assert set(report["uploads"]["ours"]["by_kind"]) == {"paper", "coloured_ink", "dark_board", "transparent"}


@pytest.mark.slow
@pytest.mark.browser
def test_quick_run_reports_scenes_refusals_and_numbers(quick_report):
    report, markdown = quick_report
    assert report["scenes"]["count"] == measure.QUICK.scenes
    assert report["scenes"]["blanks"]["count"] + report["scenes"]["digits"]["count"] == measure.QUICK.scenes
    assert set(report["scenes"]["by_kind"]) == set(scenes.KINDS)
    assert report["nondigits"]["count"] == measure.QUICK.nondigits
    assert 0 <= report["nondigits"]["refused"] <= report["nondigits"]["count"]
    assert report["numbers"]["count"] == measure.QUICK.numbers
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
            assert 0 < measured["weight"]["total"]["gzip"] < measured["weight"]["total"]["raw"]
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
    for target in report["targets"].values():
        assert isinstance(target["passed"], bool)
        assert target["target"] in markdown
    assert (
        f"Targets met: {sum(t['passed'] for t in report['targets'].values())}/{len(bench_report.TARGETS)}." in markdown
    )


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
