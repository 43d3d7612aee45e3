"""build.bench.scores: readings are scored right, wrong or refused, by kind of picture."""

from __future__ import annotations

import numpy as np
import pytest

from build.bench import inputs, scores


def test_scores_count_no_digit_as_wrong_and_split_by_kind():
    files = [
        inputs.InputFile("a.png", 3, "paper"),
        inputs.InputFile("b.png", 4, "paper"),
        inputs.InputFile("c.jpg", 5, "sample"),
    ]
    readings = [
        {"digit": 3, "confidence": 0.9, "error": None},
        {"digit": None, "confidence": 0, "error": None},
        {"digit": 5, "confidence": 0.99, "error": None},
    ]
    score = scores.score_readings(readings, files)
    assert (score["correct"], score["count"]) == (2, 3)
    assert score["by_kind"]["paper"] == {"count": 2, "correct": 1, "accuracy": 0.5}
    assert [miss["file"] for miss in score["misses"]] == ["b.png"]


def test_agreement_counts_same_digits_and_the_largest_difference():
    python = np.array([[0.9, 0.1], [0.4, 0.6], [0.7, 0.3]])
    browser = np.array([[0.8, 0.2], [0.6, 0.4], [0.7, 0.3]])
    agreement = scores.mnist_agreement(python, browser, np.array([0, 1, 1]))
    assert agreement["same_digit"] == 2
    assert agreement["python_accuracy"] == pytest.approx(2 / 3)
    assert agreement["browser_accuracy"] == pytest.approx(1 / 3)
    assert agreement["max_probability_difference"] == pytest.approx(0.2)


def test_a_reading_shows_its_number_else_its_digit_and_is_refused_only_when_both_are_null():
    assert scores.value_of({"digit": None, "number": 12}) == 12
    assert scores.value_of({"digit": 4, "confidence": 0.9}) == 4  # a page from before issue 10's contract
    assert scores.refused({"digit": None, "number": None})
    assert scores.refused({"digit": None, "error": "bad file"})
    assert not scores.refused({"digit": None, "number": 12})
    assert scores.is_right({"digit": None, "number": None}, None)
    assert not scores.is_right({"digit": 0}, None)


def test_scene_scores_split_digit_scenes_from_blanks_read_as_something():
    files = [
        inputs.InputFile("a.jpg", 3, "plain_sheet"),
        inputs.InputFile("b.jpg", None, "blank_sheet"),
        inputs.InputFile("c.jpg", None, "empty_desk"),
        inputs.InputFile("d.jpg", 7, "boxed"),
    ]
    readings = [
        {"digit": 3, "number": 3},
        {"digit": None, "number": None},
        {"digit": 1, "number": 1},
        {"digit": None, "number": 17},
    ]
    score = scores.scene_scores(readings, files)
    assert score["digits"] == {"count": 2, "correct": 1, "accuracy": 0.5}
    assert score["blanks"] == {"count": 2, "read": 1}
    assert score["by_kind"]["blank_sheet"]["correct"] == 1
    assert score["by_kind"]["empty_desk"]["correct"] == 0


def test_refusals_count_per_kind_and_list_what_was_read():
    files = [
        inputs.InputFile("a.png", None, "letter"),
        inputs.InputFile("b.png", None, "letter"),
        inputs.InputFile("c.png", None, "shape"),
    ]
    readings = [
        {"digit": None, "number": None},
        {"digit": 4, "number": 4, "confidence": 1.0},
        {"digit": None, "number": None, "error": "unreadable"},
    ]
    score = scores.refusal_scores(readings, files)
    assert (score["refused"], score["count"], score["errors"]) == (2, 3, 1)
    assert score["by_kind"]["letter"] == {"count": 2, "refused": 1, "rate": 0.5}
    assert [item["file"] for item in score["read_as"]] == ["b.png"]


def test_mnist_refusals_use_the_pages_threshold():
    refusals = scores.mnist_refusals(np.array([0.1, 0.5, 0.9, 0.2]), 0.5)
    assert (refusals["refused"], refusals["count"], refusals["threshold"]) == (2, 4, 0.5)
