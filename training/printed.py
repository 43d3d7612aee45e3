"""Printed digits rendered from the machine's fonts and put through the page's own preprocessing.

MNIST holds handwriting only; people also upload clip-art, 3D and typed digits (a 1 with a foot
and a flag, a 7 with a bar, a closed 4). Mixing a few thousand of these into training teaches
the model those shapes, and because each goes through training.preprocess (the twin of the
page's preprocess.js), the model sees them exactly as the page will present them.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from training import data, preprocess
from training.fonts import installed_fonts

# Looked up by file name in the system font folders (Debian: fonts-dejavu-core, fonts-liberation).
FONT_NAMES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf",
    "LiberationSans-Regular.ttf",
    "LiberationSans-Bold.ttf",
    "LiberationSans-Italic.ttf",
    "LiberationSerif-Regular.ttf",
    "LiberationSerif-Bold.ttf",
    "LiberationSerif-Italic.ttf",
    "LiberationMono-Regular.ttf",
    "LiberationMono-Bold.ttf",
)
FONT_SIZE = 120
CANVAS_SIDE = 200
# Handed to the preprocessing at this size: its cost grows with the pixels, and at 112 px the digit
# still spans far more than the 20 px box it is resized to.
PICTURE_SIDE = 112
# How clip-art draws a digit, and how often; the rest are solid black type. An outline is a white digit
# inside a black stroke; an extruded digit stands on a block of its own shape (3D clip-art); a patterned
# one is coloured and carries light patches (dots, blocks, a highlight) inside its strokes.
STYLE_SHARES = {"outline": 0.15, "extruded": 0.15, "patterned": 0.15}
GRADIENT_PROBABILITY = 0.25  # clip-art on a soft light gradient instead of plain white
EXTRUSION = (6, 20)  # the block's least and greatest depth in px at FONT_SIZE
MAX_ROTATION_DEGREES = 8
MAX_SHEAR = 0.2


class NoFontsError(RuntimeError):
    """No usable TrueType font was found on this machine."""


def available_fonts() -> list[str]:
    """Return the FONT_NAMES that Pillow can open here, in a fixed order."""
    return installed_fonts(FONT_NAMES)


def pick_style(rng: np.random.Generator) -> str:
    """Return one of STYLE_SHARES' styles, or "solid", drawn with their shares."""
    draw = rng.uniform()
    for style, share in STYLE_SHARES.items():
        if draw < share:
            return style
        draw -= share
    return "solid"


def random_colour(rng: np.random.Generator, least: int, most: int) -> tuple[int, int, int, int]:
    """Return an opaque RGBA colour whose channels lie in least..most (most inclusive)."""
    red, green, blue = (int(value) for value in rng.integers(least, most + 1, 3))
    return (red, green, blue, 255)


def background(rng: np.random.Generator) -> Image.Image:
    """Return the canvas: white, or a soft light gradient in a random direction."""
    if rng.uniform() >= GRADIENT_PROBABILITY:
        return Image.new("RGBA", (CANVAS_SIDE, CANVAS_SIDE), (255, 255, 255, 255))
    first, second = (rng.uniform(180, 240) + rng.uniform(-12, 12, 3) for _ in range(2))  # greys, lightly tinted
    angle = rng.uniform(0, 2 * np.pi)
    coords = np.linspace(-0.5, 0.5, CANVAS_SIDE)
    along = np.cos(angle) * coords[np.newaxis, :] + np.sin(angle) * coords[:, np.newaxis]
    share = ((along - along.min()) / np.ptp(along))[..., np.newaxis]
    pixels = np.clip(np.round(first + (second - first) * share), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels).convert("RGBA")


def draw_extruded(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, rng: np.random.Generator) -> None:
    """Draw the digit on a block of its own shape receding from its face (3D clip-art)."""
    depth = int(rng.integers(EXTRUSION[0], EXTRUSION[1] + 1))
    angle = rng.uniform(0, 2 * np.pi)
    step_x, step_y = np.cos(angle), np.sin(angle)
    side = random_colour(rng, 60, 190)
    centre = CANVAS_SIDE / 2
    for step in range(depth, 0, -1):
        draw.text((centre + step * step_x, centre + step * step_y), text, font=font, anchor="mm", fill=side)
    outlined = rng.uniform() < 0.5
    draw.text(
        (centre, centre),
        text,
        font=font,
        anchor="mm",
        fill=random_colour(rng, 0, 255),
        stroke_width=2 if outlined else 0,
        stroke_fill="black",
    )


