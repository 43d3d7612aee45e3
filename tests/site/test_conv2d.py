"""The page's convolution kernels (site_templates/static/js/conv2d.js), run under node: their sums against numpy's,
and installed in front of TF.js's stock CPU kernels, which they must agree with."""

from __future__ import annotations

import numpy as np
import pytest

from tests import node_scripts
from tests.paths import JS_DIR, NODE_MODULES

CONV2D_JS = JS_DIR / "conv2d.js"

# conv2d(x, filter, bias, conv, relu) on plain arrays; the output back as a list.
RUN_CONV2D = """(r) => Array.from(globalThis.snapmathConv2d.conv2d(
  Float32Array.from(r.x), Float32Array.from(r.filter), r.bias && Float32Array.from(r.bias), r.conv, r.relu))"""

# The stock TF.js (tfjs-core and the CPU backend from node_modules): tf.fused.conv2d before and after install().
FUSED_BEFORE_AND_AFTER = """(r) => {
  const tf = require(r.nodeModules + "/@tensorflow/tfjs-core");
  require(r.nodeModules + "/@tensorflow/tfjs-backend-cpu");
  tf.getBackend();
  const run = () => tf.tidy(() => Array.from(tf.fused.conv2d({
    x: tf.tensor(r.x, r.xShape), filter: tf.tensor(r.filter, r.filterShape), strides: r.strides, pad: r.pad,
    bias: r.bias && tf.tensor(r.bias), activation: r.activation,
  }).dataSync()));
  const before = run();
  globalThis.snapmathConv2d.install(tf);
  globalThis.snapmathConv2d.install(tf);
  const after = run();
  const installed = ["FusedConv2D", "Conv2D"].every((name) => tf.getKernel(name, "cpu").kernelFunc.snapmath === true);
  return {before, after, installed};
}"""


def reference_conv2d(
    x: np.ndarray, filters: np.ndarray, bias: np.ndarray | None, stride: int, dilation: int, pad: int, relu: bool
) -> np.ndarray:
    """Return the NHWC convolution of x [B,H,W,C] by filters [FH,FW,C,O], zero-padded by `pad` on each side."""
    padded = np.pad(x.astype(np.float64), ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    span_h = (filters.shape[0] - 1) * dilation + 1
    span_w = (filters.shape[1] - 1) * dilation + 1
    out_h = (padded.shape[1] - span_h) // stride + 1
    out_w = (padded.shape[2] - span_w) // stride + 1
    out = np.zeros((x.shape[0], out_h, out_w, filters.shape[3]))
    for row in range(filters.shape[0]):
        for col in range(filters.shape[1]):
            window = padded[
                :,
                row * dilation : row * dilation + stride * (out_h - 1) + 1 : stride,
                col * dilation : col * dilation + stride * (out_w - 1) + 1 : stride,
                :,
            ]
            out += window @ filters[row, col].astype(np.float64)
    if bias is not None:
        out += bias
    return np.maximum(out, 0) if relu else out


def conv_info(x_shape: tuple, filter_shape: tuple, stride: int, dilation: int, pad: int, out_shape: tuple) -> dict:
    """Return the fields of TF.js's conv info that conv2d reads."""
    return {
        "batchSize": x_shape[0],
        "inHeight": x_shape[1],
        "inWidth": x_shape[2],
        "inChannels": x_shape[3],
        "outHeight": out_shape[1],
        "outWidth": out_shape[2],
        "outChannels": filter_shape[3],
        "filterHeight": filter_shape[0],
        "filterWidth": filter_shape[1],
        "strideHeight": stride,
        "strideWidth": stride,
        "dilationHeight": dilation,
        "dilationWidth": dilation,
        "padInfo": {"top": pad, "left": pad},
    }


def sparse_input(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Return float32 values of both signs, two thirds of them zero (as after ReLU, or a digit's background)."""
    values = rng.normal(size=shape).astype(np.float32)
    values[rng.random(shape) < 2 / 3] = 0
    return values


@pytest.mark.parametrize(
    ("x_shape", "filter_shape", "stride", "dilation", "pad", "with_bias", "relu"),
    [
        ((1, 28, 28, 1), (3, 3, 1, 16), 1, 1, 1, True, False),  # the model's first convolution
        ((1, 14, 14, 16), (3, 3, 16, 32), 1, 1, 1, True, True),
        ((2, 7, 7, 5), (3, 3, 5, 6), 1, 1, 1, False, False),  # a batch; channels not a multiple of four
        ((1, 9, 8, 3), (2, 3, 3, 7), 2, 1, 0, True, True),  # stride 2, no padding, a 2x3 filter
        ((1, 10, 10, 2), (3, 3, 2, 4), 1, 2, 2, True, False),  # dilated
    ],
)
def test_conv2d_sums_as_numpy_does(x_shape, filter_shape, stride, dilation, pad, with_bias, relu):
    rng = np.random.default_rng(sum(x_shape) + sum(filter_shape))
    x = sparse_input(rng, x_shape)
    filters = rng.normal(size=filter_shape).astype(np.float32)
    bias = rng.normal(size=filter_shape[3]).astype(np.float32) if with_bias else None
    expected = reference_conv2d(x, filters, bias, stride, dilation, pad, relu)
    request = {
        "x": x.ravel().tolist(),
        "filter": filters.ravel().tolist(),
        "bias": None if bias is None else bias.tolist(),
        "conv": conv_info(x_shape, filter_shape, stride, dilation, pad, expected.shape),
        "relu": relu,
    }
    got = np.array(node_scripts.ask([CONV2D_JS], RUN_CONV2D, request))
    assert got.shape == (expected.size,)
    np.testing.assert_allclose(got, expected.ravel(), rtol=1e-5, atol=1e-5)
    if relu:  # the case does test the clamp
        assert (got == 0).any()
        assert (got > 0).any()


@pytest.mark.parametrize("activation", ["relu", "linear", "elu"])  # elu is not this kernel's: the stock kernel's
def test_installed_kernel_gives_what_the_stock_kernel_gives(activation):
    rng = np.random.default_rng(7)
    x_shape, filter_shape = (1, 12, 12, 8), (3, 3, 8, 12)
    request = {
        "nodeModules": str(NODE_MODULES),
        "x": sparse_input(rng, x_shape).ravel().tolist(),
        "xShape": x_shape,
        "filter": rng.normal(size=filter_shape).astype(np.float32).ravel().tolist(),
        "filterShape": filter_shape,
        "bias": rng.normal(size=filter_shape[3]).astype(np.float32).tolist(),
        "strides": 1,
        "pad": "same",
        "activation": activation,
    }
    result = node_scripts.ask([CONV2D_JS], FUSED_BEFORE_AND_AFTER, request)
    assert result["installed"]
    np.testing.assert_allclose(result["after"], result["before"], rtol=1e-5, atol=1e-5)
    assert len(result["after"]) == 12 * 12 * 12
