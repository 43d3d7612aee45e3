"""One operand's area as a person uses it: the picture or the pad (never both fighting), the box that
was read and a box of their own, the 0-9 picker, the keys, the examples, and the words on screen."""

from __future__ import annotations

from tests.browser.page_helpers import (
    compute,
    digit_text,
    draw_strokes,
    give_example,
    give_file,
    result_text,
    wait_settled,
)  # fmt: skip


def view_of(page, operand: str) -> str:
    return page.get_attribute(f"#operand-{operand}", "data-view")


def finger_drag(page, start: tuple[float, float], end: tuple[float, float], steps: int) -> None:
    """Drag one finger from start to end (page pixels) in `steps` even moves, through Chromium's touch events."""
    session = page.context.new_cdp_session(page)
    session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": start[0], "y": start[1]}]})
    for step in range(1, steps + 1):
        point = {"x": start[0] + (end[0] - start[0]) * step / steps, "y": start[1] + (end[1] - start[1]) * step / steps}
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


def swipe(page, selector: str, dy: float) -> None:
    """Drag one finger up (dy < 0) or down across the element, as a person scrolling does."""
    box = page.locator(selector).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.7
    finger_drag(page, (x, y), (x, y + dy), 10)
    page.wait_for_timeout(400)  # the scroll's momentum, and any (wrong) drawing's settle time


# ---- 1. The picture and the pad do not fight --------------------------------------------


def test_a_click_on_the_picture_keeps_it_and_its_reading(desktop):
    give_example(desktop, "a", "seven")
    assert view_of(desktop, "a") == "picture"
    desktop.get_by_test_id("operand-a-picture").click()
    desktop.wait_for_timeout(500)
    assert view_of(desktop, "a") == "picture"
    assert desktop.get_attribute("#operand-a", "data-state") == "read"
    assert digit_text(desktop, "a") == "7"


def test_a_finger_swiping_over_the_picture_scrolls_and_keeps_the_reading(phone):
    give_example(phone, "a", "three")
    before = phone.evaluate("() => window.scrollY")
    swipe(phone, "[data-testid=operand-a-picture]", -250)
    assert phone.evaluate("() => window.scrollY") > before + 50
    assert (view_of(phone, "a"), digit_text(phone, "a")) == ("picture", "3")


def test_a_finger_swiping_over_an_empty_pad_scrolls_without_drawing(phone):
    swipe(phone, "[data-testid=operand-a-canvas]", -250)
    assert phone.evaluate("() => window.scrollY") > 50
    assert phone.get_attribute("#operand-a", "data-state") == "empty"
    ink = phone.evaluate(
        """() => {
            const canvas = document.getElementById('operand-a-canvas');
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            return data.some((value, i) => i % 4 !== 3 && value < 200);
        }"""
    )
    assert not ink


def test_after_tap_to_draw_a_finger_draws(phone):
    phone.get_by_test_id("operand-a-arm").click()
    box = phone.get_by_test_id("operand-a-canvas").bounding_box()
    x = box["x"] + box["width"] / 2
    finger_drag(phone, (x, box["y"] + box["height"] * 0.15), (x, box["y"] + box["height"] * 0.85), 10)
    assert wait_settled(phone, "a") in ("read", "low")
    assert digit_text(phone, "a") == "1"


def test_an_accidental_stroke_is_undone_back_to_the_picture(desktop):
    give_example(desktop, "a", "seven")
    desktop.get_by_test_id("operand-a-switch").click()
    assert view_of(desktop, "a") == "pad"
    draw_strokes(desktop, "a", [[(0.5, 0.15), (0.5, 0.85)]])
    wait_settled(desktop, "a")
    assert digit_text(desktop, "a") == "1"
    desktop.get_by_test_id("operand-a-undo").click()
    assert wait_settled(desktop, "a") == "read"
    assert (view_of(desktop, "a"), digit_text(desktop, "a")) == ("picture", "7")


# ---- Issue 9: the box that was read, and a box of one's own ------------------------------


def spy_on_boxes(page) -> None:
    """Record the options of every snapmath.recognize call in window.recognizeCalls."""
    page.evaluate(
        """() => {
            const original = snapmath.recognize;
            window.recognizeCalls = [];
            snapmath.recognize = (source, options) => {
                window.recognizeCalls.push(options || null);
                return original(source, options);
            };
        }"""
    )


