"""The two preprocessing twins agree: preprocess.js (tf ops in Chromium) and training.preprocess (numpy).

Both get the SAME decoded RGBA (Pillow's), so any difference is the twins' own. decode.js is
exercised on its own: bad files are refused with the sentence a person reads.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from build import bench_browser
from tests import pictures
from tests.conftest import REPO_ROOT, SAMPLES_DIR
from training import decode, preprocess

pytestmark = pytest.mark.browser

MAX_PIXEL_DIFFERENCE = 1e-4
UNBOUNDED = {"maxFileBytes": 26214400, "maxPixels": 50_000_000, "maxSide": 4096}  # decode at full size
TFJS_FILES = [
    "node_modules/@tensorflow/tfjs-core/dist/tf-core.es2017.min.js",
    "node_modules/@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.es2017.min.js",
    "node_modules/@tensorflow/tfjs-converter/dist/tf-converter.es2017.min.js",
]
PAGE_FILES = ["site_templates/static/js/decode.js", "site_templates/static/js/preprocess.js"]
HARNESS = """<!doctype html><meta charset="utf-8"><title>twins</title>
{scripts}
<script>
  window.harnessReady = tf.setBackend('cpu').then(() => tf.ready());
  window.runPreprocess = async (name, width, height, spec) => {{
    const buffer = await (await fetch(name)).arrayBuffer();
    const rgba = {{data: new Uint8ClampedArray(buffer), width, height}};
    const before = tf.memory().numTensors;
    const result = snapmathPreprocess.preprocess(tf, rgba, spec);
    return {{input: result.input && Array.from(result.input), reason: result.reason,
             leaked: tf.memory().numTensors - before}};
  }};
  window.runDecode = async (base64, type, name, limits) => {{
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    try {{
      const rgba = await snapmathDecode.toRgba(new File([bytes], name, {{type}}), limits);
      let text = '';
      for (let start = 0; start < Math.min(rgba.data.length, 400000); start += 8192) {{
        text += String.fromCharCode(...rgba.data.subarray(start, Math.min(start + 8192, 400000)));
      }}
      return {{width: rgba.width, height: rgba.height, data: btoa(text)}};
    }} catch (error) {{
      return {{error: error.message}};
    }}
  }};
</script>
"""


@pytest.fixture(scope="module")
def harness_url(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """Return (URL, directory) of a harness page serving the tf.js runtime, decode.js and preprocess.js."""
    root = tmp_path_factory.mktemp("twins")
    scripts = []
    for relative in TFJS_FILES + PAGE_FILES:
        shutil.copy(REPO_ROOT / relative, root / Path(relative).name)
        scripts.append(f'<script src="{Path(relative).name}"></script>')
    (root / "index.html").write_text(HARNESS.format(scripts="\n".join(scripts)))
    with bench_browser.serve(root) as base_url:
        yield base_url + "index.html", root


@pytest.fixture(scope="module")
def page(browser, harness_url):
    url, _ = harness_url
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.evaluate("window.harnessReady")
    yield page
    context.close()


def the_inputs() -> dict[str, np.ndarray]:
    """Return {name: RGBA uint8} of every generated picture, blank picture and shared sample."""
    inputs = {name: rgba for name, (_, rgba) in pictures.digit_pictures().items()}
    inputs.update(pictures.blank_pictures())
    for path in sorted(SAMPLES_DIR.iterdir()):
        inputs[f"sample_{path.name}"] = decode.decode_file(path)
    return inputs


INPUTS = the_inputs()


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_js_twin_matches_numpy_twin(page, harness_url, name):
    _, root = harness_url
    rgba = INPUTS[name]
    (root / f"{name}.rgba").write_bytes(np.ascontiguousarray(rgba).tobytes())
    spec = preprocess.load_spec()
    expected = preprocess.preprocess(rgba, spec)
    got = page.evaluate(
        "([name, width, height, spec]) => runPreprocess(name, width, height, spec)",
        [f"{name}.rgba", int(rgba.shape[1]), int(rgba.shape[0]), spec],
    )
    assert got["leaked"] == 0, "preprocess.js left tensors behind"
    assert got["reason"] == expected.reason
    if expected.input is None:
        assert got["input"] is None
    else:
        difference = np.abs(np.asarray(got["input"], dtype=np.float32).reshape(28, 28) - expected.input)
        assert difference.max() <= MAX_PIXEL_DIFFERENCE, f"max difference {difference.max():.2e}"


def decode_in_page(page, content: bytes, type_: str, name: str, limits: dict | None = None) -> dict:
    limits = limits or {"maxFileBytes": 26214400, "maxPixels": 50_000_000}
    return page.evaluate(
        "([data, type, name, limits]) => runDecode(data, type, name, limits)",
        [base64.b64encode(content).decode(), type_, name, limits],
    )


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def fake_png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming the given size, with no image data: a decompression-bomb stand-in."""
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk)) + b"\0" * 64


