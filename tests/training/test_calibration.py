"""training.calibration: temperature scaling, calibration error and thresholds on held-out data."""

from __future__ import annotations

import numpy as np
import pytest

from training import calibration


def sampled(logits: np.ndarray, seed: int = 0) -> np.ndarray:
    """Return labels drawn from softmax(logits): a model calibrated at temperature 1 by construction."""
    rng = np.random.default_rng(seed)
    probabilities = calibration.softmax(logits)
    return np.array([rng.choice(10, p=row) for row in probabilities])


def test_fit_temperature_recovers_an_overconfident_model():
    logits = np.random.default_rng(1).normal(0, 2.5, (4000, 10))
    labels = sampled(logits)
    assert calibration.fit_temperature(logits, labels) == pytest.approx(1.0, abs=0.08)
    # The same model with logits doubled is overconfident: the fitted temperature undoes it.
    assert calibration.fit_temperature(2 * logits, labels) == pytest.approx(2.0, abs=0.16)


def test_ece_is_small_when_calibrated_and_large_when_not():
    logits = np.random.default_rng(2).normal(0, 2.5, (4000, 10))
    labels = sampled(logits, seed=3)
    calibrated = calibration.expected_calibration_error(calibration.softmax(logits), labels)
    overconfident = calibration.expected_calibration_error(calibration.softmax(4 * logits), labels)
    assert calibrated < 0.03 < overconfident


def test_reliability_bins_cover_every_reading():
    probabilities = np.eye(10)[[0, 1, 2, 3]] * 0.55 + 0.05
    rows = calibration.reliability(probabilities, np.array([0, 1, 2, 0]))
    assert len(rows) == calibration.ECE_BINS
    assert sum(row["count"] for row in rows) == 4
    (full,) = [row for row in rows if row["count"]]
    assert (full["lower"], full["upper"], full["confidence"], full["accuracy"]) == (0.5, 0.6, pytest.approx(0.6), 0.75)
    assert calibration.expected_calibration_error(probabilities, np.array([0, 1, 2, 0])) == pytest.approx(0.15)


def test_not_digit_threshold_refuses_at_most_the_allowed_share_of_held_out_digits():
    scores = np.linspace(0, 0.5, 2000)  # digits' not_digit scores; at most 0.35 % (7) may be refused
    threshold = calibration.choose_not_digit_threshold({"mnist": scores})
    assert calibration.refused_share(scores, threshold) <= calibration.MAX_WRONGLY_REFUSED["mnist"]
    assert (scores >= threshold).sum() == int(calibration.MAX_WRONGLY_REFUSED["mnist"] * len(scores))
    assert calibration.choose_not_digit_threshold({"mnist": np.zeros(100)}) == calibration.NOT_DIGIT_THRESHOLD_FLOOR


def test_low_confidence_flags_at_most_the_allowed_share():
    confidence = np.linspace(0.5, 1.0, 1000)
    probabilities = np.stack([confidence, 1 - confidence] + [np.zeros(1000)] * 8, axis=1)
    chosen = calibration.choose_low_confidence(probabilities)
    assert np.mean(confidence < chosen) <= calibration.MAX_FLAGGED
    assert chosen == 0.5  # spread evenly, any higher value flags more than 1 %