def picture_point(page, operand: str, fx: float, fy: float) -> tuple[float, float]:
    box = page.get_by_test_id(f"operand-{operand}-picture").bounding_box()
    return box["x"] + fx * box["width"], box["y"] + fy * box["height"]


def test_the_box_that_was_read_is_drawn_on_the_picture(desktop):
    give_example(desktop, "a", "seven")
    boxes = desktop.locator("#operand-a-boxes .read-box")
    assert boxes.count() == 1
    frame = desktop.get_by_test_id("operand-a-picture").bounding_box()
    drawn = boxes.first.bounding_box()
    # The example's 7 sits in the middle of the picture: the box is inside it and not the whole picture.
    assert frame["x"] < drawn["x"] < frame["x"] + frame["width"] / 2 < drawn["x"] + drawn["width"]
    assert drawn["width"] < frame["width"] * 0.8


def start_choosing_a_box(page, example: str) -> None:
    """Give operand a an example picture, record what it is asked to read, and start choosing a box on it."""
    give_example(page, "a", example)
    spy_on_boxes(page)
    page.get_by_test_id("operand-a-select").click()


def box_read(page) -> dict:
    """Wait until operand a is read again; return the box of that one recognize call."""
    wait_settled(page, "a")
    (options,) = page.evaluate("() => window.recognizeCalls")
    return options["box"]


def test_a_box_dragged_with_the_mouse_is_the_crop_that_is_read(desktop):
    start_choosing_a_box(desktop, "twelve")
    # Around the "2" only: the right half of the picture (128 px square, build/examples.py SIDE).
    desktop.mouse.move(*picture_point(desktop, "a", 0.5, 0.15))
    desktop.mouse.down()
    desktop.mouse.move(*picture_point(desktop, "a", 0.95, 0.85), steps=6)
    desktop.mouse.up()
    assert box_read(desktop) == {"x": 64, "y": 19, "width": 58, "height": 90}
    assert digit_text(desktop, "a") == "2"


def test_a_box_dragged_with_a_finger_is_the_crop_that_is_read(phone):
    start_choosing_a_box(phone, "twelve")
    finger_drag(phone, picture_point(phone, "a", 0.05, 0.15), picture_point(phone, "a", 0.5, 0.85), 8)
    assert box_read(phone) == {"x": 6, "y": 19, "width": 58, "height": 90}
    assert digit_text(phone, "a") == "1"


def test_a_box_is_chosen_with_the_keyboard(desktop):
    start_choosing_a_box(desktop, "seven")
    handle = desktop.get_by_test_id("operand-a-box-handle")
    assert handle.evaluate("(element) => element === document.activeElement")
    before = desktop.evaluate("() => document.getElementById('operand-a-box-text').textContent")
    desktop.keyboard.press("Shift+ArrowRight")
    desktop.keyboard.press("ArrowDown")
    after = desktop.evaluate("() => document.getElementById('operand-a-box-text').textContent")
    assert before != after
    assert "Arrow keys move it" in after
    desktop.keyboard.press("Enter")
    box = box_read(desktop)
    assert desktop.get_by_test_id("operand-a-select").evaluate("(element) => element === document.activeElement")
    assert set(box) == {"x", "y", "width", "height"}
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 128  # inside the example picture (128 px square)
    assert box["y"] + box["height"] <= 128


def test_escape_cancels_choosing_a_box_and_keeps_the_reading(desktop):
    give_example(desktop, "a", "seven")
    desktop.get_by_test_id("operand-a-select").click()
    desktop.keyboard.press("Escape")
    assert desktop.locator("#operand-a-selection").is_hidden()
    assert (desktop.get_attribute("#operand-a", "data-state"), digit_text(desktop, "a")) == ("read", "7")


# ---- 6. Choosing a digit by hand ----------------------------------------------------------


def test_digit_keys_work_without_focusing_a_card_and_fill_first_then_second(desktop):
    desktop.locator("h1").click()
    desktop.keyboard.type("12")
    desktop.keyboard.press("*")
    desktop.keyboard.type("34")
    desktop.keyboard.press("Enter")
    assert (digit_text(desktop, "a"), digit_text(desktop, "b")) == ("12", "34")
    assert result_text(desktop) == "408"


