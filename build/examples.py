"""Example pictures for a first visitor with no picture at hand, drawn at build time by our own code.

Each is a digit (or a number) written with pen strokes from a small stroke alphabet on a photo-like
sheet of paper: uneven light, faint ruled lines, a little sensor noise, JPEG. They reach the page as
`data:` URLs inside index.html: an image file loaded from `file://` would taint the canvas that the
page reads pixels from, and a `data:` image does not. Deterministic: the same bytes on every build.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# Pixels of each example picture and its JPEG quality: the page shows them as small buttons, and they ride
# inside index.html twice (once per operand); measured against 160 px at q85: 5.8 KB of JPEG instead of 9.5 KB,
# and the shipped model reads 7, 3 and 12 from both at the same confidence.
SIDE = 128
SUPERSAMPLE = 4  # strokes are drawn this much larger, then reduced: smooth edges
JPEG_QUALITY = 80

Point = tuple[float, float]


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, steps: int = 18) -> list[Point]:
    """Return points along an ellipse from `start` to `end` degrees (0 = right, 90 = down)."""
    return [
        (cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
         cy + ry * math.sin(math.radians(start + (end - start) * i / steps)))
        for i in range(steps + 1)
    ]  # fmt: skip


# Strokes of each digit in a unit box (x right, y down), written as a person might.
STROKES: dict[str, list[list[Point]]] = {
    "1": [[(0.32, 0.24), (0.56, 0.08), (0.56, 0.92)]],
    "2": [[*_arc(0.5, 0.31, 0.27, 0.22, 195, 375), (0.22, 0.9), (0.82, 0.9)]],
    "3": [_arc(0.48, 0.29, 0.25, 0.2, 200, 450) + _arc(0.48, 0.7, 0.29, 0.21, 270, 520)[1:]],
    "4": [[(0.62, 0.08), (0.16, 0.66), (0.86, 0.66)], [(0.64, 0.36), (0.64, 0.93)]],
    "5": [[(0.78, 0.1), (0.3, 0.1), (0.26, 0.46), *_arc(0.5, 0.66, 0.29, 0.25, 235, 505)[1:]]],
    "7": [[(0.18, 0.12), (0.82, 0.12), (0.42, 0.92)]],
}


@dataclass(frozen=True)
class Example:
    """One example picture: what it shows, how it looks, and what a person should read in it."""

    name: str  # also the end of its data-testid: operand-a-example-<name>
    text: str  # the digits written, left to right
    alt: str
    ink: tuple[int, int, int]
    paper: tuple[int, int, int]
    stroke_width: float  # as a fraction of the digit's height
    slant: float  # horizontal shift per unit of height (italic writing)
    seed: int


EXAMPLES = (
    Example(
        "seven", "7", "Example: a 7 written in blue pen on lined paper", (32, 52, 150), (238, 236, 228), 0.075, 0.1, 7
    ),
    Example("three", "3", "Example: a 3 written in pencil", (70, 70, 76), (244, 242, 236), 0.06, 0.05, 3),
    Example(
        "twelve", "12", "Example: the number 12 written in black marker", (24, 24, 28), (246, 246, 242), 0.09, 0.0, 12
    ),
)


def render(example: Example) -> Image.Image:
    """Return the example as an RGB picture of SIDE x SIDE pixels."""
    rng = np.random.default_rng(example.seed)
    big = SIDE * SUPERSAMPLE
    # Paper lit from one side: a soft gradient, then faint ruled lines.
    ys, xs = np.mgrid[0:big, 0:big] / big
    light = 1.0 - 0.12 * xs - 0.06 * ys
    paper = np.asarray(example.paper, dtype=np.float64)[None, None, :] * light[:, :, None]
    canvas = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    if example.name == "seven":
        for line_y in range(big // 8, big, big // 5):
            draw.line([(0, line_y), (big, line_y)], fill=(176, 196, 222), width=SUPERSAMPLE)
    # The digits: side by side, each in a box a little taller than wide, wobbling slightly.
    count = len(example.text)
    height = big * (0.62 if count == 1 else 0.5)
    width = height * 0.62
    gap = width * 0.35
    left = (big - (count * width + (count - 1) * gap)) / 2
    top = (big - height) / 2
    line_width = max(1, round(example.stroke_width * height))
    for index, character in enumerate(example.text):
        origin_x = left + index * (width + gap)
        for stroke in STROKES[character]:
            points = []
            shift = rng.normal(0, 0.015, size=2)  # each stroke a little off, each point barely
            for x, y in stroke:
                wobble = shift + rng.normal(0, 0.003, size=2)
                px = origin_x + (x + wobble[0] + example.slant * (0.5 - y)) * width
                py = top + (y + wobble[1]) * height
                points.append((px, py))
            draw.line(points, fill=example.ink, width=line_width, joint="curve")
            for point in (points[0], points[-1]):  # round pen ends
                radius = line_width / 2
                draw.ellipse(
                    [point[0] - radius, point[1] - radius, point[0] + radius, point[1] + radius], fill=example.ink
                )
    small = canvas.resize((SIDE, SIDE), Image.Resampling.LANCZOS).filter(ImageFilter.GaussianBlur(0.4))
    noisy = np.asarray(small, dtype=np.float64) + rng.normal(0, 3.0, size=(SIDE, SIDE, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def encode(image: Image.Image) -> bytes:
    """Return the picture as JPEG bytes, as a phone would store a photo."""
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def example_pictures() -> list[dict]:
    """Return the page's examples: [{name, text, alt, url (a data: URL), width, height}]."""
    pictures = []
    for example in EXAMPLES:
        data = base64.b64encode(encode(render(example))).decode("ascii")
        pictures.append({
            "name": example.name,
            "text": example.text,
            "alt": example.alt,
            "url": f"data:image/jpeg;base64,{data}",
            "width": SIDE,
            "height": SIDE,
        })  # fmt: skip
    return pictures
