"""What a person sees in the browser is what Python computes: model, preprocessing, end to end."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from build import parity
from tests import pictures
from tests.browser.page_helpers import new_page, recognize_file
from training import data, exports

MODEL_PARITY_IMAGES = 1_000  # CI; the benchmark compares all 10k
NOT_DIGIT_PARITY_IMAGES = 100  # MNIST digits and as many rendered non-digits
# snapmath.classify on each of a batch of 784-pixel images, in order.
CLASSIFY_ALL = (
    "async (batch) => { const out = []; for (const p of batch) out.push(await snapmath.classify(p)); return out; }"
)


def quantization(built_site) -> str:
    """Return the --quantize the build used (`none`, `float16` or `uint8`), read from its model.json."""
    manifest = json.loads((built_site / "model" / "model.json").read_text())["weightsManifest"]
    dtypes = {weight.get("quantization", {}).get("dtype") for group in manifest for weight in group["weights"]}
    return next((dtype for dtype in dtypes if dtype), "none")


def probability_tolerance(built_site) -> float:
    """Return the build's own bound for the converted model's probabilities (build/parity.py, per quantization);
    the same digit is required on every image besides."""
    return parity.TOLERANCES[quantization(built_site)]


@pytest.fixture(scope="module")
def http_app(browser, site_url):
    page, _ = new_page(browser, site_url + "index.html", {"width": 1280, "height": 900}, axe=False)
    yield page
    page.context.close()


def test_classify_matches_the_savedmodel_on_mnist(http_app, mnist_dir, built_site):
    images = data.load_mnist(mnist_dir).test_images[:MODEL_PARITY_IMAGES]
    expected = exports.load_classifier(exports.newest_model_dir())(data.as_model_input(images))
    pixels = (images.reshape(len(images), -1).astype(np.float32) / 255).round(6).tolist()
    found = np.array(http_app.evaluate(CLASSIFY_ALL, pixels))
    assert found.shape == expected.shape
    assert (found.argmax(axis=1) == expected.argmax(axis=1)).all()
    assert np.abs(found - expected).max() <= probability_tolerance(built_site)


def test_the_page_from_disk_reads_exactly_as_over_http(browser, http_app, mnist_dir, built_site):
    """From disk the weights come base64-encoded in embedded.js, over http as the shards: the same weights, so
    the same probabilities to the last bit."""
    images = data.load_mnist(mnist_dir).test_images[:50]
    pixels = (images.reshape(len(images), -1).astype(np.float32) / 255).round(6).tolist()
    disk_app, _ = new_page(browser, (built_site / "index.html").as_uri(), {"width": 1280, "height": 900}, axe=False)
    from_disk = disk_app.evaluate(CLASSIFY_ALL, pixels)
    disk_app.context.close()
    assert from_disk == http_app.evaluate(CLASSIFY_ALL, pixels)


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


@pytest.fixture(scope="module")
def picture_files(tmp_path_factory, samples_dir):
    """Return the shared samples, the pictures tests/pictures.py draws (lossless PNG) and an EXIF-rotated JPEG."""
    folder = tmp_path_factory.mktemp("pictures")
    paths = sorted(samples_dir.iterdir())
    for name in sorted(pictures.DIGIT_PICTURES) + sorted(pictures.BLANK_PICTURES):
        rgba = pictures.digit_picture(name)[1] if name in pictures.DIGIT_PICTURES else pictures.blank_picture(name)
        paths.append(folder / f"{name}.png")
        Image.fromarray(rgba).save(paths[-1])
    # A phone photo stored sideways: the pixels hold a 7 rotated, EXIF orientation 6 rotates it back.
    paths.append(folder / "exif-rotated.jpg")
    pictures.write_exif_rotated_jpeg(paths[-1])
    return paths


def test_page_and_predict_cli_give_the_same_digit_for_the_same_files(app, picture_files):
    run = subprocess.run(
        [sys.executable, "-m", "training.predict", "--json", *map(str, picture_files)],
        capture_output=True,
        text=True,
        check=True,
    )
    python_digits = {answer["file"]: answer["digit"] for answer in json.loads(run.stdout)}
    for path in picture_files:
        assert recognize_file(app, path)["digit"] == python_digits[str(path)], path.name


def test_every_shared_sample_is_read_correctly_in_the_page(app, samples_dir):
    wrong = {}
    for path in sorted(samples_dir.iterdir()):
        reading = recognize_file(app, path)
        if reading["digit"] != int(path.name[0]):
            wrong[path.name] = reading["digit"]
    assert not wrong, f"misread samples: {wrong}"
