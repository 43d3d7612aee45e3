"""build.parity: the built-in inputs, the comparison, and the TF.js run in Node.js."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from build import convert, node, parity, runtime
from build.errors import BuildError

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_check_inputs_are_fixed_images_in_range() -> None:
    names, images = parity.check_inputs()
    again_names, again = parity.check_inputs()
    assert names == again_names and np.array_equal(images, again)
    assert images.shape == (16, 28, 28, 1) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() <= 1.0
    assert names[:3] == ["blank", "digit 0", "digit 1"] and names[-1] == "noise 4"


def test_compare_accepts_differences_within_the_tolerance() -> None:
    reference = np.full((2, 10), 0.1)
    result = parity.compare(["a", "b"], reference, reference + 5e-5, "none")
    assert (result.inputs, result.same_digit, result.tolerance) == (2, 2, 1e-4)
    assert result.max_difference == pytest.approx(5e-5)


def test_compare_names_the_worst_input_beyond_the_tolerance() -> None:
    reference = np.eye(10)[:3]
    converted = reference.copy()
    converted[1] = np.roll(converted[1], 1)  # input "b" now reads another digit
    with pytest.raises(BuildError) as raised:
        parity.compare(["a", "b", "c"], reference, converted, "float16")
    assert str(raised.value) == (
        "the converted model disagrees with the SavedModel: on the built-in input 'b' a probability differs by 1 "
        "(allowed 0.02 with --quantize float16); same digit on 2 of 3 inputs"
    )


def test_compare_treats_nan_as_disagreement() -> None:
    with pytest.raises(BuildError, match="differs by nan"):
        parity.compare(["a"], np.full((1, 10), 0.1), np.full((1, 10), np.nan), "uint8")


@pytest.fixture(scope="module")
def runtime_scripts(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> list[Path]:
    """The TF.js bundle the build would ship for the fixture model (unquantized) and the page's scripts."""
    directory = tmp_path_factory.mktemp("runtime")
    model_json = convert.convert_saved_model(model_dir, "none").model_json
    page_scripts = {path.name: path.read_bytes() for path in (REPO_ROOT / "site_templates" / "static" / "js").glob("*.js")}
    paths = []
    for file in runtime.gather_runtime(REPO_ROOT / "node_modules", model_json, page_scripts):
        (directory / file.name).write_bytes(file.content)
        paths.append(directory / file.name)
    return paths


def test_unquantized_model_agrees_within_1e_4_in_tfjs(model_dir: Path, runtime_scripts: list[Path], tmp_path: Path) -> None:
    names, images = parity.check_inputs()
    embedded = tmp_path / "embedded.js"
    embedded.write_bytes(convert.convert_saved_model(model_dir, "none").embedded_js())
    reference = parity.reference_probabilities(model_dir, images)
    converted = parity.tfjs_probabilities(embedded, runtime_scripts, images)
    result = parity.compare(names, reference, converted, "none")
    assert result.max_difference <= 1e-4 and result.same_digit == 16
    assert len(set(reference.argmax(axis=1))) > 1  # the inputs exercise more than one answer


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
