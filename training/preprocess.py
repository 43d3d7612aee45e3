"""Turn a decoded picture into the 28x28 model input: the numpy twin of the preprocessing spec.

Twin: site_templates/static/js/preprocess.js (float32 loops throughout, no tf ops; its header says why). Both
read training/preprocess_spec.json and run the same steps, with the same names, in the same order;
tests/browser/test_preprocess_twins.py proves they agree to 1e-4 per pixel. Elementwise work is float32 in both
twins so the results are bit-identical; only sums and matrix products differ in rounding.

Steps (see preprocess()):
  composite_alpha -> locate (training/locate.py) -> per digit found: mark_mask -> paper_colour -> colour_distance
  -> bound_size -> normalise_ink -> (times the mask) -> remove_ruled_lines -> find_digit_box
  -> adjust_stroke_width -> resize_to_box -> stretch_contrast -> paste_centred
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training import locate
from training.pixels import border_ring, order_statistic, round_half_up, windowed_extreme

SPEC_PATH = Path(__file__).resolve().parent / "preprocess_spec.json"

NO_CONTRAST = "The picture is blank or nearly uniform: no digit found."
NO_INK = "There is too little ink in the picture: no digit found."
ONLY_SPECKS = "The picture holds only scattered specks: no digit found."
LUMINANCE_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)
MIN_DIVISOR = 0.001  # keeps renormalisation finite where a line is at full strength


@dataclass(frozen=True)
class DigitInput:
    """One digit found in the picture: its model input and where it is, in decoded pixels."""

    input: np.ndarray  # float32 [28,28], white ink on black, max 1
    box: tuple[int, int, int, int]  # x, y, width, height


@dataclass(frozen=True)
class Preprocessed:
    """The digits found, left to right (one for a digit, 2-4 for a number), or the reason there are none."""

    digits: tuple[DigitInput, ...]
    reason: str | None

    @property
    def input(self) -> np.ndarray | None:
        """The model input when the picture holds exactly one digit, else None."""
        return self.digits[0].input if len(self.digits) == 1 else None


def load_spec(path: Path = SPEC_PATH) -> dict:
    """Return the preprocessing spec shared with the JS twin."""
    return json.loads(Path(path).read_text())


# ---------------------------------------------------------------------------------------------
# Shared helpers: exact order statistics and area-averaging matrices, computed as in the JS twin.


def area_matrix(size_in: int, size_out: int) -> np.ndarray:
    """Return float32 [size_out, size_in]: row o averages the input cells that output cell o covers."""
    step = size_in / size_out
    weights = np.zeros((size_out, size_in), dtype=np.float64)
    for out_index in range(size_out):
        start = out_index * step
        end = (out_index + 1) * step
        for in_index in range(math.floor(start), min(size_in, math.ceil(end))):
            overlap = min(end, in_index + 1) - max(start, in_index)
            if overlap > 0:
                weights[out_index, in_index] = overlap / step
    return weights.astype(np.float32)


def area_resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Return image [H,W] resized to [height,width] by area averaging: rows @ image @ columns^T.

    The JS twin applies the same banded matrices in loops that skip their zero weights, summing in doubles
    and rounding each product to float32; so does this one. A float32 weight times a float32 value is exact
    in float64, and a cell sums a few of them, so BLAS's order and the loops' round apart far below float32's
    last bit: the twins agree bit for bit. (Summed in float32 they differed in the last bit, which the ink
    map's percentiles widened to 4.3e-4 on a clip-art 8 cropped tight.)"""
    rows = area_matrix(image.shape[0], height).astype(np.float64)
    columns = area_matrix(image.shape[1], width).astype(np.float64)
    tall = (rows @ image.astype(np.float64)).astype(np.float32)
    return (tall.astype(np.float64) @ columns.T).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# The spec steps, in order.


