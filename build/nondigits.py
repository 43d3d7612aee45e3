"""Pictures that are not digits, as people upload them, for measuring refusal (issue 10); never for training.

Letters and short words in fonts, symbols, drawn shapes (stars, triangles, hearts, spirals, ...),
scribbles, hatching, smudges, textures and bits of a desk, painted like the rendered uploads
(build.uploads.paint: tinted or ruled paper, coloured ink, a dark board, a transparent PNG) at
64-2000 px. recognize() must refuse every one: digit null and number null.

Held out from what the model trains on (training/negatives.py renders those):
- drawn by this module's own code, from its own seeds;
- FONT RULE: letters and words use only the benchmark's fonts. Over the one declared font list
  training.negatives.FONT_FILES, sorted by file name, the fonts at ODD indices are the benchmark's
  (BENCHMARK_FONT_PARITY = 1) and the fonts at EVEN indices are training's. The split is over the
  declared list, not over what is installed, so a missing font never moves another across.

Digit look-alikes are left out, as in training (training.negatives.LOOK_ALIKES): a person who
writes them may mean the digit, so refusing them is not asked of the model:
  O o Q D -> 0   I l i j | ! -> 1   Z z ? -> 2   S s -> 5   b G -> 6   B & -> 8   g q -> 9
and symbols that are one straight or bent stroke like a 1 (/ \\ ( ) [ ] { }) are not drawn; nor
are circles, ovals or squares drawn alone (a 0).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from build import scenes, uploads
from training import negatives
from training.fonts import installed_fonts

BENCHMARK_FONT_PARITY = 1  # fonts at odd indices of the sorted declared list; training uses the even ones
LOOK_ALIKES = negatives.LOOK_ALIKES
LETTERS = "".join(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in LOOK_ALIKES)
SYMBOLS = "+=#@*%×÷$€<>~^"
WORDS = tuple(
    word
    for word in (
        "hello",
        "why",
        "Ann",
        "ok",
        "OK",
        "yes",
        "no",
        "now",
        "help",
        "tax",
        "fee",
        "max",
        "min",
        "sum",
        "x+y",
        "a+b",
        "km",
        "cm",
        "kg",
        "am",
        "pm",
        "Tom",
        "Kate",
        "Mark",
        "tea",
        "vat",
        "wow",
        "Ha",
        "ace",
        "ten",
        "one",
        "two",
        "five",
        "nine",
        "MAX",
        "NET",
        "TAX",
        "Fri",
        "Mon",
    )
    if not LOOK_ALIKES.intersection(word)
)
SHAPES = (
    "star",
    "triangle",
    "heart",
    "spiral",
    "arrow",
    "smiley",
    "zigzag",
    "wave",
    "tick",
    "cross",
    "cloud",
    "flower",
)
# Kinds in rotation: a quarter letters, a fifth shapes, the rest spread over the other kinds.
KIND_CYCLE = (
    "letter",
    "shape",
    "word",
    "letter",
    "scribble",
    "symbol",
    "shape",
    "hatching",
    "letter",
    "smudge",
    "shape",
    "texture",
    "word",
    "desk",
    "letter",
    "scribble",
)
KINDS = tuple(dict.fromkeys(KIND_CYCLE))
MARK_CANVAS = 240  # px of the square a mark is drawn in before it is scaled into the picture


class NoFontsError(RuntimeError):
    """None of the benchmark's fonts is installed."""


@dataclass(frozen=True)
class NonDigit:
    """One rendered non-digit picture: file bytes, extension, kind (letter, shape, ...) and style of paint."""

    data: bytes
    extension: str
    kind: str
    style: str
    label: None = None

    @property
    def name(self) -> str:
        """The file name stem when written out: `notdigit-<kind>-<style>`."""
        return f"notdigit-{self.kind}-{self.style}"


