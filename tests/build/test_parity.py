"""build.parity: the built-in inputs, the comparison, and the TF.js run in Node.js."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from build import convert, node, parity, runtime
from build.errors import BuildError
from tests import slow
from tests.paths import JS_DIR, NODE_MODULES


def test_check_inputs_are_fixed_images_in_range() -> None:
    names, images = parity.check_inputs()
    again_names, again = parity.check_inputs()
    assert names == again_names
    assert np.array_equal(images, again)
    assert images.shape == (16, 28, 28, 1)
    assert images.dtype == np.float32
    assert images.min() == 0.0
    assert images.max() <= 1.0
    assert names[:3] == ["blank", "digit 0", "digit 1"]
    assert names[-1] == "noise 4"


def test_compare_accepts_differences_within_the_tolerance() -> None:
    reference = np.full((2, 11), 0.1)
    result = parity.compare(["a", "b"], reference, reference + 5e-5, "none")
    assert (result.inputs, result.same_digit, result.tolerance) == (2, 2, 1e-4)
    assert result.max_difference == pytest.approx(5e-5)


def test_compare_names_the_worst_input_beyond_the_tolerance() -> None:
    reference = np.eye(11)[:3]
    converted = reference.copy()
    converted[1] = np.roll(converted[1], 1)  # input "b" now reads another digit
    with pytest.raises(BuildError) as raised:
        parity.compare(["a", "b", "c"], reference, converted, "float16")
    assert str(raised.value) == (
        "the converted model disagrees with the SavedModel: on the built-in input 'b' a probability differs by 1 "
        "(allowed 0.02 with --quantize float16; output probability of 1); same digit on 2 of 3 inputs"
    )


def test_compare_covers_the_not_digit_output() -> None:
    reference = np.concatenate([np.eye(10)[:2], np.array([[0.1], [0.2]])], axis=1)
    converted = reference.copy()
    converted[0, 10] = 0.4  # same digits, but the refusal output moved
    with pytest.raises(
        BuildError, match=r"input 'a' a probability differs by 0\.3 .*output not_digit\); same digit on 2 of 2"
    ):
        parity.compare(["a", "b"], reference, converted, "none")


def test_compare_treats_nan_as_disagreement() -> None:
    with pytest.raises(BuildError, match="differs by nan"):
        parity.compare(["a"], np.full((1, 11), 0.1), np.full((1, 11), np.nan), "uint8")


def tiny_model():
    """Return a tiny untrained model whose outputs differ from input to input."""
    import keras

    from training import model

    keras.utils.set_random_seed(3)
    trained = model.build_model((4, 4, 8))
    logits = trained.get_layer(model.LOGITS_NAME)
    kernel, bias = logits.get_weights()
    logits.set_weights([kernel * 20, np.linspace(-1, 1, len(bias)).astype(np.float32)])  # spread the outputs
    return trained


@slow.fixture(scope="module")
def reader_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model exported as training.train exported models before the uint8 grid: output_0 and not_digit."""
    from training import model, train

    return train.export(model.serving_model(tiny_model(), "softmax", 1.5), {}, tmp_path_factory.mktemp("models"))


@slow.fixture(scope="module")
def snapped_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model exported as training.train exports the shipped one: folded and snapped to the uint8 grid."""
    from training import model, quantize, train

    snapped = quantize.snapped_model(tiny_model())
    return train.export(model.serving_model(snapped, "softmax", 1.5), {}, tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def runtime_scripts(tmp_path_factory: pytest.TempPathFactory, reader_dir: Path) -> list[Path]:
    """The TF.js bundle the build would ship for the two-output model (unquantized) and the page's scripts,
    then the page's convolution kernel, as the build runs them; its kernels also cover the single-output model."""
    directory = tmp_path_factory.mktemp("runtime")
    model_json = convert.convert_saved_model(reader_dir, "none").model_json
    page_scripts = {path.name: path.read_bytes() for path in JS_DIR.glob("*.js")}
    paths = []
    for file in runtime.gather_runtime(NODE_MODULES, model_json, page_scripts):
        (directory / file.name).write_bytes(file.content)
        paths.append(directory / file.name)
    return [*paths, JS_DIR / "conv2d.js"]


