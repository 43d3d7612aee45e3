"""What a person sees in the browser is what Python computes: model, preprocessing, end to end."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw

from training import data, decode, exports, preprocess

MODEL_PARITY_IMAGES = 1_000  # CI; the benchmark compares all 10k
NOT_DIGIT_PARITY_IMAGES = 100  # MNIST digits and as many rendered non-digits
PIXEL_TOLERANCE = 1e-4


def quantization(built_site) -> str | None:
    """Return the weight dtype the build quantized to, or None for float32 weights."""
    manifest = json.loads((built_site / "model" / "model.json").read_text())["weightsManifest"]
    dtypes = {weight.get("quantization", {}).get("dtype") for group in manifest for weight in group["weights"]}
    return next((dtype for dtype in dtypes if dtype), None)


def probability_tolerance(built_site) -> float:
    """Float32 weights: 1e-4. float16 weights keep 11 significant bits (relative error <= 4.9e-4 per
    weight), which moves a confident probability by a few 1e-3: measured up to 4.4e-3 over the 10k
    MNIST test images (model 1795596409) and 3.8e-3 over the first 1,000 (model 1795602782), so the
    bound is 1e-2, with the same digit required on every image."""
    return {None: 1e-4, "float16": 1e-2}[quantization(built_site)]


@pytest.fixture(scope="module")
def http_app(browser, site_url):
    from tests.browser.conftest import open_app

    page, _ = open_app(browser, site_url + "index.html")
    yield page
    page.context.close()


def test_classify_matches_the_savedmodel_on_mnist(http_app, mnist_dir, built_site):
    images = data.load_mnist(mnist_dir).test_images[:MODEL_PARITY_IMAGES]
    expected = exports.load_classifier(exports.newest_model_dir())(data.as_model_input(images))
    pixels = (images.reshape(len(images), -1).astype(np.float32) / 255).round(6).tolist()
    found = np.array(
        http_app.evaluate(
            "async (batch) => { const out = []; "
            "for (const p of batch) out.push(await snapmath.classify(p)); return out; }",
            pixels,
        )
    )
    assert found.shape == expected.shape
    assert (found.argmax(axis=1) == expected.argmax(axis=1)).all()
    assert np.abs(found - expected).max() <= probability_tolerance(built_site)


def test_read_gives_the_savedmodels_not_digit_too(http_app, mnist_dir, built_site):
    """snapmathModel.read() on the converted model: digit probabilities and not_digit as the SavedModel has them,
    on MNIST digits and on non-digits in the benchmark's fonts (so both kinds of answer are exercised)."""
    from training import negatives

    digits = data.load_mnist(mnist_dir).test_images[:NOT_DIGIT_PARITY_IMAGES]
    others, _ = negatives.render_negatives(NOT_DIGIT_PARITY_IMAGES, seed=11, split="benchmark")
    images = np.concatenate([digits, others])
    probabilities, not_digit = exports.load_reader(exports.newest_model_dir())(data.as_model_input(images))
    pixels = (images.reshape(len(images), -1).astype(np.float32) / 255).round(6).tolist()
    found = http_app.evaluate(
        """async (batch) => {
            await snapmath.ready;
            const model = await tf.loadGraphModel("model/model.json");
            const out = snapmathModel.read(model, batch);
            model.dispose();
            return out;
        }""",
        pixels,
    )
    found_probabilities = np.array([reading["probabilities"] for reading in found])
    found_not_digit = np.array([reading["notDigit"] for reading in found])
    tolerance = probability_tolerance(built_site)
    assert found_probabilities.shape == probabilities.shape
    assert (found_probabilities.argmax(axis=1) == probabilities.argmax(axis=1)).all()
    assert np.abs(found_probabilities - probabilities).max() <= tolerance
    assert np.abs(found_not_digit - not_digit).max() <= tolerance
    assert not_digit[:NOT_DIGIT_PARITY_IMAGES].mean() < not_digit[NOT_DIGIT_PARITY_IMAGES:].mean()