def benchmark_fonts() -> list[str]:
    """Return the benchmark's font files (odd indices of training.negatives.FONT_FILES) that Pillow can open."""
    found = installed_fonts(
        name for index, name in enumerate(negatives.FONT_FILES) if index % 2 == BENCHMARK_FONT_PARITY
    )
    if not found:
        raise NoFontsError("none of the benchmark's fonts is installed (see training.negatives.FONT_FILES)")
    return found


# ---------------------------------------------------------------------------------------------
# Marks: each returns a float32 ink mask 0..1 cropped to its ink


def crop_to_ink(mask: np.ndarray, pad: int = 2) -> np.ndarray:
    """Return the mask cropped to its ink with a small pad (the whole mask when it holds none)."""
    box = scenes.ink_box(mask, 0.05)
    if box is None:
        return mask
    x, y, w, h = box
    return np.pad(mask[y : y + h, x : x + w], pad)


def text_mask(text: str, font_name: str, rng: np.random.Generator) -> np.ndarray:
    """Return the ink of `text` in a font: filled, sometimes outlined like clip-art, slightly turned or slanted."""
    font = ImageFont.truetype(font_name, int(rng.integers(120, 180)))
    image = Image.new("L", (MARK_CANVAS * 4, MARK_CANVAS * 2), 0)
    draw = ImageDraw.Draw(image)
    centre = (image.width / 2, image.height / 2)
    if rng.uniform() < 0.1:
        draw.text(centre, text, font=font, anchor="mm", fill=0, stroke_width=int(rng.integers(2, 5)), stroke_fill=255)
    else:
        draw.text(centre, text, font=font, anchor="mm", fill=255, stroke_width=int(rng.integers(0, 3)), stroke_fill=255)
    return slant(image, rng)


def slant(image: Image.Image, rng: np.random.Generator) -> np.ndarray:
    """Return an 'L' mark turned by a few degrees and sheared a little, as float32 cropped to its ink."""
    shear = rng.uniform(-0.15, 0.15)
    image = image.transform(
        image.size, Image.Transform.AFFINE, (1, shear, -shear * image.height / 2, 0, 1, 0), Image.Resampling.BILINEAR
    )
    image = image.rotate(rng.uniform(-15, 15), Image.Resampling.BILINEAR, expand=True)
    return crop_to_ink(np.asarray(image, np.float32) / 255.0)


def pen_width(rng: np.random.Generator) -> float:
    """Return a pen stroke width in px of the mark canvas: a fine pen to a marker."""
    return float(rng.uniform(3, 16))


