"""Phone photos and scans of one handwritten digit, rendered from MNIST test digits (issue 9's test pictures).

Why: today's rendered uploads put the digit on a plain, lightly shaded background; people photograph a
sheet lying on a desk. These scenes hold what breaks the old preprocessing: the desk around the sheet,
the sheet's edges, ruled and squared paper, a soft shadow and one-sided light, defocus, sensor noise,
JPEG at phone sizes (1000-4000 px), EXIF-rotated files, scanned form cells with their frame, a stray
dot, a drawn box, lines through the digit, and blank sheets and empty desks that must read "no digit".

Only MNIST *test* digits are drawn (the model trains on MNIST train), and the scenes are for measuring,
never for training. Each scene is made from its own generator seeded by (seed, index): same seed, same
bytes. Work is done at a working resolution of at most WORK_LONG_SIDE px and scaled up to the photo's
size at the end (the scale-up is part of the defocus), which keeps 500 scenes well under a minute.

    python -m build.scenes --count 40 --out DIR          # write the files to look at
    python -m build.scenes --evaluate --count 200        # read them with training.predict, per kind
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MNIST_DIR = REPO_ROOT.parent / "shared" / "data" / "mnist"

# Kinds, in the rotation render_scenes uses (each about 1/11 of a set).
KINDS = (
    "plain_sheet",  # a digit on a plain sheet on a desk
    "ruled_sheet",  # ... on ruled paper (the digit usually spans a few lines)
    "squared_sheet",  # ... on squared paper
    "exif_rotated",  # a sheet scene stored rotated, EXIF orientation 6 or 8 says how to turn it upright
    "form_cell",  # a scanned form cell, bits of the cell's frame at the edges
    "stray_mark",  # a sheet scene with a dot or a short pen mark away from the digit
    "boxed",  # the digit inside a box drawn by hand
    "crossed_lines",  # close-up: ruled or squared lines run through the digit
    "underlined",  # a line drawn under the digit
    "blank_sheet",  # a sheet, no digit: must read "no digit found"
    "empty_desk",  # only the desk: must read "no digit found"
)
BLANK_KINDS = frozenset({"blank_sheet", "empty_desk"})
DESKS = ("wood", "grey", "dark", "cloth")
PAPERS = ("plain", "ruled", "squared")

PHOTO_LONG_SIDE = (1000, 4000)  # px, log-uniform
PHOTO_ASPECTS = (4 / 3, 16 / 9, 3 / 2)
WORK_LONG_SIDE = 1000  # px: scenes are composed at most this large, then scaled to the photo's size
DIGIT_FRACTION = (0.07, 0.35)  # the digit's ink height as a fraction of the photo's short side
JPEG_QUALITY = (70, 92)
CELL_SIDE = (48, 260)  # px of a scanned form cell
EXIF_ORIENTATION = 0x0112
# Stored pixels for an EXIF orientation: what turns the upright picture into them
# (Pillow's exif_transpose applies the inverse: 6 -> ROTATE_270, 8 -> ROTATE_90).
STORE_ROTATED = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}

BLUE_BALLPOINT = np.array([0.10, 0.14, 0.45], np.float32)
BLACK_PEN = np.array([0.07, 0.07, 0.09], np.float32)


@dataclass(frozen=True)
class Scene:
    """One rendered picture: encoded file bytes, extension, true digit (None: no digit), kind, and where the digit is.

    `box` is the digit's ink as (x, y, width, height) in the upright picture's pixels (after EXIF
    rotation), None for blanks; `size` is the upright (width, height); `orientation` the EXIF tag stored (1: none).
    """

    data: bytes
    extension: str
    label: int | None
    kind: str
    box: tuple[int, int, int, int] | None
    size: tuple[int, int]
    orientation: int = 1

    @property
    def name(self) -> str:
        """The file name stem used when scenes are written out: `<label or 'blank'>-<kind>`."""
        return f"{'blank' if self.label is None else self.label}-{self.kind}"


# ---------------------------------------------------------------------------------------------
# Fields, textures and ink


def smooth_field(
    height: int, width: int, cells: float, rng: np.random.Generator, stretch: tuple[float, float] = (1, 1)
) -> np.ndarray:
    """Return float32 [height,width] smooth noise (about unit spread) with `cells` blobs along the long side."""
    long_side = max(height, width)
    rows = max(2, int(cells * stretch[0] * height / long_side) + 2)
    cols = max(2, int(cells * stretch[1] * width / long_side) + 2)
    small = rng.normal(0.0, 1.0, (rows, cols)).astype(np.float32)
    return np.asarray(Image.fromarray(small, "F").resize((width, height), Image.Resampling.BICUBIC), np.float32)


def desk(height: int, width: int, rng: np.random.Generator, style: str | None = None) -> np.ndarray:
    """Return an RGB float32 desk surface: wood grain, grey laminate, a dark top, or woven cloth."""
    style = style or str(rng.choice(DESKS))
    if style == "wood":
        base = rng.uniform(0.4, 0.85) * np.array([1.0, rng.uniform(0.6, 0.72), rng.uniform(0.33, 0.5)])
        along_x = rng.uniform() < 0.5  # the grain runs along x: stripes vary down the rows
        grain = smooth_field(height, width, 120, rng, (1, 0.03) if along_x else (0.03, 1))
        across = np.linspace(0, 1, height if along_x else width, dtype=np.float32)
        across = across[:, None] if along_x else across[None, :]
        rings = np.sin(2 * np.pi * (across * rng.uniform(8, 30) + 0.2 * smooth_field(height, width, 3, rng)))
        shade = 1 + 0.07 * rings + 0.08 * grain + 0.05 * smooth_field(height, width, 4, rng)
    elif style == "grey":
        base = np.full(3, rng.uniform(0.35, 0.75)) * rng.uniform(0.93, 1.07, 3)
        shade = 1 + 0.04 * smooth_field(height, width, 6, rng) + 0.02 * smooth_field(height, width, 200, rng)
    elif style == "dark":
        base = rng.uniform(0.04, 0.20) * rng.uniform(0.7, 1.3, 3)
        shade = 1 + 0.10 * smooth_field(height, width, 5, rng) + 0.06 * smooth_field(height, width, 250, rng)
    else:  # cloth: a fine weave in a muted colour
        base = rng.uniform(0.15, 0.75, 3)
        period = rng.uniform(2.5, 6.0)
        ys = np.arange(height, dtype=np.float32)[:, None]
        xs = np.arange(width, dtype=np.float32)[None, :]
        weave = np.sin(2 * np.pi * xs / period) * np.sin(2 * np.pi * ys / period)
        shade = 1 + 0.08 * weave + 0.06 * smooth_field(height, width, 5, rng)
    return np.clip(base.astype(np.float32)[None, None, :] * shade[..., None], 0, 1).astype(np.float32)


def paper(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """Return an RGB float32 blank sheet: near white, slightly tinted, with a faint grain."""
    tint = (rng.uniform(0.9, 1.0) * rng.uniform([0.96, 0.95, 0.88], [1.0, 1.0, 1.0])).astype(np.float32)
    shade = 1 + 0.012 * smooth_field(height, width, 8, rng) + 0.01 * smooth_field(height, width, 300, rng)
    return np.clip(tint[None, None, :] * shade[..., None], 0, 1).astype(np.float32)


def line_layer(height: int, width: int, rows: Sequence[float], cols: Sequence[float], line_width: float) -> np.ndarray:
    """Return a float32 [height,width] anti-aliased mask of horizontal lines at `rows` and vertical ones at `cols`."""
    mask = np.zeros((height, width), np.float32)
    half = line_width / 2
    for centre in rows:
        for y in range(max(0, int(centre - half - 1)), min(height, int(centre + half + 2))):
            mask[y, :] = np.maximum(mask[y, :], float(np.clip(min(y + 1, centre + half) - max(y, centre - half), 0, 1)))
    for centre in cols:
        for x in range(max(0, int(centre - half - 1)), min(width, int(centre + half + 2))):
            mask[:, x] = np.maximum(mask[:, x], float(np.clip(min(x + 1, centre + half) - max(x, centre - half), 0, 1)))
    return mask


def paper_lines(
    height: int, width: int, style: str, spacing: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return (mask, colour) of a sheet's printed lines: ruled (with a margin line now and then) or squared."""
    if style == "plain":
        return np.zeros((height, width), np.float32), np.zeros(3, np.float32)
    line_width = max(0.8, spacing * rng.uniform(0.03, 0.07))
    colour = np.array(rng.choice([[0.45, 0.62, 0.88], [0.55, 0.6, 0.66], [0.5, 0.7, 0.85]]), np.float32)
    strength = rng.uniform(0.35, 0.8)
    offset = rng.uniform(0, spacing)
    if style == "ruled":
        top = rng.uniform(0, 0.1) * height
        rows = list(np.arange(top + offset, height, spacing))
        mask = line_layer(height, width, rows, [], line_width) * strength
        if rng.uniform() < 0.4:  # the red margin line
            margin = line_layer(height, width, [], [rng.uniform(0.08, 0.16) * width], line_width * 1.3) * strength
            red = np.array([0.9, 0.35, 0.4], np.float32)
            return np.maximum(mask, margin), np.where(margin[..., None] > mask[..., None], red, colour)
        return mask, np.broadcast_to(colour, (height, width, 3))
    rows = list(np.arange(offset, height, spacing))
    cols = list(np.arange(rng.uniform(0, spacing), width, spacing))
    return line_layer(height, width, rows, cols, line_width) * strength * 0.8, np.broadcast_to(
        colour, (height, width, 3)
    )


