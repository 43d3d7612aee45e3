"""training.quantize: batch norm folded into the convolutions, weights snapped to the converter's uint8 grid."""

from __future__ import annotations

import numpy as np
import pytest

from training import quantize


def test_the_grid_holds_zero_and_spans_the_values() -> None:
    values = np.array([-0.37, -0.01, 0.0, 0.25, 0.8], np.float32)
    low, scale = quantize.uint8_grid(values)
    assert scale == pytest.approx((0.8 + 0.37) / 255, rel=1e-6)
    assert (-low / scale) == pytest.approx(round(-low / scale), abs=1e-9)  # 0 is a grid point
    assert abs(low - values.min()) <= scale / 2  # nudged by at most half a step
    assert low + 255 * scale >= values.max() - scale / 2


def test_snapped_values_lie_on_the_grid_within_half_a_step() -> None:
    values = np.random.default_rng(0).normal(0, 0.2, 1000).astype(np.float32)
    on_grid = quantize.snapped(values)
    low, scale = quantize.uint8_grid(values)
    levels = (on_grid.astype(np.float64) - low) / scale
    assert np.abs(levels - np.round(levels)).max() < 1e-3
    assert len(np.unique(on_grid)) <= 256
    assert np.abs(on_grid - values).max() <= scale / 2 + 1e-7
    assert on_grid[np.argmin(np.abs(values))] == 0.0 or np.abs(values).min() > scale / 2


def test_a_tensor_of_one_value_keeps_it() -> None:
    values = np.full((3, 2), 0.731, np.float32)
    assert quantize.uint8_grid(values) == (pytest.approx(0.731), 1.0)
    assert np.array_equal(quantize.snapped(values), values)


@pytest.mark.slow  # imports the converter (TensorFlow)
def test_the_converter_keeps_snapped_weights_as_they_are() -> None:
    from tensorflowjs import quantization

    rng = np.random.default_rng(1)
    tensors = [
        rng.normal(0, 0.1, (3, 3, 8, 16)).astype(np.float32),
        rng.uniform(0.2, 0.9, 32).astype(np.float32),  # a range without 0: no nudging
        rng.normal(-1, 2, 200).astype(np.float32),
    ]
    for values in tensors:
        quantized, grid = quantization.quantize_weights(values, np.uint8)
        as_the_page_reads = quantization.dequantize_weights(quantized, grid)
        assert not np.array_equal(as_the_page_reads, values)  # the converter moves weights off the grid
        on_grid = quantize.snapped(values)
        requantized, regrid = quantization.quantize_weights(on_grid, np.uint8)
        assert np.array_equal(requantized, quantized)  # the same levels as the converter chose ...
        np.testing.assert_allclose(quantization.dequantize_weights(requantized, regrid), on_grid, rtol=0, atol=1e-6)
        np.testing.assert_allclose(on_grid, as_the_page_reads, rtol=0, atol=1e-6)  # ... and the same weights


@pytest.mark.slow  # builds Keras models
@pytest.mark.parametrize("stages", [{"separable_from": 2}, {"refined_from": 1}], ids=["separable", "refined"])
def test_folding_batch_norm_keeps_what_the_model_computes(stages: dict) -> None:
    import keras

    from training import model

    keras.utils.set_random_seed(5)
    trained = model.build_model((4, 6, 8), **stages)
    rng = np.random.default_rng(5)
    for layer in trained.layers:
        if isinstance(layer, keras.layers.BatchNormalization):  # statistics of its own, as after training
            size = layer.gamma.shape[0]
            layer.set_weights(
                [
                    rng.uniform(0.5, 2, size),
                    rng.normal(0, 0.3, size),
                    rng.normal(0, 0.5, size),
                    rng.uniform(0.2, 3, size),
                ]
            )
    images = rng.uniform(0, 1, (8, 28, 28, 1)).astype(np.float32)
    expected = trained.predict(images, verbose=0)
    folded = quantize.folded(trained)
    assert not [layer for layer in folded.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert folded.count_params() < trained.count_params()  # a bias per channel instead of four statistics
    np.testing.assert_allclose(folded.predict(images, verbose=0), expected, rtol=0, atol=1e-4)
    snapped = quantize.snapped_model(trained)
    for layer in snapped.layers:
        for weight in layer.get_weights():
            np.testing.assert_allclose(quantize.snapped(weight), weight, rtol=1e-6, atol=0)  # already on the grid
    difference = np.abs(snapped.predict(images, verbose=0) - expected).max()
    assert 0 < difference < 0.05 * np.abs(expected).max()  # moved by the rounding, not by a mistake


@pytest.mark.slow  # builds Keras models
@pytest.mark.parametrize(
    "stages",
    [
        {"stage_filters": (4, 6, 8), "separable_from": None, "refined_from": None},
        {"stage_filters": (4, 6, 8), "separable_from": 2, "refined_from": None},
        {"stage_filters": (4, 6, 8, 8), "separable_from": None, "refined_from": 1},
    ],
)
def test_a_models_stages_are_read_back_from_its_layers(stages: dict) -> None:
    from training import model

    assert model.architecture(model.build_model(**stages)) == stages
    assert model.architecture(model.build_model(**stages, batch_norm=False)) == stages


@pytest.mark.slow  # builds Keras models
def test_by_default_every_stage_has_one_plain_convolution_however_many_stages() -> None:
    from training import model

    for stage_filters in ((4, 6, 8), (4, 6, 8, 8)):  # `--stages` may add a fourth
        assert model.architecture(model.build_model(stage_filters)) == {
            "stage_filters": stage_filters,
            "separable_from": None,
            "refined_from": None,
        }


@pytest.mark.slow  # builds Keras models
def test_stages_build_model_does_not_make_are_refused() -> None:
    import keras

    from training import model

    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 3)(inputs)
    x = keras.layers.Conv2D(4, 3)(x)
    x = keras.layers.Conv2D(4, 3)(x)  # three convolutions in one stage
    x = keras.layers.MaxPooling2D(2)(x)
    with pytest.raises(ValueError, match="has stages build_model does not make"):
        model.architecture(keras.Model(inputs, x, name="odd"))
