"""Exact pixel helpers shared by the preprocessing stages (locate.py, preprocess.py).

Twin: site_templates/static/js/pixels.js. Each helper gives the same numbers in both twins:
order statistics pick an element (no interpolation), rounding is JS's Math.round, and the
windowed max/min only compares.
"""

from __future__ import annotations

import math

import numpy as np


def round_half_up(value: float) -> int:
    """Return value rounded to the nearest integer, halves up (JS Math.round), not banker's rounding."""
    return math.floor(value + 0.5)


def order_statistic(values: np.ndarray, percentile: float) -> float:
    """Return the sorted value at index floor(percentile/100 * (n-1)): an exact, interpolation-free percentile."""
    flat = np.asarray(values, dtype=np.float32).ravel()
    index = math.floor(percentile / 100 * (flat.size - 1))
    return float(np.partition(flat, index)[index])


def border_ring(image: np.ndarray, fraction: float) -> np.ndarray:
    """Return the pixels of the outer ring (width = fraction of the long side, at least 1) as [N, ...]."""
    height, width = image.shape[:2]
    ring = max(1, round_half_up(fraction * max(height, width)))
    if 2 * ring >= height or 2 * ring >= width:
        return image.reshape(height * width, *image.shape[2:])
    parts = [
        image[:ring],
        image[height - ring :],
        image[ring : height - ring, :ring],
        image[ring : height - ring, width - ring :],
    ]
    return np.concatenate([part.reshape(-1, *image.shape[2:]) for part in parts])


def windowed_extreme(image: np.ndarray, radius: int, take_max: bool) -> np.ndarray:
    """Return the max (or min) over the (2r+1)x(2r+1) window around each pixel, inside the image only."""
    result = image.astype(np.float32)
    reduce = np.maximum if take_max else np.minimum
    for axis in (0, 1):
        padded_shape = list(result.shape)
        padded_shape[axis] += 2 * radius
        padded = np.full(padded_shape, -np.inf if take_max else np.inf, dtype=np.float32)
        index = [slice(None), slice(None)]
        index[axis] = slice(radius, radius + result.shape[axis])
        padded[tuple(index)] = result
        extreme = result.copy()
        for shift in range(2 * radius + 1):
            index[axis] = slice(shift, shift + result.shape[axis])
            extreme = reduce(extreme, padded[tuple(index)])
        result = extreme
    return result
