"""The calculator's state rules (site_templates/static/js/calculator.js), run under node."""

from __future__ import annotations

from tests import node_scripts
from tests.paths import JS_DIR

MINUS = "\u2212"
OPTIONS = {"lowConfidence": 0.9, "notDigitThreshold": 0.5}

# Plays each scenario (a list of [action, ...args] applied from the initial state) and reports the operands'
# values and states and the answer.
PLAY_EACH = """({scenarios, options}) => scenarios.map((steps) => {
  const calc = globalThis.snapmathCalculator;
  let state = calc.initial();
  for (const [action, ...args] of steps) {
    state = action === "reading" ? calc.reading(state, args[0], args[1], options) : calc[action](state, ...args);
  }
  const shown = calc.answer(state, {lowConfidence: options.lowConfidence, arithmetic: globalThis.snapmathArithmetic});
  return {
    values: {a: calc.value(state.operands.a), b: calc.value(state.operands.b)},
    states: {
      a: calc.status(state.operands.a, options.lowConfidence),
      b: calc.status(state.operands.b, options.lowConfidence),
    },
    target: calc.keyTarget(state),
    answer: shown,
  };
})"""


def play(*scenarios: list) -> list[dict]:
    """Return the outcome of each scenario, in order (arithmetic.js and calculator.js under node)."""
    request = {"scenarios": list(scenarios), "options": OPTIONS}
    return node_scripts.ask([JS_DIR / "arithmetic.js", JS_DIR / "calculator.js"], PLAY_EACH, request)


def one_hot(digit: int, confidence: float = 0.99) -> list[float]:
    rest = (1 - confidence) / 9
    return [confidence if index == digit else rest for index in range(10)]


def digit_reading(digit: int, confidence: float = 0.99) -> dict:
    """A reading of one digit as snapmath.recognize returns it."""
    part = {"digit": digit, "confidence": confidence, "probabilities": one_hot(digit, confidence), "notDigit": 0.01}
    return {**part, "number": digit, "digits": [part], "reason": None}


def number_reading(*digits: int) -> dict:
    """A reading of a number written with several digits."""
    parts = [{"digit": d, "confidence": 0.98, "probabilities": one_hot(d, 0.98), "notDigit": 0.0} for d in digits]
    number = int("".join(map(str, digits)))
    return {"digit": None, "confidence": 0, "probabilities": [0] * 10, "number": number, "digits": parts,
            "notDigit": 0.0, "reason": None}  # fmt: skip


def refusal(not_digit: float, reason: str) -> dict:
    return {"digit": None, "confidence": 0, "probabilities": [0] * 10, "number": None, "digits": [],
            "notDigit": not_digit, "reason": reason}  # fmt: skip


def test_two_numbers_read_from_pictures_give_the_exact_answer():
    cases = [
        ((1, 2), "mul", (3, 4), "408"),
        ((9, 9), "div", (7,), "99/7 \u2248 14.142857"),
        ((1, 0), "sub", (7, 5), f"{MINUS}65"),
    ]
    outcomes = play(*[
        [["reading", "a", number_reading(*a)], ["reading", "b", number_reading(*b)], ["chooseOperator", op], ["equals"]]
        for a, op, b, _ in cases
    ])  # fmt: skip
    assert [outcome["answer"]["text"] for outcome in outcomes] == [expected for *_, expected in cases]


def test_zero_divided_by_zero_is_explained_not_an_error_code():
    (outcome,) = play([["type", "a", 0], ["type", "b", 0], ["chooseOperator", "div"], ["equals"]])
    assert outcome["answer"]["state"] == "error"
    assert outcome["answer"]["text"] == "No single answer: every number times 0 gives 0"
    assert outcome["answer"]["expression"] == "0 \u00f7 0"


def test_a_reading_without_number_fields_counts_as_its_one_digit():
    old_style = {"digit": 7, "confidence": 0.97, "probabilities": one_hot(7, 0.97)}
    (outcome,) = play([["reading", "a", old_style]])
    assert outcome["values"]["a"] == 7
    assert outcome["states"]["a"] == "read"


