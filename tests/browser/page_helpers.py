"""What the page tests do as a person would: open the page on a desktop or a phone, in light or dark,
give examples, files and strokes, read what the page shows, and ask axe-core what an assistive-technology user
would trip over. Fixtures live in conftest.py; the functions they and the tests share live here."""

from __future__ import annotations

import base64
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.paths import NODE_MODULES

AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
READY_TIMEOUT_MS = 60_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# axe's default rules, plus the one that caught visible "324%" named "Use 3 (24% likely)".
AXE_OPTIONS = {"rules": {"label-content-name-mismatch": {"enabled": True}}, "resultTypes": ["violations"]}
SETTLED_STATES = ("read", "low", "corrected", "no-digit", "not-digit", "error")


@dataclass
class PageRecord:
    """What a page did: every request it made and every console error or page error."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def new_page(
    browser,
    url: str,
    viewport: dict = DESKTOP,
    scheme: str = "light",
    touch: bool = False,
    ready: bool = True,
    axe: bool = True,
):
    """Return (page, record): the page at url in a fresh context (axe-core injected unless `axe` is false), once
    window.snapmath.ready resolved (unless `ready` is false)."""
    context = browser.new_context(viewport=viewport, color_scheme=scheme, has_touch=touch, is_mobile=touch)
    if axe:
        if not AXE_JS.is_file():
            raise FileNotFoundError(f"{AXE_JS} missing: run `npm ci` (axe-core is a pinned dev dependency)")
        # An init script is injected by the browser itself, so the page's CSP (no inline scripts) still holds.
        context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    record = PageRecord()
    page.on("request", lambda request: record.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and record.errors.append(message.text))
    page.on("pageerror", lambda error: record.errors.append(str(error)))
    page.goto(url)
    if ready:
        # The arrow form: a bare expression string is eval()ed, which the page's CSP forbids.
        page.wait_for_function("() => window.snapmath && window.snapmath.ready", timeout=READY_TIMEOUT_MS)
        page.evaluate("() => window.snapmath.ready")
    return page, record


def page_config(page) -> dict:
    """Return the page's configuration: the JSON data block the build wrote (docs/architecture.md)."""
    return page.evaluate("() => JSON.parse(document.getElementById('snapmath-config').textContent)")


def refuses_non_digits(page) -> bool:
    """True once a model with a not-a-digit output ships: the build then sets a refusal threshold below 1."""
    return page_config(page).get("notDigitThreshold", 1.0) < 1.0


def copy_with_a_broken_model(built_site: Path, folder: Path) -> Path:
    """Return a copy of the built site whose embedded model is cut off mid-file, so it cannot load from disk."""
    broken = folder / "broken"
    shutil.copytree(built_site, broken)
    (broken / "model" / "embedded.js").write_text("window.snapmathEmbeddedModel = {truncated")
    return broken


def open_until_the_model_fails(browser, site: Path):
    """Return the page of `site` opened from disk, once its status says the model failed to load."""
    page = browser.new_page()
    page.goto((site / "index.html").as_uri())
    page.wait_for_function("() => document.getElementById('status-box').dataset.state === 'error'")
    return page


def wait_settled(page, operand: str) -> str:
    """Return the operand's data-state once its reading (or refusal) is shown."""
    page.wait_for_function(
        "([id, done]) => done.includes(document.getElementById('operand-' + id).dataset.state)",
        arg=[operand, list(SETTLED_STATES)],
    )
    return page.get_attribute(f"#operand-{operand}", "data-state")


def give_file(page, operand: str, path: Path) -> str:
    """Choose a file for an operand through its file input, as a person does; return the state."""
    page.get_by_test_id(f"operand-{operand}-file").set_input_files(str(path))
    return wait_settled(page, operand)


def draw_strokes(page, operand: str, strokes: list[list[tuple[float, float]]]) -> None:
    """Draw strokes on the operand's pad with the mouse (points as fractions of the canvas)."""
    box = page.get_by_test_id(f"operand-{operand}-canvas").bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=8)
        page.mouse.up()


def file_in_page(page, path: Path, mime: str = ""):
    """Return a JS handle to a File holding the bytes of path (of type `mime`; "" lets the page sniff it)."""
    return page.evaluate_handle(
        "([bytes, name, type]) => new File([Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))], name, {type})",
        [base64.b64encode(path.read_bytes()).decode(), path.name, mime],
    )


def recognize_file(page, path: Path, mime: str = "") -> dict:
    """Return snapmath.recognize's reading (the page contract) of the file at path."""
    return page.evaluate("(file) => snapmath.recognize(file)", file_in_page(page, path, mime))


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
    """Return the number shown as read (or typed) for the operand."""
    return page.get_by_test_id(f"operand-{operand}-digit").inner_text().strip()


def result_text(page) -> str:
    """Return the answer as shown."""
    return page.get_by_test_id("result").inner_text().strip()


def compute(page, operator: str) -> str:
    """Press the operator and =; return the answer as shown."""
    page.get_by_test_id(f"op-{operator}").click()
    page.get_by_test_id("equals").click()
    return result_text(page)


def png_bytes(image) -> bytes:
    """Return a Pillow image encoded as PNG."""
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
    refused = [path for path, answer in zip(paths, answers, strict=True) if answer["reason"] == predict.NOT_A_DIGIT]
    assert refused, f"the shipped model refuses none of the letters {LETTERS}"
    return refused[0]


def mnist_upload(digit):
    """Return an MNIST digit (uint8 [28, 28], white ink on black) as a person's upload: dark ink on white paper,
    140 px square (a Pillow image)."""
    import numpy as np
    from PIL import Image

    return Image.fromarray(255 - np.asarray(Image.fromarray(digit).resize((140, 140), Image.Resampling.BICUBIC)))


def low_confidence_file(page, mnist_dir: Path, folder: Path) -> Path:
    """Return an MNIST test digit (as a 140 px upload) that the page itself reads below its low-confidence line.

    Searched in the page, so the choice follows whatever model and preprocessing ship.
    """
    from training import data

    mnist = data.load_mnist(mnist_dir)
    pictures = []
    for index in range(400):
        pictures.append(base64.b64encode(png_bytes(mnist_upload(mnist.test_images[index]))).decode())
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
