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
    from training import models

    assert "ready" in app.get_by_test_id("status").inner_text().lower()
    assert app.evaluate("() => snapmath.version") == models.newest_model_dir().name
