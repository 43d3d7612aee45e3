"""The page stays healthy: no tensor leaks, only its own files, a ready state people can read."""

from __future__ import annotations

import base64

from tests.browser.page_helpers import copy_with_a_broken_model, new_page, open_until_the_model_fails, result_text

RECOGNITIONS = 300


def test_numtensors_returns_to_baseline_after_300_recognitions(app, digit_files, bad_files):
    """The page's one tensor-leak check: whole recognitions (decode, locate, preprocess, the model) of the ten
    digits, of a picture without one, and of each with a person's box, leave tf.memory() as they found it."""
    files = [digit_files[digit] for digit in range(10)] + [bad_files["white.png"]]
    pictures = [base64.b64encode(path.read_bytes()).decode() for path in files]
    baseline, after, digits = app.evaluate(
        """async ([pictures, count]) => {
            const blobs = pictures.map(
                (p) => new Blob([Uint8Array.from(atob(p), (c) => c.charCodeAt(0))], {type: 'image/png'}));
            const box = {x: 0, y: 0, width: 140, height: 140};  // all of a digit upload, a corner of white.png
            const baseline = tf.memory().numTensors;
            const digits = [];
            for (let i = 0; i < count; i++) {
                const options = Math.floor(i / blobs.length) % 2 ? {box} : undefined;
                digits.push((await snapmath.recognize(blobs[i % blobs.length], options)).digit);
            }
            return [baseline, tf.memory().numTensors, digits];
        }""",
        [pictures, RECOGNITIONS],
    )
    assert after == baseline
    assert digits == [i % 11 if i % 11 < 10 else None for i in range(RECOGNITIONS)]


def test_the_page_starts_without_throwing(browser, built_site):
    """Not even an exception caught at once: Chromium's first one in a page works out source positions for
    the whole script it is thrown in (the runtime's start-up threw and caught two: without them, cold start
    from disk 191 -> 144 ms at rest, README "Cold start")."""
    context = browser.new_context()
    page = context.new_page()
    debugger = context.new_cdp_session(page)
    thrown: list[str] = []

    def paused(event: dict) -> None:
        thrown.append(event.get("data", {}).get("description", event["reason"]))
        debugger.send("Debugger.resume")

    debugger.on("Debugger.paused", paused)
    debugger.send("Debugger.enable")
    debugger.send("Debugger.setPauseOnExceptions", {"state": "all"})
    page.goto((built_site / "index.html").as_uri())
    page.wait_for_function("performance.getEntriesByName('snapmath:warmed').length")
    context.close()
    assert thrown == []


def test_status_says_ready_and_version_is_the_shipped_model(app):
    from training import exports

    assert "ready" in app.get_by_test_id("status").inner_text().lower()
    assert app.evaluate("() => snapmath.version") == exports.newest_model_dir().name


def test_a_model_that_cannot_load_is_a_readable_error_not_a_dead_page(browser, built_site, tmp_path):
    page = open_until_the_model_fails(browser, copy_with_a_broken_model(built_site, tmp_path))
    status = page.get_by_test_id("status").inner_text()
    assert "model" in status.lower()
    assert "reload" in status.lower()
    assert page.evaluate("() => snapmath.ready.then(() => 'resolved', (error) => error.message)") != "resolved"
    # Typed digits still calculate without the model.
    page.locator("#operand-a").focus()
    page.keyboard.press("8")
    page.locator("#operand-b").focus()
    page.keyboard.press("2")
    page.get_by_test_id("op-div").click()
    page.get_by_test_id("equals").click()
    assert result_text(page) == "4"
    page.close()


def test_no_horizontal_scrolling_at_320_px(browser, site_url):
    page, _ = new_page(browser, site_url + "index.html", {"width": 320, "height": 900}, axe=False)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    page.context.close()
