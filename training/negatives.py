"""Pictures that are not digits, and digit crops as the localisation stage cuts them, as model inputs.

Issue 10: the model must learn to refuse. Everything here is drawn by this module (Pillow + numpy)
and put through training.preprocess, the twin of the page's preprocessing, so the model sees each
picture exactly as the page would hand it over; pictures the page reads as "no digit found" (blank
paper, faint marks) give no model input and need no class.

Kinds of non-digits (KINDS): letters and short words in standard and handwriting-like fonts,
symbols, drawn shapes (stars, triangles, hearts, spirals, arrows, smileys, ...), scribbles,
hatching, smudges, textures and bits of a desk.

Digit look-alikes are left out (LOOK_ALIKES): a person who writes them may mean a digit, and
teaching the model to refuse them would teach it to refuse real digits:
  O o Q D  -> 0      I l i j | ! -> 1      Z z ? -> 2      S s -> 5
  b G      -> 6      B & -> 8              g q -> 9        and circles, rings, ovals and squares
  (a 0 drawn round or as a box, a seven-segment 0) are not drawn as shapes either.

Font split (FONT_FILES, sorted by file name): training uses the fonts at EVEN indices, the
benchmark (build/) the fonts at ODD indices, so the benchmark measures refusal on fonts the model
never saw. The split is over the declared list, not over the fonts installed, so a missing font
never moves another font to the other side.

Digit crops (render_digit_crops): MNIST training digits drawn large on paper with a neighbour's
stroke at the edge and the crop box slightly off, as the localisation stage of issue 9 may cut
them; they keep their digit label.
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable
from typing import SupportsInt

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from training import data, preprocess
from training.fonts import installed_fonts

CANVAS_SIDE = 200  # drawn at this size ...
PICTURE_SIDE = 112  # ... and handed to the preprocessing at this size (see as_rgba)
FONT_SIZE = 110
WORD_FONT_SIZE = 64

# Standard and handwriting-like fonts (Debian: fonts-dejavu-core, fonts-liberation, fonts-freefont-ttf,
# fonts-crosextra-carlito, fonts-crosextra-caladea, fonts-comic-neue, fonts-dkg-handwriting,
# fonts-humor-sans, fonts-breip, fonts-femkeklaver, fonts-rufscript, fonts-dancingscript,
# fonts-kaushanscript, fonts-kristi, fonts-bwht, fonts-cabinsketch, fonts-klee), sorted by file name.
FONT_FILES = tuple(
    sorted(
        (
            "BecauseWeBuild-Regular.otf",
            "BecauseWeConnect-Regular.otf",
            "BecauseWeCreate-Regular.otf",
            "BecauseWeLearn-Regular.otf",
            "BecauseWeMentor-Regular.otf",
            "BecauseWeOrganize-Regular.otf",
            "Breip.ttf",
            "CabinSketch-Bold.ttf",
            "CabinSketch-Regular.ttf",
            "Caladea-Bold.ttf",
            "Caladea-Italic.ttf",
            "Caladea-Regular.ttf",
            "Carlito-Bold.ttf",
            "Carlito-Italic.ttf",
            "Carlito-Regular.ttf",
            "ComicNeue-Bold.otf",
            "ComicNeue-Italic.otf",
            "ComicNeue-Light.otf",
            "ComicNeue-Regular.otf",
            "DancingScript-Bold.otf",
            "DancingScript-Regular.otf",
            "DejaVuSans-Bold.ttf",
            "DejaVuSans.ttf",
            "DejaVuSansMono.ttf",
            "DejaVuSerif-Bold.ttf",
            "DejaVuSerif.ttf",
            "FreeMono.ttf",
            "FreeSans.ttf",
            "FreeSansBold.ttf",
            "FreeSerif.ttf",
            "FreeSerifItalic.ttf",
            "Humor-Sans.ttf",
            "KaushanScript-Regular.otf",
            "KleeOne-Regular.ttf",
            "KleeOne-SemiBold.ttf",
            "Kristi.ttf",
            "LiberationMono-Regular.ttf",
            "LiberationSans-Bold.ttf",
            "LiberationSans-Italic.ttf",
            "LiberationSans-Regular.ttf",
            "LiberationSerif-Italic.ttf",
            "LiberationSerif-Regular.ttf",
            "Rufscript010.ttf",
            "dkg.ttf",
            "dkgBd.ttf",
            "femkeklaver.ttf",
        )
    )
)
SPLITS = {"train": 0, "benchmark": 1}  # index parity in FONT_FILES

LOOK_ALIKES = frozenset("OoQDIlij|!Zz?SsbGB&gq")
LETTERS = "".join(c for c in string.ascii_letters if c not in LOOK_ALIKES)
# Brackets and slashes are left out too: alone on a page they are a 1.
SYMBOLS = "".join(c for c in "+=#@*%x×÷$€<>~^" if c not in LOOK_ALIKES)
WORDS = tuple(
    word
    for word in (
        "cat",
        "hat",
        "the",
        "and",
        "yes",
        "we",
        "me",
        "hey",
        "far",
        "run",
        "ten",
        "fun",
        "new",
        "we",
        "Tea",
        "Pen",
        "rock",
        "mark",
        "Mum",
        "Dad",
        "Hey",
        "car",
        "key",
        "map",
        "cup",
        "Run",
        "Now",
        "Ahem",
        "kw",
        "Rent",
        "Vet",
        "abc",
        "xyz",
        "Meh",
        "Jam",
        "Hum",
        "etc",
        "math",
        "pa",
        "ha",
        "NEW",
        "MAP",
        "CAR",
        "YEA",
        "TV",
        "PC",
        "UK",
    )
    if not LOOK_ALIKES.intersection(word)
)
ONE_STROKE_SPREAD = 2.5  # px across the main axis of a 28x28 input: a straight pen stroke
ONE_TILT_DEGREES = 50  # MNIST 1s lean up to ~40 degrees
KINDS = ("letter", "word", "symbol", "shape", "scribble", "hatching", "smudge", "texture", "desk")
KIND_WEIGHTS = (0.27, 0.08, 0.14, 0.14, 0.13, 0.05, 0.10, 0.05, 0.04)
SHAPES = ("star", "triangle", "heart", "spiral", "arrow", "smiley", "zigzag", "wave", "check", "cross", "cloud")


class NoFontsError(RuntimeError):
    """None of the fonts of a split is installed."""


def split_fonts(split: str) -> list[str]:
    """Return the FONT_FILES of one split ("train": even indices, "benchmark": odd indices)."""
    if split not in SPLITS:
        raise ValueError(f"unknown font split {split!r}; choose one of {', '.join(SPLITS)}")
    return [name for index, name in enumerate(FONT_FILES) if index % 2 == SPLITS[split]]


def available_fonts(split: str) -> list[str]:
    """Return the fonts of a split that Pillow can open here, in FONT_FILES order."""
    return installed_fonts(split_fonts(split))


# ---------------------------------------------------------------------------------------------
# Drawing: every function draws on `draw` in `ink` and takes its randomness from `rng`.


def colour(values: Iterable[SupportsInt]) -> tuple[int, int, int]:
    """Return three numbers (numpy's or Python's) as an RGB colour: three ints, as Pillow's types ask."""
    red, green, blue = (int(value) for value in values)
    return red, green, blue


