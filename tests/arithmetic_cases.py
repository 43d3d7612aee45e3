"""The exact answers the page gives: arithmetic.js under node must compute every one, and the page in the
browser must show the single-digit ones from two pictures, so both tests read this one table."""

from __future__ import annotations

MINUS = "\u2212"

# (a, operator, b, the answer's text)
ANSWERS: list[tuple[int, str, int, str]] = [
    # single digits
    (2, "add", 3, "5"),
    (9, "add", 9, "18"),
    (8, "sub", 9, f"{MINUS}1"),
    (1, "sub", 7, f"{MINUS}6"),
    (7, "sub", 7, "0"),
    (4, "mul", 7, "28"),
    (9, "mul", 9, "81"),
    (7, "div", 2, "3.5"),
    (6, "div", 3, "2"),
    (7, "div", 3, "7/3 \u2248 2.333333"),
    (5, "div", 0, "No answer: no number times 0 gives 5"),
    # numbers of several digits stay exact
    (12, "mul", 34, "408"),
    (10, "sub", 75, f"{MINUS}65"),
    (12, "add", 3, "15"),
    (9999, "mul", 9999, "99980001"),
    (100, "div", 8, "12.5"),
    (1234, "div", 1000, "1.234"),
]
# What the browser test can give as two pictures of one digit each.
SINGLE_DIGIT_ANSWERS = [(a, operator, b, text) for a, operator, b, text in ANSWERS if a < 10 and b < 10]