def shape_strokes(shape: str, rng: np.random.Generator) -> tuple[list[list[tuple[float, float]]], bool]:
    """Return (polylines, whether to fill the first one) of a hand-drawn shape about the canvas centre."""
    c = np.array([MARK_CANVAS / 2, MARK_CANVAS / 2])
    r = MARK_CANVAS * rng.uniform(0.3, 0.42)
    tremor = r * 0.02

    def points(xs: np.ndarray, ys: np.ndarray) -> list[tuple[float, float]]:
        jitter = rng.normal(0, tremor, (len(xs), 2))
        return [(float(c[0] + x + j[0]), float(c[1] + y + j[1])) for x, y, j in zip(xs, ys, jitter, strict=True)]

    fill = rng.uniform() < 0.2
    turn = rng.uniform(0, 2 * math.pi)
    if shape in ("star", "triangle"):
        corners = int(rng.integers(5, 7)) if shape == "star" else 3
        steps = corners * 2 if shape == "star" else corners
        angles = np.linspace(0, 2 * math.pi, steps + 1) + turn
        radii = np.where(np.arange(steps + 1) % 2 == 1, r * rng.uniform(0.38, 0.55), r) if shape == "star" else r
        return [points(radii * np.cos(angles), radii * np.sin(angles))], fill
    if shape == "heart":
        t = np.linspace(0, 2 * math.pi, 90)
        xs = 16 * np.sin(t) ** 3 * r / 17
        ys = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)) * r / 17
        return [points(xs, ys)], fill
    if shape == "spiral":
        t = np.linspace(0, rng.uniform(2.5, 4) * 2 * math.pi, 160)
        radius = r * t / t[-1]
        sign = rng.choice([-1.0, 1.0])
        return [points(radius * np.cos(sign * t + turn), radius * np.sin(sign * t + turn))], False
    if shape == "arrow":
        d = np.array([math.cos(turn), math.sin(turn)]) * r
        head = d
        strokes = [points(np.array([-d[0], d[0]]), np.array([-d[1], d[1]]))]
        for side in (-1, 1):
            barb = turn + math.pi + side * rng.uniform(0.4, 0.7)
            end = head + 0.45 * r * np.array([math.cos(barb), math.sin(barb)])
            strokes.append(points(np.array([head[0], end[0]]), np.array([head[1], end[1]])))
        return strokes, False
    if shape == "smiley":
        t = np.linspace(0, 2 * math.pi, 80)
        smile = np.linspace(0.2 * math.pi, 0.8 * math.pi, 30)
        strokes = [
            points(r * np.cos(t), r * np.sin(t)),
            points(0.55 * r * np.cos(smile), 0.1 * r + 0.45 * r * np.sin(smile)),
        ]
        for side in (-1, 1):  # eyes: short strokes
            strokes.append(points(np.array([side * 0.35 * r] * 2), np.array([-0.4 * r, -0.2 * r])))
        return strokes, False
    if shape in ("zigzag", "wave"):
        t = np.linspace(-1, 1, 9 if shape == "zigzag" else 80)
        periods = rng.uniform(1.5, 4)
        ys = np.sin(t * periods * math.pi)
        ys = np.sign(ys) * np.abs(ys) ** (0.1 if shape == "zigzag" else 1)
        return [points(t * r * 1.2, ys * r * rng.uniform(0.2, 0.5))], False
    if shape == "tick":
        return [points(np.array([-0.8, -0.2, 0.9]) * r, np.array([0.0, 0.7, -0.8]) * r)], False
    if shape == "cross":  # an x or a plus, drawn large
        angle = rng.choice([0.0, math.pi / 4]) + rng.uniform(-0.2, 0.2)
        strokes = []
        for a in (angle, angle + math.pi / 2):
            d = np.array([math.cos(a), math.sin(a)]) * r
            strokes.append(points(np.array([-d[0], d[0]]), np.array([-d[1], d[1]])))
        return strokes, False
    if shape == "cloud":
        t = np.linspace(0, 2 * math.pi, 140)
        radius = r * (0.8 + 0.2 * np.abs(np.sin(t * int(rng.integers(5, 9)) / 2)))
        return [points(radius * np.cos(t) * 1.2, radius * np.sin(t) * 0.75)], fill
    # flower: petals round a small centre
    petals = int(rng.integers(5, 8))
    t = np.linspace(0, 2 * math.pi, 200)
    radius = r * (0.35 + 0.65 * np.abs(np.cos(t * petals / 2)))
    return [points(radius * np.cos(t + turn), radius * np.sin(t + turn))], fill


def shape_mask(rng: np.random.Generator) -> np.ndarray:
    """Return the ink of one hand-drawn shape of SHAPES, outlined or (now and then) filled."""
    strokes, fill = shape_strokes(str(rng.choice(SHAPES)), rng)
    mask = scenes.pen_marks(MARK_CANVAS, MARK_CANVAS, strokes, pen_width(rng))
    if fill:
        image = Image.fromarray((mask * 255).astype(np.uint8), "L")
        ImageDraw.Draw(image).polygon(strokes[0], fill=255)
        mask = np.asarray(image, np.float32) / 255.0
    return crop_to_ink(mask)