def paper_and_ink(rng: np.random.Generator) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Return (paper, ink) colours: mostly dark ink on light paper, sometimes sticky notes or chalkboards."""
    draw = rng.uniform()
    if draw < 0.75:
        paper = colour(rng.integers(215, 256, 3))
    elif draw < 0.9:  # coloured paper or sticky note
        paper = colour((rng.integers(220, 256), rng.integers(190, 250), rng.integers(60, 200)))
    else:  # light ink on a dark board
        dark = colour(rng.integers(10, 70, 3))
        return dark, colour(rng.integers(200, 256, 3))
    ink = (
        colour(rng.integers(0, 90, 3))
        if rng.uniform() < 0.7
        else (int(rng.integers(120, 220)), int(rng.integers(0, 60)), int(rng.integers(0, 90)))
    )
    return paper, ink


def jitter_points(points: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Return points moved by a little hand tremor."""
    return points + rng.normal(0.0, amount, points.shape)


def polyline(draw: ImageDraw.ImageDraw, points: np.ndarray, ink, width: int, closed: bool = False) -> None:
    """Draw a smooth pen stroke through points."""
    coords = [tuple(map(float, p)) for p in points]
    if closed:
        coords.append(coords[0])
    draw.line(coords, fill=ink, width=width, joint="curve")


