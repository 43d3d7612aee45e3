"""Photo-like uploads rendered from MNIST test digits, for measuring recognition beyond MNIST.

Each upload is one MNIST digit drawn the way people's pictures arrive: dark ink on tinted,
uneven or lined paper, coloured ink, light ink on a dark board, or a transparent PNG; at a
random size (64-2000 px), position and margin; saved as JPEG or PNG.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

STYLES = ("paper", "coloured_ink", "dark_board", "transparent")
MIN_SIDE, MAX_SIDE = 64, 2000


@dataclass(frozen=True)
class Upload:
    """One rendered upload: encoded file bytes, its file extension, the true digit and the style."""

    data: bytes
    extension: str
    label: int
    style: str


def ink_mask(digit: np.ndarray, height: int, rng: np.random.Generator) -> np.ndarray:
    """Return the MNIST digit scaled to `height` px as a float mask 0..1 (smooth, as a pen would draw)."""
    image = Image.fromarray(digit).resize((height, height), Image.Resampling.BICUBIC)
    image = image.filter(ImageFilter.GaussianBlur(radius=max(height / 120, 0.4)))
    mask = np.asarray(image, dtype=np.float32) / 255.0
    # Re-sharpen the bicubic blur into a stroke with soft edges, like ink on paper.
    return np.clip((mask - 0.35) * rng.uniform(3.0, 6.0), 0.0, 1.0)


def paper_background(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """Return an RGB float image of paper: tinted, unevenly lit, grainy, sometimes lined."""
    tint = rng.uniform([0.55, 0.45, 0.30], [1.0, 1.0, 1.0])
    tint = np.maximum(tint, tint.max() * 0.7)  # paper is pale and only slightly coloured
    rows = np.linspace(0, 1, height)[:, None]
    cols = np.linspace(0, 1, width)[None, :]
    light = 1.0 - rng.uniform(0.0, 0.25) * (rng.uniform() * rows + rng.uniform() * cols)
    paper = tint[None, None, :] * light[..., None]
    paper = paper + rng.normal(0, rng.uniform(0.005, 0.03), (height, width, 1))
    if rng.uniform() < 0.3:  # ruled lines, thin and faint
        spacing = max(int(height / rng.uniform(4, 9)), 6)
        line_colour = np.array([0.55, 0.65, 0.85])
        for y in range(int(rng.integers(0, spacing)), height, spacing):
            paper[y : y + max(1, height // 300)] = 0.6 * paper[y : y + max(1, height // 300)] + 0.4 * line_colour
    return np.clip(paper, 0.0, 1.0)


def compose(mask: np.ndarray, side: int, rng: np.random.Generator) -> tuple[np.ndarray, tuple[int, int]]:
    """Return a canvas-sized mask with the digit placed at a random position, and the canvas shape."""
    digit_height = mask.shape[0]
    height = max(side, digit_height)
    width = max(int(side * rng.uniform(0.8, 1.4)), digit_height)
    top = int(rng.integers(0, height - digit_height + 1))
    left = int(rng.integers(0, width - digit_height + 1))
    canvas = np.zeros((height, width), np.float32)
    canvas[top : top + digit_height, left : left + digit_height] = mask
    return canvas, (height, width)


def place(
    mark: np.ndarray, rng: np.random.Generator, fill: tuple[float, float] = (0.35, 0.9), margin: float = 0.0
) -> np.ndarray:
    """Return a picture-sized mask (side 64-2000 px, log-uniform) holding an ink mask of any shape, scaled, anywhere.

    compose() places square MNIST digits; this places words, shapes and numbers (build.nondigits, build.bench.numbers).
    """
    side = int(np.exp(rng.uniform(np.log(MIN_SIDE), np.log(MAX_SIDE))))
    width_of_side = rng.uniform(0.8, 1.4)
    room = 1 - 2 * margin  # `margin`: the least share of the side kept clear on every edge
    scale = min(side * rng.uniform(*fill) * room / mark.shape[0], side * width_of_side * 0.95 * room / mark.shape[1])
    size = (max(2, round(mark.shape[1] * scale)), max(2, round(mark.shape[0] * scale)))
    scaled = np.asarray(Image.fromarray(mark, "F").resize(size, Image.Resampling.BILINEAR), np.float32)
    height, width = max(side, size[1]), max(int(side * width_of_side), size[0])
    canvas = np.zeros((height, width), np.float32)
    clear = int(margin * side)
    top = int(rng.integers(clear, height - size[1] - clear + 1))
    left = int(rng.integers(clear, width - size[0] - clear + 1))
    canvas[top : top + size[1], left : left + size[0]] = np.clip(scaled, 0, 1)
    return canvas


def render(digit: np.ndarray, label: int, rng: np.random.Generator, style: str | None = None) -> Upload:
    """Return one upload of a uint8 28x28 MNIST digit (white on black) in a random style."""
    style = style or str(rng.choice(STYLES))
    side = int(np.exp(rng.uniform(np.log(MIN_SIDE), np.log(MAX_SIDE))))
    digit_fraction = rng.uniform(0.35, 0.95)  # MNIST's 28 px include a 4 px margin already
    mask, _ = compose(ink_mask(digit, max(int(side * digit_fraction), 28), rng), side, rng)
    image, extension = paint(mask, style, rng)
    return encode(image, extension, label, style)


def paint(mask: np.ndarray, style: str, rng: np.random.Generator) -> tuple[Image.Image, str]:
    """Return (picture, "jpg" or "png") of an ink mask 0..1 in one of STYLES (build.nondigits paints with it too)."""
    height, width = mask.shape
    alpha = mask[..., None]
    if style == "transparent":
        ink = rng.uniform(0.0, 0.8, 3)
        rgba = np.concatenate([np.broadcast_to(ink, (height, width, 3)), alpha], axis=2)
        return Image.fromarray((rgba * 255).astype(np.uint8), "RGBA"), "png"
    if style == "dark_board":
        board = np.array([0.1, 0.25, 0.15]) * rng.uniform(0.4, 1.2) + rng.normal(0, 0.02, (height, width, 3))
        ink = rng.uniform(0.8, 1.0, 3)
    elif style == "coloured_ink":
        board = np.full((height, width, 3), rng.uniform(0.92, 1.0))
        ink = np.eye(3)[rng.integers(0, 3)] * rng.uniform(0.5, 0.8) + rng.uniform(0.0, 0.2, 3)
    else:
        board = paper_background(height, width, rng)
        ink = rng.uniform(0.0, 0.3, 3) * np.array([1.0, 1.0, rng.uniform(1.0, 2.5)])
    rgb = np.clip(board * (1 - alpha) + ink * alpha, 0.0, 1.0)
    extension = "jpg" if rng.uniform() < 0.6 else "png"
    return Image.fromarray((rgb * 255).astype(np.uint8), "RGB"), extension


def encode(image: Image.Image, extension: str, label: int, style: str) -> Upload:
    """Return the upload of an image encoded as PNG or JPEG (quality 85, like phone uploads)."""
    buffer = io.BytesIO()
    if extension == "jpg":
        image.save(buffer, "JPEG", quality=85)
    else:
        image.save(buffer, "PNG")
    return Upload(buffer.getvalue(), extension, label, style)


def render_set(images: np.ndarray, labels: np.ndarray, count: int, seed: int = 0) -> list[Upload]:
    """Return `count` uploads of MNIST digits chosen with a fixed seed, styles in rotation."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(images), size=count, replace=False)
    return [render(images[i], int(labels[i]), rng, STYLES[n % len(STYLES)]) for n, i in enumerate(chosen)]