def read_in_both(
    model: Path, runtime_scripts: list[Path], tmp_path: Path, quantize: str = "none"
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return (names, SavedModel probabilities, TF.js probabilities) of the check inputs for the model converted
    with `quantize`."""
    names, images = parity.check_inputs()
    embedded = tmp_path / "embedded.js"
    embedded.write_bytes(convert.convert_saved_model(model, quantize).embedded_js())
    reference = parity.reference_probabilities(model, images)
    return names, reference, parity.tfjs_probabilities(embedded, runtime_scripts, images)


def test_old_single_output_model_reads_as_never_refusing(
    model_dir: Path, runtime_scripts: list[Path], tmp_path: Path
) -> None:
    names, reference, converted = read_in_both(model_dir, runtime_scripts, tmp_path)
    assert (reference[:, 10] == 0).all()
    assert (converted[:, 10] == 0).all()
    assert parity.compare(names, reference, converted, "none").same_digit == 16


def test_unquantized_model_agrees_within_1e_4_in_tfjs(
    reader_dir: Path, runtime_scripts: list[Path], tmp_path: Path
) -> None:
    names, reference, converted = read_in_both(reader_dir, runtime_scripts, tmp_path)
    assert reference.shape == converted.shape == (16, 11)  # 10 digit probabilities and not_digit
    result = parity.compare(names, reference, converted, "none")
    assert result.max_difference <= 1e-4
    assert result.same_digit == 16
    assert len(set(reference[:, :10].argmax(axis=1))) > 1  # the inputs exercise more than one answer
    assert np.ptp(reference[:, 10]) > 0.01  # ... and more than one value of not_digit


def test_a_model_on_the_uint8_grid_reads_the_same_from_uint8_weights(
    reader_dir: Path, snapped_dir: Path, runtime_scripts: list[Path], tmp_path: Path
) -> None:
    names, reference, converted = read_in_both(snapped_dir, runtime_scripts, tmp_path, "uint8")
    assert parity.compare(names, reference, converted, "uint8", "uint8").tolerance == 1e-4  # float32's
    _, reference, converted = read_in_both(reader_dir, runtime_scripts, tmp_path, "uint8")
    assert np.abs(reference - converted).max() > 1e-3  # off the grid, the converter's rounding shows
    with pytest.raises(BuildError, match=r"allowed 0\.0001 with --quantize uint8 of a model on the uint8 grid"):
        parity.compare(names, reference, converted, "uint8", "uint8")


def test_the_check_runs_the_pages_convolution_kernel(
    reader_dir: Path, runtime_scripts: list[Path], tmp_path: Path
) -> None:
    # A conv2d.js whose convolutions answer zeros (same-padded, stride 1): the check must see what it computes.
    zeros = tmp_path / "conv2d.js"
    zeros.write_text(
        "window.snapmathConv2d = {install(tf) { for (const name of ['Conv2D', 'FusedConv2D']) {"
        " if (!tf.getKernel(name, 'cpu')) continue; tf.unregisterKernel(name, 'cpu');"
        " tf.registerKernel({kernelName: name, backendName: 'cpu', kernelFunc: ({inputs, backend}) => {"
        " const shape = [...inputs.x.shape.slice(0, 3), inputs.filter.shape[3]];"
        " return backend.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((a, b) => a * b)));"
        " }}); } }};\n"
    )
    names, reference, converted = read_in_both(reader_dir, [*runtime_scripts[:-1], zeros], tmp_path)
    assert np.ptp(converted[:, :10], axis=0).max() < 1e-6  # every input reads alike: the convolutions gave zeros
    with pytest.raises(BuildError, match="the converted model disagrees with the SavedModel"):
        parity.compare(names, reference, converted, "none")


def test_embedded_file_that_does_not_load_is_one_line(runtime_scripts: list[Path], tmp_path: Path) -> None:
    embedded = tmp_path / "embedded.js"
    embedded.write_text("window.snapmathEmbeddedModel = {")
    with pytest.raises(BuildError) as raised:
        parity.tfjs_probabilities(embedded, runtime_scripts, np.zeros((1, 28, 28, 1), np.float32))
    message = str(raised.value)
    assert message.startswith(f"the converted model does not run in TF.js ({embedded}): {embedded}: Unexpected end")
    assert "\n" not in message


def test_missing_node_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(node.shutil, "which", lambda name: None)
    with pytest.raises(BuildError, match=r"^Node\.js \(`node`\) not found: .*install Node\.js"):
        parity.tfjs_probabilities(tmp_path / "embedded.js", [], np.zeros((1, 28, 28, 1), np.float32))