def scribble_mask(rng: np.random.Generator) -> np.ndarray:
    """Return the ink of a scribble: loops going back and forth over a patch (never one lone stroke, which is a 1)."""
    t = np.linspace(0, 1, 400)
    turns = rng.uniform(3, 9)
    half = MARK_CANVAS * rng.uniform(0.25, 0.42) * np.array([1.0, rng.uniform(0.45, 1.0)])
    xs = np.sin(2 * math.pi * turns * t + rng.uniform(0, 6)) * (
        0.6 + 0.4 * np.sin(2 * math.pi * rng.uniform(0.3, 1.5) * t)
    )
    ys = np.sin(2 * math.pi * turns * rng.uniform(0.6, 1.6) * t + rng.uniform(0, 6))
    drift = np.cumsum(rng.normal(0, 0.02, (len(t), 2)), axis=0)
    path = np.stack([xs, ys], axis=1) * 0.8 + drift
    path = path / np.abs(path).max(axis=0) * half
    if rng.uniform() < 0.5:
        path = path[:, ::-1]
    path += MARK_CANVAS / 2
    return crop_to_ink(scenes.pen_marks(MARK_CANVAS, MARK_CANVAS, [[tuple(p) for p in path]], pen_width(rng) * 0.5))


def hatching_mask(rng: np.random.Generator) -> np.ndarray:
    """Return the ink of parallel strokes over a patch, sometimes crossed."""
    c = np.full(2, MARK_CANVAS / 2)
    half = MARK_CANVAS * rng.uniform(0.2, 0.4)
    strokes = []
    for angle in [rng.uniform(0, math.pi)] + ([rng.uniform(0, math.pi)] if rng.uniform() < 0.4 else []):
        d = np.array([math.cos(angle), math.sin(angle)])
        n = np.array([-d[1], d[0]])
        for offset in np.arange(-half, half, rng.uniform(10, 24)):
            start = c + n * offset - d * half * rng.uniform(0.7, 1.0)
            end = c + n * offset + d * half * rng.uniform(0.7, 1.0)
            strokes.append(scenes.wobbly([tuple(start), tuple(end)], 1.0, rng, steps=4))
    return crop_to_ink(scenes.pen_marks(MARK_CANVAS, MARK_CANVAS, strokes, pen_width(rng) * 0.5))


def smudge_mask(rng: np.random.Generator) -> np.ndarray:
    """Return soft blurred blobs of rubbed ink or pencil."""
    image = Image.new("L", (MARK_CANVAS, MARK_CANVAS), 0)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(1, 5))):
        c = MARK_CANVAS / 2 + rng.normal(0, 25, 2)
        rx, ry = rng.uniform(10, 55, 2)
        draw.ellipse((c[0] - rx, c[1] - ry, c[0] + rx, c[1] + ry), fill=int(rng.integers(90, 256)))
    image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(5, 16))))
    return crop_to_ink(np.asarray(image, np.float32) / 255.0)


