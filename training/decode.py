"""Decode a picture file into RGBA pixels with Pillow: the Python twin of site_templates/static/js/decode.js.

Kept apart from preprocessing so the file-reading rules (limits, formats, messages) live in one module; both
twins yield upright RGBA uint8, first frame only, bounded to the spec's decoded side.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from training import picture_format, preprocess

if TYPE_CHECKING:
    from PIL import Image


class UnreadableImageError(ValueError):
    """A file that cannot be read as a picture; the message is a sentence for a person."""


def _eight_bit(image: Image.Image) -> Image.Image:
    """Return a 16-bit greyscale picture as 8-bit greyscale by its high byte, as the browser decodes it.

    Pillow's own conversion clips 16-bit values to 255, which turns all but the darkest greys white."""
    from PIL import Image

    if image.mode not in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        return image
    values = np.asarray(image).astype(np.int64) >> 8
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), "L")


def decode_file(path: str | os.PathLike, limits: dict | None = None) -> np.ndarray:
    """Return the picture in a file as RGBA uint8 [H,W,4], upright, first frame only."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if limits is None:
        limits = preprocess.load_spec()["decode"]
    path = Path(path)
    if not path.is_file():
        raise UnreadableImageError(f"{path.name}: there is no such file.")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableImageError(f"{path.name}: this file is empty (0 bytes).")
    if size > limits["max_file_bytes"]:
        raise UnreadableImageError(
            f"{path.name}: this file is too large ({size / 2**20:.1f} MB; the limit is "
            f"{limits['max_file_bytes'] / 2**20:.0f} MB)."
        )
    try:
        data = path.read_bytes()
        format_name = picture_format.sniff_format(data)
        if format_name is None:  # the page's formats only (so not TIFF, ICO, ...), with the page's sentence
            raise UnreadableImageError(
                f"{path.name}: this file is not a picture this app can read. "
                f"Please use a {picture_format.SUPPORTED} picture."
            )
        # The size from the file itself, wherever the format keeps it, so a bomb is refused before decoding.
        found = picture_format.picture_size(data, format_name)
        if found is None:
            raise UnreadableImageError(
                f"{path.name}: this picture is damaged and cannot be read (it does not say its size)."
            )
        width, height = found
        if width * height > limits["max_pixels"]:
            raise UnreadableImageError(
                f"{path.name}: this picture is too large ({width}x{height} pixels; the limit is "
                f"{limits['max_pixels'] / 1e6:.0f} megapixels)."
            )
        with Image.open(io.BytesIO(picture_format.decodable_bytes(data, format_name))) as image:
            image.seek(0)
            upright = _eight_bit(ImageOps.exif_transpose(image)).convert("RGBA")
            # Like decode.js, which lets the browser shrink big pictures while decoding: the long side
            # at most max_decoded_side (area averaging here), so later steps stay small and a small digit in
            # a big photo keeps enough pixels to be read (README, design notes: half the side reads fewer).
            scale = limits.get("max_decoded_side", 0) / max(upright.size)
            if 0 < scale < 1:
                # int(x + 0.5) rounds as the page's Math.round does.
                bounded = (max(1, int(upright.width * scale + 0.5)), max(1, int(upright.height * scale + 0.5)))
                upright = upright.resize(bounded, Image.Resampling.BOX)
            rgba = np.asarray(upright, dtype=np.uint8)
    except UnreadableImageError:
        raise
    except PermissionError:
        raise UnreadableImageError(f"{path.name}: this file cannot be opened (permission denied).") from None
    except UnidentifiedImageError:
        raise UnreadableImageError(f"{path.name}: this file is not a picture this app can read.") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise UnreadableImageError(f"{path.name}: this picture is damaged and cannot be read ({error}).") from None
    if rgba.ndim != 3 or rgba.shape[0] == 0 or rgba.shape[1] == 0:
        raise UnreadableImageError(f"{path.name}: this picture has no pixels.")
    return rgba


def source_scale(path: str | os.PathLike, decoded: np.ndarray) -> float:
    """Return the picture's own (upright) pixels per decoded pixel: 1 unless decoding shrank it.

    Boxes are reported in the picture's own pixels, as the page reports them."""
    from PIL import Image

    data = Path(path).read_bytes()
    readable = picture_format.decodable_bytes(data, picture_format.sniff_format(data) or "")  # as decode_file reads it
    with Image.open(io.BytesIO(readable)) as image:
        width, height = image.size
        orientation = image.getexif().get(0x0112, 1)  # EXIF Orientation: 5-8 turn the picture a quarter
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return max(width, height) / max(decoded.shape[0], decoded.shape[1])