def test_backspace_delete_and_escape_clear_what_was_typed(desktop):
    desktop.locator("#operand-a").focus()
    desktop.keyboard.type("47")
    desktop.keyboard.press("Backspace")
    assert digit_text(desktop, "a") == "4"
    desktop.keyboard.press("Delete")
    assert desktop.get_attribute("#operand-a", "data-state") == "empty"
    desktop.keyboard.type("5")
    desktop.keyboard.press("Escape")
    assert desktop.get_attribute("#operand-a", "data-state") == "empty"
    assert digit_text(desktop, "a") == ""


def picker_bars(page, operand: str) -> list[int]:
    """Return how full each of the picker's ten probability bars is, in percent of its track."""
    return page.evaluate(
        """(id) => Array.from(document.querySelectorAll('#operand-' + id + '-picker .pick-fill')).map((bar) =>
            Math.round((100 * bar.getBoundingClientRect().width) / bar.parentElement.getBoundingClientRect().width))""",
        operand,
    )


def test_the_picker_shows_all_ten_probabilities_and_a_tap_picks(phone):
    give_example(phone, "a", "seven")
    widths = picker_bars(phone, "a")
    assert len(widths) == 10
    assert widths[7] == max(widths)
    assert widths[7] > 50  # percent of the bar's track
    names = phone.evaluate(
        "() => Array.from(document.querySelectorAll('#operand-a-picker button')).map((b) => b.textContent)"
    )
    assert all(name.startswith(str(digit)) and "likely" in name for digit, name in enumerate(names))
    phone.get_by_test_id("operand-a-pick-1").tap()
    assert (digit_text(phone, "a"), phone.get_attribute("#operand-a", "data-state")) == ("1", "corrected")
    # The bars still show what the model thought; the pressed button shows what the person chose.
    after = picker_bars(phone, "a")
    assert after == widths
    assert phone.get_by_test_id("operand-a-pick-1").get_attribute("aria-pressed") == "true"


def test_the_picker_is_two_rows_of_five(phone):
    tops = phone.evaluate(
        """() => Array.from(document.querySelectorAll('#operand-a-picker button'))
            .map((b) => Math.round(b.getBoundingClientRect().top))"""
    )
    assert tops[:5] == [tops[0]] * 5
    assert tops[5:] == [tops[5]] * 5
    assert tops[5] > tops[0]


# ---- 7. Words ---------------------------------------------------------------------------


def test_division_by_zero_is_explained_not_undefined(desktop):
    desktop.locator("#operand-a").focus()
    desktop.keyboard.type("0")
    desktop.locator("#operand-b").focus()
    desktop.keyboard.type("0")
    assert compute(desktop, "div") == "No single answer: every number times 0 gives 0"


def test_phone_help_does_not_mention_keyboard_or_dropping(phone):
    help_text = phone.locator("#operand-a-help").inner_text()
    assert "Ctrl" not in help_text
    assert "drop" not in help_text
    assert "paste" not in help_text
    assert "photo" in help_text


def test_an_empty_clipboard_is_a_plain_note_not_a_refused_picture(desktop):
    desktop.locator("#operand-a").focus()
    desktop.evaluate(
        """() => document.activeElement.dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: new DataTransfer(), bubbles: true}))"""
    )
    message = desktop.locator("#operand-a-message")
    assert message.inner_text().startswith("The clipboard holds no picture")
    assert message.evaluate("(element) => getComputedStyle(element, '::before').content") in ("none", "normal")


def test_what_the_model_sees_is_hidden_until_there_is_something_to_see(desktop):
    assert desktop.locator("#operand-a-model-view").is_hidden()
    give_example(desktop, "a", "seven")
    assert desktop.locator("#operand-a-model-view").is_visible()


# ---- 8. Examples ------------------------------------------------------------------------


def test_examples_are_read_and_calculated(desktop):
    give_example(desktop, "a", "seven")
    give_example(desktop, "b", "three")
    assert (digit_text(desktop, "a"), digit_text(desktop, "b")) == ("7", "3")
    assert compute(desktop, "mul") == "21"


def test_a_refused_file_returns_the_pad_and_says_why(desktop, bad_files):
    give_example(desktop, "a", "seven")
    assert give_file(desktop, "a", bad_files["document.pdf"]) == "error"
    assert view_of(desktop, "a") == "pad"
    assert desktop.locator("#operand-a-message").inner_text().startswith("This is a PDF")
