"""Decode a picture file into RGBA pixels with Pillow: the Python twin of site_templates/static/js/decode.js.

Kept apart from preprocessing so the file-reading rules (limits, formats, messages) live in one module; both
twins yield upright RGBA uint8, first frame only, bounded to the spec's decoded side.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


class UnreadableImageError(ValueError):
    """A file that cannot be read as a picture; the message is a sentence for a person."""


def decode_file(path: str | os.PathLike, limits: dict | None = None) -> np.ndarray:
    """Return the picture in a file as RGBA uint8 [H,W,4], upright, first frame only."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if limits is None:
        from training.preprocess import load_spec  # at call time: preprocess re-exports this module's names

        limits = load_spec()["decode"]
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
        with Image.open(path) as image:
            # Image.open reads only the header, so a decompression bomb is refused before decoding.
            width, height = image.size
            if width * height > limits["max_pixels"]:
                raise UnreadableImageError(
                    f"{path.name}: this picture is too large ({width}x{height} pixels; the limit is "
                    f"{limits['max_pixels'] / 1e6:.0f} megapixels)."
                )
            image.seek(0)
            upright = ImageOps.exif_transpose(image).convert("RGBA")
            # Like decode.js, which lets the browser shrink big pictures while decoding: the long
            # side at most max_decoded_side, so later steps stay small (area averaging here). It is
            # the working side, 256: a digit a tenth of the picture tall still fills the 20 px box,
            # and 300 rendered uploads read the same as at 1024, for a quarter of 512's pixel work.
            scale = limits.get("max_decoded_side", 0) / max(upright.size)
            if 0 < scale < 1:
                bounded = (max(1, int(upright.width * scale + 0.5)), max(1, int(upright.height * scale + 0.5)))  # Math.round
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

    with Image.open(path) as image:
        width, height = image.size
        orientation = image.getexif().get(0x0112, 1)  # EXIF Orientation: 5-8 turn the picture a quarter
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return max(width, height) / max(decoded.shape[0], decoded.shape[1])