def texture_mask(rng: np.random.Generator) -> np.ndarray:
    """Return a patch of pattern: dots, stripes, a weave or speckles, as on card, fabric or a printed surface."""
    side = MARK_CANVAS
    y, x = np.mgrid[0:side, 0:side].astype(np.float32)
    kind = int(rng.integers(4))
    if kind == 0:
        step = rng.uniform(10, 26)
        field = np.cos(2 * math.pi * x / step) * np.cos(2 * math.pi * y / step)
    elif kind == 1:
        angle = rng.uniform(0, math.pi)
        field = np.sin((math.cos(angle) * x + math.sin(angle) * y) / rng.uniform(3, 9))
    elif kind == 2:
        field = np.sin(x / rng.uniform(2, 5)) + np.sin(y / rng.uniform(2, 5))
    else:
        field = scenes.smooth_field(side, side, 60, rng)
    mask = (field > rng.uniform(0.2, 0.8)).astype(np.float32)
    height, width = (int(v) for v in rng.integers(side // 3, side, 2))
    return mask[:height, :width]


MARKS: dict[str, Callable[[np.random.Generator, list[str]], np.ndarray]] = {
    "letter": lambda rng, fonts: text_mask(str(rng.choice(list(LETTERS))), str(rng.choice(fonts)), rng),
    "word": lambda rng, fonts: text_mask(str(rng.choice(WORDS)), str(rng.choice(fonts)), rng),
    "symbol": lambda rng, fonts: text_mask(str(rng.choice(list(SYMBOLS))), str(rng.choice(fonts)), rng),
    "shape": lambda rng, fonts: shape_mask(rng),
    "scribble": lambda rng, fonts: scribble_mask(rng),
    "hatching": lambda rng, fonts: hatching_mask(rng),
    "smudge": lambda rng, fonts: smudge_mask(rng),
    "texture": lambda rng, fonts: texture_mask(rng),
}


# ---------------------------------------------------------------------------------------------
# Pictures


def desk_picture(rng: np.random.Generator) -> Image.Image:
    """Return a photo of a bit of a desk: wood, laminate, a dark top or cloth, sometimes a pen or an edge on it."""
    side = int(np.exp(rng.uniform(np.log(200), np.log(2000))))
    width, height = (
        (side, int(side * rng.uniform(0.6, 1.0))) if rng.uniform() < 0.5 else (int(side * rng.uniform(0.6, 1.0)), side)
    )
    work = min(1.0, scenes.WORK_LONG_SIDE / side)
    small = (max(8, round(width * work)), max(8, round(height * work)))
    rgb = scenes.desk(small[1], small[0], rng)
    thing = rng.uniform()
    if thing < 0.35:  # a pen lying across
        angle = rng.uniform(0, math.pi)
        d = np.array([math.cos(angle), math.sin(angle)]) * max(small)  # runs out of the picture: a pen, not a 1
        c = np.array(small) / 2 + rng.normal(0, 0.1, 2) * np.array(small)
        pen = scenes.pen_marks(small[1], small[0], [[tuple(c - d), tuple(c + d)]], min(small) * rng.uniform(0.03, 0.07))
        colour = rng.uniform(0.0, 0.9, 3).astype(np.float32)
        rgb = rgb * (1 - pen[..., None]) + colour * pen[..., None]
    elif thing < 0.6:  # the desk's edge: the floor or a wall beyond it
        edge = np.linspace(0, 1, small[1], dtype=np.float32)[:, None] > rng.uniform(0.5, 0.85)
        rgb = np.where(edge[..., None], rgb * rng.uniform(0.2, 0.5), rgb)
    rgb = rgb * scenes.lighting(small[1], small[0], rng)[..., None]
    return scenes.finish(rgb, (width, height), rng)


def render_nondigit(kind: str, rng: np.random.Generator, fonts: list[str], style: str) -> NonDigit:
    """Return one non-digit picture of `kind`, painted in `style` (desk photos are their own style, 'photo')."""
    if kind == "desk":
        image = desk_picture(rng)
        extension = "jpg" if rng.uniform() < 0.8 else "png"
        return NonDigit(scenes.encode(image, extension, rng), extension, kind, "photo")
    mark = MARKS[kind](rng, fonts)
    image, extension = uploads.paint(uploads.place(mark, rng), style, rng)
    return NonDigit(scenes.encode(image, extension, rng), extension, kind, style)


def render_nondigits(count: int, seed: int = 1) -> list[NonDigit]:
    """Return `count` non-digit pictures, kinds in KIND_CYCLE rotation and paint styles in their own.

    Picture i uses its own generator seeded by (seed, i): same seed, same bytes.
    """
    fonts = benchmark_fonts()
    return [
        render_nondigit(
            KIND_CYCLE[n % len(KIND_CYCLE)],
            np.random.default_rng([seed, n]),
            fonts,
            uploads.STYLES[(n // len(KIND_CYCLE)) % len(uploads.STYLES)],
        )
        for n in range(count)
    ]


def write(pictures: Sequence[NonDigit], out_dir: Path) -> list[Path]:
    """Write pictures as `notdigit-<kind>-<style>-<i>.<ext>` into out_dir; return the paths."""
    return scenes.write_pictures(pictures, out_dir)


def main(argv: Sequence[str] | None = None) -> int:
    """Write non-digit pictures to look at."""
    return scenes.look_command(
        argv, "build.nondigits", __doc__, "non-digit pictures", count=32, seed=1, render=render_nondigits
    )


if __name__ == "__main__":
    sys.exit(main())