def draw_shape(draw: ImageDraw.ImageDraw, rng: np.random.Generator, ink, width: int) -> None:
    """Draw one of SHAPES, outlined (sometimes filled), about the canvas centre."""
    shape = SHAPES[rng.integers(len(SHAPES))]
    c = CANVAS_SIDE / 2 + rng.uniform(-15, 15, 2)
    r = rng.uniform(40, 80)
    fill = rng.uniform() < 0.25
    if shape in ("star", "triangle"):
        corners = int(rng.integers(5, 8)) if shape == "star" else 3
        steps = corners * 2 if shape == "star" else corners
        angles = np.linspace(0, 2 * math.pi, steps, endpoint=False) + rng.uniform(0, 2 * math.pi)
        radii = (
            np.where(np.arange(steps) % 2 == 1, r * rng.uniform(0.35, 0.55), r)
            if shape == "star"
            else np.full(steps, r)
        )
        points = jitter_points(np.stack([c[0] + radii * np.cos(angles), c[1] + radii * np.sin(angles)], 1), rng, 2)
        if fill:
            draw.polygon([tuple(p) for p in points], fill=ink)
        else:
            polyline(draw, points, ink, width, closed=True)
    elif shape == "heart":
        t = np.linspace(0, 2 * math.pi, 120)
        x = 16 * np.sin(t) ** 3
        y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
        points = jitter_points(np.stack([c[0] + x * r / 17, c[1] + y * r / 17], 1), rng, 1)
        if fill:
            draw.polygon([tuple(p) for p in points], fill=ink)
        else:
            polyline(draw, points, ink, width, closed=True)
    elif shape == "spiral":
        turns = rng.uniform(2, 4)
        t = np.linspace(0, turns * 2 * math.pi, 200)
        radius = r * t / t[-1]
        sign = rng.choice([-1, 1])
        polyline(
            draw,
            jitter_points(np.stack([c[0] + radius * np.cos(sign * t), c[1] + radius * np.sin(sign * t)], 1), rng, 1),
            ink,
            width,
        )
    elif shape == "arrow":
        angle = rng.uniform(0, 2 * math.pi)
        direction = np.array([math.cos(angle), math.sin(angle)])
        tail, head = c - direction * r, c + direction * r
        polyline(draw, np.stack([tail, head]), ink, width)
        for side in (-1, 1):
            barb = angle + math.pi + side * rng.uniform(0.4, 0.7)
            polyline(draw, np.stack([head, head + 0.4 * r * np.array([math.cos(barb), math.sin(barb)])]), ink, width)
    elif shape == "smiley":
        draw.ellipse([c[0] - r, c[1] - r, c[0] + r, c[1] + r], outline=ink, width=width)
        for side in (-1, 1):
            e = c + np.array([side * r * 0.35, -r * 0.3])
            draw.ellipse([e[0] - r * 0.1, e[1] - r * 0.1, e[0] + r * 0.1, e[1] + r * 0.1], fill=ink)
        draw.arc([c[0] - r * 0.55, c[1] - r * 0.45, c[0] + r * 0.55, c[1] + r * 0.6], 20, 160, fill=ink, width=width)
    elif shape in ("zigzag", "wave"):
        t = np.linspace(-1, 1, 9 if shape == "zigzag" else 80)
        periods = rng.uniform(1.5, 4)
        y = np.sign(np.sin(t * periods * math.pi)) * np.abs(np.sin(t * periods * math.pi)) ** (
            0.1 if shape == "zigzag" else 1
        )
        points = np.stack([c[0] + t * r * 1.2, c[1] + y * r * rng.uniform(0.2, 0.5)], 1)
        polyline(draw, jitter_points(points, rng, 1.5), ink, width)
    elif shape == "check":
        points = np.array([[-0.8, 0.0], [-0.2, 0.7], [0.9, -0.8]]) * r + c
        polyline(draw, jitter_points(points, rng, 3), ink, width)
    elif shape == "cross":  # a plus or an x, drawn large
        angle = rng.choice([0.0, math.pi / 4]) + rng.uniform(-0.2, 0.2)
        for a in (angle, angle + math.pi / 2):
            d = np.array([math.cos(a), math.sin(a)]) * r
            polyline(draw, np.stack([c - d, c + d]), ink, width)
    else:  # cloud: a bumpy closed outline
        t = np.linspace(0, 2 * math.pi, 160)
        bumps = int(rng.integers(5, 9))
        radius = r * (0.8 + 0.2 * np.abs(np.sin(t * bumps / 2)))
        polyline(
            draw,
            np.stack([c[0] + radius * np.cos(t) * 1.2, c[1] + radius * np.sin(t) * 0.8], 1),
            ink,
            width,
            closed=True,
        )


