"""The page as a person uses it: give two pictures, pick an operator, press =, read the answer."""

from __future__ import annotations

from tests.browser.conftest import give_file, wait_settled

ANSWERS = [
    (2, "add", 3, "5"),
    (8, "sub", 9, "−1"),
    (4, "mul", 7, "28"),
    (7, "div", 2, "3.5"),
    (7, "div", 3, "7/3 ≈ 2.333333"),
    (5, "div", 0, "No answer: no number times 0 gives 5"),
]


def result_text(page) -> str:
    return page.get_by_test_id("result").inner_text().strip()


def compute(page, operator: str) -> str:
    page.get_by_test_id(f"op-{operator}").click()
    page.get_by_test_id("equals").click()
    return result_text(page)


def test_two_uploads_and_each_operator_give_the_exact_answer(app, digit_files):
    for a, operator, b, expected in ANSWERS:
        assert give_file(app, "a", digit_files[a]) in ("read", "low")
        assert give_file(app, "b", digit_files[b]) in ("read", "low")
        assert app.get_by_test_id("operand-a-digit").inner_text().strip() == str(a)
        assert app.get_by_test_id("operand-b-digit").inner_text().strip() == str(b)
        assert compute(app, operator) == expected, (a, operator, b)


def test_answer_refreshes_when_the_operator_or_an_operand_changes(app, digit_files):
    give_file(app, "a", digit_files[6])
    give_file(app, "b", digit_files[3])
    assert compute(app, "add") == "9"
    app.get_by_test_id("op-mul").click()
    assert result_text(app) == "18"
    give_file(app, "b", digit_files[1])
    assert result_text(app) == "6"


def draw(page, operand: str, strokes: list[list[tuple[float, float]]]) -> str:
    """Draw strokes (points as fractions of the canvas) with the mouse; return the settled state."""
    box = page.get_by_test_id(f"operand-{operand}-canvas").bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=8)
        page.mouse.up()
    return wait_settled(page, operand)


def test_drawn_one_and_seven_are_read(app):
    draw(app, "a", [[(0.5, 0.15), (0.5, 0.85)]])
    draw(app, "b", [[(0.25, 0.2), (0.75, 0.2), (0.42, 0.85)]])
    assert app.get_by_test_id("operand-a-digit").inner_text().strip() == "1"
    assert app.get_by_test_id("operand-b-digit").inner_text().strip() == "7"
    assert compute(app, "mul") == "7"


def file_in_page(page, path, mime: str = "image/png"):
    """Return a JS handle to a File holding the bytes of path."""
    return page.evaluate_handle(
        "([bytes, name, type]) => new File([new Uint8Array(bytes)], name, {type})",
        [list(path.read_bytes()), path.name, mime],
    )


def test_paste_into_the_focused_operand(app, digit_files):
    file = file_in_page(app, digit_files[3])
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
    assert app.get_by_test_id("operand-b-digit").inner_text().strip() == "3"


def test_drop_a_file_on_an_operand(app, digit_files):
    data_transfer = app.evaluate_handle(
        "(file) => { const data = new DataTransfer(); data.items.add(file); return data; }",
        file_in_page(app, digit_files[8]),
    )
    app.dispatch_event("#operand-a", "dragover", {"dataTransfer": data_transfer})
    app.dispatch_event("#operand-a", "drop", {"dataTransfer": data_transfer})
    wait_settled(app, "a")
    assert app.get_by_test_id("operand-a-digit").inner_text().strip() == "8"


def test_correcting_a_misread_updates_the_answer(app, digit_files):
    give_file(app, "a", digit_files[4])
    give_file(app, "b", digit_files[2])
    assert compute(app, "add") == "6"
    app.get_by_test_id("operand-a-pick-9").click()
    assert app.get_by_test_id("operand-a-digit").inner_text().strip() == "9"
    assert app.get_attribute("#operand-a", "data-state") == "corrected"
    assert result_text(app) == "11"
    app.locator("#operand-b").focus()
    app.keyboard.press("5")
    assert result_text(app) == "14"
