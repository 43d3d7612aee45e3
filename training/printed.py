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
OUTLINE_PROBABILITY = 0.15  # clip-art digits drawn as an outline only
MAX_ROTATION_DEGREES = 8
MAX_SHEAR = 0.2


class NoFontsError(RuntimeError):
    """No usable TrueType font was found on this machine."""


def available_fonts() -> list[str]:
    """Return the FONT_NAMES that Pillow can open here, in a fixed order."""
    return installed_fonts(FONT_NAMES)


def draw_digit(digit: int, font: ImageFont.FreeTypeFont, rng: np.random.Generator) -> Image.Image:
    """Return one printed digit, black on white, slightly rotated and sheared, as an RGBA image."""
    image = Image.new("RGBA", (CANVAS_SIDE, CANVAS_SIDE), (255, 255, 255, 255))
    draw = ImageDraw.Draw(image)
    centre = (CANVAS_SIDE / 2, CANVAS_SIDE / 2)
    # An outline is a white digit inside a black stroke 2-5 px wide; a solid one is black, thickened by 0-4 px.
    outline = rng.uniform() < OUTLINE_PROBABILITY
    fill, (least_stroke, most_stroke) = ("white", (2, 5)) if outline else ("black", (0, 4))
    draw.text(
        centre,
        str(digit),
        font=font,
        anchor="mm",
        fill=fill,
        stroke_width=int(rng.integers(least_stroke, most_stroke + 1)),
        stroke_fill="black",
    )
    shear = rng.uniform(-MAX_SHEAR, MAX_SHEAR)
    image = image.transform(
        image.size,
        Image.Transform.AFFINE,
        (1, shear, -shear * CANVAS_SIDE / 2, 0, 1, 0),
        resample=Image.Resampling.BILINEAR,
        fillcolor=(255, 255, 255, 255),
    )
    return image.rotate(
        rng.uniform(-MAX_ROTATION_DEGREES, MAX_ROTATION_DEGREES),
        resample=Image.Resampling.BILINEAR,
        fillcolor=(255, 255, 255, 255),
    )


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