def composite_alpha(rgba: np.ndarray, spec: dict) -> np.ndarray:
    """Return float32 RGB [H,W,3] in 0..255: the picture over white, or over black when its visible content is light."""
    rgb = rgba[..., :3].astype(np.float32)
    alpha = rgba[..., 3].astype(np.float32) / np.float32(255)
    if rgba[..., 3].min() == 255:
        return rgb
    # A white digit on a transparent background would vanish over white: pick the matte that contrasts.
    luminance = (rgb * LUMINANCE_WEIGHTS).sum(axis=2, dtype=np.float32)
    alpha_total = float(alpha.sum(dtype=np.float32))
    mean_luminance = float((luminance * alpha).sum(dtype=np.float32)) / alpha_total if alpha_total > 0 else 0.0
    matte = np.float32(0 if mean_luminance > spec["composite"]["light_content_luminance"] else 255)
    return (matte + (rgb - matte) * alpha[..., None]).astype(np.float32)


def background_colour(rgb: np.ndarray, spec: dict) -> np.ndarray:
    """Return float32 [3]: the per-channel (lower) median of the border ring, taken as the paper colour."""
    ring = border_ring(rgb, spec["background"]["border_fraction"])
    return np.array([order_statistic(ring[:, channel], 50) for channel in range(3)], dtype=np.float32)