def test_a_letter_is_refused_and_the_answer_waits_until_a_digit_is_picked():
    refused, overridden = play(
        [["reading", "a", refusal(0.97, "This doesn't look like a digit.")], ["reading", "b", digit_reading(3)],
         ["chooseOperator", "add"], ["equals"]],
        [["reading", "a", refusal(0.97, "This doesn't look like a digit.")], ["reading", "b", digit_reading(3)],
         ["chooseOperator", "add"], ["equals"], ["pick", "a", 0, 4]],
    )  # fmt: skip
    assert refused["states"]["a"] == "not-digit"
    assert refused["answer"]["state"] == "refused"
    assert "doesn\u2019t look like a digit" in refused["answer"]["text"]
    assert overridden["states"]["a"] == "corrected"
    assert overridden["answer"]["text"] == "7"


def test_an_empty_picture_is_no_digit_not_a_refused_letter():
    (outcome,) = play([["reading", "a", refusal(0.1, "No digit found.")]])
    assert outcome["states"]["a"] == "no-digit"


def test_each_digit_of_a_number_is_corrected_on_its_own():
    (outcome,) = play([["reading", "a", number_reading(1, 2)], ["pick", "a", 1, 7], ["type", "b", 3],
                       ["chooseOperator", "add"], ["equals"]])  # fmt: skip
    assert outcome["values"]["a"] == 17
    assert outcome["answer"]["text"] == "20"


def test_typed_digits_build_a_number_and_backspace_takes_them_back():
    typed, back, gone = play(
        [["type", "a", 1], ["type", "a", 2]],
        [["type", "a", 1], ["type", "a", 2], ["backspace", "a"]],
        [["type", "a", 1], ["backspace", "a"]],
    )
    assert typed["values"]["a"] == 12
    assert back["values"]["a"] == 1
    assert gone["values"]["a"] is None
    assert gone["states"]["a"] == "empty"


def test_typing_over_a_reading_replaces_it_then_extends_it():
    (outcome,) = play([["reading", "a", digit_reading(8)], ["type", "a", 4], ["type", "a", 2]])
    assert outcome["values"]["a"] == 42


def test_a_leading_zero_gives_way_and_numbers_stop_growing_at_the_limit():
    zero, long = play([["type", "a", 0], ["type", "a", 5]], [["type", "a", 9]] * 9)
    assert zero["values"]["a"] == 5
    assert long["values"]["a"] == 999_999


def test_typed_digits_go_to_the_first_number_until_an_operator_is_picked():
    before, after = play([], [["chooseOperator", "mul"]])
    assert (before["target"], after["target"]) == ("a", "b")


def test_low_confidence_is_flagged_until_the_digit_is_picked_by_hand():
    low, picked = play(
        [["reading", "a", digit_reading(5, 0.6)], ["type", "b", 2], ["chooseOperator", "add"], ["equals"]],
        [["reading", "a", digit_reading(5, 0.6)], ["type", "b", 2], ["chooseOperator", "add"], ["equals"],
         ["pick", "a", 0, 5]],
    )  # fmt: skip
    assert low["states"]["a"] == "low"
    assert "Low confidence in the first number" in low["answer"]["flag"]
    assert picked["answer"]["flag"] is None
    assert picked["answer"]["text"] == "7"


def test_no_answer_before_equals_then_it_says_what_is_missing():
    before, missing, busy, no_operator = play(
        [["type", "a", 1]],
        [["type", "a", 1], ["equals"]],
        [["type", "a", 1], ["busy", "b"], ["equals"]],
        [["type", "a", 1], ["type", "b", 2], ["equals"]],
    )
    assert before["answer"] is None
    assert missing["answer"] == {"state": "waiting", "text": "Give the second number"}
    assert busy["answer"]["text"] == "Reading the second picture\u2026"
    assert no_operator["answer"]["text"] == "Pick + \u2212 \u00d7 or \u00f7"


def test_a_failed_picture_leaves_the_answer_waiting():
    (outcome,) = play([["failed", "a", "This file is empty (0 bytes)."], ["type", "b", 1], ["equals"]])
    assert outcome["states"]["a"] == "error"
    assert outcome["answer"]["state"] == "waiting"