def draw_scribble(draw: ImageDraw.ImageDraw, rng: np.random.Generator, ink, width: int) -> None:
    """Draw a pen scribbling: half the time loops going round (draw_loops), else a smoothed random walk."""
    if rng.uniform() < 0.5:
        draw_loops(draw, rng, ink, max(2, width // 3))
        return
    steps = int(rng.integers(40, 160))
    velocity = np.cumsum(rng.normal(0, 6, (steps, 2)), axis=0)
    velocity /= max(1.0, np.abs(velocity).max() / 12)
    points = np.cumsum(velocity, axis=0)
    points -= points.mean(axis=0)
    points *= rng.uniform(50, 85) / max(1.0, np.abs(points).max())
    polyline(draw, points + CANVAS_SIDE / 2, ink, width)


def draw_loops(draw: ImageDraw.ImageDraw, rng: np.random.Generator, ink, width: int) -> None:
    """Draw loops wound round and round, in one place (a tangle) or moving along (a coil, crossing something out).

    The loops differ in size and wander, so their strokes cross the middle: one ring drawn over and over
    is a 0, not a scribble."""
    turns = rng.uniform(3, 10)
    t = np.linspace(0, 1, int(turns * 40))
    knots = np.linspace(0, 1, int(turns) + 2)  # about one per turn: each loop its own size and place

    def drifting(low: float, high: float) -> np.ndarray:
        return np.interp(t, knots, rng.uniform(low, high, knots.size))

    size = rng.uniform(25, 50)
    radius = size * drifting(0.35, 1.0)
    wander = np.stack([drifting(-0.4, 0.4), drifting(-0.4, 0.4)], 1)
    angle = 2 * math.pi * turns * t + rng.uniform(0, 2 * math.pi)
    loop = np.stack([np.cos(angle), rng.uniform(0.5, 1.0) * np.sin(angle)], 1) * radius[:, None] + wander * size
    turn = rng.uniform(0, math.pi)
    loop = loop @ np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
    direction = rng.normal(0, 1, 2)
    drift = (t[:, None] - 0.5) * direction / np.linalg.norm(direction) * rng.uniform(0, 100)
    points = jitter_points(loop + drift, rng, 1.0)
    points *= min(1.0, 85 / max(1.0, np.abs(points).max()))
    polyline(draw, points + CANVAS_SIDE / 2, ink, width)


def draw_hatching(draw: ImageDraw.ImageDraw, rng: np.random.Generator, ink, width: int) -> None:
    """Draw parallel strokes over a patch, sometimes crossed."""
    c = CANVAS_SIDE / 2 + rng.uniform(-10, 10, 2)
    half = rng.uniform(35, 75)
    for angle in [rng.uniform(0, math.pi)] + ([rng.uniform(0, math.pi)] if rng.uniform() < 0.4 else []):
        d = np.array([math.cos(angle), math.sin(angle)])
        n = np.array([-d[1], d[0]])
        for offset in np.arange(-half, half, rng.uniform(8, 18)):
            start = c + n * offset - d * half * rng.uniform(0.7, 1.0)
            end = c + n * offset + d * half * rng.uniform(0.7, 1.0)
            polyline(draw, jitter_points(np.stack([start, end]), rng, 1.5), ink, max(1, width // 2))


def draw_smudge(image: Image.Image, rng: np.random.Generator, ink) -> Image.Image:
    """Return the image with soft blurred blobs of ink rubbed onto it."""
    layer = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(layer)
    for _ in range(int(rng.integers(1, 5))):
        c = CANVAS_SIDE / 2 + rng.normal(0, 30, 2)
        rx, ry = rng.uniform(10, 50, 2)
        draw.ellipse([c[0] - rx, c[1] - ry, c[0] + rx, c[1] + ry], fill=int(rng.integers(90, 256)))
    layer = layer.filter(ImageFilter.GaussianBlur(rng.uniform(4, 14)))
    return Image.composite(Image.new("RGB", image.size, ink), image, layer)


def draw_texture(rng: np.random.Generator, paper, ink) -> Image.Image:
    """Return a patch of pattern: grain, dots, stripes of fabric or speckled card."""
    y, x = np.mgrid[0:CANVAS_SIDE, 0:CANVAS_SIDE].astype(np.float32)
    kind = rng.integers(4)
    if kind == 0:  # wood grain
        field = np.sin((x + 12 * np.sin(y / rng.uniform(15, 40))) / rng.uniform(3, 8))
    elif kind == 1:  # dotted pattern
        step = rng.uniform(10, 25)
        field = np.cos(2 * math.pi * x / step) * np.cos(2 * math.pi * y / step)
    elif kind == 2:  # woven fabric
        field = np.sin(x / rng.uniform(2, 5)) + np.sin(y / rng.uniform(2, 5))
    else:  # speckled card
        field = rng.normal(0, 1, (CANVAS_SIDE, CANVAS_SIDE)).astype(np.float32)
    mask = (field > rng.uniform(0.2, 0.8)).astype(np.float32)
    window = np.zeros_like(mask)
    c = rng.integers(60, 140, 2)
    half = rng.integers(30, 90, 2)
    window[max(0, c[1] - half[1]) : c[1] + half[1], max(0, c[0] - half[0]) : c[0] + half[0]] = 1
    mask *= window
    pixels = np.array(paper, np.float32) * (1 - mask[..., None]) + np.array(ink, np.float32) * mask[..., None]
    return Image.fromarray(pixels.astype(np.uint8))


def draw_desk(image: Image.Image, rng: np.random.Generator, ink) -> None:
    """Draw a bit of a desk in the picture: a pen, a table edge, a ruler, a cable or an eraser."""
    draw = ImageDraw.Draw(image)
    kind = rng.integers(5)
    if kind == 0:  # a pen lying across
        angle = rng.uniform(0, math.pi)
        d = np.array([math.cos(angle), math.sin(angle)]) * rng.uniform(60, 90)
        c = CANVAS_SIDE / 2 + rng.uniform(-20, 20, 2)
        draw.line([tuple(c - d), tuple(c + d)], fill=ink, width=int(rng.integers(8, 16)))
    elif kind == 1:  # the edge of a table, a dark band across one side
        depth = rng.uniform(0.3, 0.5) * CANVAS_SIDE
        tilt = rng.uniform(-30, 30)
        draw.polygon(
            [
                (0, CANVAS_SIDE - depth),
                (CANVAS_SIDE, CANVAS_SIDE - depth + tilt),
                (CANVAS_SIDE, CANVAS_SIDE),
                (0, CANVAS_SIDE),
            ],
            fill=ink,
        )
    elif kind == 2:  # a ruler: a filled bar with tick marks (keys and clips, outlined boxes, would be a 0)
        angle = rng.uniform(-0.4, 0.4)
        d, n = np.array([math.cos(angle), math.sin(angle)]), np.array([-math.sin(angle), math.cos(angle)])
        c = CANVAS_SIDE / 2 + rng.uniform(-20, 20, 2)
        half, depth = rng.uniform(70, 95), rng.uniform(12, 22)
        corners = [c - d * half, c + d * half, c + d * half + n * depth, c - d * half + n * depth]
        draw.polygon([tuple(p) for p in corners], fill=ink)
        for along in np.arange(-half, half, rng.uniform(6, 10)):
            start = c + d * along
            draw.line([tuple(start), tuple(start - n * rng.choice([6, 10]))], fill=ink, width=2)
    elif kind == 3:  # a cable
        t = np.linspace(0, 1, 60)
        points = np.stack(
            [
                t * CANVAS_SIDE,
                CANVAS_SIDE / 2 + rng.uniform(20, 60) * np.sin(t * rng.uniform(3, 8) + rng.uniform(0, 6)),
            ],
            1,
        )
        polyline(draw, points, ink, int(rng.integers(6, 12)))
    else:  # an eraser or a phone's edge: a filled, rounded block
        c = CANVAS_SIDE / 2 + rng.uniform(-20, 20, 2)
        w, h = rng.uniform(25, 60), rng.uniform(15, 35)
        draw.rounded_rectangle([c[0] - w, c[1] - h, c[0] + w, c[1] + h], radius=int(rng.integers(3, 12)), fill=ink)


def draw_text(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, rng: np.random.Generator, ink
) -> None:
    """Draw text at the centre, filled or (clip-art) outlined."""
    centre = (CANVAS_SIDE / 2 + rng.uniform(-10, 10), CANVAS_SIDE / 2 + rng.uniform(-10, 10))
    if rng.uniform() < 0.1:
        draw.text(
            centre, text, font=font, anchor="mm", fill=None, stroke_width=int(rng.integers(2, 5)), stroke_fill=ink
        )
    else:
        draw.text(centre, text, font=font, anchor="mm", fill=ink, stroke_width=int(rng.integers(0, 4)), stroke_fill=ink)


def draw_negative(
    kind: str, rng: np.random.Generator, fonts: list[ImageFont.FreeTypeFont], word_fonts: list[ImageFont.FreeTypeFont]
) -> np.ndarray:
    """Return one non-digit picture of `kind` as RGBA uint8 [CANVAS_SIDE, CANVAS_SIDE, 4]."""
    paper, ink = paper_and_ink(rng)
    if kind == "texture":
        image = draw_texture(rng, paper, ink)
    else:
        image = Image.new("RGB", (CANVAS_SIDE, CANVAS_SIDE), paper)
        draw = ImageDraw.Draw(image)
        width = int(rng.integers(3, 14))
        if kind == "letter":
            draw_text(draw, LETTERS[rng.integers(len(LETTERS))], fonts[rng.integers(len(fonts))], rng, ink)
        elif kind == "word":
            word = (
                WORDS[rng.integers(len(WORDS))]
                if rng.uniform() < 0.6
                else "".join(LETTERS[i] for i in rng.integers(len(LETTERS), size=int(rng.integers(2, 5))))
            )
            draw_text(draw, word, word_fonts[rng.integers(len(word_fonts))], rng, ink)
        elif kind == "symbol":
            draw_text(draw, SYMBOLS[rng.integers(len(SYMBOLS))], fonts[rng.integers(len(fonts))], rng, ink)
        elif kind == "shape":
            draw_shape(draw, rng, ink, width)
        elif kind == "scribble":
            draw_scribble(draw, rng, ink, width)
        elif kind == "hatching":
            draw_hatching(draw, rng, ink, width)
        elif kind == "smudge":
            image = draw_smudge(image, rng, ink)
        elif kind == "desk":
            draw_desk(image, rng, ink)
        else:
            raise ValueError(f"unknown kind of non-digit {kind!r}; choose one of {', '.join(KINDS)}")
    return finish(image, rng)


def finish(image: Image.Image, rng: np.random.Generator) -> np.ndarray:
    """Return the picture as a phone would take it: slightly turned, sheared, soft and noisy, as RGBA."""
    shear = rng.uniform(-0.2, 0.2)
    paper = image.getpixel((0, 0))
    image = image.transform(
        image.size,
        Image.Transform.AFFINE,
        (1, shear, -shear * CANVAS_SIDE / 2, 0, 1, 0),
        resample=Image.Resampling.BILINEAR,
        fillcolor=paper,
    )
    image = image.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BILINEAR, fillcolor=paper)
    if rng.uniform() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 2.0)))
    pixels = np.asarray(image, np.float32)
    if rng.uniform() < 0.3:
        pixels = pixels + rng.normal(0, rng.uniform(2, 8), pixels.shape)
    rgb = np.clip(pixels, 0, 255).astype(np.uint8)
    return as_rgba(rgb)


