"""The page stays healthy: no tensor leaks, only its own files, a ready state people can read."""

from __future__ import annotations

import base64

RECOGNITIONS = 300


def test_numtensors_returns_to_baseline_after_300_recognitions(app, digit_files):
    pictures = [base64.b64encode(digit_files[d].read_bytes()).decode() for d in range(10)]
    baseline, after, digits = app.evaluate(
        """async ([pictures, count]) => {
            const blobs = pictures.map((p) => new Blob([Uint8Array.from(atob(p), (c) => c.charCodeAt(0))], {type: 'image/png'}));
            const baseline = tf.memory().numTensors;
            const digits = [];
            for (let i = 0; i < count; i++) digits.push((await snapmath.recognize(blobs[i % blobs.length])).digit);
            return [baseline, tf.memory().numTensors, digits];
        }""",
        [pictures, RECOGNITIONS],
    )
    assert after == baseline
    assert digits == [i % 10 for i in range(RECOGNITIONS)]


def test_status_says_ready_and_version_is_the_shipped_model(app):
    from training import exports

    assert "ready" in app.get_by_test_id("status").inner_text().lower()
    assert app.evaluate("() => snapmath.version") == exports.newest_model_dir().name


def test_a_model_that_cannot_load_is_a_readable_error_not_a_dead_page(browser, built_site, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(built_site, broken)
    (broken / "model" / "embedded.js").write_text("window.snapmathEmbeddedModel = {truncated")
    page = browser.new_page()
    page.goto((broken / "index.html").as_uri())
    page.wait_for_function("() => document.getElementById('status-box').dataset.state === 'error'")
    status = page.get_by_test_id("status").inner_text()
    assert "model" in status.lower() and "reload" in status.lower()
    assert page.evaluate("() => snapmath.ready.then(() => 'resolved', (error) => error.message)") != "resolved"
    # Typed digits still calculate without the model.
    page.locator("#operand-a").focus()
    page.keyboard.press("8")
    page.locator("#operand-b").focus()
    page.keyboard.press("2")
    page.get_by_test_id("op-div").click()
    page.get_by_test_id("equals").click()
    assert page.get_by_test_id("result").inner_text().strip() == "4"
    page.close()


def test_no_horizontal_scrolling_at_320_px(browser, site_url):
    from tests.browser.conftest import open_app

    page, _ = open_app(browser, site_url + "index.html", viewport_width=320)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    page.context.close()
