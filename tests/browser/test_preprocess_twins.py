"""The two preprocessing twins agree: locate.js + preprocess.js (in Chromium) and training.locate +
training.preprocess (numpy): the same digits, the same boxes, the same 28x28 inputs.

Both get the SAME decoded RGBA (Pillow's), so any difference is the twins' own. decode.js is
exercised on its own: bad files are refused with the sentence a person reads.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from build import context, serve
from tests import pictures
from tests.browser.page_helpers import png_bytes
from tests.paths import JS_DIR, STOCK_TFJS_SCRIPTS
from training import data, decode, preprocess

MAX_PIXEL_DIFFERENCE = 1e-4  # per pixel of the 28x28 inputs: the twins' float32 steps differ only in rounding
PAGE_SCRIPTS = [JS_DIR / name for name in ("decode.js", "pixels.js", "locate.js", "preprocess.js")]
FULL_SIDE = 4096  # a long-side limit above every test picture: decoded at full size, to compare pixels
SCENE_COUNT = 24  # rendered photos of sheets on desks, form cells, ruled paper (build/scenes.py)
REAL_STEP = 4  # every 4th of ../shared/data/real: 40 pictures people published
HARNESS = """<!doctype html><meta charset="utf-8"><title>twins</title>
{scripts}
<script>
  window.harnessReady = tf.setBackend('cpu').then(() => tf.ready());
  window.runPreprocess = async (name, width, height, spec, box) => {{
    const buffer = await (await fetch(name)).arrayBuffer();
    const rgba = {{data: new Uint8ClampedArray(buffer), width, height}};
    const result = snapmathPreprocess.preprocess(rgba, spec, box);
    return {{input: result.input && Array.from(result.input), reason: result.reason,
             digits: result.digits.map((digit) => ({{input: Array.from(digit.input), box: digit.box}}))}};
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
    """Return (URL, directory) of a harness page serving the stock TF.js runtime and the page's decode.js,
    pixels.js, locate.js and preprocess.js."""
    root = tmp_path_factory.mktemp("twins")
    scripts = []
    for path in (*STOCK_TFJS_SCRIPTS, *PAGE_SCRIPTS):
        shutil.copy(path, root / path.name)
        scripts.append(f'<script src="{path.name}"></script>')
    (root / "index.html").write_text(HARNESS.format(scripts="\n".join(scripts)))
    with serve.serving(root, quiet=True) as base_url:
        yield base_url + "index.html", root


@pytest.fixture(scope="module")
def page(browser, harness_url):
    url, _ = harness_url
    browser_context = browser.new_context()
    page = browser_context.new_page()
    page.goto(url)
    page.evaluate("window.harnessReady")
    yield page
    browser_context.close()


@pytest.fixture(scope="module")
def page_limits() -> dict:
    """Return the input limits the build gives the page (from the spec's decode section)."""
    return context.input_limits(preprocess.load_spec(), preprocess.SPEC_PATH)


@pytest.fixture(scope="module")
def unbounded(page_limits) -> dict:
    """Return the page's limits, but decoding the test pictures at full size."""
    return {**page_limits, "maxSide": FULL_SIDE}


def python_unbounded() -> dict:
    """Return training.decode's limits (the spec's), but decoding at full size."""
    return {**preprocess.load_spec()["decode"], "max_decoded_side": FULL_SIDE}


def generated_picture(name: str) -> np.ndarray:
    """Return RGBA uint8 of a picture drawn by tests/pictures.py: one with a digit, or one without."""
    return pictures.digit_picture(name)[1] if name in pictures.DIGIT_PICTURES else pictures.blank_picture(name)


def run_both(
    page, root: Path, name: str, rgba: np.ndarray, box: tuple[int, int, int, int] | None = None
) -> tuple[dict, preprocess.Preprocessed]:
    """Return (the JS twin's answer, the numpy twin's) for the same decoded pixels."""
    (root / f"{name}.rgba").write_bytes(np.ascontiguousarray(rgba).tobytes())
    spec = preprocess.load_spec()
    expected = preprocess.preprocess(rgba, spec, box)
    box_json = None if box is None else dict(zip(("x", "y", "width", "height"), box, strict=True))
    got = page.evaluate(
        "([name, width, height, spec, box]) => runPreprocess(name, width, height, spec, box)",
        [f"{name}.rgba", int(rgba.shape[1]), int(rgba.shape[0]), spec, box_json],
    )
    return got, expected


def disagreement(got: dict, expected: preprocess.Preprocessed) -> str | None:
    """Return how the twins' answers differ, or None when they agree (inputs to MAX_PIXEL_DIFFERENCE)."""
    if got["reason"] != expected.reason:
        return f"reason {got['reason']!r} vs {expected.reason!r}"
    if len(got["digits"]) != len(expected.digits):
        return f"{len(got['digits'])} digits vs {len(expected.digits)}"
    for index, (mine, theirs) in enumerate(zip(got["digits"], expected.digits, strict=True)):
        box = (mine["box"]["x"], mine["box"]["y"], mine["box"]["width"], mine["box"]["height"])
        if box != tuple(theirs.box):
            return f"digit {index}: box {box} vs {tuple(theirs.box)}"
        difference = np.abs(np.asarray(mine["input"], dtype=np.float32).reshape(28, 28) - theirs.input).max()
        if difference > MAX_PIXEL_DIFFERENCE:
            return f"digit {index}: max pixel difference {difference:.2e}"
    return None


@pytest.mark.parametrize("name", sorted(pictures.DIGIT_PICTURES) + sorted(pictures.BLANK_PICTURES))
def test_js_twin_matches_numpy_twin(page, harness_url, name):
    got, expected = run_both(page, harness_url[1], name, generated_picture(name))
    assert disagreement(got, expected) is None
    if expected.input is not None:
        assert got["input"] is not None


def test_twins_agree_on_samples_real_pictures_and_rendered_scenes(page, harness_url, samples_dir, real_dir):
    """The localisation's decisions (marks, lines, groups, boxes) are exact in both twins on real pictures."""
    from build import scenes

    files = (
        sorted(samples_dir.iterdir())
        + sorted(path for path in real_dir.iterdir() if path.suffix != ".tsv")[::REAL_STEP]
    )
    inputs = {f"file_{path.name}": decode.decode_file(path) for path in files}
    for index, scene in enumerate(scenes.render_scenes(SCENE_COUNT, seed=7)):
        path = harness_url[1] / f"scene{index}.{scene.extension}"
        path.write_bytes(scene.data)
        inputs[f"scene_{index}_{scene.kind}"] = decode.decode_file(path)
    found = 0
    problems = []
    for name, rgba in inputs.items():
        got, expected = run_both(page, harness_url[1], name, rgba)
        found += len(expected.digits)
        problem = disagreement(got, expected)
        if problem:
            problems.append(f"{name}: {problem}")
    assert not problems, "\n".join(problems)
    assert found >= len(files)  # the pictures hold digits, and both twins found them


def test_twins_agree_on_varied_real_pictures(page, harness_url, samples_dir, real_dir):
    """The same pictures varied as build.variations does (light from one side, a tight crop, light on dark):
    each puts the localisation's looks and the reading's percentiles where the pictures as they are do not."""
    from build import variations

    files = sorted(samples_dir.iterdir()) + sorted(path for path in real_dir.iterdir() if path.suffix != ".tsv")
    full_size = {**preprocess.load_spec()["decode"], "max_decoded_side": 0}
    problems = []
    for path in files:  # 173 pictures, 519 varied: ~2 min
        upright = variations.flattened(decode.decode_file(path, full_size))
        names = ["light_from_one_side", "cropped_tight", "light_on_dark"]
        for picture in variations.vary(upright, int(path.name[0]), f"{path.parent.name}-{path.stem}", names):
            varied = harness_url[1] / f"{picture.name}.{picture.extension}"
            varied.write_bytes(picture.data)
            got, expected = run_both(page, harness_url[1], varied.stem, decode.decode_file(varied))
            problem = disagreement(got, expected)
            if problem:
                problems.append(f"{varied.name}: {problem}")
    assert not problems, "\n".join(problems)


def test_twins_agree_where_a_band_of_the_desk_was_read(page, harness_url, mnist_dir):
    """Dev scenes where a band of the desk along the sheet's edge was read before locate.is_desk_band."""
    mnist = data.load_mnist(mnist_dir)
    for seed, index in pictures.DESK_BAND_SCENES:
        scene = pictures.dev_scene(mnist.test_images, mnist.test_labels, seed, index)
        path = harness_url[1] / f"dev_scene_{seed}_{index}.{scene.extension}"
        path.write_bytes(scene.data)
        got, expected = run_both(page, harness_url[1], path.stem, decode.decode_file(path))
        assert disagreement(got, expected) is None
        assert len(expected.digits) == 1


def test_twins_read_a_persons_box_alike(page, harness_url):
    rgba = generated_picture(sorted(pictures.DIGIT_PICTURES)[0])
    height, width = rgba.shape[:2]
    box = (width // 8, height // 10, width * 3 // 4, height * 4 // 5)
    got, expected = run_both(page, harness_url[1], "boxed", rgba, box)
    assert disagreement(got, expected) is None
    assert all(digit.box[0] >= box[0] and digit.box[1] >= box[1] for digit in expected.digits)


def decode_in_page(page, content: bytes, type_: str, name: str, limits: dict) -> dict:
    """Return decode.js's answer for the file: {width, height, data (base64 of the first 400 kB)} or {error}."""
    return page.evaluate(
        "([data, type, name, limits]) => runDecode(data, type, name, limits)",
        [base64.b64encode(content).decode(), type_, name, limits],
    )


def fake_png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming the given size, with no image data: a decompression-bomb stand-in."""
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk)) + b"\0" * 64
    )


@pytest.mark.parametrize(
    ("case", "content", "type_", "name", "message"),
    [
        ("empty", b"", "image/png", "empty.png", "This file is empty (0 bytes)."),
        (
            "text named png",
            b"my shopping list\n",
            "image/png",
            "notes.png",
            "This file is not a picture this app can read",
        ),
        ("heic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64, "image/heic", "IMG_0001.HEIC", "HEIC photo"),
        ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf", "scan.pdf", "PDF document"),
        (
            "svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            "image/svg+xml",
            "d.svg",
            "SVG drawings",
        ),
        (
            "40 megapixel bomb",
            fake_png_header(8000, 5000),
            "image/png",
            "bomb.png",
            "This picture is too large (8000×5000 pixels)",
        ),
    ],
)
def test_decode_refuses_bad_files_with_a_sentence(page, page_limits, case, content, type_, name, message):
    # A pixel limit under the 40-megapixel bomb: the page's own (50) would let it through to decoding.
    result = decode_in_page(page, content, type_, name, {**page_limits, "maxPixels": 30_000_000})
    assert message in result.get("error", ""), result


def test_decode_refuses_a_damaged_png(page, page_limits, tmp_path):
    bad = pictures.write_bad_files(tmp_path)["corrupt_png"]
    result = decode_in_page(page, bad.read_bytes(), "image/png", "corrupt.png", page_limits)
    assert result.get("error") == "This picture is damaged or not really a picture, so it cannot be read."


def test_decode_refuses_a_file_over_the_byte_limit(page, page_limits):
    content = png_bytes(pictures.draw_digit((200, 260), "1", (40, 30, 160, 230), (0, 0, 0), 20, (255, 255, 255)))
    result = decode_in_page(page, content, "image/png", "one.png", {**page_limits, "maxFileBytes": 100})
    assert result["error"].startswith("This file is too large (")


def test_decode_gives_pillows_pixels_for_a_png(page, unbounded):
    rgba = pictures.digit_picture("blue_on_brown")[1]
    result = decode_in_page(page, png_bytes(Image.fromarray(rgba)), "image/png", "four.png", unbounded)
    assert (result["width"], result["height"]) == (640, 480)
    got = np.frombuffer(base64.b64decode(result["data"]), np.uint8)
    assert np.array_equal(got, rgba.reshape(-1)[: got.size])


def test_decode_applies_exif_orientation(page, unbounded, tmp_path):
    path = tmp_path / "sideways.jpg"
    pictures.write_exif_rotated_jpeg(path)
    result = decode_in_page(page, path.read_bytes(), "image/jpeg", "sideways.jpg", unbounded)
    assert (result["width"], result["height"]) == (300, 400)  # stored 400x300, shown upright
    got = np.frombuffer(base64.b64decode(result["data"]), np.uint8).astype(np.int16)
    expected = decode.decode_file(path, python_unbounded()).reshape(-1)[: got.size].astype(np.int16)
    assert np.abs(got - expected).mean() < 3  # two JPEG decoders: close, not identical


def test_decode_reads_a_big_jpeg_photo_upright_at_most_the_working_side(page, page_limits, tmp_path):
    # Big JPEGs take the scaled-decoding path (ImageDecoder): it must honour EXIF orientation too.
    path = tmp_path / "phone.jpg"
    pictures.write_big_exif_rotated_jpeg(path)
    result = decode_in_page(page, path.read_bytes(), "image/jpeg", "phone.jpg", page_limits)
    side = page_limits["maxSide"]
    width, height = result["width"], result["height"]
    assert side / 2 < height <= side, (width, height)
    assert abs(width / height - 0.75) < 0.01, (width, height)
    got = np.frombuffer(base64.b64decode(result["data"]), np.uint8)
    rows = got.size // (width * 4)  # the page sends the first 400 kB
    got = got[: rows * width * 4].reshape(rows, width, 4)[:, :, :3].astype(np.int16)
    expected = np.asarray(
        Image.open(path).convert("RGB").rotate(-90, expand=True).resize((width, height), Image.Resampling.BOX)
    )
    expected = expected[:rows].astype(np.int16)
    assert np.abs(got - expected).mean() < 4  # the same upright picture, decoded and scaled a little differently


def test_decode_reads_a_big_upright_jpeg_at_a_quarter_of_its_size(page, page_limits, tmp_path):
    # 4000x3000 decodes at 1/4 straight to 1000x750, within the working side, so its pixels are copied out of
    # the decoded frame (copiedPixels) rather than drawn: opaque, upright, the picture's own.
    path = tmp_path / "upright.jpg"
    pictures.draw_digit((4000, 3000), "7", (1500, 800, 2500, 2200), (20, 20, 30), 90, (235, 230, 220)).save(
        path, "JPEG", quality=90
    )
    result = decode_in_page(page, path.read_bytes(), "image/jpeg", "upright.jpg", page_limits)
    width, height = result["width"], result["height"]
    assert (width, height) == (1000, 750)
    got = np.frombuffer(base64.b64decode(result["data"]), np.uint8)
    rows = got.size // (width * 4)  # the page sends the first 400 kB
    got = got[: rows * width * 4].reshape(rows, width, 4)
    assert (got[:, :, 3] == 255).all()
    expected = np.asarray(Image.open(path).convert("RGB").reduce(4))[:rows].astype(np.int16)
    assert np.abs(got[:, :, :3].astype(np.int16) - expected).mean() < 4


def test_decode_takes_the_first_frame_of_a_gif(page, unbounded, tmp_path):
    path = tmp_path / "two.gif"
    pictures.write_animated_gif(path)
    result = decode_in_page(page, path.read_bytes(), "image/gif", "two.gif", unbounded)
    got = np.frombuffer(base64.b64decode(result["data"]), np.uint8)
    assert np.array_equal(got, decode.decode_file(path, python_unbounded()).reshape(-1)[: got.size])


def test_decode_shrinks_big_pictures_to_the_working_side(page, page_limits):
    big = Image.new("RGB", (3000, 2000), (255, 255, 255))
    result = decode_in_page(page, png_bytes(big), "image/png", "big.png", page_limits)
    side = page_limits["maxSide"]
    assert (result["width"], result["height"]) == (side, round(2000 * side / 3000))
