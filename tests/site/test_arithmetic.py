"""The page's arithmetic (site_templates/static/js/arithmetic.js), run under node."""

from __future__ import annotations

import pytest

from tests import node_scripts
from tests.arithmetic_cases import ANSWERS, MINUS
from tests.paths import JS_DIR

ARITHMETIC_JS = JS_DIR / "arithmetic.js"

# Answers every [a, op, b] case with compute()'s result or the thrown error's message.
COMPUTE_EACH = """(cases) => cases.map(([a, op, b]) => {
  try { return globalThis.snapmathArithmetic.compute(a, op, b); }
  catch (error) { return {thrown: error.message}; }
})"""


def run_cases(cases: list[tuple]) -> list[dict]:
    """Return snapmathArithmetic.compute's result for each (a, op, b), in order (arithmetic.js under node)."""
    return node_scripts.ask([ARITHMETIC_JS], COMPUTE_EACH, cases)


def answer_text(a: int, op: str, b: int) -> str:
    """Return the answer text for one calculation."""
    return run_cases([(a, op, b)])[0]["text"]


@pytest.mark.parametrize(("a", "op", "b", "expected"), ANSWERS)
def test_each_operator_gives_the_exact_answer(a, op, b, expected):
    assert answer_text(a, op, b) == expected


def test_negative_results_use_a_real_minus_sign():
    result = run_cases([(1, "sub", 7)])[0]
    assert result["text"] == "\u22126"
    assert "-" not in result["text"]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(7, 2, "3.5"), (9, 4, "2.25"), (1, 8, "0.125"), (1, 2, "0.5"), (3, 5, "0.6"), (1, 4, "0.25")],
)
def test_terminating_division_is_an_exact_decimal(a, b, expected):
    result = run_cases([(a, "div", b)])[0]
    assert result == {"text": expected, "exact": expected, "approx": None, "error": None}


@pytest.mark.parametrize(
    ("a", "b", "fraction", "rounded"),
    [
        (7, 3, "7/3", "2.333333"),
        (1, 3, "1/3", "0.333333"),
        (2, 3, "2/3", "0.666667"),
        (1, 7, "1/7", "0.142857"),
        (1, 6, "1/6", "0.166667"),
        (5, 9, "5/9", "0.555556"),
        (8, 6, "4/3", "1.333333"),
        (99, 7, "99/7", "14.142857"),
    ],
)
def test_repeating_division_shows_reduced_fraction_and_rounded_value(a, b, fraction, rounded):
    result = run_cases([(a, "div", b)])[0]
    assert result["text"] == f"{fraction} \u2248 {rounded}"
    assert (result["exact"], result["approx"]) == (fraction, rounded)


def test_negative_division_puts_the_sign_in_front():
    fraction, decimal = run_cases([(-7, "div", 3), (7, "div", -2)])
    assert fraction["text"] == f"{MINUS}7/3 \u2248 {MINUS}2.333333"
    assert decimal["text"] == f"{MINUS}3.5"


@pytest.mark.parametrize(
    ("a", "expected"),
    [(5, "No answer: no number times 0 gives 5"), (12, "No answer: no number times 0 gives 12")],
)
def test_divide_by_zero_says_why_there_is_no_answer(a, expected):
    result = run_cases([(a, "div", 0)])[0]
    assert result["text"] == expected
    assert result["error"] == expected
    assert "undefined" not in result["text"]


def test_zero_divided_by_zero_is_explained():
    result = run_cases([(0, "div", 0)])[0]
    assert result["text"] == "No single answer: every number times 0 gives 0"
    assert result["error"] == result["text"]


@pytest.mark.parametrize(
    ("a", "op", "b", "expected"),
    [(0, "add", 0, "0"), (0, "sub", 5, f"{MINUS}5"), (0, "mul", 9, "0"), (9, "mul", 0, "0"), (0, "div", 5, "0")],
)
def test_zero_is_an_ordinary_operand(a, op, b, expected):
    # The original app hid the answer whenever a digit was 0.
    assert answer_text(a, op, b) == expected


def test_no_answer_is_ever_nan_or_infinity():
    cases = [(a, op, b) for a in range(10) for b in range(10) for op in ("add", "sub", "mul", "div")]
    for result in run_cases(cases):
        assert "NaN" not in result["text"]
        assert "Infinity" not in result["text"]
        assert "-" not in result["text"]


def test_unknown_operator_and_non_integers_are_refused():
    unknown, fractional = run_cases([(1, "pow", 2), (1.5, "add", 2)])
    assert "unknown operator" in unknown["thrown"]
    assert "two integers" in fractional["thrown"]
