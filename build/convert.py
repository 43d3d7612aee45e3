"""SavedModel -> TF.js graph model (model.json + weight shards) and its embedded copy for file://."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import tempfile
from pathlib import Path

from build.errors import BuildError

SIGNATURE = "serving_default"
# None keeps float32 weights; the others map every weight to that dtype (TF.js dequantizes on load).
QUANTIZATION_MAPS: dict[str, dict[str, bool] | None] = {
    "none": None,
    "float16": {"float16": True},
    "uint8": {"uint8": True},
}
MODEL_DIR = "model"  # in dist/
EMBEDDED_NAME = "embedded.js"
EMBEDDED_GLOBAL = "window.snapmathEmbeddedModel"


@dataclasses.dataclass(frozen=True)
class ConvertedModel:
    """A TF.js graph model in memory: `model.json` (normalised) and its shards, in manifest order."""

    model_json: dict
    shards: dict[str, bytes]

    def files(self) -> dict[str, bytes]:
        """Return {path in dist/: bytes} for model.json, the shards and embedded.js."""
        files = {f"{MODEL_DIR}/model.json": _json_bytes(self.model_json)}
        files.update({f"{MODEL_DIR}/{name}": content for name, content in self.shards.items()})
        files[f"{MODEL_DIR}/{EMBEDDED_NAME}"] = self.embedded_js()
        return files

    def weights(self) -> bytes:
        """Return all shards concatenated, in the order the manifest lists them."""
        return b"".join(self.shards[path] for group in self.model_json["weightsManifest"] for path in group["paths"])

    def embedded_js(self) -> bytes:
        """Return `embedded.js`: one statement defining the model for pages opened from disk."""
        # Built from the same JSON and bytes as model.json + shards, so both ways load one model.
        model_json = json.dumps(self.model_json, sort_keys=True, separators=(",", ":"))
        weights = base64.b64encode(self.weights()).decode("ascii")
        return f'{EMBEDDED_GLOBAL} = {{"modelJson": {model_json}, "weightsBase64": "{weights}"}};\n'.encode()

    @property
    def size(self) -> int:
        """Bytes fetched over http(s): model.json plus the shards."""
        return len(_json_bytes(self.model_json)) + sum(len(content) for content in self.shards.values())


def convert_saved_model(model_dir: Path, quantize: str) -> ConvertedModel:
    """Return the TF.js graph model converted from the SavedModel in `model_dir`."""
    if quantize not in QUANTIZATION_MAPS:
        raise BuildError(f"unknown quantization {quantize!r}; choose one of {', '.join(QUANTIZATION_MAPS)}")
    # The converter imports tensorflow_decision_forests, which prints an advert, and when stdout is
    # not a terminal or file (pytest's capture, a notebook) imports IPython, which is not installed.
    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")
    from tensorflowjs.converters import tf_saved_model_conversion_v2

    with tempfile.TemporaryDirectory(prefix="snapmath-convert-") as scratch:
        try:
            tf_saved_model_conversion_v2.convert_tf_saved_model(
                str(model_dir),
                scratch,
                signature_def=SIGNATURE,
                quantization_dtype_map=QUANTIZATION_MAPS[quantize],
            )
        except Exception as error:  # the converter raises anything from ValueError to TF's own errors
            raise BuildError(
                f"converting {model_dir} to TF.js failed: {type(error).__name__}: {_one_line(str(error))}"
            ) from error
        return read_converted(Path(scratch), model_dir)


def read_converted(directory: Path, model_dir: Path) -> ConvertedModel:
    """Return the converted model in `directory` (the converter's output, or a cached copy), checked complete."""
    model_json_path = directory / "model.json"
    if not model_json_path.is_file():
        raise BuildError(f"converting {model_dir} to TF.js produced no model.json")
    model_json = json.loads(model_json_path.read_text())
    shards = {}
    for group in model_json.get("weightsManifest", []):
        for name in group["paths"]:
            if not (directory / name).is_file():
                raise BuildError(f"converting {model_dir} to TF.js produced no weight shard {name}")
            shards[name] = (directory / name).read_bytes()
    if not shards:
        raise BuildError(f"converting {model_dir} to TF.js produced no weights")
    return ConvertedModel(model_json=model_json, shards=shards)


def _json_bytes(value: object) -> bytes:
    """Return `value` as compact JSON with sorted keys.

    The converter writes protobuf maps (node attributes) in varying order; sorting makes two builds
    byte-identical, and lists (graph nodes, the weights manifest) keep their meaningful order.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _one_line(message: str, limit: int = 300) -> str:
    """Return `message` on one line (the converter lists unsupported ops on the lines after the first)."""
    text = ": ".join(line.strip() for line in message.strip().splitlines() if line.strip())
    return text if len(text) <= limit else text[: limit - 3] + "..."
