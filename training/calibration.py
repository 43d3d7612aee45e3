"""Confidence that means what it says: temperature scaling, calibration error, and thresholds chosen on held-out data.

Everything here takes logits or probabilities measured on data the model never trained on (a slice
of MNIST's training images kept out of training, held-out rendered non-digits); nothing reads MNIST's
test set to choose a value.
"""

from __future__ import annotations

import math

import numpy as np

ECE_BINS = 10
TEMPERATURES = np.exp(np.linspace(np.log(0.25), np.log(8.0), 401))  # log-spaced grid, ~0.9 % steps
# Refuse-as-not-a-digit threshold: the lowest one (so the most non-digits are refused) that wrongly
# refuses at most this share of each held-out digit set: MNIST below issue 10's 0.5 % on MNIST test,
# leaving room for the difference between the held-out slice and the test set; printed digits as
# uploads (issue 10: <= 1 %); the digit crops hold pieces of neighbours and cut-off strokes on purpose,
# so more of them look like no digit than the page's own cuts do. Measured with model 1796531726 (README
# design notes): at 2 % the crops alone set the threshold (0.79); at 3.5 % (0.53) 2.3 points more of the
# held-out non-digits are refused, MNIST test 0.34 %, and of 200 rendered numbers of a seed the benchmark
# does not use one more is lost (196), while 500 uploads and the real pictures read the same. Printed
# digits at issue 10's 1 % since they include clip-art styles (training/printed.py): an extruded or
# patterned digit can come out of the preprocessing as no digit in particular.
MAX_WRONGLY_REFUSED = {"mnist": 0.0035, "printed": 0.01, "crops": 0.035}
NOT_DIGIT_THRESHOLD_FLOOR = 0.05  # never refuse on a whisper of doubt
# Low-confidence threshold: the highest grid value that flags at most this share of held-out digits.
MAX_FLAGGED = 0.01
LOW_CONFIDENCE_GRID = tuple(round(value, 2) for value in np.arange(0.50, 0.991, 0.01))


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Return softmax(logits / temperature) along the last axis, in float64."""
    scaled = np.asarray(logits, np.float64) / temperature
    scaled -= scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=-1, keepdims=True)


def negative_log_likelihood(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """Return the mean -log p(true label) at `temperature`."""
    scaled = np.asarray(logits, np.float64) / temperature
    top = scaled.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(scaled - top).sum(axis=1)) + top[:, 0]
    return float(np.mean(log_norm - scaled[np.arange(len(labels)), labels]))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Return the temperature minimising the held-out negative log-likelihood (Guo et al. 2017)."""
    losses = [negative_log_likelihood(logits, labels, float(t)) for t in TEMPERATURES]
    return round(float(TEMPERATURES[int(np.argmin(losses))]), 4)


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> list[dict]:
    """Return the reliability diagram: per confidence bin, its range, count, mean confidence and accuracy."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    rows = []
    for index in range(bins):
        members = which == index
        count = int(members.sum())
        rows.append(
            {
                "lower": round(float(edges[index]), 4),
                "upper": round(float(edges[index + 1]), 4),
                "count": count,
                "confidence": round(float(confidence[members].mean()), 6) if count else None,
                "accuracy": round(float(correct[members].mean()), 6) if count else None,
            }
        )
    return rows


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> float:
    """Return the ECE: the count-weighted mean |accuracy - confidence| over equal-width confidence bins."""
    total = len(labels)
    return float(
        sum(
            row["count"] / total * abs(row["accuracy"] - row["confidence"])
            for row in reliability(probabilities, labels, bins)
            if row["count"]
        )
    )


def refused_share(not_digit: np.ndarray, threshold: float) -> float:
    """Return the share of inputs the page refuses (not_digit >= threshold)."""
    return float(np.mean(np.asarray(not_digit).reshape(-1) >= threshold)) if len(not_digit) else 0.0


def choose_not_digit_threshold(digit_scores: dict[str, np.ndarray]) -> float:
    """Return the lowest threshold that wrongly refuses at most MAX_WRONGLY_REFUSED of each held-out digit set."""
    threshold = NOT_DIGIT_THRESHOLD_FLOOR
    for name, scores in digit_scores.items():
        scores = np.sort(np.asarray(scores, np.float64).reshape(-1))
        if not len(scores):
            continue
        allowed = int(np.floor(MAX_WRONGLY_REFUSED[name] * len(scores)))  # this many may reach the threshold
        # Just above the (allowed+1)-th highest score: at most `allowed` scores are >= it.
        above = float(np.nextafter(np.float32(scores[len(scores) - allowed - 1]), np.float32(1)))
        threshold = max(threshold, above)
    return min(math.ceil(threshold * 10_000) / 10_000, 0.999)  # rounded up: never refuses more than chosen


def choose_low_confidence(probabilities: np.ndarray) -> float:
    """Return the highest grid confidence that flags at most MAX_FLAGGED of held-out digit readings."""
    confidence = probabilities.max(axis=1)
    chosen = LOW_CONFIDENCE_GRID[0]
    for value in LOW_CONFIDENCE_GRID:
        if np.mean(confidence < value) <= MAX_FLAGGED:
            chosen = value
    return float(chosen)
