"""build.bundle: TF.js cut to the model's ops and the page's tf calls, deterministic, loud about ops it cannot run."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest

from build import bundle
from build.errors import BuildError
from tests import slow
from tests.paths import JS_DIR, NODE_MODULES

PAGE_SCRIPTS = {path.name: path.read_bytes() for path in sorted(JS_DIR.glob("*.js"))}


def graph(*ops: str) -> dict:
    """Return a model.json whose graph has one node per op (the converter's format, no weights)."""
    nodes = [{"name": f"node_{index}_{op}", "op": op} for index, op in enumerate(ops)]
    return {"format": "graph-model", "modelTopology": {"node": nodes, "library": {}}, "weightsManifest": []}


# The ops of the shipped CNN as the converter writes them (conv + batch norm fused, dense + bias fused).
CNN = graph(
    "Placeholder",
    "Const",
    "_FusedConv2D",
    "MaxPool",
    "Relu",
    "Shape",
    "StridedSlice",
    "Pack",
    "Reshape",
    "_FusedMatMul",
    "Softmax",
    "Identity",
)


@slow.fixture(scope="module")
def cnn_bundle() -> bundle.Bundle:
    return bundle.build_bundle(CNN, PAGE_SCRIPTS, NODE_MODULES)


def test_kernels_follow_the_model_ops(cnn_bundle: bundle.Bundle) -> None:
    assert {"FusedConv2D", "MaxPool", "_FusedMatMul", "Softmax", "Reshape", "StridedSlice", "Pack"} <= set(
        cnn_bundle.kernels
    )
    assert not {"AvgPool", "Conv3D", "ResizeBilinear", "TopK", "Einsum"} & set(cnn_bundle.kernels)
    # The fused conv2d imports the backward convolutions only for its gradient, which the page never computes.
    assert not {"Conv2DBackpropInput", "Conv2DBackpropFilter"} & set(cnn_bundle.kernels)
    assert cnn_bundle.graph_ops == tuple(sorted(op for op in {node["op"] for node in CNN["modelTopology"]["node"]}))


@pytest.mark.slow  # bundles TF.js with esbuild
def test_a_new_model_op_brings_its_kernel() -> None:
    with_pooling = bundle.build_bundle(graph("Placeholder", "AvgPool", "Identity"), {}, NODE_MODULES)
    assert "AvgPool" in with_pooling.kernels
    assert "FusedConv2D" not in with_pooling.kernels


@pytest.mark.slow  # bundles TF.js with esbuild
def test_a_transposed_convolution_keeps_the_backward_convolution() -> None:
    transposed = bundle.build_bundle(graph("Placeholder", "Conv2DBackpropInput", "Identity"), {}, NODE_MODULES)
    assert "Conv2DBackpropInput" in transposed.kernels


@pytest.mark.slow  # bundles TF.js with esbuild
def test_kernels_follow_the_page_tf_calls_but_not_comments() -> None:
    model = graph("Placeholder", "Identity")
    called = bundle.build_bundle(
        model, {"a.js": b"const x = (tf) => tf.tidy(() => tf.cumsum(tf.tensor1d([1, 2])));"}, NODE_MODULES
    )
    commented = bundle.build_bundle(model, {"a.js": b"// tf.cumsum would add a kernel\nconst y = 1;"}, NODE_MODULES)
    assert "Cumsum" in called.kernels
    assert {"cumsum", "tidy", "tensor1d"} <= set(called.api)
    assert "Cumsum" not in commented.kernels
    assert "cumsum" not in commented.api


def test_page_api_is_what_the_scripts_call_plus_the_engine_probes(cnn_bundle: bundle.Bundle) -> None:
    # model.js calls these; the tests and the benchmark read memory() and the backend.
    assert {"tidy", "tensor", "zeros", "loadGraphModel", "io.fromMemory", "memory", "getBackend"} <= set(cnn_bundle.api)
    assert not {"browser.fromPixels", "image.resizeBilinear", "train"} & set(cnn_bundle.api)
    # preprocess.js runs in plain loops, no tf ops (README, "A long-lived page").
    assert not {"tensor2d", "clipByValue", "pad"} & set(cnn_bundle.api)


def test_the_bundle_defines_exactly_that_api_as_a_classic_script(cnn_bundle: bundle.Bundle, tmp_path: Path) -> None:
    script = tmp_path / "tf.js"
    script.write_bytes(cnn_bundle.code)
    namespaces = sorted({name.split(".")[0] for name in cnn_bundle.api if "." in name})  # io, backend_util
    probe = (
        "const vm = require('vm'); const fs = require('fs');"
        "const sandbox = {console, setTimeout, clearTimeout, TextEncoder, TextDecoder, performance, document: {}};"
        "sandbox.window = sandbox; sandbox.self = sandbox; vm.createContext(sandbox);"
        f"vm.runInContext(fs.readFileSync({str(script)!r}, 'utf8'), sandbox);"
        f"const members = {json.dumps(namespaces)}.flatMap((n) => Object.keys(sandbox.tf[n]).map((k) => n + '.' + k));"
        "console.log(JSON.stringify(Object.keys(sandbox.tf).concat(members)));"
    )
    names = json.loads(subprocess.run(["node", "-e", probe], capture_output=True, text=True, check=True).stdout)
    assert sorted(names) == sorted(cnn_bundle.api)
    assert cnn_bundle.code.startswith(b"/*! TensorFlow.js")
    assert b"import " not in cnn_bundle.code[:200]


def test_two_builds_are_byte_identical(cnn_bundle: bundle.Bundle) -> None:
    assert bundle.build_bundle(copy.deepcopy(CNN), dict(PAGE_SCRIPTS), NODE_MODULES).code == cnn_bundle.code


def test_licence_comments_are_kept_and_packages_listed(cnn_bundle: bundle.Bundle) -> None:
    assert b"@license" in cnn_bundle.code
    assert b"Apache License, Version 2.0" in cnn_bundle.code
    assert set(cnn_bundle.packages) >= {
        "@tensorflow/tfjs-core",
        "@tensorflow/tfjs-backend-cpu",
        "@tensorflow/tfjs-converter",
    }
    assert "@tensorflow/tfjs-core/dist/engine.js" in cnn_bundle.inputs


def test_much_smaller_than_the_stock_runtime(cnn_bundle: bundle.Bundle) -> None:
    stock = sum(
        (NODE_MODULES / package / "dist" / name).stat().st_size
        for package, name in (
            ("@tensorflow/tfjs-core", "tf-core.es2017.min.js"),
            ("@tensorflow/tfjs-backend-cpu", "tf-backend-cpu.es2017.min.js"),
            ("@tensorflow/tfjs-converter", "tf-converter.es2017.min.js"),
        )
    )
    assert len(cnn_bundle.code) < 0.5 * stock


def test_a_model_op_tfjs_cannot_run_fails_naming_the_op() -> None:
    doctored = copy.deepcopy(CNN)
    doctored["modelTopology"]["node"][4]["op"] = "MaxPoolWithArgmaxV9"
    with pytest.raises(BuildError) as raised:
        bundle.build_bundle(doctored, PAGE_SCRIPTS, NODE_MODULES)
    assert str(raised.value) == (
        "the page's TF.js could not be bundled: model.json uses the op MaxPoolWithArgmaxV9 (node node_4_Relu), "
        "which TF.js 4.22.0 cannot run"
    )


def test_an_op_inside_a_graph_function_counts() -> None:
    model = graph("Placeholder", "Identity")
    model["modelTopology"]["library"] = {"function": [{"nodeDef": [{"name": "loop/body", "op": "NoSuchOp"}]}]}
    with pytest.raises(BuildError, match=r"uses the op NoSuchOp \(node loop/body\)"):
        bundle.build_bundle(model, {}, NODE_MODULES)


def test_a_page_call_tfjs_does_not_have_fails_naming_it() -> None:
    with pytest.raises(BuildError, match=r"the page calls tf\.notAnOp, which TF\.js 4\.22\.0 does not have$"):
        bundle.build_bundle(graph("Placeholder", "Identity"), {"a.js": b"tf.notAnOp(1);"}, NODE_MODULES)


def test_model_without_nodes_is_refused() -> None:
    with pytest.raises(BuildError, match="no graph nodes"):
        bundle.model_ops({"modelTopology": {"node": []}})


def test_missing_esbuild_says_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"esbuild missing from .*: run `npm ci`"):
        bundle.build_bundle(CNN, {}, tmp_path / "node_modules")
