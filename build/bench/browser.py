"""Driving the built page in headless Chromium for the benchmark: open, time, read digits.

Everything is timed inside the page with performance.now(), so Playwright's round trips are not counted.
Page functions are arrow functions: the page's CSP forbids eval(), which Playwright uses for bare expressions.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # Playwright is imported when a browser starts, not when the benchmark is imported
    from playwright.sync_api import Browser, Page

READY_TIMEOUT_MS = 120_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]  # the tests' browser too (tests/conftest.py starts it with chromium())

# Runs before the page's scripts: notes the moment snapmath.ready resolves, so a late
# Playwright call cannot inflate the cold start.
RECORD_READY = """(() => {
  let contract;
  Object.defineProperty(window, "snapmath", {
    configurable: true,
    enumerable: true,
    get: () => contract,
    set: (value) => {
      contract = value;
      Promise.resolve(value && value.ready).then(
        () => {
          window.__benchReadyAt = performance.now();
          // The first reading a script can make: it waits for anything ready left to do (the warm-up).
          const start = performance.now();
          const done = () => {
            window.__benchFirstClassifyMs = performance.now() - start;
          };
          value.classify(new Array(784).fill(0)).then(done, done);
        },
        (error) => { window.__benchReadyError = String((error && error.message) || error); });
    },
  });
})();"""
READY_RECORDED = "() => window.__benchReadyAt !== undefined || window.__benchReadyError !== undefined"
# Where the cold start went: the page's own "snapmath:<step>" marks (model.js), first paint, parsing done.
COLD_START_MARKS = """() => {
  const marks = {};
  for (const mark of performance.getEntriesByType("mark")) {
    if (mark.name.startsWith("snapmath:")) marks[mark.name.slice(9)] = mark.startTime;
  }
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  if (paint) marks["first-contentful-paint"] = paint.startTime;
  const navigation = performance.getEntriesByType("navigation")[0];
  if (navigation) marks["dom-interactive"] = navigation.domInteractive;
  return marks;
}"""

CLASSIFY = """async (images) => {
  const out = [];
  for (const pixels of images) {
    out.push(await window.snapmath.classify(pixels.map((value) => value / 255)));
  }
  return out;
}"""

RECOGNIZE = """async (urls) => {
  const out = [];
  for (const url of urls) {
    const blob = await (await fetch(url)).blob();
    try {
      const reading = await window.snapmath.recognize(blob);
      // number, reason and box came with issues 9-10's contract; a page without them reads them as null.
      out.push({digit: reading.digit, number: reading.number ?? null, confidence: reading.confidence,
                reason: reading.reason ?? null, box: reading.box ?? null, error: null});
    } catch (error) {
      out.push({digit: null, number: null, confidence: 0, reason: null, box: null,
                error: String(error.message || error)});
    }
  }
  return out;
}"""

# The original app's recipe, reproduced here and not in the app: the picture in an <img>, its red
# channel as grey (fromPixels(img, 1) keeps red and drops alpha), inverted, /255, the whole
# picture resized bilinearly to 28x28; then our model through the contract's classify.
# Functional ops: tf-core's bundles do not register the chained ones (x.toFloat()). Run in the
# full-bundle page (build.bench): the page's own TF.js is cut to what the app calls.
ORIGINAL_RECIPE = """async (urls) => {
  const tf = window.tf;
  const out = [];
  for (const url of urls) {
    const objectUrl = URL.createObjectURL(await (await fetch(url)).blob());
    try {
      const image = new Image();
      image.src = objectUrl;
      await image.decode();
      const pixels = tf.tidy(() => {
        const red = tf.cast(tf.browser.fromPixels(image, 1), "float32");
        const inverted = tf.div(tf.sub(tf.scalar(255), red), tf.scalar(255));
        return Array.from(tf.reshape(tf.image.resizeBilinear(inverted, [28, 28]), [784]).dataSync());
      });
      const probabilities = await window.snapmath.classify(pixels);
      const digit = probabilities.indexOf(Math.max(...probabilities));
      out.push({digit: digit, confidence: probabilities[digit], error: null});
    } catch (error) {
      out.push({digit: null, confidence: 0, error: String(error.message || error)});
    } finally {
      URL.revokeObjectURL(objectUrl);
    }
  }
  return out;
}"""

RECOGNIZE_TIMES = """async ([url, warmUp, samples]) => {
  const blob = await (await fetch(url)).blob();
  const times = [];
  let digit = null;
  for (let i = 0; i < warmUp + samples; i += 1) {
    const start = performance.now();
    digit = (await window.snapmath.recognize(blob)).digit;
    if (i >= warmUp) times.push(performance.now() - start);
  }
  return {times: times, digit: digit};
}"""

# Where recognize's time goes, through the page's own stages (docs/architecture.md's globals).
STAGE_TIMES = """async ([url, warmUp, samples]) => {
  const blob = await (await fetch(url)).blob();
  const config = JSON.parse(document.getElementById("snapmath-config").textContent);
  const times = {decode: [], preprocess: [], classify: []};
  for (let i = 0; i < warmUp + samples; i += 1) {
    const start = performance.now();
    const rgba = await window.snapmathDecode.toRgba(blob, config.limits);
    const decoded = performance.now();
    const prepared = window.snapmathPreprocess.preprocess(rgba, config.preprocess);
    const preprocessed = performance.now();
    // One model input per digit found (prepared.digits); an older page gave one input or null.
    const inputs = prepared.digits ? prepared.digits.map((digit) => digit.input) : [prepared.input].filter((x) => x);
    for (const input of inputs) await window.snapmath.classify(input);
    if (i >= warmUp) {
      times.decode.push(decoded - start);
      times.preprocess.push(preprocessed - decoded);
      times.classify.push(performance.now() - preprocessed);
    }
  }
  return times;
}"""

PAGE_CONFIG = """() => JSON.parse(document.getElementById("snapmath-config").textContent)"""

CLASSIFY_TIMES = """async ([pixels, warmUp, samples]) => {
  const input = pixels.map((value) => value / 255);
  const times = [];
  for (let i = 0; i < warmUp + samples; i += 1) {
    const start = performance.now();
    await window.snapmath.classify(input);
    if (i >= warmUp) times.push(performance.now() - start);
  }
  return {times: times};
}"""


@dataclass
class OpenedPage:
    """A freshly opened page: milliseconds from navigation to ready, the URLs it requested, its errors."""

    page: Page
    ready_ms: float
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    marks: dict[str, float] = field(default_factory=dict)  # ms from navigation: COLD_START_MARKS
    first_classify_ms: float | None = None  # a classify issued the moment ready resolved


def chromium_path() -> str:
    """Return the Chromium to drive: $SNAPMATH_CHROMIUM or Debian's `chromium` on the PATH."""
    path = os.environ.get("SNAPMATH_CHROMIUM") or shutil.which("chromium")
    if not path:
        raise FileNotFoundError("Chromium not found: install Debian's `chromium` or set SNAPMATH_CHROMIUM")
    return path


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Yield one headless Chromium (Playwright driving Debian's browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def open_fresh(browser: Browser, url: str, timeout_ms: float = READY_TIMEOUT_MS) -> Iterator[OpenedPage]:
    """Yield the page at `url` in a new browser context (empty cache), once snapmath.ready resolved.

    The context is closed on leaving, also when the page fails to get ready (a timeout, a rejected ready), so a
    benchmark that goes on after a failure does not keep dead pages running beside the ones it measures.
    """
    context = browser.new_context()
    try:
        context.add_init_script(RECORD_READY)
        page = context.new_page()
        opened = OpenedPage(page=page, ready_ms=0.0)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.on("pageerror", lambda error: opened.errors.append(str(error)))
        page.goto(url)
        page.wait_for_function(READY_RECORDED, timeout=timeout_ms)
        error = page.evaluate("() => window.__benchReadyError || null")
        if error:
            raise RuntimeError(f"{url}: snapmath.ready rejected: {error}")
        opened.ready_ms = page.evaluate("() => window.__benchReadyAt")
        page.wait_for_function("() => window.__benchFirstClassifyMs !== undefined", timeout=timeout_ms)
        opened.first_classify_ms = page.evaluate("() => window.__benchFirstClassifyMs")
        opened.marks = page.evaluate(COLD_START_MARKS)
        yield opened
    finally:
        context.close()


def classify_images(page: Page, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """Return snapmath.classify's probabilities [N,10] for uint8 MNIST images [N,28,28], one call per image."""
    batches = []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size].reshape(-1, 784).tolist()
        batches.append(np.asarray(page.evaluate(CLASSIFY, batch), dtype=np.float64))
    return np.concatenate(batches) if batches else np.zeros((0, 10))


def read_files(page: Page, urls: list[str], recipe: str, batch_size: int = 25) -> list[dict[str, Any]]:
    """Return {digit, confidence, error} per URL (RECOGNIZE adds number, reason, box), read by `recipe` in the page."""
    readings: list[dict[str, Any]] = []
    for start in range(0, len(urls), batch_size):
        readings.extend(page.evaluate(recipe, urls[start : start + batch_size]))
    return readings


def page_config(page: Page) -> dict[str, Any]:
    """Return the page's own configuration (the JSON the build embeds: limits, preprocess, notDigitThreshold, ...)."""
    return page.evaluate(PAGE_CONFIG)


def recognize_times(page: Page, url: str, warm_up: int, samples: int) -> dict[str, Any]:
    """Return {times: ms per snapmath.recognize of the file at `url`, digit: the last reading}."""
    return page.evaluate(RECOGNIZE_TIMES, [url, warm_up, samples])


def stage_times(page: Page, url: str, warm_up: int, samples: int) -> dict[str, Any]:
    """Return {decode, preprocess, classify: ms per run} of recognize's stages on the file at `url`."""
    return page.evaluate(STAGE_TIMES, [url, warm_up, samples])


def classify_times(page: Page, image: np.ndarray, warm_up: int, samples: int) -> dict[str, Any]:
    """Return {times: ms per snapmath.classify of one uint8 28x28 image}."""
    return page.evaluate(CLASSIFY_TIMES, [image.reshape(784).tolist(), warm_up, samples])