def digit_ink(digit: np.ndarray, ink_height: float, rng: np.random.Generator) -> np.ndarray:
    """Return a float32 alpha mask of an MNIST digit whose ink is `ink_height` px tall, drawn as a pen would.

    MNIST's strokes are blurred and marker-thick. The digit is cropped to its ink, enlarged 4x and
    smoothed; dividing by the local maximum gives 1 along the middle of every stroke, faint or not,
    so a threshold on it sets the stroke weight (0.45: a felt pen, 0.85: a fine pen) without losing
    faint strokes. The threshold is taken at 3x the target size and averaged down (1 px anti-aliased
    edges at any size); a faint smooth field makes the ink a little uneven, as a ballpoint's is.
    """
    rows = np.flatnonzero(digit.max(axis=1) > 30)
    cols = np.flatnonzero(digit.max(axis=0) > 30)
    if rows.size == 0:
        raise ValueError("the MNIST image holds no ink")
    crop = np.pad(digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1], 3)
    enlarged = Image.fromarray(crop).resize((crop.shape[1] * 4, crop.shape[0] * 4), Image.Resampling.BICUBIC)
    enlarged = enlarged.filter(ImageFilter.GaussianBlur(2.0))
    grey = np.asarray(enlarged, np.float32) / 255.0
    local_max = np.asarray(enlarged.filter(ImageFilter.MaxFilter(9)), np.float32) / 255.0
    ridge = grey / np.maximum(local_max, 0.35)
    scale = float(ink_height) / float(rows[-1] - rows[0] + 1) / 4  # from the 4x map to the target
    factor = 3
    size = (max(2, round(crop.shape[1] * 4 * scale)), max(2, round(crop.shape[0] * 4 * scale)))
    fine = Image.fromarray(ridge, "F").resize((size[0] * factor, size[1] * factor), Image.Resampling.BICUBIC)
    weight = rng.uniform(0.45, 0.85) if ink_height > 24 else rng.uniform(0.3, 0.6)  # small digits keep their strokes
    solid = Image.fromarray(((np.asarray(fine) > weight) * 255).astype(np.uint8), "L").reduce(factor)
    mask = np.asarray(solid, np.float32) / 255.0
    unevenness = 1 - 0.12 * np.clip(smooth_field(mask.shape[0], mask.shape[1], 4, rng), 0, 2)
    return (mask * unevenness).astype(np.float32)


