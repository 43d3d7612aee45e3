"""Fold batch norm into the convolutions, then snap every weight to the uint8 grid the TF.js converter uses.

The page ships one byte per weight, so twice the parameters of float16 fit in the same bytes. The converter
(`tensorflowjs.quantization`) stores each weight tensor as min + q * scale, q in 0..255, with the range
nudged so that 0 is exact. Left to the converter, that rounding changes a few answers (a uint8 copy read
9,996 of MNIST's 10,000 test digits as its float model did: build/config.py). A weight that already lies on
its tensor's grid comes back from that rounding unchanged, so the exported SavedModel, what training
measures and what the page runs are one model. Batch norm is folded first because the converter folds it
before quantizing: the grid belongs to the folded weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import keras

UINT8_LEVELS = 255  # q runs 0..255


def uint8_grid(values: np.ndarray) -> tuple[float, float]:
    """Return (min, scale) of the converter's uint8 grid for one tensor (tensorflowjs.quantization)."""
    low, high = float(values.min()), float(values.max())
    if low == high:  # one value: the converter stores q = 0 and min = that value
        return low, 1.0
    scale = (high - low) / UINT8_LEVELS
    if low <= 0 <= high:  # nudge the range so that 0 is a grid point
        low = -float(np.round(-low / scale)) * scale
    return low, scale


def snapped(values: np.ndarray) -> np.ndarray:
    """Return float32 `values` moved to the nearest point of their uint8 grid, as the page will read them."""
    low, scale = uint8_grid(values)
    wide = values.astype(np.float64)  # the converter's arithmetic, so that it finds the same levels
    levels = np.round((np.clip(wide, low, low + UINT8_LEVELS * scale) - low) / scale)
    return (levels * scale + low).astype(np.float32)


def folded(model: keras.Model) -> keras.Model:
    """Return the same function as `model` without batch norm: each one folded into the convolution before it,
    which gains a bias (the converter would fold them the same way)."""
    import keras  # here, so that the grid functions above need only numpy

    from training.model import LOGITS_NAME, architecture, build_model

    convolution_layers = (keras.layers.Conv2D, keras.layers.SeparableConv2D)
    convolutions = [layer for layer in model.layers if isinstance(layer, convolution_layers)]
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    copy = build_model(**architecture(model), batch_norm=False)
    copies = [layer for layer in copy.layers if isinstance(layer, convolution_layers)]
    for source, norm, target in zip(convolutions, norms, copies, strict=True):
        gamma, beta, mean, variance = norm.get_weights()
        factor = gamma / np.sqrt(variance + norm.epsilon)
        kernels = source.get_weights()  # the last one is the (pointwise) kernel that makes the output channels
        kernels[-1] = kernels[-1] * factor
        target.set_weights([*kernels, beta - mean * factor])
    copy.get_layer(LOGITS_NAME).set_weights(model.get_layer(LOGITS_NAME).get_weights())
    return copy


def snapped_model(model: keras.Model) -> keras.Model:
    """Return `model` with batch norm folded and every weight on its uint8 grid: the model the page runs."""
    copy = folded(model)
    for layer in copy.layers:
        layer.set_weights([snapped(np.asarray(weight)) for weight in layer.get_weights()])
    return copy