def generated_pictures() -> dict[str, Image.Image]:
    """Return pictures of the kinds people upload, drawn here (lossless, so pixels compare exactly)."""
    pictures = {}
    seven = [(0.25, 0.2), (0.75, 0.2), (0.42, 0.85)]

    def canvas(size, colour, mode="RGB"):
        return Image.new(mode, size, colour)

    def stroke(image, points, fill, width):
        w, h = image.size
        ImageDraw.Draw(image).line([(x * w, y * h) for x, y in points], fill=fill, width=width, joint="curve")
        return image

    pictures["transparent.png"] = stroke(canvas((200, 200), (0, 0, 0, 0), "RGBA"), seven, (20, 20, 160, 255), 14)
    pictures["light-on-dark.png"] = stroke(
        canvas((240, 180), (25, 30, 35)), [(0.5, 0.1), (0.5, 0.9)], (240, 240, 230), 16
    )
    pictures["coloured-ink-on-paper.png"] = stroke(canvas((300, 300), (214, 196, 160)), seven, (200, 30, 40), 18)
    pictures["thin-strokes-3000x2000.png"] = stroke(
        canvas((3000, 2000), (250, 250, 245)), [(0.45, 0.3), (0.55, 0.3), (0.48, 0.7)], (10, 10, 10), 6
    )
    corner = canvas((400, 400), (255, 255, 255))
    ImageDraw.Draw(corner).ellipse([20, 20, 90, 120], outline=(0, 0, 0), width=10)
    pictures["digit-in-a-corner.png"] = corner
    pictures["tiny-8x8.png"] = stroke(canvas((8, 8), (255, 255, 255)), [(0.5, 0.1), (0.5, 0.9)], (0, 0, 0), 2)
    return pictures


def encoded(image: Image.Image, kind: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def picture_files(tmp_path_factory, samples_dir):
    """Return every picture both twins read: the shared samples, generated ones, an EXIF-rotated JPEG."""
    folder = tmp_path_factory.mktemp("pictures")
    paths = sorted(samples_dir.iterdir())
    for name, image in generated_pictures().items():
        paths.append(folder / name)
        paths[-1].write_bytes(encoded(image, "PNG"))
    # A phone photo stored sideways: the pixels hold a 7 rotated, EXIF orientation 6 rotates it back.
    upright = generated_pictures()["coloured-ink-on-paper.png"]
    exif = Image.Exif()
    exif[0x0112] = 6
    paths.append(folder / "exif-rotated.jpg")
    paths[-1].write_bytes(encoded(upright.rotate(90, expand=True), "JPEG", quality=92, exif=exif))
    return paths


def test_preprocessing_twins_agree_on_the_same_decoded_pixels(app, picture_files):
    spec = preprocess.load_spec()
    for path in picture_files:
        rgba = decode.decode_file(path, spec["decode"])
        expected = preprocess.preprocess(rgba, spec)
        found = app.evaluate(
            """async ([width, height, pixels]) => {
                const bytes = Uint8ClampedArray.from(atob(pixels), (c) => c.charCodeAt(0));
                return snapmath.recognize(new ImageData(bytes, width, height));
            }""",
            [rgba.shape[1], rgba.shape[0], base64.b64encode(rgba.tobytes()).decode()],
        )
        if expected.input is None:
            assert found["digit"] is None, path.name
            continue
        difference = np.abs(np.array(found["input"]).reshape(28, 28) - expected.input).max()
        assert difference <= PIXEL_TOLERANCE, f"{path.name}: max pixel difference {difference}"


def test_page_and_predict_cli_give_the_same_digit_for_the_same_files(app, picture_files):
    run = subprocess.run(
        [sys.executable, "-m", "training.predict", "--json", *map(str, picture_files)],
        capture_output=True,
        text=True,
        check=True,
    )
    python_digits = {answer["file"]: answer["digit"] for answer in json.loads(run.stdout)}
    for path in picture_files:
        reading = app.evaluate(
            "async ([bytes, name]) => "
            "snapmath.recognize(new File([Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))], name))",
            [base64.b64encode(path.read_bytes()).decode(), path.name],
        )
        assert reading["digit"] == python_digits[str(path)], path.name


def test_every_shared_sample_is_read_correctly_in_the_page(app, samples_dir):
    wrong = {}
    for path in sorted(samples_dir.iterdir()):
        reading = app.evaluate(
            "async ([bytes, name]) => "
            "snapmath.recognize(new File([Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))], name))",
            [base64.b64encode(path.read_bytes()).decode(), path.name],
        )
        if reading["digit"] != int(path.name[0]):
            wrong[path.name] = reading["digit"]
    assert not wrong, f"misread samples: {wrong}"
