"""build.bench: a quick run writes a sane report; the full-bundle variant and the scoring hold up on their own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from build import bench, bench_inputs, bench_report, scenes

REPO_ROOT = Path(__file__).resolve().parents[2]


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
    assert report["mnist"]["count"] == bench.QUICK.mnist
    for key in ("python_accuracy", "browser_accuracy"):
        assert 0.0 <= report["mnist"][key] <= 1.0
    assert report["mnist"]["same_digit"] <= report["mnist"]["count"]
    assert report["samples"]["ours"]["count"] == 14
    for inputs in ("samples", "uploads"):
        for recipe in ("ours", "original"):
            assert 0.0 <= report[inputs][recipe]["accuracy"] <= 1.0
    assert report["uploads"]["ours"]["count"] == bench.QUICK.uploads
    assert set(report["uploads"]["ours"]["by_kind"]) == {"paper", "coloured_ink", "dark_board", "transparent"}


@pytest.mark.slow
@pytest.mark.browser
def test_quick_run_reports_scenes_refusals_and_numbers(quick_report):
    report, markdown = quick_report
    assert report["scenes"]["count"] == bench.QUICK.scenes
    assert report["scenes"]["blanks"]["count"] + report["scenes"]["digits"]["count"] == bench.QUICK.scenes
    assert set(report["scenes"]["by_kind"]) == set(scenes.KINDS)
    assert report["nondigits"]["count"] == bench.QUICK.nondigits
    assert 0 <= report["nondigits"]["refused"] <= report["nondigits"]["count"]
    assert report["numbers"]["count"] == bench.QUICK.numbers
    assert report["real"]["count"] == bench.QUICK.real  # ../shared/data/real holds more than the quick count
    assert report["refused_digits"]["samples"]["count"] == 14
    assert report["refused_digits"]["mnist"]["count"] == bench.QUICK.mnist
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
            assert len(measured["runs"]) == bench.QUICK.repeats
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


def test_full_bundle_variant_loads_tf_min_js_instead_of_the_page_bundle(tmp_path):
    dist = tmp_path / "dist"
    (dist / "static" / "vendor" / "tfjs").mkdir(parents=True)
    (dist / "static" / "vendor" / "tfjs" / "tf-snapmath.min.js").write_text("// runtime\n")
    (dist / "static" / "vendor" / "tfjs" / "LICENSE-tf-snapmath.txt").write_text("licences\n")
    (dist / "index.html").write_text(
        '<meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; script-src &#39;self&#39;">\n'
        '  <script src="static/vendor/tfjs/tf-snapmath.min.js"></script>\n'
        '  <script src="static/js/main.js"></script>\n'
    )
    variant = bench_inputs.make_full_bundle_variant(dist, tmp_path / "variant", REPO_ROOT / "node_modules")
    html = (variant / "index.html").read_text()
    assert html.count("<script") == 2
    assert 'src="static/vendor/tfjs/tf.min.js"' in html
    assert "tf-snapmath" not in html
    assert "script-src &#39;self&#39; &#39;unsafe-eval&#39;" in html
    assert sorted(p.name for p in (variant / "static" / "vendor" / "tfjs").iterdir()) == [
        "LICENSE-tf-snapmath.txt",
        "tf.min.js",
    ]
    assert "tf-snapmath.min.js" in (dist / "index.html").read_text()  # the original is untouched


def test_full_bundle_variant_refuses_a_page_it_does_not_recognise(tmp_path):
    with pytest.raises(ValueError, match="runtime script tag"):
        bench_inputs.replace_runtime_scripts('<meta content="script-src &#39;self&#39;"><script src="tf.js"></script>')


def test_scores_count_no_digit_as_wrong_and_split_by_kind():
    files = [
        bench_inputs.InputFile("a.png", 3, "paper"),
        bench_inputs.InputFile("b.png", 4, "paper"),
        bench_inputs.InputFile("c.jpg", 5, "sample"),
    ]
    readings = [
        {"digit": 3, "confidence": 0.9, "error": None},
        {"digit": None, "confidence": 0, "error": None},
        {"digit": 5, "confidence": 0.99, "error": None},
    ]
    score = bench.score_readings(readings, files)
    assert (score["correct"], score["count"]) == (2, 3)
    assert score["by_kind"]["paper"] == {"count": 2, "correct": 1, "accuracy": 0.5}
    assert [miss["file"] for miss in score["misses"]] == ["b.png"]


def test_agreement_counts_same_digits_and_the_largest_difference():
    python = np.array([[0.9, 0.1], [0.4, 0.6], [0.7, 0.3]])
    browser = np.array([[0.8, 0.2], [0.6, 0.4], [0.7, 0.3]])
    agreement = bench.mnist_agreement(python, browser, np.array([0, 1, 1]))
    assert agreement["same_digit"] == 2
    assert agreement["python_accuracy"] == pytest.approx(2 / 3)
    assert agreement["browser_accuracy"] == pytest.approx(1 / 3)
    assert agreement["max_probability_difference"] == pytest.approx(0.2)


def test_a_reading_shows_its_number_else_its_digit_and_is_refused_only_when_both_are_null():
    assert bench.value_of({"digit": None, "number": 12}) == 12
    assert bench.value_of({"digit": 4, "confidence": 0.9}) == 4  # a page from before issue 10's contract
    assert bench.refused({"digit": None, "number": None})
    assert bench.refused({"digit": None, "error": "bad file"})
    assert not bench.refused({"digit": None, "number": 12})
    assert bench.is_right({"digit": None, "number": None}, None)
    assert not bench.is_right({"digit": 0}, None)


def test_scene_scores_split_digit_scenes_from_blanks_read_as_something():
    files = [
        bench_inputs.InputFile("a.jpg", 3, "plain_sheet"),
        bench_inputs.InputFile("b.jpg", None, "blank_sheet"),
        bench_inputs.InputFile("c.jpg", None, "empty_desk"),
        bench_inputs.InputFile("d.jpg", 7, "boxed"),
    ]
    readings = [
        {"digit": 3, "number": 3},
        {"digit": None, "number": None},
        {"digit": 1, "number": 1},
        {"digit": None, "number": 17},
    ]
    score = bench.scene_scores(readings, files)
    assert score["digits"] == {"count": 2, "correct": 1, "accuracy": 0.5}
    assert score["blanks"] == {"count": 2, "read": 1}
    assert score["by_kind"]["blank_sheet"]["correct"] == 1
    assert score["by_kind"]["empty_desk"]["correct"] == 0


def test_refusals_count_per_kind_and_list_what_was_read():
    files = [
        bench_inputs.InputFile("a.png", None, "letter"),
        bench_inputs.InputFile("b.png", None, "letter"),
        bench_inputs.InputFile("c.png", None, "shape"),
    ]
    readings = [
        {"digit": None, "number": None},
        {"digit": 4, "number": 4, "confidence": 1.0},
        {"digit": None, "number": None, "error": "unreadable"},
    ]
    score = bench.refusal_scores(readings, files)
    assert (score["refused"], score["count"], score["errors"]) == (2, 3, 1)
    assert score["by_kind"]["letter"] == {"count": 2, "refused": 1, "rate": 0.5}
    assert [item["file"] for item in score["read_as"]] == ["b.png"]


def test_mnist_refusals_use_the_pages_threshold():
    refusals = bench.mnist_refusals(np.array([0.1, 0.5, 0.9, 0.2]), 0.5)
    assert (refusals["refused"], refusals["count"], refusals["threshold"]) == (2, 4, 0.5)


def test_cold_start_breakdown_is_the_median_of_each_step_every_page_marked():
    marks = [
        {"first-contentful-paint": 90.0, "load-start": 180.0, "model-read": 190.0, "model-built": 200.0},
        {"first-contentful-paint": 110.0, "load-start": 200.0, "model-read": 214.0, "model-built": 226.0},
        {
            "first-contentful-paint": 100.0,
            "load-start": 190.0,
            "model-read": 200.0,
            "model-built": 210.0,
            "weights-decoded": 201.0,
        },
    ]
    breakdown = bench.cold_start_breakdown(marks, [205.0, 230.0, 215.0])
    assert breakdown == {
        "first-contentful-paint": 100.0,
        "load-start": 190.0,
        "model-read": 200.0,
        "model-built": 210.0,
        "ready": 215.0,
    }


def test_recorded_results_are_what_the_model_card_shows():
    from build import bench
    from build.model_card import benchmark_rows

    report = {
        "scenes": {"digits": {"count": 450, "correct": 360, "accuracy": 0.8}, "blanks": {"count": 100, "read": 2}},
        "real": {"count": 159, "correct": 151, "accuracy": 151 / 159},
        "numbers": {"count": 200, "correct": 190, "accuracy": 0.95},
        "uploads": {"ours": {"count": 500, "correct": 495, "accuracy": 0.99}},
        "nondigits": {"count": 1000, "refused": 788, "rate": 0.788},
    }
    stored = bench.stored_results(report)
    assert stored["rendered_photos_of_a_digit"] == {"accuracy": 0.8, "count": 450}
    assert stored["non_digits_refused"] == {"accuracy": 0.788, "count": 1000}
    rows = {row["label"]: row["value"] for row in benchmark_rows({"benchmark": stored})}
    assert rows["Real pictures from other people"].endswith("of 159")
    assert len(rows) == 5
    # A row the run did not measure is left out rather than shown as 0.
    assert "rendered_numbers_read_exactly" not in bench.stored_results({**report, "numbers": {"count": 0}})
