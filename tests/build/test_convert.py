"""build.convert: the converted files, the embedded copy's exact format, quantization, determinism."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from build import convert
from build.errors import BuildError

EMBEDDED = re.compile(
    r'^window\.snapmathEmbeddedModel = (\{"modelJson": .*, "weightsBase64": "[A-Za-z0-9+/=]*"\});\n$', re.S
)


@pytest.fixture(scope="module")
def converted(model_dir: Path) -> convert.ConvertedModel:
    return convert.convert_saved_model(model_dir, "none")


def test_files_are_model_json_shards_and_embedded_copy(converted: convert.ConvertedModel) -> None:
    files = converted.files()
    assert sorted(files) == ["model/embedded.js", "model/group1-shard1of1.bin", "model/model.json"]
    model_json = json.loads(files["model/model.json"])
    assert model_json["format"] == "graph-model"
    assert next(iter(model_json["signature"]["outputs"].values()))["tensorShape"]["dim"][1] == {"size": "10"}
    assert converted.size == len(files["model/model.json"]) + len(files["model/group1-shard1of1.bin"])


def test_embedded_js_is_one_statement_with_model_json_and_base64_weights(converted: convert.ConvertedModel) -> None:
    files = converted.files()
    match = EMBEDDED.match(files["model/embedded.js"].decode())
    assert match, "embedded.js does not have the documented form"
    embedded = json.loads(match.group(1))
    assert list(embedded) == ["modelJson", "weightsBase64"]
    assert embedded["modelJson"] == json.loads(files["model/model.json"])
    assert base64.b64decode(embedded["weightsBase64"]) == files["model/group1-shard1of1.bin"]


def test_conversion_is_byte_identical_when_repeated(model_dir: Path, converted: convert.ConvertedModel) -> None:
    # The converter writes protobuf maps in varying order; the build sorts them.
    assert convert.convert_saved_model(model_dir, "none").files() == converted.files()


@pytest.mark.parametrize(("quantize", "bytes_per_weight"), [("float16", 2), ("uint8", 1)])
def test_quantization_shrinks_the_weights(
    model_dir: Path, converted: convert.ConvertedModel, quantize: str, bytes_per_weight: int
) -> None:
    quantized = convert.convert_saved_model(model_dir, quantize)
    float_weights = [w for w in quantized.model_json["weightsManifest"][0]["weights"] if w["dtype"] == "float32"]
    assert float_weights
    assert all(w["quantization"]["dtype"] == quantize for w in float_weights)
    # Integer constants (shapes) stay as they are: the float weights alone shrink by 4/bytes_per_weight.
    assert len(quantized.weights()) < len(converted.weights()) * (bytes_per_weight + 1) / 4


def test_unknown_quantization_is_refused(model_dir: Path) -> None:
    with pytest.raises(BuildError, match=r"^unknown quantization 'int4'; choose one of none, float16, uint8$"):
        convert.convert_saved_model(model_dir, "int4")


@pytest.mark.slow  # the converter imports TensorFlow
def test_directory_that_is_not_a_saved_model_fails_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as raised:
        convert.convert_saved_model(tmp_path, "none")
    assert str(raised.value).startswith(f"converting {tmp_path} to TF.js failed: OSError: ")