def as_rgba(rgb: np.ndarray) -> np.ndarray:
    """Return an RGB picture as opaque RGBA, its long side reduced to PICTURE_SIDE.

    The page's preprocessing costs time in proportion to the pixels; at 112 px a mark still spans
    far more than the 20 px box it is resized to, and rendering runs ~3x faster than at 200 px."""
    image = Image.fromarray(rgb)
    scale = PICTURE_SIDE / max(image.size)
    if scale < 1:
        image = image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.BOX
        )
    rgb = np.asarray(image)
    return np.concatenate([rgb, np.full((*rgb.shape[:2], 1), 255, np.uint8)], axis=2)


def model_inputs(prepared: preprocess.Preprocessed) -> list[np.ndarray]:
    """Return every 28x28 input the page would hand the model for one picture (none if no digit found)."""
    digits = getattr(prepared, "digits", None)
    if digits is not None:
        return [digit.input for digit in digits]
    return [] if prepared.input is None else [prepared.input]


def as_uint8(image: np.ndarray) -> np.ndarray:
    """Return a 0..1 float model input as uint8 0..255, the way training stores images."""
    return np.round(np.asarray(image, np.float32) * 255).astype(np.uint8)


def looks_like_a_one(model_input: np.ndarray) -> bool:
    """Return True for a single near-vertical straight stroke: a piece of a scribble or shape the
    page may cut out, which a person would read as a 1, so it must not be taught as a non-digit."""
    rows, cols = np.nonzero(np.asarray(model_input) > 0.3)
    if len(rows) < 2:
        return True
    points = np.stack([rows, cols], 1).astype(np.float64)
    points -= points.mean(axis=0)
    values, vectors = np.linalg.eigh(points.T @ points / len(points))
    across, along = np.sqrt(np.maximum(values, 0))  # ascending: spread across and along the main axis
    main = vectors[:, 1]
    tilt = math.degrees(math.atan2(abs(main[1]), abs(main[0])))  # 0 = vertical
    return across <= ONE_STROKE_SPREAD and tilt <= ONE_TILT_DEGREES and along > 3 * across


