"""The page as a person uses it: give two pictures, pick an operator, press =, read the answer."""

from __future__ import annotations

from tests.arithmetic_cases import SINGLE_DIGIT_ANSWERS
from tests.browser.page_helpers import (
    compute,
    digit_text,
    draw_strokes,
    file_in_page,
    give_file,
    result_text,
    wait_settled,
)  # fmt: skip


def test_two_uploads_and_each_operator_give_the_exact_answer(app, digit_files):
    for a, operator, b, expected in SINGLE_DIGIT_ANSWERS:
        assert give_file(app, "a", digit_files[a]) in ("read", "low")
        assert give_file(app, "b", digit_files[b]) in ("read", "low")
        assert digit_text(app, "a") == str(a)
        assert digit_text(app, "b") == str(b)
        assert compute(app, operator) == expected, (a, operator, b)


def test_answer_refreshes_when_the_operator_or_an_operand_changes(app, digit_files):
    give_file(app, "a", digit_files[6])
    give_file(app, "b", digit_files[3])
    assert compute(app, "add") == "9"
    app.get_by_test_id("op-mul").click()
    assert result_text(app) == "18"
    give_file(app, "b", digit_files[1])
    assert result_text(app) == "6"


def test_drawn_one_and_seven_are_read(app):
    draw_strokes(app, "a", [[(0.5, 0.15), (0.5, 0.85)]])
    wait_settled(app, "a")
    draw_strokes(app, "b", [[(0.25, 0.2), (0.75, 0.2), (0.42, 0.85)]])
    wait_settled(app, "b")
    assert digit_text(app, "a") == "1"
    assert digit_text(app, "b") == "7"
    assert compute(app, "mul") == "7"


def test_paste_into_the_focused_operand(app, digit_files):
    file = file_in_page(app, digit_files[3], "image/png")
    app.locator("#operand-b").focus()
    app.evaluate(
        """(file) => {
            const data = new DataTransfer();
            data.items.add(file);
            document.activeElement.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
        }""",
        file,
    )
    wait_settled(app, "b")
    assert digit_text(app, "b") == "3"


def test_drop_a_file_on_an_operand(app, digit_files):
    data_transfer = app.evaluate_handle(
        "(file) => { const data = new DataTransfer(); data.items.add(file); return data; }",
        file_in_page(app, digit_files[8], "image/png"),
    )
    app.dispatch_event("#operand-a", "dragover", {"dataTransfer": data_transfer})
    app.dispatch_event("#operand-a", "drop", {"dataTransfer": data_transfer})
    wait_settled(app, "a")
    assert digit_text(app, "a") == "8"


def test_correcting_a_misread_updates_the_answer(app, digit_files):
    give_file(app, "a", digit_files[4])
    give_file(app, "b", digit_files[2])
    assert compute(app, "add") == "6"
    app.get_by_test_id("operand-a-pick-9").click()
    assert digit_text(app, "a") == "9"
    assert app.get_attribute("#operand-a", "data-state") == "corrected"
    assert result_text(app) == "11"
    app.locator("#operand-b").focus()
    app.keyboard.press("5")
    assert result_text(app) == "14"
