"""The shipped SavedModel is what TensorFlow Serving's REST API needs (no server: the signature is read directly).

TF Serving loads `<base>/<integer version>/saved_model.pb` with the tag "serve" and answers
`POST /v1/models/<name>:predict` with the `serving_default` signature. A request in the row format,
`{"instances": [28x28x1 nested lists, ...]}`, feeds the signature's one input; the answer is
`{"predictions": [...]}`: per instance the 10 digit probabilities when the signature has one
output, or an object keyed by output name (the digits' and `not_digit`) when it has several.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from tests import slow
from training import exports

SIGNATURE = "serving_default"
PREDICT_METHOD = "tensorflow/serving/predict"
NOT_DIGIT = "not_digit"


@pytest.fixture(scope="module")
def shipped() -> Path:
    """The newest exported model: the one README's `docker run` serves."""
    return exports.newest_model_dir()


@slow.fixture(scope="module")
def signature_def(shipped: Path):
    """The serving_default SignatureDef as stored in saved_model.pb (what TF Serving reads)."""
    from tensorflow.core.protobuf import saved_model_pb2

    saved = saved_model_pb2.SavedModel()
    saved.ParseFromString((shipped / "saved_model.pb").read_bytes())
    serving_graphs = [graph for graph in saved.meta_graphs if "serve" in graph.meta_info_def.tags]
    assert len(serving_graphs) == 1, "TF Serving loads the one MetaGraph tagged 'serve'"
    assert SIGNATURE in serving_graphs[0].signature_def, f"no {SIGNATURE} signature"
    return serving_graphs[0].signature_def[SIGNATURE]


@slow.fixture(scope="module")
def serving(shipped: Path):
    """The loaded serving_default function."""
    import tensorflow as tf

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    loaded = tf.saved_model.load(str(shipped))
    return loaded, loaded.signatures[SIGNATURE]


def dims(tensor_info) -> list[int]:
    """Return a TensorInfo's shape, -1 for an unknown (batch) dimension."""
    return [dim.size for dim in tensor_info.tensor_shape.dim]


def test_model_sits_in_an_integer_version_directory(shipped: Path) -> None:
    # TF Serving's file system source only picks up versions whose directory name is an integer.
    assert shipped.name.isdigit()
    assert (shipped / "variables" / "variables.index").is_file()


def test_signature_is_a_predict_signature(signature_def) -> None:
    assert signature_def.method_name == PREDICT_METHOD


def test_one_float32_image_input_with_a_batch_dimension(signature_def) -> None:
    from tensorflow.core.framework import types_pb2

    assert len(signature_def.inputs) == 1, "the row format ({'instances': [...]}) feeds one unnamed input"
    ((name, tensor_info),) = signature_def.inputs.items()
    assert name == "image"
    assert tensor_info.dtype == types_pb2.DT_FLOAT
    assert dims(tensor_info) == [-1, 28, 28, 1]


def test_outputs_are_the_digit_probabilities_and_maybe_not_digit(signature_def) -> None:
    from tensorflow.core.framework import types_pb2

    outputs = dict(signature_def.outputs)
    digit_outputs = [name for name, info in outputs.items() if dims(info) == [-1, 10]]
    assert len(digit_outputs) == 1, (
        f"one [None,10] digit output expected, got {[(n, dims(i)) for n, i in outputs.items()]}"
    )
    expected = {digit_outputs[0]} | ({NOT_DIGIT} if NOT_DIGIT in outputs else set())
    assert set(outputs) == expected
    if NOT_DIGIT in outputs:
        assert dims(outputs[NOT_DIGIT]) == [-1, 1]
    for info in outputs.values():
        assert info.dtype == types_pb2.DT_FLOAT
        # The row format needs every output batched along the first dimension, like the input.
        assert dims(info)[0] == -1


def test_readme_request_body_feeds_the_signature(serving) -> None:
    """A request as README's curl sends it, decoded as TF Serving does (row format), gives probabilities."""
    import tensorflow as tf

    _, function = serving
    image = np.zeros((28, 28, 1), np.float32)
    image[6:22, 13:15, 0] = 1.0  # a vertical stroke: a 1
    body = json.dumps({"signature_name": SIGNATURE, "instances": [image.tolist()]})
    instances = np.asarray(json.loads(body)["instances"], np.float32)
    assert instances.shape == (1, 28, 28, 1)
    (input_name,) = function.structured_input_signature[1]
    outputs = {name: value.numpy() for name, value in function(**{input_name: tf.constant(instances)}).items()}
    digits = next(value for value in outputs.values() if value.shape == (1, 10))
    assert digits.sum() == pytest.approx(1.0, abs=1e-4)
    assert int(digits.argmax()) == 1
    if NOT_DIGIT in outputs:
        assert 0.0 <= float(outputs[NOT_DIGIT][0, 0]) <= 1.0