@pytest.mark.parametrize(
    "case, content, type_, name, message",
    [
        ("empty", b"", "image/png", "empty.png", "This file is empty (0 bytes)."),
        ("text named png", b"my shopping list\n", "image/png", "notes.png", "This file is not a picture this app can read"),
        ("heic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64, "image/heic", "IMG_0001.HEIC", "HEIC photo"),
        ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf", "scan.pdf", "PDF document"),
        ("svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml", "d.svg", "SVG drawings"),
        ("40 megapixel bomb", fake_png_header(8000, 5000), "image/png", "bomb.png", "This picture is too large (8000×5000 pixels)"),
    ],
)
def test_decode_refuses_bad_files_with_a_sentence(page, case, content, type_, name, message):
    result = decode_in_page(page, content, type_, name, {"maxFileBytes": 26214400, "maxPixels": 30_000_000})
    assert message in result.get("error", ""), result


def test_decode_refuses_a_damaged_png(page, tmp_path):
    bad = pictures.write_bad_files(tmp_path)["corrupt_png"]
    result = decode_in_page(page, bad.read_bytes(), "image/png", "corrupt.png")
    assert result.get("error") == "This picture is damaged or not really a picture, so it cannot be read."


def test_decode_refuses_a_file_over_the_byte_limit(page):
    content = png_bytes(pictures.draw_digit((200, 260), "1", (40, 30, 160, 230), (0, 0, 0), 20, (255, 255, 255)))
    result = decode_in_page(page, content, "image/png", "one.png", {"maxFileBytes": 100, "maxPixels": 50_000_000})
    assert result["error"].startswith("This file is too large (")


def test_decode_gives_pillows_pixels_for_a_png(page):
    rgba = pictures.digit_pictures()["blue_on_brown"][1]
    result = decode_in_page(page, png_bytes(Image.fromarray(rgba)), "image/png", "four.png", UNBOUNDED)
    assert (result["width"], result["height"]) == (640, 480)
    got = np.frombuffer(base64.b64decode(result["data"]), np.uint8)
    assert np.array_equal(got, rgba.reshape(-1)[: got.size])


def test_decode_applies_exif_orientation(page, tmp_path):
    path = tmp_path / "sideways.jpg"
    pictures.write_exif_rotated_jpeg(path)
    result = decode_in_page(page, path.read_bytes(), "image/jpeg", "sideways.jpg", UNBOUNDED)
    assert (result["width"], result["height"]) == (300, 400)  # stored 400x300, shown upright
    got = np.frombuffer(base64.b64decode(result["data"]), np.uint8).astype(np.int16)
    python_limits = {**preprocess.load_spec()["decode"], "max_decoded_side": 4096}
    expected = decode.decode_file(path, python_limits).reshape(-1)[: got.size].astype(np.int16)
    assert np.abs(got - expected).mean() < 3  # two JPEG decoders: close, not identical


def test_decode_reads_a_big_jpeg_photo_upright_at_most_the_working_side(page, tmp_path):
    # Big JPEGs take the scaled-decoding path (ImageDecoder): it must honour EXIF orientation too.
    path = tmp_path / "phone.jpg"
    pictures.write_big_exif_rotated_jpeg(path)
    result = decode_in_page(page, path.read_bytes(), "image/jpeg", "phone.jpg")
    side = preprocess.load_spec()["decode"]["max_decoded_side"]
    width, height = result["width"], result["height"]
    assert side / 2 < height <= side and abs(width / height - 0.75) < 0.01, (width, height)
    got = np.frombuffer(base64.b64decode(result["data"]), np.uint8)
    rows = got.size // (width * 4)  # the page sends the first 400 kB
    got = got[: rows * width * 4].reshape(rows, width, 4)[:, :, :3].astype(np.int16)
    expected = np.asarray(Image.open(path).convert("RGB").rotate(-90, expand=True).resize((width, height), Image.Resampling.BOX))
    expected = expected[:rows].astype(np.int16)
    assert np.abs(got - expected).mean() < 4  # the same upright picture, decoded and scaled a little differently


def test_decode_takes_the_first_frame_of_a_gif(page, tmp_path):
    path = tmp_path / "two.gif"
    pictures.write_animated_gif(path)
    result = decode_in_page(page, path.read_bytes(), "image/gif", "two.gif", UNBOUNDED)
    got = np.frombuffer(base64.b64decode(result["data"]), np.uint8)
    python_limits = {**preprocess.load_spec()["decode"], "max_decoded_side": 4096}
    assert np.array_equal(got, decode.decode_file(path, python_limits).reshape(-1)[: got.size])


def test_decode_shrinks_big_pictures_to_the_working_side(page):
    big = Image.new("RGB", (3000, 2000), (255, 255, 255))
    result = decode_in_page(page, png_bytes(big), "image/png", "big.png")
    side = preprocess.load_spec()["decode"]["max_decoded_side"]
    assert (result["width"], result["height"]) == (side, round(2000 * side / 3000))


def test_preprocess_leaves_no_tensors_after_many_calls(page, harness_url):
    _, root = harness_url
    rgba = pictures.digit_pictures()["lined_paper"][1]
    (root / "leak.rgba").write_bytes(rgba.tobytes())
    spec = json.loads((REPO_ROOT / "training" / "preprocess_spec.json").read_text())
    leaked = page.evaluate(
        """async ([width, height, spec]) => {
             const before = tf.memory().numTensors;
             for (let i = 0; i < 3; i++) await runPreprocess('leak.rgba', width, height, spec);
             return tf.memory().numTensors - before;
           }""",
        [int(rgba.shape[1]), int(rgba.shape[0]), spec],
    )
    assert leaked == 0
