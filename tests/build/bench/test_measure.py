"""build.bench.measure: the parts of a run that hold up without a browser."""

from __future__ import annotations

from build.bench import measure


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
    breakdown = measure.cold_start_breakdown(marks, [205.0, 230.0, 215.0])
    assert breakdown == {
        "first-contentful-paint": 100.0,
        "load-start": 190.0,
        "model-read": 200.0,
        "model-built": 210.0,
        "ready": 215.0,
    }