def stroke_width(ink: np.ndarray) -> float:
    """Return a pen stroke's width in px, estimated as ink area over half its outline (for drawing alike marks)."""
    solid = ink > 0.5
    edges = np.count_nonzero(solid[1:, :] != solid[:-1, :]) + np.count_nonzero(solid[:, 1:] != solid[:, :-1])
    return max(1.0, 2.0 * np.count_nonzero(solid) / max(edges, 1))


def pen_marks(
    height: int,
    width: int,
    strokes: Sequence[Sequence[tuple[float, float]]],
    line_width: float,
    dots: Sequence[tuple[float, float, float]] = (),
) -> np.ndarray:
    """Return a float32 [height,width] anti-aliased mask of hand-drawn polylines and dots (x, y, radius)."""
    factor = 3  # draw 3x larger, then average down: anti-aliased edges
    image = Image.new("L", (width * factor, height * factor), 0)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        points = [(x * factor, y * factor) for x, y in stroke]
        draw.line(points, fill=255, width=max(1, round(line_width * factor)), joint="curve")
        for x, y in (points[0], points[-1]):  # round pen ends
            r = line_width * factor / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    for x, y, radius in dots:
        draw.ellipse(
            ((x - radius) * factor, (y - radius) * factor, (x + radius) * factor, (y + radius) * factor), fill=255
        )
    return np.asarray(image.reduce(factor), np.float32) / 255.0


def wobbly(
    points: Sequence[tuple[float, float]], amount: float, rng: np.random.Generator, steps: int = 12
) -> list[tuple[float, float]]:
    """Return the polyline through `points` resampled and nudged by up to `amount` px, as a hand draws it."""
    out: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        bend = rng.normal(0, amount)
        for t in np.linspace(0, 1, steps, endpoint=False):
            nx, ny = -(y1 - y0), x1 - x0
            norm = math.hypot(nx, ny) or 1.0
            offset = bend * math.sin(math.pi * t) + rng.normal(0, amount * 0.15)
            out.append((x0 + (x1 - x0) * t + nx / norm * offset, y0 + (y1 - y0) * t + ny / norm * offset))
    out.append(points[-1])
    return out


def paste(canvas: np.ndarray, mask: np.ndarray, top: int, left: int) -> None:
    """Add `mask` into `canvas` at (top, left) by maximum, clipped to the canvas."""
    height, width = mask.shape
    t0, l0 = max(top, 0), max(left, 0)
    t1, l1 = min(top + height, canvas.shape[0]), min(left + width, canvas.shape[1])
    if t1 > t0 and l1 > l0:
        region = canvas[t0:t1, l0:l1]
        np.maximum(region, mask[t0 - top : t1 - top, l0 - left : l1 - left], out=region)


def ink_box(mask: np.ndarray, level: float = 0.3) -> tuple[int, int, int, int] | None:
    """Return the (x, y, width, height) of the pixels of `mask` above `level`, None if there are none."""
    rows = np.flatnonzero((mask > level).any(axis=1))
    cols = np.flatnonzero((mask > level).any(axis=0))
    if rows.size == 0:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)


# ---------------------------------------------------------------------------------------------
# Geometry and light


