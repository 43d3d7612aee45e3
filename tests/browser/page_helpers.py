"""What the page tests do as a person would: open the page on a desktop or a phone, in light or dark,
give examples and files, and ask axe-core what an assistive-technology user would trip over."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from tests.browser.conftest import READY_TIMEOUT_MS, PageRecord, wait_settled

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# axe's default rules, plus the one that caught visible "324%" named "Use 3 (24% likely)".
AXE_OPTIONS = {"rules": {"label-content-name-mismatch": {"enabled": True}}, "resultTypes": ["violations"]}


def new_page(
    browser, url: str, viewport: dict = DESKTOP, scheme: str = "light", touch: bool = False, ready: bool = True
):
    """Return (page, record): the page at url in a fresh context, axe-core injected, once snapmath.ready resolved."""
    if not AXE_JS.is_file():
        raise FileNotFoundError(f"{AXE_JS} missing: run `npm ci` (axe-core is a pinned dev dependency)")
    context = browser.new_context(viewport=viewport, color_scheme=scheme, has_touch=touch, is_mobile=touch)
    # An init script is injected by the browser itself, so the page's CSP (no inline scripts) still holds.
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    record = PageRecord()
    page.on("console", lambda message: message.type == "error" and record.errors.append(message.text))
    page.on("pageerror", lambda error: record.errors.append(str(error)))
    page.goto(url)
    if ready:
        page.wait_for_function("() => window.snapmath && window.snapmath.ready", timeout=READY_TIMEOUT_MS)
        page.evaluate("() => window.snapmath.ready")
    return page, record


def axe_violations(page) -> list[dict]:
    """Return axe-core's violations on the page as it stands: [{id, impact, nodes}] (empty when clean)."""
    return page.evaluate(
        """async (options) => {
            const results = await axe.run(document, options);
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ': ' + n.failureSummary),
            }));
        }""",
        AXE_OPTIONS,
    )


def give_example(page, operand: str, name: str) -> str:
    """Click one of the operand's example pictures; return the settled state."""
    page.get_by_test_id(f"operand-{operand}-example-{name}").click()
    return wait_settled(page, operand)


def digit_text(page, operand: str) -> str:
    return page.get_by_test_id(f"operand-{operand}-digit").inner_text().strip()


def result_text(page) -> str:
    return page.get_by_test_id("result").inner_text().strip()


def compute(page, operator: str) -> str:
    page.get_by_test_id(f"op-{operator}").click()
    page.get_by_test_id("equals").click()
    return result_text(page)


def png_bytes(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


LETTERS = "AEFHKMNRWXY"  # capitals that look like no digit


def refused_letter_file(folder: Path) -> Path:
    """Return a capital letter, typed in a benchmark font (one the model never trained on), that the shipped model
    refuses as not a digit.

    Searched with the Python twin, so the choice follows whatever model ships; the benchmark measures how
    many non-digits it refuses. No letter refused is a failure, not a skip."""
    from PIL import Image, ImageDraw, ImageFont

    from build import nondigits
    from training import exports, predict, spec_check

    font = ImageFont.truetype(nondigits.benchmark_fonts()[0], 140)
    paths = []
    for letter in LETTERS:
        image = Image.new("L", (200, 200), 250)
        ImageDraw.Draw(image).text((100, 100), letter, font=font, anchor="mm", fill=20)
        paths.append(folder / f"letter-{letter}.png")
        paths[-1].write_bytes(png_bytes(image))
    model_dir = exports.newest_model_dir()
    answers = predict.predict_files(
        paths, exports.load_reader(model_dir), spec_check.load_checked_spec(), predict.refusal_threshold(model_dir)
    )
    refused = [path for path, answer in zip(paths, answers) if answer["reason"] == predict.NOT_A_DIGIT]
    assert refused, f"the shipped model refuses none of the letters {LETTERS}"
    return refused[0]


def low_confidence_file(page, mnist_dir: Path, folder: Path) -> Path:
    """Return an MNIST test digit (as a 140 px upload) that the page itself reads below its low-confidence line.

    Searched in the page, so the choice follows whatever model and preprocessing ship.
    """
    import numpy as np
    from PIL import Image

    from training import data

    mnist = data.load_mnist(mnist_dir)
    pictures = []
    for index in range(400):
        ink = 255 - np.asarray(Image.fromarray(mnist.test_images[index]).resize((140, 140), Image.Resampling.BICUBIC))
        pictures.append(base64.b64encode(png_bytes(Image.fromarray(ink))).decode())
    found = page.evaluate(
        """async (pictures) => {
            const low = JSON.parse(document.getElementById('snapmath-config').textContent).lowConfidence;
            for (let i = 0; i < pictures.length; i++) {
                const bytes = Uint8Array.from(atob(pictures[i]), (c) => c.charCodeAt(0));
                const reading = await snapmath.recognize(new Blob([bytes], {type: 'image/png'}));
                if (reading.digit !== null && reading.confidence < low && reading.confidence > 0.3) return i;
            }
            return -1;
        }""",
        pictures,
    )
    if found < 0:
        raise AssertionError("none of the first 400 MNIST test digits reads with low confidence")
    path = folder / f"low-confidence-{found}.png"
    path.write_bytes(base64.b64decode(pictures[found]))
    return path
