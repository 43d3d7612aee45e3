"""build.bench.report: what the benchmark stores for the model card, and where."""

from __future__ import annotations

import json

from build.bench import report as bench_report
from build.context import benchmark_rows

REPORT = {
    "scenes": {"digits": {"count": 450, "correct": 360, "accuracy": 0.8}, "blanks": {"count": 100, "read": 2}},
    "real": {"count": 159, "correct": 151, "accuracy": 151 / 159},
    "numbers": {"count": 200, "correct": 190, "accuracy": 0.95},
    "uploads": {"ours": {"count": 500, "correct": 495, "accuracy": 0.99}},
    "nondigits": {"count": 1000, "refused": 788, "rate": 0.788},
}


def test_recorded_results_are_what_the_model_card_shows():
    report = REPORT
    stored = bench_report.stored_results(report)
    assert stored["rendered_photos_of_a_digit"] == {"accuracy": 0.8, "count": 450}
    assert stored["non_digits_refused"] == {"accuracy": 0.788, "count": 1000}
    rows = {row["label"]: row["value"] for row in benchmark_rows({"benchmark": stored})}
    assert rows["Real pictures from other people"].endswith("of 159")
    assert len(rows) == 5
    # A row the run did not measure is left out rather than shown as 0.
    assert "rendered_numbers_read_exactly" not in bench_report.stored_results({**report, "numbers": {"count": 0}})


def test_record_replaces_the_benchmark_in_metrics_json_and_keeps_the_rest(tmp_path):
    metrics_path = tmp_path / "metrics.json"
    metrics_path.write_text(
        json.dumps({"test_accuracy": 0.995, "benchmark": {"old_row": {"accuracy": 0.1, "count": 1}}})
    )
    recorded = bench_report.record(REPORT, metrics_path)
    metrics = json.loads(metrics_path.read_text())
    assert recorded == bench_report.stored_results(REPORT)
    assert metrics["benchmark"] == recorded
    assert metrics["test_accuracy"] == 0.995
    assert metrics_path.read_text().endswith("}\n")