def render_negatives(
    count: int, seed: int, split: str = "train", spec: dict | None = None, kinds: tuple[str, ...] = KINDS
) -> tuple[np.ndarray, list[str]]:
    """Return (images uint8 [count,28,28] white on black, kind of each): non-digits as the page presents them.

    Letters, words and symbols use the fonts of `split` only (see the module docstring)."""
    fonts_available = available_fonts(split)
    if not fonts_available:
        raise NoFontsError(
            f"no fonts of the {split} split installed for non-digit letters: "
            "apt-get install fonts-dejavu-core fonts-liberation fonts-comic-neue fonts-humor-sans"
        )
    fonts = [ImageFont.truetype(name, FONT_SIZE) for name in fonts_available]
    word_fonts = [ImageFont.truetype(name, WORD_FONT_SIZE) for name in fonts_available]
    spec = spec or preprocess.load_spec()
    weights = np.array([KIND_WEIGHTS[KINDS.index(kind)] for kind in kinds])
    rng = np.random.default_rng(seed)
    images: list[np.ndarray] = []
    found: list[str] = []
    attempts = 0
    while len(images) < count:
        attempts += 1
        if attempts > 20 * count + 100:
            raise RuntimeError(f"only {len(images)} of {count} non-digit pictures gave a model input")
        kind = kinds[rng.choice(len(kinds), p=weights / weights.sum())]
        for model_input in model_inputs(preprocess.preprocess(draw_negative(kind, rng, fonts, word_fonts), spec)):
            if len(images) < count and not looks_like_a_one(model_input):
                images.append(as_uint8(model_input))
                found.append(kind)
    return np.stack(images), found