def colour_distance(rgb: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Return float32 [H,W]: Euclidean RGB distance of each pixel from the background colour."""
    difference = rgb - background
    return np.sqrt((difference * difference).sum(axis=2, dtype=np.float32)).astype(np.float32)


def bound_size(distance: np.ndarray, spec: dict) -> np.ndarray:
    """Return the distance map area-averaged so its long side is at most max_working_side (unchanged if smaller)."""
    max_side = spec["bound"]["max_working_side"]
    factor = max(distance.shape) // max_side
    if factor >= 2:
        # Whole blocks first (cheap, linear time); the matrix products then only bridge the last < 2x. Summed
        # in float64 as the JS twin sums them: exact in any order for these values, so the twins agree bit for bit.
        height, width = distance.shape[0] // factor, distance.shape[1] // factor
        blocks = distance[: height * factor, : width * factor].reshape(height, factor, width, factor)
        distance = (blocks.sum(axis=(1, 3), dtype=np.float64) / (factor * factor)).astype(np.float32)
    height, width = distance.shape
    if max(height, width) <= max_side:
        return distance
    scale = max_side / max(height, width)
    return area_resize(distance, max(1, round_half_up(height * scale)), max(1, round_half_up(width * scale)))


def normalise_ink(distance: np.ndarray, spec: dict) -> tuple[np.ndarray, float]:
    """Return (ink float32 [h,w] in 0..1, contrast): distance above the paper-noise floor, saturating at typical ink."""
    settings = spec["ink"]
    contrast = order_statistic(distance, settings["peak_percentile"])
    if contrast <= 0:
        return np.zeros_like(distance), 0.0
    # The paper's own variation (texture, JPEG noise, gradient) is measured on the border ring.
    noise = order_statistic(
        border_ring(distance, spec["background"]["border_fraction"]), settings["border_noise_percentile"]
    )
    floor = (
        min(max(settings["noise_margin"] * noise / contrast, settings["min_floor"]), settings["max_floor"]) * contrast
    )
    # Saturate at a middle value of the ink itself, so shaded, 3D and multicolour digits come out solid.
    candidates = distance[distance.astype(np.float64) > floor]
    saturation = (
        max(order_statistic(candidates, settings["saturation_percentile"]), floor + 1) if candidates.size else contrast
    )
    # A soft floor keeps the map continuous, so the twins cannot flip a hard threshold differently.
    scaled = (distance - np.float32(floor)) / np.float32(saturation - floor)
    return np.clip(scaled, 0, 1).astype(np.float32), contrast


def line_strength(ink: np.ndarray, spec: dict) -> np.ndarray:
    """Return float32 [h]: per row, the strength of a thin line spanning (nearly) the whole row, else 0."""
    settings = spec["ruled_lines"]
    profile = np.array([order_statistic(row, settings["row_percentile"]) for row in ink], dtype=np.float32)
    radius = max(1, round_half_up(settings["max_line_thickness_fraction"] * max(ink.shape)))
    # White top-hat of the profile: what an opening (min then max over the window) removes is thin.
    opened = windowed_extreme(windowed_extreme(profile[:, None], radius, take_max=False), radius, take_max=True)[:, 0]
    # The margin also clears the paper grain riding on the line; a line at full strength is cleared outright.
    return np.minimum(np.float32(settings["strength_margin"]) * (profile - opened), np.float32(1)).astype(np.float32)


def remove_ruled_lines(ink: np.ndarray, spec: dict) -> np.ndarray:
    """Return the ink map without thin lines that run across the whole picture (ruled or squared paper)."""
    for transpose in (False, True):
        ink = ink.T if transpose else ink
        strength = line_strength(ink, spec)[:, None]
        # Renormalise instead of subtracting so a stroke crossing a line keeps its full strength.
        divisor = np.maximum(np.float32(1) - strength, np.float32(MIN_DIVISOR))
        ink = np.clip((ink - strength) / divisor, 0, 1).astype(np.float32)
        ink = ink.T if transpose else ink
    return np.ascontiguousarray(ink)


def ink_span(profile: np.ndarray, spec: dict) -> tuple[int, int, float]:
    """Return (first, last, coverage) of the ink along one axis: the mass-trimmed core, grown over adjacent
    inked lines."""
    settings = spec["digit_box"]
    cumulative = np.cumsum(profile.astype(np.float64))
    total = cumulative[-1]
    trim = settings["trim_mass_fraction"] * total
    first = int(np.argmax(cumulative > trim))
    last = int(np.argmax(cumulative >= total - trim))
    inked = profile.astype(np.float64) > settings["empty_line_mass"]
    while first > 0 and inked[first - 1]:
        first -= 1
    while last < profile.size - 1 and inked[last + 1]:
        last += 1
    coverage = float(inked[first : last + 1].sum()) / (last - first + 1)
    return first, last, coverage


def find_digit_box(ink: np.ndarray, spec: dict) -> tuple[tuple[int, int, int, int] | None, str | None]:
    """Return ((top, bottom, left, right) inclusive, None) around the digit, or (None, reason) when there is none."""
    settings = spec["digit_box"]
    total = float(ink.sum(dtype=np.float32))
    if total < settings["min_ink_mass_fraction"] * ink.size:
        return None, NO_INK
    top, bottom, row_coverage = ink_span(ink.sum(axis=1, dtype=np.float32), spec)
    left, right, column_coverage = ink_span(ink.sum(axis=0, dtype=np.float32), spec)
    # A digit's strokes are connected, so nearly every row and column of its box holds ink; specks leave gaps.
    if min(row_coverage, column_coverage) < settings["min_line_coverage"]:
        return None, ONLY_SPECKS
    return (top, bottom, left, right), None


def stroke_width(crop: np.ndarray) -> float:
    """Return the mean stroke width in pixels, estimated as 2 * ink area / ink perimeter."""
    padded = np.pad(crop.astype(np.float32), 1)
    area = float(padded.sum(dtype=np.float32))
    perimeter = float(np.abs(np.diff(padded, axis=0)).sum(dtype=np.float32)) + float(
        np.abs(np.diff(padded, axis=1)).sum(dtype=np.float32)
    )
    return 2 * area / perimeter if perimeter > 0 else 0.0


def adjust_stroke_width(ink: np.ndarray, box: tuple[int, int, int, int], spec: dict) -> np.ndarray:
    """Return the digit's crop, with strokes thickened (or thinned) towards MNIST's width once scaled to the box."""
    settings = spec["strokes"]
    top, bottom, left, right = box
    crop = ink[top : bottom + 1, left : right + 1]
    long_side = max(crop.shape)
    scale = spec["canvas"]["box_side"] / long_side
    width_in_box = stroke_width(crop) * scale
    if width_in_box < settings["min_width"]:
        # Thin pen strokes in a big photo would shrink to faint hairlines: dilate them before resizing.
        radius = round_half_up((settings["target_width"] - width_in_box) / 2 / scale)
        if radius >= 1:
            return windowed_extreme(np.pad(crop, radius), radius, take_max=True)
    elif width_in_box > settings["max_width"]:
        # Bold clip-art strokes fill MNIST's box as blobs: erode them, then drop the emptied margin.
        radius = round_half_up((width_in_box - settings["max_width"]) / 2 / scale)
        if radius >= 1 and min(crop.shape) > 2 * radius + 1:
            eroded = windowed_extreme(crop, radius, take_max=False)
            return eroded[radius : crop.shape[0] - radius, radius : crop.shape[1] - radius]
    return crop


def resize_to_box(crop: np.ndarray, spec: dict) -> np.ndarray:
    """Return the crop area-resized so its long side is box_side (20), aspect ratio kept."""
    box_side = spec["canvas"]["box_side"]
    height, width = crop.shape
    long_side = max(height, width)
    return area_resize(
        crop,
        max(1, round_half_up(box_side * height / long_side)),
        max(1, round_half_up(box_side * width / long_side)),
    )


def stretch_contrast(digit: np.ndarray) -> np.ndarray | None:
    """Return the digit divided by its maximum (so the max is 1), or None when it holds no ink."""
    peak = float(digit.max())
    if peak <= 0:
        return None
    return (digit / np.float32(peak)).astype(np.float32)


def round_shift(shift: float) -> int:
    """Return the whole-pixel shift nearest to shift, halves up, after snapping to 1/1000 px.

    A symmetric digit has its centre of mass exactly on a half pixel; float32 (JS) and float64
    (numpy) sums land a hair either side of it, so the snap makes both twins round the same way."""
    return round_half_up(round_half_up(shift * 1000) / 1000)


def paste_centred(digit: np.ndarray, spec: dict) -> np.ndarray:
    """Return float32 [28,28]: the digit pasted so its centre of mass sits on the canvas centre (whole-pixel shift)."""
    canvas_side = spec["canvas"]["canvas_side"]
    centre_row, centre_column = spec["canvas"]["centre"]
    height, width = digit.shape
    weights = digit.astype(np.float64)
    total = weights.sum()
    mass_row = float((weights.sum(axis=1) * np.arange(height)).sum() / total)
    mass_column = float((weights.sum(axis=0) * np.arange(width)).sum() / total)
    top = min(max(round_shift(centre_row - mass_row), 0), canvas_side - height)
    left = min(max(round_shift(centre_column - mass_column), 0), canvas_side - width)
    canvas = np.zeros((canvas_side, canvas_side), dtype=np.float32)
    canvas[top : top + height, left : left + width] = digit
    return canvas


def read_digit(ink: np.ndarray, spec: dict) -> tuple[np.ndarray | None, str | None]:
    """Return (the 28x28 model input, None) for one digit's ink map, or (None, reason)."""
    ink = remove_ruled_lines(ink, spec)
    box, reason = find_digit_box(ink, spec)
    if box is None:
        return None, reason
    crop = adjust_stroke_width(ink, box, spec)  # [bh,bw]
    digit = stretch_contrast(resize_to_box(crop, spec))  # [<=20,<=20], max 1
    if digit is None:
        return None, NO_INK
    return paste_centred(digit, spec), None  # [28,28]


def mark_region(
    mark: locate.Mark, factor: int, map_shape: tuple[int, int], shape: tuple[int, int]
) -> tuple[int, int, int, int]:
    """Return (top, bottom, left, right), exclusive ends: a mark's box on the map in decoded pixels.

    The map drops the last rows and columns that do not fill a block; a mark on the map's edge keeps them."""
    top, left = mark.top * factor, mark.left * factor
    bottom = shape[0] if mark.bottom == map_shape[0] - 1 else (mark.bottom + 1) * factor
    right = shape[1] if mark.right == map_shape[1] - 1 else (mark.right + 1) * factor
    return top, bottom, left, right


def mark_mask(
    located: locate.Located, mark: locate.Mark, region: tuple[int, int, int, int], spec: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Return float32 [h,w] maps over a crop of the decoded picture: (near, mask).

    near: 1 within the dilation of the mark's own parts (the paper's colour is sampled away from it), which
    keeps the faint edges of the strokes that the coarse map missed. mask: near without the other marks it
    reaches (a box drawn close around a small digit, taken off as a frame or left as a mark of its own), though
    specks beside it may be its own crumbs (a chalk stroke's). What lies farther away in the crop
    (neighbouring digits, lines, specks) is out of both. An underline taken off stays in: the digit's own
    base may be it."""
    labels = located.labels
    assert labels is not None
    own = np.isin(labels, mark.labels)
    areas = np.bincount(labels.ravel())
    others = (labels > 0) & ~own & (areas[labels] >= spec["locate"]["stray"]["speck_fraction"] * mark.area)
    if located.taken_off is not None:
        others |= located.taken_off
    near = windowed_extreme(own.astype(np.float32), spec["locate"]["mask_dilation"], take_max=True)
    kept = np.where(others, np.float32(0), near)
    top, bottom, left, right = region
    rows = np.minimum(np.arange(top, bottom) // located.factor, labels.shape[0] - 1)
    columns = np.minimum(np.arange(left, right) // located.factor, labels.shape[1] - 1)
    return near[rows][:, columns], kept[rows][:, columns]


def paper_colour(crop: np.ndarray, mask: np.ndarray, spec: dict) -> np.ndarray:
    """Return float32 [3]: the per-channel (lower) median of the crop away from the mark, the paper around it.

    Not the crop's border ring: a box drawn round the digit, or the desk beside the sheet, can fill the
    crop's edges, and ink measured from their colour turns the paper into ink. Sampled every `step` rows
    and columns, as bound_size's blocks: the working resolution is enough for a median."""
    step = max(1, max(mask.shape) // spec["bound"]["max_working_side"])
    sampled, near = crop[::step, ::step], mask[::step, ::step]
    paper = sampled[near == 0]
    if paper.shape[0] < spec["locate"]["min_paper_fraction"] * near.size:
        return background_colour(crop, spec)
    return np.array([order_statistic(paper[:, channel], 50) for channel in range(3)], dtype=np.float32)


def read_mark(
    rgb: np.ndarray, located: locate.Located, mark: locate.Mark, spec: dict
) -> tuple[np.ndarray | None, str | None, tuple[int, int, int, int]]:
    """Return (model input or None, reason, box x/y/w/h): one located digit read from the decoded pixels.

    The crop comes from the decoded picture, not the coarse map, so a small digit in a big photo
    is read at the resolution it needs; a margin of paper around it gives the reading its background."""
    assert located.labels is not None
    top, bottom, left, right = mark_region(mark, located.factor, located.labels.shape, rgb.shape[:2])
    margin = round_half_up(spec["locate"]["read_margin"] * max(bottom - top, right - left))
    region = (
        max(0, top - margin),
        min(rgb.shape[0], bottom + margin),
        max(0, left - margin),
        min(rgb.shape[1], right + margin),
    )
    crop = rgb[region[0] : region[1], region[2] : region[3]]
    near, mask = mark_mask(located, mark, region, spec)  # [ch,cw] each
    distance = bound_size(colour_distance(crop, paper_colour(crop, near, spec)), spec)  # [h,w]
    ink, contrast = normalise_ink(distance, spec)  # [h,w] 0..1
    ink = (ink * bound_size(mask, spec)).astype(np.float32)
    box = (left, top, right - left, bottom - top)
    if contrast < spec["ink"]["min_contrast"]:
        return None, NO_CONTRAST, box
    digit, reason = read_digit(ink, spec)
    return digit, reason, box


def preprocess(rgba: np.ndarray, spec: dict, box: tuple[int, int, int, int] | None = None) -> Preprocessed:
    """Return the model inputs of the digits in a decoded RGBA picture, or the reason none was found.

    `box` (x, y, width, height in decoded pixels) reads only that part of the picture, as a person chose."""
    rgba = np.asarray(rgba, dtype=np.uint8)
    if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.shape[0] == 0 or rgba.shape[1] == 0:
        raise ValueError(f"expected RGBA uint8 [H,W,4], got shape {rgba.shape}")
    x, y = 0, 0
    if box is not None:
        x, y, width, height = box
        rgba = rgba[max(0, y) : max(0, y + height), max(0, x) : max(0, x + width)]
        if rgba.shape[0] == 0 or rgba.shape[1] == 0:
            raise ValueError(f"the box {box} holds no pixels of the picture")
    rgb = composite_alpha(rgba, spec)  # [H,W,3] 0..255
    located = locate.locate(rgb, spec)
    if located.reason is not None:
        return Preprocessed((), located.reason)
    digits = []
    for mark in located.digits:
        digit, reason, (left, top, width, height) = read_mark(rgb, located, mark, spec)
        # Beside other digits: a mark of the coarse map without ink in the decoded picture (a shadow's edge).
        if reason in (NO_CONTRAST, NO_INK) and len(located.digits) > 1:
            continue
        if digit is None:
            return Preprocessed((), reason)
        digits.append(DigitInput(digit, (left + max(0, x), top + max(0, y), width, height)))
    return Preprocessed(tuple(digits), None if digits else NO_INK)