def draw_patterned(image: Image.Image, text: str, font: ImageFont.FreeTypeFont, rng: np.random.Generator) -> None:
    """Draw the digit in a darkish colour with light dots and blocks inside its strokes, cut to them."""
    centre = (CANVAS_SIDE / 2, CANVAS_SIDE / 2)
    stroke = int(rng.integers(0, 5))
    if rng.uniform() < 0.5:  # a dark outline around the coloured strokes
        ImageDraw.Draw(image).text(centre, text, font=font, anchor="mm", fill="black", stroke_width=stroke + 2)
    ImageDraw.Draw(image).text(
        centre, text, font=font, anchor="mm", fill=random_colour(rng, 0, 150), stroke_width=stroke
    )
    inside = Image.new("L", image.size, 0)
    ImageDraw.Draw(inside).text(centre, text, font=font, anchor="mm", fill=255, stroke_width=stroke)
    shapes = Image.new("RGBA", image.size, (0, 0, 0, 0))
    shapes_draw = ImageDraw.Draw(shapes)
    left, top, right, bottom = inside.getbbox() or (0, 0, CANVAS_SIDE, CANVAS_SIDE)
    for _ in range(int(rng.integers(2, 6))):
        size = rng.uniform(0.12, 0.3) * (bottom - top)
        x, y = rng.uniform(left, right), rng.uniform(top, bottom)
        box = (x - size / 2, y - size / 2, x + size / 2, y + size / 2)
        colour = random_colour(rng, 170, 255)
        if rng.uniform() < 0.5:
            shapes_draw.ellipse(box, fill=colour)
        else:
            shapes_draw.rectangle(box, fill=colour)
    shapes.putalpha(Image.fromarray(np.minimum(np.asarray(shapes)[..., 3], np.asarray(inside))))
    image.alpha_composite(shapes)


def draw_digit(digit: int, font: ImageFont.FreeTypeFont, rng: np.random.Generator) -> Image.Image:
    """Return one printed digit in one of the clip-art styles, slightly rotated and sheared, as an RGBA image."""
    layer = Image.new("RGBA", (CANVAS_SIDE, CANVAS_SIDE), (0, 0, 0, 0))  # the digit alone, turned before it is laid
    draw = ImageDraw.Draw(layer)
    centre = (CANVAS_SIDE / 2, CANVAS_SIDE / 2)
    text = str(digit)
    style = pick_style(rng)
    if style == "extruded":
        draw_extruded(draw, text, font, rng)
    elif style == "patterned":
        draw_patterned(layer, text, font, rng)
    else:  # an outline is a white digit in a black stroke 2-5 px wide; solid is black, thickened by 0-4 px
        fill, (least_stroke, most_stroke) = ("white", (2, 5)) if style == "outline" else ("black", (0, 4))
        draw.text(
            centre,
            text,
            font=font,
            anchor="mm",
            fill=fill,
            stroke_width=int(rng.integers(least_stroke, most_stroke + 1)),
            stroke_fill="black",
        )
    shear = rng.uniform(-MAX_SHEAR, MAX_SHEAR)
    layer = layer.transform(
        layer.size, Image.Transform.AFFINE, (1, shear, -shear * CANVAS_SIDE / 2, 0, 1, 0), Image.Resampling.BILINEAR
    )
    layer = layer.rotate(rng.uniform(-MAX_ROTATION_DEGREES, MAX_ROTATION_DEGREES), Image.Resampling.BILINEAR)
    image = background(rng)
    image.alpha_composite(layer)
    return image


def render_printed_digits(count: int, seed: int, spec: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (images uint8 [N,28,28] white on black, labels uint8 [N]): printed digits as the page sees them."""
    fonts = available_fonts()
    if not fonts:
        raise NoFontsError(
            "no TrueType fonts found for printed digits: apt-get install fonts-dejavu-core fonts-liberation"
        )
    spec = spec or preprocess.load_spec()
    rng = np.random.default_rng(seed)
    loaded = [ImageFont.truetype(name, FONT_SIZE) for name in fonts]
    images: list[np.ndarray] = []
    labels: list[int] = []
    while len(images) < count:
        digit = len(images) % data.NUM_CLASSES
        picture = draw_digit(digit, loaded[rng.integers(len(loaded))], rng).resize(
            (PICTURE_SIDE, PICTURE_SIDE), Image.Resampling.BOX
        )
        prepared = preprocess.preprocess(np.asarray(picture), spec)
        if prepared.input is not None:
            images.append(np.round(prepared.input * 255).astype(np.uint8))
            labels.append(digit)
    return np.stack(images), np.array(labels, dtype=np.uint8)