# ---------------------------------------------------------------------------------------------
# Digit crops as the localisation stage may cut them (issue 9).

MNIST_MARGIN = 4  # MNIST centres each digit's 20x20 box in its 28x28 image: 4 px all round


def ink_layer(digit: np.ndarray, scale: float, angle: float) -> Image.Image:
    """Return an MNIST digit (white on black uint8 [28,28]) enlarged and turned, as an "L" ink mask."""
    side = round(data.IMAGE_SIDE * scale)
    return (
        Image.fromarray(digit)
        .resize((side, side), Image.Resampling.BICUBIC)
        .rotate(angle, resample=Image.Resampling.BILINEAR)
    )


def draw_digit_crop(
    digit: np.ndarray, neighbour: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Return (RGBA crop, where the digit lies in it as x, y, w, h): a digit with a neighbour's stroke
    at one edge and the box a little off."""
    paper, ink = paper_and_ink(rng)
    scale = rng.uniform(4.0, 6.0)
    side = round(data.IMAGE_SIDE * scale)
    canvas_side = side * 3
    page = Image.new("RGB", (canvas_side, canvas_side), paper)
    solid = Image.new("RGB", (side, side), ink)
    origin = np.array([side, side])
    page.paste(solid, (int(origin[0]), int(origin[1])), ink_layer(digit, scale, rng.uniform(-10, 10)))
    gap = rng.uniform(-0.05, 0.25) * side  # the neighbour's box may even touch this digit's box
    direction = rng.choice([-1, 1])
    neighbour_at = origin + np.array([direction * (side * rng.uniform(0.55, 0.8) + gap), rng.uniform(-0.1, 0.1) * side])
    if rng.uniform() < 0.8:
        layer = ink_layer(neighbour, scale * rng.uniform(0.9, 1.1), rng.uniform(-10, 10))
        page.paste(Image.new("RGB", layer.size, ink), (int(neighbour_at[0]), int(neighbour_at[1])), layer)
    # The box: the digit's own 20x20 area with a margin, each side off by up to ~15 % of its size.
    box_side = side * (data.IMAGE_SIDE - 2 * MNIST_MARGIN) / data.IMAGE_SIDE
    top_left = origin + side * MNIST_MARGIN / data.IMAGE_SIDE - box_side * rng.uniform(0.0, 0.25)
    bottom_right = (
        origin + side * (data.IMAGE_SIDE - MNIST_MARGIN) / data.IMAGE_SIDE + box_side * rng.uniform(0.0, 0.25)
    )
    shift = rng.uniform(-0.08, 0.08, 2) * box_side
    left, top = (top_left + shift).astype(int)
    right, bottom = (bottom_right + shift).astype(int)
    crop = np.asarray(page.crop((left, top, right, bottom)), np.float32)
    if rng.uniform() < 0.3:
        crop = crop + rng.normal(0, rng.uniform(2, 6), crop.shape)
    rgb = np.clip(crop, 0, 255).astype(np.uint8)
    rgba = as_rgba(rgb)
    scale = rgba.shape[1] / rgb.shape[1]
    own = (int((origin[0] - left) * scale), int((origin[1] - top) * scale), int(side * scale), int(side * scale))
    return rgba, own


def overlap(box: tuple[int, int, int, int], other: tuple[int, int, int, int]) -> int:
    """Return the area two x, y, w, h boxes share."""
    width = min(box[0] + box[2], other[0] + other[2]) - max(box[0], other[0])
    height = min(box[1] + box[3], other[1] + other[3]) - max(box[1], other[1])
    return max(0, width) * max(0, height)


def render_digit_crops(
    digits: np.ndarray, labels: np.ndarray, count: int, seed: int, spec: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return (images uint8 [N,28,28], labels uint8 [N]): `count` crops of the given (training) digits,
    each read by the page's preprocessing; when it finds several marks, the one over the digit is kept."""
    spec = spec or preprocess.load_spec()
    rng = np.random.default_rng(seed)
    images: list[np.ndarray] = []
    kept: list[int] = []
    attempts = 0
    while len(images) < count and attempts < 3 * count + 100:
        attempts += 1
        index, other = rng.integers(len(digits), size=2)
        rgba, own = draw_digit_crop(digits[index], digits[other], rng)
        prepared = preprocess.preprocess(rgba, spec)
        found = getattr(prepared, "digits", None)
        if found:
            best = max(found, key=lambda digit: overlap(digit.box, own))
            if overlap(best.box, own) >= 0.5 * best.box[2] * best.box[3]:
                images.append(as_uint8(best.input))
                kept.append(labels[index])
        elif prepared.input is not None:
            images.append(as_uint8(prepared.input))
            kept.append(labels[index])
    if not images:
        return np.zeros((0, data.IMAGE_SIDE, data.IMAGE_SIDE), np.uint8), np.zeros((0,), np.uint8)
    return np.stack(images), np.array(kept, dtype=np.uint8)