def homography(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Return the 3x3 projective map taking the four `source` points to the four `target` points."""
    rows, values = [], []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    solution = np.linalg.solve(np.asarray(rows, np.float64), np.asarray(values, np.float64))
    return np.append(solution, 1.0).reshape(3, 3)


def warp(image: Image.Image, frame_to_sheet: np.ndarray, size: tuple[int, int]) -> Image.Image:
    """Return `image` (sheet coordinates) seen in a frame of `size`, given the frame->sheet homography."""
    coefficients = tuple((frame_to_sheet / frame_to_sheet[2, 2]).ravel()[:8])
    return image.transform(size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BILINEAR)


def lighting(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """Return a float32 [height,width] light field: light from one side, a vignette, often a soft shadow across."""
    ys = np.linspace(-0.5, 0.5, height, dtype=np.float32)[:, None]
    xs = np.linspace(-0.5, 0.5, width, dtype=np.float32)[None, :]
    angle = rng.uniform(0, 2 * np.pi)
    light = 1 - rng.uniform(0.05, 0.4) * (0.5 + np.cos(angle) * xs + np.sin(angle) * ys)
    light = light * (1 - rng.uniform(0, 0.3) * (xs**2 + ys**2) * 2)
    if rng.uniform() < 0.75:  # the shadow of a phone, a hand or a lamp: a soft edge across the scene
        across = rng.uniform(0, 2 * np.pi)
        distance = np.cos(across) * xs + np.sin(across) * ys - rng.uniform(-0.3, 0.3)
        softness = rng.uniform(0.02, 0.15)
        shadow = 1 / (1 + np.exp(-np.clip(distance / softness, -30, 30)))
        light = light * (1 - rng.uniform(0.15, 0.5) * shadow)
    return light.astype(np.float32)


def finish(
    rgb: np.ndarray,
    size: tuple[int, int],
    rng: np.random.Generator,
    noise: tuple[float, float] = (1.5, 6.0),
    blur: tuple[float, float] = (0.0, 1.2),
) -> Image.Image:
    """Return the working-resolution RGB float image as a photo of `size`: white balance, defocus, scaled up, noise."""
    balance = rng.uniform(0.95, 1.04, 3).astype(np.float32)
    exposure = rng.uniform(0.9, 1.08)
    image = Image.fromarray((np.clip(rgb * balance * exposure, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB")
    radius = rng.uniform(*blur)
    if radius > 0.2:
        image = image.filter(ImageFilter.GaussianBlur(float(radius)))
    if image.size != size:
        image = image.resize(size, Image.Resampling.BILINEAR)  # the scale-up softens like a lens
    sigma = rng.uniform(*noise)
    if sigma > 0.3:  # sensor noise: luminance plus a little colour, at the photo's own resolution
        image = ImageChops.add(image, noise_image(size, sigma, rng), 1.0, -128)
    return image


def noise_image(size: tuple[int, int], sigma: float, rng: np.random.Generator, tile: int = 256) -> Image.Image:
    """Return an RGB image of sensor noise around 128: one random tile repeated (drawing a whole photo is slow)."""
    luma = rng.normal(0, sigma, (tile, tile, 1))
    chroma = rng.normal(0, sigma * 0.4, (tile, tile, 3))
    patch = Image.fromarray(np.clip(128 + luma + chroma, 0, 255).astype(np.uint8), "RGB")
    out = Image.new("RGB", size)
    for top in range(-int(rng.integers(tile)), size[1], tile):
        for left in range(-int(rng.integers(tile)), size[0], tile):
            out.paste(patch, (left, top))
    return out


# ---------------------------------------------------------------------------------------------
# Scenes


@dataclass(frozen=True)
class Layout:
    """What one sheet scene draws: paper style, whether the sheet fills the frame, and the marks around the digit."""

    paper: str
    close_up: bool = False
    stray: bool = False
    boxed: bool = False
    underlined: bool = False
    blank: bool = False
    desk_only: bool = False


LAYOUTS = {
    "plain_sheet": lambda rng: Layout("plain"),
    "ruled_sheet": lambda rng: Layout("ruled"),
    "squared_sheet": lambda rng: Layout("squared"),
    "exif_rotated": lambda rng: Layout(str(rng.choice(PAPERS))),
    "stray_mark": lambda rng: Layout(str(rng.choice(PAPERS)), stray=True),
    "boxed": lambda rng: Layout(str(rng.choice(PAPERS, p=[0.6, 0.2, 0.2])), boxed=True),
    "crossed_lines": lambda rng: Layout(str(rng.choice(["ruled", "squared"])), close_up=True),
    "underlined": lambda rng: Layout(str(rng.choice(PAPERS, p=[0.6, 0.2, 0.2])), underlined=True),
    "blank_sheet": lambda rng: Layout(str(rng.choice(PAPERS)), blank=True),
    "empty_desk": lambda rng: Layout("plain", blank=True, desk_only=True),
}


def photo_size(rng: np.random.Generator) -> tuple[int, int]:
    """Return a phone photo's (width, height): long side 1000-4000 px log-uniform, 4:3 / 16:9 / 3:2, either way up."""
    long_side = int(np.exp(rng.uniform(np.log(PHOTO_LONG_SIDE[0]), np.log(PHOTO_LONG_SIDE[1]))))
    short_side = round(long_side / PHOTO_ASPECTS[int(rng.integers(len(PHOTO_ASPECTS)))])
    return (long_side, short_side) if rng.uniform() < 0.5 else (short_side, long_side)


def sheet_quad(width: int, height: int, sheet_size: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    """Return the sheet's four corners in the frame (clockwise from top left): placed, turned, in slight perspective."""
    sheet_width, sheet_height = sheet_size
    centre = np.array([width * rng.uniform(0.35, 0.65), height * rng.uniform(0.35, 0.65)])
    angle = rng.normal(0, 0.12)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float64) * [sheet_width / 2, sheet_height / 2]
    keystone = rng.uniform(-0.1, 0.1)  # the far edge looks shorter
    corners[:2, 0] *= 1 - keystone
    corners[2:, 0] *= 1 + keystone
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    corners = corners @ rotation.T + centre
    return corners + rng.normal(0, 0.02 * min(sheet_width, sheet_height), corners.shape)


def place_digit(
    sheet_hw: tuple[int, int],
    ink_hw: tuple[int, int],
    to_frame: np.ndarray,
    frame_wh: tuple[int, int],
    rng: np.random.Generator,
) -> tuple[int, int] | None:
    """Return (top, left) on the sheet where the ink lies on the sheet and wholly inside the frame, or None."""
    sheet_height, sheet_width = sheet_hw
    ink_height, ink_width = ink_hw
    if ink_height > 0.92 * sheet_height or ink_width > 0.92 * sheet_width:
        return None  # wider or taller than the sheet inside its margins
    margin = 0.03 * min(frame_wh)
    for _ in range(60):
        top = rng.uniform(0.04 * sheet_height, sheet_height - ink_height - 0.04 * sheet_height)
        left = rng.uniform(0.04 * sheet_width, sheet_width - ink_width - 0.04 * sheet_width)
        corners = np.array(
            [
                [left, top, 1],
                [left + ink_width, top, 1],
                [left + ink_width, top + ink_height, 1],
                [left, top + ink_height, 1],
            ]
        )
        mapped = corners @ to_frame.T
        mapped = mapped[:, :2] / mapped[:, 2:]
        if (
            (mapped[:, 0] >= margin).all()
            and (mapped[:, 0] <= frame_wh[0] - margin).all()
            and (mapped[:, 1] >= margin).all()
            and (mapped[:, 1] <= frame_wh[1] - margin).all()
        ):
            return int(top), int(left)
    return None


def marks_around(
    box: tuple[int, int, int, int], sheet_hw: tuple[int, int], layout: Layout, pen: float, rng: np.random.Generator
) -> tuple[list[list[tuple[float, float]]], list[tuple[float, float, float]]]:
    """Return the hand-drawn strokes and dots a layout adds around the digit's ink box on the sheet."""
    x, y, w, h = box
    strokes: list[list[tuple[float, float]]] = []
    dots: list[tuple[float, float, float]] = []
    if layout.boxed:
        margin_x, margin_y = (rng.uniform(0.12, 0.45) * h for _ in range(2))
        left, top, right, bottom = x - margin_x, y - margin_y, x + w + margin_x, y + h + margin_y
        corners = [
            (left, top),
            (right, top),
            (right, bottom),
            (left, bottom),
            (left + rng.uniform(-0.03, 0.05) * h, top),
        ]
        strokes.append(wobbly(corners, 0.01 * h, rng))
    if layout.underlined:
        gap = rng.uniform(0.06, 0.25) * h
        over = rng.uniform(-0.05, 0.35) * w
        slope = rng.normal(0, 0.04) * w
        strokes.append(wobbly([(x - over, y + h + gap), (x + w + over, y + h + gap + slope)], 0.01 * h, rng))
    if layout.stray:
        sheet_height, sheet_width = sheet_hw
        centre = np.array([x + w / 2, y + h / 2])
        for _ in range(40):
            spot = np.array([rng.uniform(0.05, 0.95) * sheet_width, rng.uniform(0.05, 0.95) * sheet_height])
            if np.linalg.norm(spot - centre) > 1.1 * max(h, w) + 0.3 * h:
                break
        if rng.uniform() < 0.5:
            dots.append((float(spot[0]), float(spot[1]), pen * rng.uniform(0.4, 1.0)))
        else:
            length = rng.uniform(0.15, 0.6) * h
            angle = rng.uniform(0, 2 * np.pi)
            end = spot + length * np.array([math.cos(angle), math.sin(angle)])
            bend = spot + (end - spot) / 2 + rng.normal(0, 0.15 * length, 2)
            strokes.append(wobbly([tuple(spot), tuple(bend), tuple(end)], 0.02 * length, rng, steps=6))
    return strokes, dots


def sheet_scene(
    digit: np.ndarray | None, layout: Layout, rng: np.random.Generator, size: tuple[int, int] | None = None
) -> tuple[Image.Image, tuple[int, int, int, int] | None]:
    """Return (upright photo, digit box in its pixels) of a sheet (or only the desk) with the digit somewhere on it."""
    size = size or photo_size(rng)
    work = min(1.0, WORK_LONG_SIDE / max(size))
    width, height = max(8, round(size[0] * work)), max(8, round(size[1] * work))
    frame = desk(height, width, rng)
    digit_mask = np.zeros((height, width), np.float32)
    if not layout.desk_only:
        short_frame = min(width, height)
        sheet_short = short_frame * (rng.uniform(1.2, 1.6) if layout.close_up else rng.uniform(0.55, 1.0))
        aspect = (
            rng.choice([1.414, 1.3, 1.0 / 1.414]) if width < height else rng.choice([1.0 / 1.414, 1.0 / 1.3, 1.414])
        )
        sheet_wh = (sheet_short, sheet_short * aspect) if aspect >= 1 else (sheet_short / aspect, sheet_short)
        sheet_width, sheet_height = int(sheet_wh[0]), int(sheet_wh[1])
        quad = sheet_quad(width, height, (sheet_width, sheet_height), rng)
        sheet_corners = np.array([[0, 0], [sheet_width, 0], [sheet_width, sheet_height], [0, sheet_height]], np.float64)
        to_frame = homography(sheet_corners, quad)
        to_sheet = np.linalg.inv(to_frame)

        ink = None
        if digit is not None:
            fraction = rng.uniform(*DIGIT_FRACTION)
            if layout.boxed:
                fraction = min(fraction, 0.28)
            ink = digit_ink(digit, fraction * short_frame, rng)
        if layout.close_up:  # lines at a spacing that makes 1-3 of them cross the digit
            spacing = (ink.shape[0] if ink is not None else short_frame * 0.15) * rng.uniform(0.25, 0.5)
        else:
            spacing = (
                sheet_height / rng.uniform(22, 34) if layout.paper == "ruled" else sheet_width / rng.uniform(20, 40)
            )
        sheet = paper(sheet_height, sheet_width, rng)
        lines, line_colour = paper_lines(sheet_height, sheet_width, layout.paper, spacing, rng)
        sheet = sheet * (1 - lines[..., None]) + line_colour * lines[..., None]

        ink_colour = BLUE_BALLPOINT if rng.uniform() < 0.55 else BLACK_PEN
        ink_colour = np.clip(ink_colour + rng.normal(0, 0.03, 3), 0, 1).astype(np.float32)
        sheet_ink = np.zeros((sheet_height, sheet_width), np.float32)
        if ink is not None and digit is not None:
            placed = place_digit((sheet_height, sheet_width), ink.shape, to_frame, (width, height), rng)
            if placed is None:  # the sheet shows too little of itself for this digit: a smaller one, centred
                ink = digit_ink(digit, DIGIT_FRACTION[0] * short_frame, rng)
                centre = to_sheet @ np.array([width / 2, height / 2, 1.0])
                placed = (int(centre[1] / centre[2] - ink.shape[0] / 2), int(centre[0] / centre[2] - ink.shape[1] / 2))
            paste(sheet_ink, ink, *placed)
            box = ink_box(sheet_ink)
            assert box is not None
            strokes, dots = marks_around(box, (sheet_height, sheet_width), layout, stroke_width(ink), rng)
            marks = pen_marks(sheet_height, sheet_width, strokes, stroke_width(ink) * rng.uniform(0.6, 1.1), dots)
            sheet = sheet * (1 - np.maximum(sheet_ink, marks)[..., None] * (1 - ink_colour))
        sheet_image = Image.fromarray((np.clip(sheet, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB")
        sheet_image.putalpha(255)
        seen = warp(sheet_image, to_sheet, (width, height))
        alpha = np.asarray(seen.getchannel("A"), np.float32)[..., None] / 255.0
        # The sheet's own shadow on the desk, soft and a little offset from the light.
        shade = seen.getchannel("A").filter(ImageFilter.GaussianBlur(max(1.0, 0.01 * short_frame)))
        shade = ImageChops.offset(shade, int(rng.integers(-4, 5)), int(rng.integers(1, 6)))
        frame = frame * (1 - rng.uniform(0.2, 0.45) * np.asarray(shade, np.float32)[..., None] / 255.0)
        frame = frame * (1 - alpha) + np.asarray(seen.convert("RGB"), np.float32) / 255.0 * alpha
        if ink is not None:
            digit_mask = (
                np.asarray(
                    warp(Image.fromarray((sheet_ink * 255).astype(np.uint8), "L"), to_sheet, (width, height)),
                    np.float32,
                )
                / 255.0
            )
    frame = frame * lighting(height, width, rng)[..., None]
    photo = finish(frame, size, rng)
    box = ink_box(digit_mask)
    if box is None:
        return photo, None
    scale_x, scale_y = size[0] / width, size[1] / height
    x0, y0 = math.floor(box[0] * scale_x), math.floor(box[1] * scale_y)
    x1, y1 = math.ceil((box[0] + box[2]) * scale_x), math.ceil((box[1] + box[3]) * scale_y)
    return photo, (x0, y0, min(x1, size[0]) - x0, min(y1, size[1]) - y0)


def form_cell(digit: np.ndarray, rng: np.random.Generator) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """Return (scan, digit box) of one cell cut from a scanned form: bits of the cell's frame at the edges."""
    cell_height = int(rng.integers(*CELL_SIDE))
    cell_width = int(cell_height * rng.uniform(0.75, 1.4))
    margins = [int(rng.uniform(-0.04, 0.25) * cell_height) for _ in range(4)]  # top, right, bottom, left
    height, width = cell_height + margins[0] + margins[2], cell_width + margins[1] + margins[3]
    line_width = max(1.0, cell_height * rng.uniform(0.012, 0.04))
    rows = [margins[0] + k * cell_height for k in (-1, 0, 1, 2)]
    cols = [margins[3] + k * cell_width for k in (-1, 0, 1, 2)]
    frame_lines = line_layer(height, width, rows, cols, line_width)
    if rng.uniform() < 0.3:  # scans drop parts of thin lines
        frame_lines = frame_lines * (smooth_field(height, width, 6, rng) > -0.8)
    ink = digit_ink(digit, cell_height * rng.uniform(0.4, 0.75), rng)
    room_y = cell_height - ink.shape[0] - 2 * line_width - 2
    room_x = cell_width - ink.shape[1] - 2 * line_width - 2
    top = int(margins[0] + line_width + 1 + rng.uniform(0, max(room_y, 0)))
    left = int(margins[3] + line_width + 1 + rng.uniform(0, max(room_x, 0)))
    digit_mask = np.zeros((height, width), np.float32)
    paste(digit_mask, ink, top, left)
    background = rng.uniform(0.85, 1.0)
    frame_colour = np.array(
        rng.choice([[0.1, 0.1, 0.1], [0.35, 0.35, 0.35], [0.75, 0.2, 0.2], [0.2, 0.3, 0.7]]), np.float32
    )
    rgb = (
        np.full((height, width, 3), background, np.float32)
        * (1 + 0.02 * smooth_field(height, width, 5, rng))[..., None]
    )
    rgb = rgb * (1 - frame_lines[..., None] * (1 - frame_colour))
    rgb = rgb * (1 - digit_mask[..., None] * (1 - (BLUE_BALLPOINT if rng.uniform() < 0.4 else BLACK_PEN)))
    angle = rng.normal(0, 0.8)  # a scan is rarely perfectly square
    scan = Image.fromarray((np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB")
    scan = scan.rotate(angle, Image.Resampling.BILINEAR, fillcolor=(int(background * 255),) * 3)
    turned = Image.fromarray((digit_mask * 255).astype(np.uint8), "L").rotate(angle, Image.Resampling.BILINEAR)
    scan = finish(np.asarray(scan, np.float32) / 255.0, scan.size, rng, noise=(0.0, 3.0), blur=(0.0, 0.7))
    if rng.uniform() < 0.4:
        scan = scan.convert("L")
    box = ink_box(np.asarray(turned, np.float32) / 255.0)
    assert box is not None
    return scan, box


def encode(image: Image.Image, extension: str, rng: np.random.Generator, orientation: int = 1) -> bytes:
    """Return the picture as JPEG (quality 70-92) or PNG bytes; with an orientation: stored rotated, with that tag."""
    exif = Image.Exif()
    if orientation != 1:
        image = image.transpose(STORE_ROTATED[orientation])
        exif[EXIF_ORIENTATION] = orientation
    buffer = io.BytesIO()
    if extension == "jpg":
        image.save(buffer, "JPEG", quality=int(rng.integers(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1)), exif=exif.tobytes())
    else:
        image.save(buffer, "PNG", exif=exif.tobytes() if orientation != 1 else None)
    return buffer.getvalue()


def render_scene(digit: np.ndarray, label: int, kind: str, rng: np.random.Generator) -> Scene:
    """Return one scene of `kind` drawing the MNIST test digit `digit` (ignored by the blank kinds)."""
    if kind == "form_cell":
        cell, cell_box = form_cell(digit, rng)
        extension = "png" if rng.uniform() < 0.6 else "jpg"
        return Scene(encode(cell, extension, rng), extension, label, kind, cell_box, cell.size)
    layout = LAYOUTS[kind](rng)
    image, box = sheet_scene(None if layout.blank else digit, layout, rng)
    orientation = int(rng.choice([6, 8])) if kind == "exif_rotated" else 1
    return Scene(
        encode(image, "jpg", rng, orientation),
        "jpg",
        None if layout.blank else label,
        kind,
        box,
        image.size,
        orientation,
    )


def phone_photo(digit: np.ndarray, label: int, size: tuple[int, int], seed: int) -> Scene:
    """Return a plain-sheet scene of exactly `size` (e.g. a 4000x3000 phone JPEG for the benchmark's latency)."""
    rng = np.random.default_rng(seed)
    image, box = sheet_scene(digit, Layout("plain"), rng, size)
    return Scene(encode(image, "jpg", rng), "jpg", label, "plain_sheet", box, image.size)


def render_scenes(
    count: int,
    seed: int = 0,
    images: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    kinds: Sequence[str] = KINDS,
) -> list[Scene]:
    """Return `count` scenes, kinds in rotation, drawing MNIST test digits (loaded when `images` is None).

    Scene i uses its own generator seeded by (seed, i), so a scene does not change when the count does;
    the digits are chosen without replacement by the generator of `seed`.
    """
    if images is None or labels is None:
        mnist = load_test_digits()
        images, labels = mnist
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown scene kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
    chosen = np.random.default_rng(seed).choice(len(images), size=count, replace=count > len(images))
    return [
        render_scene(images[index], int(labels[index]), kinds[n % len(kinds)], np.random.default_rng([seed, n]))
        for n, index in enumerate(chosen)
    ]


def load_test_digits() -> tuple[np.ndarray, np.ndarray]:
    """Return MNIST's test images and labels from $SNAPMATH_MNIST_DIR or ../shared/data/mnist."""
    from training import data

    mnist = data.load_mnist(os.environ.get(data.DATA_DIR_ENV) or DEFAULT_MNIST_DIR)
    return mnist.test_images, mnist.test_labels


class Encoded(Protocol):
    """A rendered picture as a file: its encoded bytes, the extension they go with, and its file name stem."""

    @property
    def data(self) -> bytes: ...

    @property
    def extension(self) -> str: ...

    @property
    def name(self) -> str: ...


def write_pictures(pictures: Sequence[Encoded], out_dir: Path) -> list[Path]:
    """Write each picture as `<name>-<i>.<ext>` into out_dir, made if missing; return the paths. The index
    keeps names apart; the scenes, build.nondigits and build.bench.numbers name their files this one way."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, picture in enumerate(pictures):
        path = out_dir / f"{picture.name}-{index}.{picture.extension}"
        path.write_bytes(picture.data)
        paths.append(path)
    return paths


def look_command(
    argv: Sequence[str] | None,
    module: str,
    doc: str,
    what: str,
    *,
    count: int,
    seed: int,
    render: Callable[[int, int], Sequence[Encoded]],
) -> int:
    """Run the command line of build.nondigits and build.bench.numbers: render --count pictures from --seed
    (defaults: count, seed) and write them into --out to look at. One place, so the two commands read alike."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=doc.splitlines()[0])
    parser.add_argument("--count", type=int, default=count)
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    write_pictures(render(args.count, args.seed), args.out)
    print(f"wrote {args.count} {what} to {args.out}")
    return 0


# ---------------------------------------------------------------------------------------------
# Quick evaluation with the Python twin: python -m training.predict --json on the written files


def read_with_predict(paths: Sequence[Path], model: Path | None = None) -> list[dict]:
    """Return `python -m training.predict --json`'s answer per file (the Python twin and the SavedModel)."""
    command = [sys.executable, "-m", "training.predict", "--json", *map(str, paths)]
    if model is not None:
        command += ["--model", str(model)]
    result = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    )
    try:
        answers = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(
            f"python -m training.predict failed ({result.returncode}):\n{result.stderr[-2000:]}"
        ) from None
    if len(answers) != len(paths):
        raise RuntimeError(f"python -m training.predict answered {len(answers)} of {len(paths)} files")
    return answers


def reading_of(answer: dict) -> int | None:
    """Return what an answer reads: `number` when the answer has it (contract of issues 9-10), else `digit`."""
    number = answer.get("number")
    return answer.get("digit") if number is None and "number" not in answer else number


def overlap(first: Sequence[float], second: Sequence[float]) -> float:
    """Return the intersection over union of two (x, y, width, height) boxes."""
    x0, y0 = max(first[0], second[0]), max(first[1], second[1])
    x1 = min(first[0] + first[2], second[0] + second[2])
    y1 = min(first[1] + first[3], second[1] + second[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = first[2] * first[3] + second[2] * second[3] - inter
    return inter / union if union > 0 else 0.0


def as_box(value: object) -> tuple[float, float, float, float] | None:
    """Return a box given as {x, y, width, height} or [x, y, w, h] as a tuple, None otherwise."""
    if isinstance(value, dict) and {"x", "y", "width", "height"} <= value.keys():
        return float(value["x"]), float(value["y"]), float(value["width"]), float(value["height"])
    if isinstance(value, (list, tuple)) and len(value) == 4:
        return tuple(float(v) for v in value)  # type: ignore[return-value]
    return None


def score(scenes: Sequence[Scene], answers: Sequence[dict]) -> dict:
    """Return per kind {count, correct, accuracy, boxes_hit} and the blanks read as a digit (blanks must read none)."""
    by_kind: dict[str, dict] = {}
    for scene, answer in zip(scenes, answers, strict=True):
        tally = by_kind.setdefault(scene.kind, {"count": 0, "correct": 0, "boxes_hit": 0, "boxes_given": 0})
        tally["count"] += 1
        tally["correct"] += reading_of(answer) == scene.label
        given = as_box(answer.get("box"))
        if given is not None and scene.box is not None:
            tally["boxes_given"] += 1
            tally["boxes_hit"] += overlap(given, scene.box) >= 0.5
    for tally in by_kind.values():
        tally["accuracy"] = tally["correct"] / tally["count"]
    digits = [(s, a) for s, a in zip(scenes, answers, strict=True) if s.label is not None]
    blanks = [(s, a) for s, a in zip(scenes, answers, strict=True) if s.label is None]
    correct = sum(reading_of(a) == s.label for s, a in digits)
    return {
        "count": len(scenes),
        "digits": len(digits),
        "digits_correct": correct,
        "digit_accuracy": correct / len(digits) if digits else 0.0,
        "blanks": len(blanks),
        "blanks_read": sum(reading_of(a) is not None for _, a in blanks),
        "by_kind": by_kind,
    }


def format_score(result: dict) -> str:
    """Return the evaluation as lines a person reads."""
    lines = [f"{'kind':<14} {'correct':>9} {'accuracy':>9}  box IoU>=0.5"]
    for kind in KINDS:
        tally = result["by_kind"].get(kind)
        if tally:
            boxes = f"{tally['boxes_hit']}/{tally['boxes_given']}" if tally["boxes_given"] else "-"
            lines.append(f"{kind:<14} {tally['correct']:>4}/{tally['count']:<4} {tally['accuracy']:>8.1%}  {boxes}")
    lines.append(
        f"digits read right: {result['digits_correct']}/{result['digits']} ({result['digit_accuracy']:.1%}); "
        f"blanks read as a digit: {result['blanks_read']}/{result['blanks']}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Write scenes to look at, or read them with the Python twin and print accuracy per kind."""
    parser = argparse.ArgumentParser(prog="python -m build.scenes", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="scenes to render (default 40)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    parser.add_argument("--out", type=Path, help="write the scenes into this folder")
    parser.add_argument("--kind", action="append", choices=KINDS, help="only these kinds (repeatable)")
    parser.add_argument("--evaluate", action="store_true", help="read the scenes with python -m training.predict")
    parser.add_argument("--model", type=Path, help="SavedModel for --evaluate (default: the shipped one)")
    parser.add_argument("--misses", action="store_true", help="with --evaluate: list the files read wrong")
    args = parser.parse_args(argv)
    if args.count < 1 or not (args.out or args.evaluate):
        parser.error("give --count >= 1 and --out DIR and/or --evaluate")
    scenes = render_scenes(args.count, args.seed, kinds=args.kind or KINDS)
    if args.out:
        write_pictures(scenes, args.out)
        print(f"wrote {len(scenes)} scenes to {args.out}")
    if args.evaluate:
        with tempfile.TemporaryDirectory(prefix="snapmath-scenes-") as folder:
            paths = write_pictures(scenes, args.out or Path(folder))
            answers = read_with_predict(paths, args.model)
        result = score(scenes, answers)
        print(format_score(result))
        if args.misses:
            for path, scene, answer in zip(paths, scenes, answers, strict=True):
                if reading_of(answer) != scene.label:
                    print(f"  {path.name}: read {reading_of(answer)} ({answer.get('reason') or ''}) box {scene.box}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
