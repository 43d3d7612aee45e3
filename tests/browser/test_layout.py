"""The page around the operands: the whole calculator on the first screen, input taken while the runtime
still loads, themes, forced colours, contrast of the controls' edges, and a page without JavaScript."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.page_helpers import (
    PHONE,
    compute,
    copy_with_a_broken_model,
    digit_text,
    give_example,
    new_page,
    open_until_the_model_fails,
    result_text,
    wait_settled,
)  # fmt: skip


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 1366, "height": 768}], ids=str)
def test_the_answer_is_on_the_first_screen_on_desktop(browser, site_url, viewport):
    page, record = new_page(browser, site_url + "index.html", viewport)
    give_example(page, "a", "seven")
    give_example(page, "b", "three")
    compute(page, "sub")
    page.evaluate("() => window.scrollTo(0, 0)")
    for selector in ("#operand-a", "#operand-b", ".operators", "[data-testid=equals]", "[data-testid=result]"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= viewport["height"], selector
    assert result_text(page) == "4"
    page.context.close()
    assert not record.errors


def test_on_a_phone_the_answer_is_in_view_right_after_equals(browser, site_url):
    page, record = new_page(browser, site_url + "index.html", PHONE, touch=True)
    give_example(page, "a", "seven")
    give_example(page, "b", "three")
    page.get_by_test_id("op-add").tap()
    page.get_by_test_id("equals").tap()
    box = page.get_by_test_id("result").bounding_box()
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= PHONE["height"]
    assert result_text(page) == "10"
    page.context.close()
    assert not record.errors


def test_input_given_while_the_runtime_loads_is_read_when_ready(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    held: list = []
    # Hold the TF.js runtime back, as a slow connection does, until the test lets it through.
    page.route(re.compile(r".*/static/vendor/tfjs/.*\.js$"), lambda route: held.append(route))
    page.goto(site_url + "index.html", wait_until="commit")
    page.wait_for_function("() => window.snapmathApp !== undefined")
    status = page.get_by_test_id("status").inner_text()
    assert "Loading" in status
    # The progress bar moves without a value until the model's download can be measured.
    assert page.evaluate("() => document.getElementById('status-progress').hasAttribute('value')") is False
    page.get_by_test_id("operand-a-example-seven").click()
    page.locator("#operand-b").focus()
    page.keyboard.press("2")
    page.get_by_test_id("op-mul").click()
    page.get_by_test_id("equals").click()
    assert page.locator("#operand-a-confidence").inner_text() == "Waiting for the model to load\u2026"
    assert result_text(page) == "Reading the first picture\u2026"
    deadline = time.monotonic() + 30
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    for route in held:
        route.continue_()
    assert wait_settled(page, "a") == "read"
    assert digit_text(page, "a") == "7"
    assert result_text(page) == "14"
    assert "Ready" in page.get_by_test_id("status").inner_text()
    context.close()
    assert not errors


def test_without_javascript_the_page_says_it_needs_it(browser, built_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((built_site / "index.html").as_uri())
    assert "JavaScript" in page.locator("noscript, .noscript").first.inner_text()
    context.close()


def colour(page, selector: str, prop: str) -> str:
    return page.locator(selector).evaluate(f"(element) => getComputedStyle(element).{prop}")


def luminance(rgb: str) -> float:
    channels = [int(value) / 255 for value in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_theme_follows_the_system_and_control_edges_stand_out(browser, site_url, scheme):
    page, record = new_page(browser, site_url + "index.html", scheme=scheme)
    page_background = colour(page, "body", "backgroundColor")
    assert (luminance(page_background) < 0.05) == (scheme == "dark")
    # WCAG 1.4.11: a control's edge needs 3:1 against what surrounds it.
    for selector in ("[data-testid=operand-a-canvas]", "[data-testid=operand-a-pick-0]", "[data-testid=op-add]"):
        edge = colour(page, selector, "borderTopColor")
        assert contrast(edge, page_background) >= 3, (selector, edge, page_background)
    page.context.close()
    assert not record.errors


def test_forced_colours_keep_the_pressed_operator_and_equals_visible(browser, site_url):
    page, record = new_page(browser, site_url + "index.html")
    page.emulate_media(forced_colors="active")
    page.get_by_test_id("op-mul").click()
    pressed = colour(page, "[data-testid=op-mul]", "backgroundColor")
    others = {colour(page, f"[data-testid=op-{op}]", "backgroundColor") for op in ("add", "sub", "div")}
    assert pressed not in others
    equals = page.get_by_test_id("equals")
    assert equals.evaluate("(element) => getComputedStyle(element).borderTopStyle") == "solid"
    assert equals.evaluate("(element) => parseFloat(getComputedStyle(element).borderTopWidth)") >= 1
    page.context.close()
    assert not record.errors


def test_a_model_that_cannot_load_says_so_in_words_with_the_detail_folded_away(browser, built_site, tmp_path):
    page = open_until_the_model_fails(browser, copy_with_a_broken_model(built_site, tmp_path))
    status = page.get_by_test_id("status").inner_text()
    assert status.startswith("The recognition model could not load")
    assert "is not a function" not in status
    assert "undefined" not in status
    details = page.locator("#status-details")
    assert details.is_visible()
    assert details.locator("p").text_content().strip() != ""  # folded: the text is there, closed
    page.close()
